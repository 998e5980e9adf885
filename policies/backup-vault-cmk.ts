// AWS Backup vaults encrypt recovery points with a customer-managed key.
import { cmkPolicy } from "./lib/cmk-policy";
import { T } from "./lib/stack";

export const backupVaultCmk = cmkPolicy({
    name: "backup-vault-cmk",
    description: "AWS Backup vaults must encrypt recovery points with a customer-managed KMS key (kmsKeyArn), never the AWS-managed aws/backup key.",
    types: T.vault,
    keys: () => [{ topKey: "kmsKeyArn", path: "kmsKeyArn", absent: "no KMS key (AWS Backup then uses its AWS-managed key aws/backup)", get: (r) => r.props.kmsKeyArn }],
});
