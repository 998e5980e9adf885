import { cmkPolicySpec } from "./fixtures";

cmkPolicySpec("cloudwatch-loggroup-cmk", { resource: "logs", label: "LogGroup", field: "kmsKeyId", awsAlias: "alias/aws/logs" });
