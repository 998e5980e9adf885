// Customer-managed KMS keys rotate their key material yearly.
import { StackValidationPolicy } from "@pulumi/policy";
import { forTypes, label, read } from "./lib/stack";

export const kmsKeyRotationEnabled: StackValidationPolicy = {
    name: "kms-key-rotation-enabled",
    description: "Customer-managed KMS keys must have automatic rotation enabled (enableKeyRotation: true).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(["aws:kms/key:Key"], (keys, _args, report, undecided) => {
        for (const k of keys) {
            const v = read(() => k.props.enableKeyRotation);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value !== true) report(`${label(k)} has enableKeyRotation ${JSON.stringify(v.value ?? "unset (false)")}. Fix: set enableKeyRotation: true.`, k.urn);
        }
    }),
};
