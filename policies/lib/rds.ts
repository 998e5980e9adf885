// What kind of RDS instance a resource is: a read replica, a restored copy, a disposable drill copy.
import { PolicyResource } from "@pulumi/policy";
import { isDrillCopy, peek, read, tags, TAG } from "./stack";

/** A read replica (`replicateSourceDb` set, even if unknown during preview). */
export function isReadReplica(db: PolicyResource): boolean {
    const v = read(() => db.props.replicateSourceDb);
    return !v.known || (typeof v.value === "string" && v.value !== "");
}

/** Restored from a snapshot or to a point in time. */
export function isRestored(db: PolicyResource): boolean {
    const pitr = read(() => db.props.restoreToPointInTime);
    const snap = read(() => db.props.snapshotIdentifier);
    return !pitr.known || pitr.value !== undefined || !snap.known || (typeof snap.value === "string" && snap.value !== "");
}

/** A restored instance whose backups the runbook turns on after bring-up: retention 0 and `vbr:backups = deferred`. */
export function hasDeferredBackups(db: PolicyResource): boolean {
    return isRestored(db) && tags(db)[TAG.backups] === "deferred" && peek(() => db.props.backupRetentionPeriod) === 0;
}

/**
 * A drill copy (`vbr:lifecycle = drill`) may be deleted, because deleting it leaves a final snapshot:
 * returns why not when it would not.
 */
export function drillCopyFinalSnapshotProblem(db: PolicyResource): string | undefined {
    if (!isDrillCopy(db)) return "it is not a drill copy (tag vbr:lifecycle = drill)";
    const skip = peek(() => db.props.skipFinalSnapshot);
    const id = read(() => db.props.finalSnapshotIdentifier);
    if (skip === true) return "it is a drill copy but skipFinalSnapshot is true";
    if (id.known && (typeof id.value !== "string" || id.value === "")) return "it is a drill copy without finalSnapshotIdentifier";
    return undefined;
}
