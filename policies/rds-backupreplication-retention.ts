// Cross-region copies of RDS automated backups are kept as long as the source's (35 days).
import { StackValidationPolicy } from "@pulumi/policy";
import { retentionDaysSchema } from "./lib/config";
import { forTypes, label, read, T } from "./lib/stack";

export interface RdsBackupReplicationRetentionConfig { minimumRetentionDays: number }

export const rdsBackupReplicationRetention: StackValidationPolicy = {
    name: "rds-backupreplication-retention",
    description: "RDS automated backups replication must keep the replicated backups at least 35 days (retentionPeriod; AWS's default is 7).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minimumRetentionDays: retentionDaysSchema } },
    validateStack: forTypes(T.backupsReplication, (reps, args, report, undecided) => {
        const { minimumRetentionDays: min } = args.getConfig<RdsBackupReplicationRetentionConfig>();
        for (const r of reps) {
            const v = read(() => r.props.retentionPeriod as number | undefined);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value === undefined || v.value < min) {
                report(`${label(r)} has retentionPeriod ${v.value === undefined ? "unset (AWS default 7)" : v.value}, below ${min} days. Fix: set retentionPeriod: ${min}.`, r.urn);
            }
        }
    }),
};
