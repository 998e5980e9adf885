// Customer-managed key checks: an AWS-managed key (`alias/aws/...`) or no key at all is not a CMK.
import { PolicyResource } from "@pulumi/policy";
import { isOf, read, T } from "./stack";

export type CmkVerdict =
    | { ok: true }
    | { ok: false; problem: string }
    | { ok: "unknown"; error: Error };

/** An AWS-managed key, by alias name, alias ARN or the alias in a key reference. */
export const isAwsManagedKey = (v: string): boolean => /(^|:)alias\/aws\//.test(v);

/** Judges a known key reference. */
export function judgeKey(v: unknown): { ok: true } | { ok: false; problem: string } {
    if (v === undefined || v === null || v === "") return { ok: false, problem: "no KMS key (the service falls back to its AWS-managed key)" };
    if (typeof v !== "string") return { ok: false, problem: `a key reference that is not a string (${JSON.stringify(v)})` };
    if (isAwsManagedKey(v)) return { ok: false, problem: `the AWS-managed key "${v}"` };
    return { ok: true };
}

/**
 * A customer key or alias in this stack that an input came from: proof of a CMK while its ARN is unknown. An
 * alias counts only when its name is known and not `alias/aws/...`: an unknown name proves nothing.
 */
function cmkDependency(r: PolicyResource, topKey: string): boolean {
    return (r.propertyDependencies[topKey] ?? []).some((d) => {
        if (isOf(d, T.key)) return true;
        if (!isOf(d, T.alias)) return false;
        const name = read(() => d.props.name);
        return name.known && typeof name.value === "string" && name.value !== "" && !isAwsManagedKey(name.value);
    });
}

/**
 * Judges the key at `get()` on resource `r`, whose value comes from top-level input `topKey`. An unknown
 * value is decided from propertyDependencies (it came from a KMS key or customer alias of this stack); if
 * that cannot prove a CMK, the unknown is returned so the policy can surface the engine's advisory.
 */
export function judgeCmk(r: PolicyResource, topKey: string, get: () => unknown): CmkVerdict {
    const v = read(get);
    if (v.known) return judgeKey(v.value);
    if (cmkDependency(r, topKey)) return { ok: true };
    return { ok: "unknown", error: v.error };
}
