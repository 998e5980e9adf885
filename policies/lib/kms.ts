// Customer-managed key checks: an AWS-managed key (`alias/aws/...`) or no key at all is not a CMK, and a key of
// another region is refused by AWS (a KMS key is regional: a resource can only use a key of its own region).
import { PolicyResource } from "@pulumi/policy";
import { arnRegion, effectiveRegion, isOf, read, Read, T } from "./stack";

export type CmkVerdict =
    | { ok: true }
    | { ok: false; problem: string }
    | { ok: "unknown"; error: Error };

/** An AWS-managed key, by alias name, alias ARN or the alias in a key reference. */
export const isAwsManagedKey = (v: string): boolean => /(^|:)alias\/aws\//.test(v);

/**
 * Judges a known key reference. `absent` says what the service does without a key (it differs: Secrets Manager
 * falls back to its AWS-managed key, SNS does not encrypt at all).
 */
export function judgeKey(v: unknown, absent = "no KMS key"): { ok: true } | { ok: false; problem: string } {
    if (v === undefined || v === null || v === "") return { ok: false, problem: absent };
    if (typeof v !== "string") return { ok: false, problem: `a key reference that is not a string (${JSON.stringify(v)})` };
    if (isAwsManagedKey(v)) return { ok: false, problem: `the AWS-managed key "${v}"` };
    return { ok: true };
}

/** The customer keys and aliases of this stack an input came from (propertyDependencies). */
function keyDependencies(r: PolicyResource, topKey: string): PolicyResource[] {
    return (r.propertyDependencies[topKey] ?? []).filter((d) => isOf(d, T.key) || isOf(d, T.alias));
}

/**
 * A customer key or alias in this stack that an input came from: proof of a CMK while its ARN is unknown. An
 * alias counts only when its name is known and not `alias/aws/...`: an unknown name proves nothing.
 */
function cmkDependency(r: PolicyResource, topKey: string): boolean {
    return keyDependencies(r, topKey).some((d) => {
        if (isOf(d, T.key)) return true;
        const name = read(() => d.props.name);
        return name.known && typeof name.value === "string" && name.value !== "" && !isAwsManagedKey(name.value);
    });
}

/**
 * The region of the key at `get()`: its ARN's, else (an unknown value, or a bare key id or alias name) the one region
 * of the keys of this stack it came from. Undefined when it cannot be told.
 */
function keyRegion(r: PolicyResource, topKey: string, v: Read<unknown>): string | undefined {
    const own = v.known ? arnRegion(v.value) : undefined;
    if (own) return own;
    // A bare key id (key.id) carries no region: the key of this stack it came from does.
    const regions = new Set(keyDependencies(r, topKey).map((k) => effectiveRegion(k)).map((x) => (x.known ? x.value : undefined)));
    return regions.size === 1 ? [...regions][0] : undefined;
}

export interface JudgeCmkOptions {
    /** What the service does without a key, for the message. @default "no KMS key" */
    absent?: string;
    /** The region the key must be in. @default the resource's effective region; null skips the check */
    region?: Read<string | undefined> | null;
}

/**
 * Judges the key at `get()` on resource `r`, whose value comes from top-level input `topKey`: a customer-managed
 * key in the expected region. An unknown value is decided from propertyDependencies (it came from a KMS key or
 * customer alias of this stack, whose region is that key's); if that cannot prove a CMK, the unknown is returned so
 * the policy can surface the engine's advisory.
 */
export function judgeCmk(r: PolicyResource, topKey: string, get: () => unknown, opts: JudgeCmkOptions = {}): CmkVerdict {
    const v = read(get);
    if (v.known) {
        const k = judgeKey(v.value, opts.absent);
        if (!k.ok) return k;
    } else if (!cmkDependency(r, topKey)) {
        return { ok: "unknown", error: v.error };
    }
    const expected = opts.region === null ? undefined : opts.region ?? effectiveRegion(r);
    const own = keyRegion(r, topKey, v);
    if (expected?.known && expected.value && own && own !== expected.value) {
        const which = v.known ? `the key "${String(v.value)}"` : "a key";
        return { ok: false, problem: `${which} of ${own}, while the resource is in ${expected.value} (AWS accepts only a key of the resource's own region)` };
    }
    return { ok: true };
}
