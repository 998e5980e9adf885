import { cmkPolicySpec } from "./fixtures";

cmkPolicySpec("cloudwatch-loggroup-cmk", { resource: "logs", label: "LogGroup", field: "kmsKeyId", awsAlias: "alias/aws/logs", absent: "no KMS key (CloudWatch Logs then encrypts with a key AWS owns and you cannot control)" });
