import { cmkPolicySpec } from "./fixtures";

cmkPolicySpec("backup-vault-cmk", { resource: "vault", label: "Vault", field: "kmsKeyArn", awsAlias: "alias/aws/backup" });
