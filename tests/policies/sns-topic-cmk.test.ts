import { cmkPolicySpec } from "./fixtures";

cmkPolicySpec("sns-topic-cmk", { resource: "topic", label: "Topic", field: "kmsMasterKeyId", awsAlias: "alias/aws/sns", absent: "no KMS key (server-side encryption is off)" });
