// CloudWatch log groups encrypt with a customer-managed key.
import { cmkPolicy } from "./lib/cmk-policy";
import { T } from "./lib/stack";

export const cloudwatchLogGroupCmk = cmkPolicy({
    name: "cloudwatch-loggroup-cmk",
    description: "CloudWatch log groups must encrypt with a customer-managed KMS key (kmsKeyId).",
    types: T.logGroup,
    keys: () => [{ topKey: "kmsKeyId", path: "kmsKeyId", absent: "no KMS key (CloudWatch Logs then encrypts with a key AWS owns and you cannot control)", get: (r) => r.props.kmsKeyId }],
});
