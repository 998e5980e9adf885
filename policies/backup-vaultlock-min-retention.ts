// Vault Lock keeps recovery points at least 35 days: nobody can shorten retention below the plan.
import { StackValidationPolicy } from "@pulumi/policy";
import { minimumRetention, retentionDaysSchema } from "./lib/config";
import { forTypes, T } from "./lib/stack";

export interface VaultLockConfig { minimumRetentionDays: number }

export const backupVaultLockMinRetention: StackValidationPolicy = {
    name: "backup-vaultlock-min-retention",
    description: "AWS Backup vault locks must set minRetentionDays to at least 35.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minimumRetentionDays: retentionDaysSchema } },
    validateStack: forTypes(T.vaultLock, minimumRetention("minRetentionDays",
        (min) => `. Fix: set minRetentionDays: ${min}.`)),
};
