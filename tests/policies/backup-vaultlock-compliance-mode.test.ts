import { find, policySpec, set, UNKNOWN } from "./fixtures";

const GOVERNANCE = 'VaultLockConfiguration "lock" has no changeableForDays, so it is in governance mode: an administrator (or stolen administrator ' +
    "credentials) can remove the lock and then delete the recovery points. Fix: set changeableForDays (at least 3) to lock it in compliance mode, " +
    "immutable once those days have passed; try the configuration in governance mode first, because compliance mode cannot be undone.";

policySpec("backup-vaultlock-compliance-mode", {
    cases: [
        { name: "changeableForDays unset (governance mode)", change: (rs) => set(find(rs, "lock"), ["changeableForDays"], undefined),
            expect: [{ name: "lock", level: "advisory", message: GOVERNANCE }] },
    ],
    unknown: { name: "changeableForDays unknown", change: (rs) => set(find(rs, "lock"), ["changeableForDays"], UNKNOWN), expect: "advisory" },
});
