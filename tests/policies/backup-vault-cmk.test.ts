import { cmkPolicySpec } from "./fixtures";

cmkPolicySpec("backup-vault-cmk", { resource: "vault", label: "Vault", field: "kmsKeyArn", awsAlias: "alias/aws/backup", absent: "no KMS key (AWS Backup then uses its AWS-managed key aws/backup)" });
