// Vault Lock keeps recovery points at least 35 days: nobody can shorten retention below the plan.
import { StackValidationPolicy } from "@pulumi/policy";
import { retentionDaysSchema } from "./lib/config";
import { forTypes, label, read, T } from "./lib/stack";

export interface VaultLockConfig { minimumRetentionDays: number }

export const backupVaultLockMinRetention: StackValidationPolicy = {
    name: "backup-vaultlock-min-retention",
    description: "AWS Backup vault locks must set minRetentionDays to at least 35.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minimumRetentionDays: retentionDaysSchema } },
    validateStack: forTypes(T.vaultLock, (locks, args, report, undecided) => {
        const { minimumRetentionDays: min } = args.getConfig<VaultLockConfig>();
        for (const l of locks) {
            const v = read(() => l.props.minRetentionDays as number | undefined);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value === undefined || v.value < min) {
                report(`${label(l)} has minRetentionDays ${v.value ?? "unset"}, below ${min}. Fix: set minRetentionDays: ${min} (governance mode: leave changeableForDays unset).`, l.urn);
            }
        }
    }),
};
