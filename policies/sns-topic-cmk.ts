// SNS topics encrypt messages at rest with a customer-managed key.
import { cmkPolicy } from "./lib/cmk-policy";
import { T } from "./lib/stack";

export const snsTopicCmk = cmkPolicy({
    name: "sns-topic-cmk",
    description: "SNS topics must encrypt with a customer-managed KMS key (kmsMasterKeyId), never alias/aws/sns.",
    types: T.topic,
    keys: () => [{ topKey: "kmsMasterKeyId", path: "kmsMasterKeyId", absent: "no KMS key (server-side encryption is off)", get: (r) => r.props.kmsMasterKeyId }],
});
