// Advisory: a Vault Lock in governance mode can be removed by an administrator, and with it every retention floor:
// in the ransomware scenario, stolen administrator credentials delete the recovery points. Compliance mode
// (changeableForDays set) becomes immutable once its grace period ends.
import { StackValidationPolicy } from "@pulumi/policy";
import { forTypes, label, read, T } from "./lib/stack";

export const backupVaultLockComplianceMode: StackValidationPolicy = {
    name: "backup-vaultlock-compliance-mode",
    description: "AWS Backup vault locks should be in compliance mode (changeableForDays set): a governance-mode lock can be removed by any " +
        "principal allowed backup:DeleteBackupVaultLockConfiguration.",
    enforcementLevel: "advisory",
    validateStack: forTypes(T.vaultLock, (locks, _args, report, undecided) => {
        for (const lock of locks) {
            const days = read(() => lock.props.changeableForDays as number | undefined);
            if (!days.known) { undecided.note(days); continue; }
            if (days.value !== undefined && days.value !== null) continue;
            report(`${label(lock)} has no changeableForDays, so it is in governance mode: an administrator (or stolen administrator credentials) ` +
                "can remove the lock and then delete the recovery points. Fix: set changeableForDays (at least 3) to lock it in compliance mode, " +
                "immutable once those days have passed; try the configuration in governance mode first, because compliance mode cannot be undone.", lock.urn);
        }
    }),
};
