// Secrets Manager secrets, and each of their cross-region replicas, encrypt with a customer-managed key.
import { PolicyResource } from "@pulumi/policy";
import { cmkPolicy, KeyInput } from "./lib/cmk-policy";
import { peek, T } from "./lib/stack";

export const secretsmanagerSecretCmk = cmkPolicy({
    name: "secretsmanager-secret-cmk",
    description: "Secrets Manager secrets and their replicas must encrypt with customer-managed KMS keys (kmsKeyId, replicas[].kmsKeyId).",
    types: T.secret,
    keys: (r: PolicyResource) => {
        const keys: KeyInput[] = [{ topKey: "kmsKeyId", path: "kmsKeyId", get: (x) => x.props.kmsKeyId }];
        const replicas = peek(() => r.props.replicas as unknown[] | undefined) ?? [];
        replicas.forEach((_, i) => keys.push({
            topKey: "replicas", path: `replicas[${i}].kmsKeyId`,
            get: (x) => (x.props.replicas as Array<{ kmsKeyId?: string }>)[i].kmsKeyId,
        }));
        return keys;
    },
});
