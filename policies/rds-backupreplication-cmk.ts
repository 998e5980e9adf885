// Cross-region RDS automated backups are re-encrypted in the destination region with a customer-managed key.
import { cmkPolicy } from "./lib/cmk-policy";
import { T } from "./lib/stack";

export const rdsBackupReplicationCmk = cmkPolicy({
    name: "rds-backupreplication-cmk",
    description: "RDS automated backups replication must re-encrypt the copies with a customer-managed KMS key of the destination region (kmsKeyId).",
    types: T.backupsReplication,
    keys: () => [{ topKey: "kmsKeyId", path: "kmsKeyId", absent: "no KMS key (RDS cannot copy encrypted backups without a key of the destination region)", get: (r) => r.props.kmsKeyId }],
});
