// One shape for "this resource type encrypts with a customer-managed key": used by the per-service CMK policies.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { judgeCmk } from "./kms";
import { forTypes, label, Undecided } from "./stack";

export interface KeyInput {
    /** The top-level input the key comes from (the propertyDependencies key). */
    topKey: string;
    /** Reads the key reference; may throw the proxy's unknown error. */
    get: (r: PolicyResource) => unknown;
    /** The input path in messages, e.g. `kmsKeyId` or `replicas[0].kmsKeyId`. */
    path: string;
}

export interface CmkPolicyArgs {
    name: string;
    description: string;
    types: readonly string[];
    /** The key references a resource must have (several for e.g. a secret and its replicas). */
    keys: (r: PolicyResource) => KeyInput[];
    /**
     * Other problems with the resource's encryption (e.g. `storageEncrypted: false`), as messages; a value it
     * cannot read goes to `undecided`, never silently passes.
     */
    extra?: (r: PolicyResource, undecided: Undecided) => string[];
}

export function cmkPolicy(a: CmkPolicyArgs): StackValidationPolicy {
    return {
        name: a.name,
        description: a.description,
        enforcementLevel: "mandatory",
        validateStack: forTypes(a.types, (targets, _args, report, undecided) => {
            for (const r of targets) {
                for (const m of a.extra?.(r, undecided) ?? []) report(`${label(r)}: ${m}`, r.urn);
                for (const k of a.keys(r)) {
                    const v = judgeCmk(r, k.topKey, () => k.get(r));
                    if (v.ok === "unknown") undecided.note({ known: false, error: v.error });
                    else if (!v.ok) {
                        report(`${label(r)} encrypts with ${v.problem} (${k.path}). Fix: set ${k.path} to a customer-managed KMS key ARN in the resource's region.`, r.urn);
                    }
                }
            }
        }),
    };
}
