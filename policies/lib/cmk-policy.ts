// One shape for "this resource type encrypts with a customer-managed key": used by the per-service CMK policies.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { judgeCmk, JudgeCmkOptions } from "./kms";
import { forTypes, label, Undecided } from "./stack";

export interface KeyInput extends JudgeCmkOptions {
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
     * Other problems with the resource's encryption (e.g. `storageEncrypted: false`), as messages ending in their
     * fix; a value it cannot read goes to `undecided`, never silently passes. When there is one, it is the
     * resource's one violation: its fix covers the key as well.
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
                const extra = a.extra?.(r, undecided) ?? [];
                if (extra.length > 0) { report(`${label(r)}: ${extra.join(" ")}`, r.urn); continue; }
                for (const k of a.keys(r)) {
                    const v = judgeCmk(r, k.topKey, () => k.get(r), k);
                    if (v.ok === "unknown") undecided.note({ known: false, error: v.error });
                    else if (!v.ok) {
                        report(`${label(r)} encrypts with ${v.problem} (${k.path}). Fix: set ${k.path} to a customer-managed KMS key ARN in the resource's region.`, r.urn);
                    }
                }
            }
        }),
    };
}
