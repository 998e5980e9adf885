// ECR repositories encrypt images with a customer-managed key (encryptionType KMS with kmsKey).
import { PolicyResource } from "@pulumi/policy";
import { cmkPolicy } from "./lib/cmk-policy";
import { read, T } from "./lib/stack";

type Enc = { encryptionType?: string; kmsKey?: string };

export const ecrRepositoryCmk = cmkPolicy({
    name: "ecr-repository-cmk",
    description: "ECR repositories must encrypt images with a customer-managed KMS key (encryptionConfigurations: [{ encryptionType: \"KMS\", kmsKey }]).",
    types: T.repository,
    keys: () => [{
        topKey: "encryptionConfigurations", path: "encryptionConfigurations[0].kmsKey",
        absent: "no KMS key (ECR then uses its AWS-managed key aws/ecr)",
        get: (r) => (r.props.encryptionConfigurations as Enc[] | undefined)?.[0]?.kmsKey,
    }],
    extra: (r: PolicyResource, undecided) => {
        const type = read(() => (r.props.encryptionConfigurations as Enc[] | undefined)?.[0]?.encryptionType);
        // Unknown: a known CMK in kmsKey does not prove KMS encryption, so the engine's advisory is surfaced.
        if (!type.known) { undecided.note(type); return []; }
        if (type.value === "KMS") return [];
        return [`encryptionType is ${JSON.stringify(type.value ?? "AES256 (the default)")}, not KMS. Fix: set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <customer-managed KMS key ARN in the resource's region> }].`];
    },
});
