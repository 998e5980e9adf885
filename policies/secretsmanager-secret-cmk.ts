// Secrets Manager secrets, and each of their cross-region replicas, encrypt with a customer-managed key.
import { PolicyResource } from "@pulumi/policy";
import { cmkPolicy, KeyInput } from "./lib/cmk-policy";
import { read, T } from "./lib/stack";

const ABSENT = "no KMS key (Secrets Manager then uses its AWS-managed key aws/secretsmanager)";

export const secretsmanagerSecretCmk = cmkPolicy({
    name: "secretsmanager-secret-cmk",
    description: "Secrets Manager secrets and their replicas must encrypt with customer-managed KMS keys (kmsKeyId, replicas[].kmsKeyId).",
    types: T.secret,
    keys: (r: PolicyResource) => {
        const keys: KeyInput[] = [{ topKey: "kmsKeyId", path: "kmsKeyId", absent: ABSENT, get: (x) => x.props.kmsKeyId }];
        const replicas = read(() => r.props.replicas as unknown[] | undefined);
        // Unknown replica list: judged as one key reference, decided from a key it came from or left undecided.
        if (!replicas.known) return [...keys, { topKey: "replicas", path: "replicas[*].kmsKeyId", absent: ABSENT, region: null, get: (x) => x.props.replicas }];
        (replicas.value ?? []).forEach((_, i) => keys.push({
            // Each replica's key must be in the replica's region, not the secret's.
            topKey: "replicas", path: `replicas[${i}].kmsKeyId`, absent: ABSENT,
            region: read(() => (r.props.replicas as Array<{ region?: string }>)[i].region),
            get: (x) => (x.props.replicas as Array<{ kmsKeyId?: string }>)[i].kmsKeyId,
        }));
        return keys;
    },
});
