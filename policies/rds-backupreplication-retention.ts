// Cross-region copies of RDS automated backups are kept as long as the source's (35 days).
import { StackValidationPolicy } from "@pulumi/policy";
import { minimumRetention, retentionDaysSchema } from "./lib/config";
import { forTypes, T } from "./lib/stack";

export interface RdsBackupReplicationRetentionConfig { minimumRetentionDays: number }

export const rdsBackupReplicationRetention: StackValidationPolicy = {
    name: "rds-backupreplication-retention",
    description: "RDS automated backups replication must keep the replicated backups at least 35 days (retentionPeriod; AWS's default is 7).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minimumRetentionDays: retentionDaysSchema } },
    validateStack: forTypes(T.backupsReplication, minimumRetention("retentionPeriod",
        (min) => ` days. Fix: set retentionPeriod: ${min}.`, (v) => (v === undefined ? "unset (AWS default 7)" : String(v)))),
};
