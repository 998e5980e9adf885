import { find, policySpec, set, UNKNOWN } from "./fixtures";

policySpec("backup-vaultlock-min-retention", {
    cases: [
        { name: "minRetentionDays 7", change: (rs) => set(find(rs, "lock"), ["minRetentionDays"], 7),
            expect: [{ name: "lock", message: 'VaultLockConfiguration "lock" has minRetentionDays 7, below 35. Fix: set minRetentionDays: 35.' }] },
        { name: "minRetentionDays unset", change: (rs) => set(find(rs, "lock"), ["minRetentionDays"], undefined),
            expect: [{ name: "lock", message: 'VaultLockConfiguration "lock" has minRetentionDays unset, below 35. Fix: set minRetentionDays: 35.' }] },
        { name: "a maximum retention below the weekly year", change: (rs) => set(find(rs, "lock"), ["maxRetentionDays"], 100),
            expect: [{ name: "lock", message: 'VaultLockConfiguration "lock" has maxRetentionDays 100: AWS Backup refuses to keep a recovery point longer in the vault, so the 365-day weekly points and their copies fail. Fix: set maxRetentionDays to at least 365, or leave it unset.' }] },
        { name: "a vault without a lock", change: (rs) => rs.splice(rs.indexOf(find(rs, "lock")), 1),
            expect: [{ name: "vault", message: 'Vault "vault" has no Vault Lock: anyone allowed backup:DeleteRecoveryPoint or backup:UpdateRecoveryPointLifecycle can delete its recovery points or shorten their retention. Fix: add an aws.backup.VaultLockConfiguration for it with minRetentionDays: 35 (and changeableForDays to lock it in compliance mode).' }] },
        { name: "a lock on another vault does not count", change: (rs) => { const l = find(rs, "lock"); set(l, ["backupVaultName"], "other"); l.propertyDependencies = {}; },
            expect: [{ name: "vault", message: 'Vault "vault" has no Vault Lock: anyone allowed backup:DeleteRecoveryPoint or backup:UpdateRecoveryPointLifecycle can delete its recovery points or shorten their retention. Fix: add an aws.backup.VaultLockConfiguration for it with minRetentionDays: 35 (and changeableForDays to lock it in compliance mode).' }] },
    ],
    unknown: { name: "minRetentionDays unknown", change: (rs) => set(find(rs, "lock"), ["minRetentionDays"], UNKNOWN), expect: "advisory" },
});
