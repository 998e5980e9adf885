// What kind of RDS database a resource is: a read replica, a restored copy, a disposable drill copy. Each answer
// is a Read: a value unknown during preview is decided from propertyDependencies where it can be, and is
// otherwise returned unknown so the policy surfaces the engine's "can't run policy during preview" advisory.
import { PolicyResource } from "@pulumi/policy";
import { BACKUPS_DEFERRED, TAGS } from "../model/tags";
import { anyOf, isTaggedDrillCopy, isOf, known, label, linksTo, read, Read, T, tags } from "./stack";

/** RDS instances and Aurora clusters: the resources that hold a database's storage and backups. */
export const DB_TYPES: readonly string[] = [...T.dbInstance, ...T.dbCluster];

export const isCluster = (db: PolicyResource): boolean => isOf(db, T.dbCluster);

const nonEmpty = (v: unknown): boolean => typeof v === "string" && v !== "";

/**
 * A read replica: `replicateSourceDb` (instance) or `replicationSourceIdentifier` (Aurora cluster) set. An unknown
 * source counts as set only when it comes from a database of this stack (whose ARN is never empty); otherwise it
 * may still resolve to nothing, so it stays unknown.
 */
export function isReadReplica(db: PolicyResource): Read<boolean> {
    const key = isCluster(db) ? "replicationSourceIdentifier" : "replicateSourceDb";
    const v = read(() => db.props[key]);
    if (v.known) return known(nonEmpty(v.value));
    if ((db.propertyDependencies[key] ?? []).some((d) => isOf(d, DB_TYPES))) return known(true);
    return v;
}

/** Restored from a snapshot or to a point in time. An unknown `restoreToPointInTime` object stays unknown. */
export function isRestored(db: PolicyResource): Read<boolean> {
    const pitr = read(() => db.props.restoreToPointInTime);
    const snap = read(() => db.props.snapshotIdentifier);
    return anyOf(
        pitr.known ? known(pitr.value !== undefined && pitr.value !== null) : pitr,
        snap.known ? known(nonEmpty(snap.value)) : snap,
    );
}

/** Created from another database's data (replica or restore): storage encryption is inherited when unset. */
export const isDerived = (db: PolicyResource): Read<boolean> => anyOf(isReadReplica(db), isRestored(db));

/**
 * A restored instance whose backups the runbook turns on after bring-up: retention 0 and `vbr:backups = deferred`.
 * Aurora cannot defer backups (its minimum retention is 1 day), so a cluster never is.
 */
export function hasDeferredBackups(db: PolicyResource): Read<boolean> {
    if (isCluster(db) || tags(db)[TAGS.backups] !== BACKUPS_DEFERRED) return known(false);
    const retention = read(() => db.props.backupRetentionPeriod);
    if (!retention.known) return retention;
    if (retention.value !== 0) return known(false);
    return isRestored(db);
}

/**
 * Why `db` is not a proven disposable drill copy (known), undefined when it is one, or unknown. The tag
 * `vbr:lifecycle = drill` alone proves nothing; the graph must show a copy: restored from a snapshot or a point in
 * time (its data exists elsewhere), and nothing in the stack uses it as production data, i.e. no read replica and
 * no automated-backups replication has it as its source (one only replicates a database it means to keep).
 * Limitation: the services that write to it are not traced to the names they serve.
 */
export function notADrillCopy(db: PolicyResource, all: PolicyResource[]): Read<string | undefined> {
    if (!isTaggedDrillCopy(db)) return known("it is not a drill copy (tag vbr:lifecycle = drill)");
    const restored = isRestored(db);
    if (!restored.known) return restored;
    if (!restored.value) return known("it is tagged vbr:lifecycle = drill but is not restored from a snapshot or a point in time, so it holds original data, not a copy");
    const users = all.filter((r) => r.urn !== db.urn && (
        (isOf(r, DB_TYPES) && (r.propertyDependencies[isCluster(r) ? "replicationSourceIdentifier" : "replicateSourceDb"] ?? []).some((d) => d.urn === db.urn))
        || (isOf(r, T.backupsReplication) && linksTo(r, "sourceDbInstanceArn", db))));
    if (users.length > 0) return known(`it is tagged vbr:lifecycle = drill but ${users.map(label).join(", ")} replicates it, as only production data is`);
    return known(undefined);
}

/**
 * A proven drill copy (notADrillCopy) may be deleted, because deleting it leaves a final snapshot: the reason it
 * may not (known), undefined when it may, or unknown. `skipFinalSnapshot` unset is false (the provider's default).
 * An unknown `finalSnapshotIdentifier` is decided: it is set to a computed string, and with skipFinalSnapshot false
 * a delete either takes that snapshot or is refused by RDS, so the data survives.
 */
export function drillCopyFinalSnapshotProblem(db: PolicyResource, all: PolicyResource[]): Read<string | undefined> {
    const proof = notADrillCopy(db, all);
    if (!proof.known || proof.value !== undefined) return proof;
    const skip = read(() => db.props.skipFinalSnapshot);
    if (!skip.known) return skip;
    if (skip.value === true) return known("it is a drill copy but skipFinalSnapshot is true");
    const id = read(() => db.props.finalSnapshotIdentifier);
    if (id.known && !nonEmpty(id.value)) return known("it is a drill copy without finalSnapshotIdentifier");
    return known(undefined);
}
