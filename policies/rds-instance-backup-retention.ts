// RDS automated backups are kept at least 35 days (point-in-time recovery over the whole window): RDS
// instances and Aurora clusters.
//
// Not judged here: read replica instances (a replica is itself the cross-region copy; its source's backups are
// the recovery path, and a promoted replica gets retention set in the same change that drops replicateSourceDb),
// and restored instances whose backups are deferred (`rds-instance-backups-deferred` reports those as advisory).
// Aurora clusters are always judged: Aurora always keeps backups (1 day at least), so 35 costs no bring-up time.
import { StackValidationPolicy } from "@pulumi/policy";
import { retentionDaysSchema } from "./lib/config";
import { DB_TYPES, hasDeferredBackups, isCluster, isReadReplica } from "./lib/rds";
import { anyOf, forTypes, known, label, read } from "./lib/stack";

export interface RdsRetentionConfig { minimumRetentionDays: number }

export const rdsInstanceBackupRetention: StackValidationPolicy = {
    name: "rds-instance-backup-retention",
    description: "RDS instances and Aurora clusters must keep automated backups at least 35 days (backupRetentionPeriod; unset means AWS's default of 1-7 days).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minimumRetentionDays: retentionDaysSchema } },
    validateStack: forTypes(DB_TYPES, (dbs, args, report, undecided) => {
        const { minimumRetentionDays: min } = args.getConfig<RdsRetentionConfig>();
        for (const db of dbs) {
            const exempt = isCluster(db) ? known(false) : anyOf(isReadReplica(db), hasDeferredBackups(db));
            if (!exempt.known) { undecided.note(exempt); continue; }
            if (exempt.value) continue;
            const v = read(() => db.props.backupRetentionPeriod as number | undefined);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value === undefined || v.value < min) {
                report(`${label(db)} has backupRetentionPeriod ${v.value === undefined ? "unset (AWS default, below 35)" : v.value}, below ${min} days. Fix: set backupRetentionPeriod: ${min}.`, db.urn);
            }
        }
    }),
};
