// RDS storage (and so its snapshots and automated backups) is encrypted with a customer-managed key: RDS
// instances and Aurora clusters (whose cluster volume holds the data of all its instances).
import { cmkPolicy } from "./lib/cmk-policy";
import { DB_TYPES, isDerived } from "./lib/rds";
import { read } from "./lib/stack";

export const rdsInstanceStorageCmk = cmkPolicy({
    name: "rds-instance-storage-cmk",
    description: "RDS instances and Aurora clusters must encrypt storage with a customer-managed KMS key (storageEncrypted: true and kmsKeyId).",
    types: DB_TYPES,
    keys: () => [{ topKey: "kmsKeyId", path: "kmsKeyId", absent: "no KMS key (RDS then uses its AWS-managed key aws/rds)", get: (r) => r.props.kmsKeyId }],
    extra: (r, undecided) => {
        // A replica or restore inherits encryption from its source when storageEncrypted is unset (kmsKeyId is
        // still judged); anything else must say storageEncrypted: true, so an unencrypted create never passes.
        const enc = read(() => r.props.storageEncrypted);
        if (!enc.known) { undecided.note(enc); return []; }
        if (enc.value === true) return [];
        if (enc.value === undefined) {
            const derived = isDerived(r);
            if (!derived.known) { undecided.note(derived); return []; }
            if (derived.value) return [];
        }
        return [`storage is not encrypted (storageEncrypted ${JSON.stringify(enc.value ?? "unset, false")}). Fix: set storageEncrypted: true and kmsKeyId to a customer-managed KMS key ARN in the resource's region.`];
    },
});
