// Secrets Manager secrets, and each of their cross-region replicas, encrypt with a customer-managed key.
import { PolicyResource } from "@pulumi/policy";
import { cmkPolicy, KeyInput } from "./lib/cmk-policy";
import { read, T } from "./lib/stack";

export const secretsmanagerSecretCmk = cmkPolicy({
    name: "secretsmanager-secret-cmk",
    description: "Secrets Manager secrets and their replicas must encrypt with customer-managed KMS keys (kmsKeyId, replicas[].kmsKeyId).",
    types: T.secret,
    keys: (r: PolicyResource) => {
        const keys: KeyInput[] = [{ topKey: "kmsKeyId", path: "kmsKeyId", get: (x) => x.props.kmsKeyId }];
        const replicas = read(() => r.props.replicas as unknown[] | undefined);
        // Unknown replica list: judged as one key reference, decided from a key it came from or left undecided.
        if (!replicas.known) return [...keys, { topKey: "replicas", path: "replicas[*].kmsKeyId", get: (x) => x.props.replicas }];
        (replicas.value ?? []).forEach((_, i) => keys.push({
            topKey: "replicas", path: `replicas[${i}].kmsKeyId`,
            get: (x) => (x.props.replicas as Array<{ kmsKeyId?: string }>)[i].kmsKeyId,
        }));
        return keys;
    },
});
