// Every backup vault has a Vault Lock that keeps recovery points at least 35 days: nobody can delete them or
// shorten their retention below the plan. A vault without a lock is judged too: it may receive this stack's
// backups or another stack's copies (which this stack cannot see), and either way its recovery points could be
// deleted the day they are made.
import { StackValidationPolicy } from "@pulumi/policy";
import { minimumRetention, retentionDaysSchema } from "./lib/config";
import { forTypes, isOf, label, linked, read, T } from "./lib/stack";
import { WEEKLY_RETENTION_FLOOR_DAYS } from "./model/plan";

export interface VaultLockConfig { minimumRetentionDays: number }

export const backupVaultLockMinRetention: StackValidationPolicy = {
    name: "backup-vaultlock-min-retention",
    description: "Every AWS Backup vault must have a Vault Lock (aws.backup.VaultLockConfiguration) with minRetentionDays at least 35 and no maxRetentionDays below the weekly 365 days.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minimumRetentionDays: retentionDaysSchema } },
    validateStack: forTypes([...T.vault, ...T.vaultLock], (targets, args, report, undecided) => {
        const { minimumRetentionDays: min } = args.getConfig<VaultLockConfig>();
        for (const vault of targets.filter((r) => isOf(r, T.vault))) {
            if (linked(args.resources, T.vaultLock, "backupVaultName", vault).length > 0) continue;
            report(`${label(vault)} has no Vault Lock: anyone allowed backup:DeleteRecoveryPoint or backup:UpdateRecoveryPointLifecycle can delete its recovery points or shorten their retention. Fix: add an aws.backup.VaultLockConfiguration for it with minRetentionDays: ${min} (and changeableForDays to lock it in compliance mode).`, vault.urn);
        }
        const locks = targets.filter((r) => isOf(r, T.vaultLock));
        minimumRetention("minRetentionDays", (m) => `. Fix: set minRetentionDays: ${m}.`)(locks, args, report, undecided);
        // A lock's maximum refuses every recovery point kept longer: the weekly points (a year) must fit under it.
        for (const lock of locks) {
            const max = read(() => lock.props.maxRetentionDays as number | undefined);
            if (!max.known) { undecided.note(max); continue; }
            if (typeof max.value === "number" && max.value < WEEKLY_RETENTION_FLOOR_DAYS) {
                report(`${label(lock)} has maxRetentionDays ${max.value}: AWS Backup refuses to keep a recovery point longer in the vault, so the ${WEEKLY_RETENTION_FLOOR_DAYS}-day weekly points and their copies fail. Fix: set maxRetentionDays to at least ${WEEKLY_RETENTION_FLOOR_DAYS}, or leave it unset.`, lock.urn);
            }
        }
    }),
};
