import { find, policySpec, set, UNKNOWN } from "./fixtures";

policySpec("backup-vaultlock-min-retention", {
    cases: [
        { name: "minRetentionDays 7", change: (rs) => set(find(rs, "lock"), ["minRetentionDays"], 7),
            expect: [{ name: "lock", message: 'VaultLockConfiguration "lock" has minRetentionDays 7, below 35. Fix: set minRetentionDays: 35.' }] },
        { name: "minRetentionDays unset", change: (rs) => set(find(rs, "lock"), ["minRetentionDays"], undefined),
            expect: [{ name: "lock", message: 'VaultLockConfiguration "lock" has minRetentionDays unset, below 35. Fix: set minRetentionDays: 35.' }] },
    ],
    unknown: { name: "minRetentionDays unknown", change: (rs) => set(find(rs, "lock"), ["minRetentionDays"], UNKNOWN), expect: "advisory" },
});
