// RDS storage (and so its snapshots and automated backups) is encrypted with a customer-managed key.
import { cmkPolicy } from "./lib/cmk-policy";
import { peek, read, T } from "./lib/stack";

export const rdsInstanceStorageCmk = cmkPolicy({
    name: "rds-instance-storage-cmk",
    description: "RDS instances must encrypt storage with a customer-managed KMS key (storageEncrypted: true and kmsKeyId).",
    types: T.dbInstance,
    keys: () => [{ topKey: "kmsKeyId", path: "kmsKeyId", get: (r) => r.props.kmsKeyId }],
    extra: (r) => {
        // A replica or restore inherits encryption from its source only when kmsKeyId is given across regions;
        // storageEncrypted is still required so that an unencrypted create can never pass.
        const read_ = read(() => r.props.storageEncrypted);
        if (!read_.known) return [];
        const enc = read_.value;
        const derived = peek(() => r.props.replicateSourceDb) ?? peek(() => r.props.snapshotIdentifier) ?? peek(() => r.props.restoreToPointInTime);
        if (enc === true || (enc === undefined && derived !== undefined)) return [];
        return [`storageEncrypted is ${JSON.stringify(enc)}. Fix: set storageEncrypted: true with kmsKeyId = the stack's data key.`];
    },
});
