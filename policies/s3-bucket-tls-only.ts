// Every bucket's policy denies requests that do not use TLS (aws:SecureTransport = false), on the bucket and its objects.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { forTypes, label, linked, read, Read, T } from "./lib/stack";

type Statement = {
    Effect?: string; Principal?: unknown; Action?: string | string[]; Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
};

const asList = <V>(v: V | V[] | undefined): V[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Everyone: "*", { AWS: "*" } or { AWS: ["*"] }. */
export function isEveryone(p: unknown): boolean {
    if (p === "*") return true;
    if (typeof p !== "object" || p === null || Array.isArray(p)) return false;
    const aws = (p as { AWS?: unknown }).AWS;
    return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

/** IAM's wildcard match (`*` any run, `?` one character). */
function matches(pattern: string, value: string): boolean {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${re}$`).test(value);
}

/**
 * Whether the Resource patterns cover the bucket itself (`arn`) and every object in it (`arn/*`): a pattern covers
 * all objects only if it ends with `*` and matches `arn/*` (so `arn/logs/*` does not).
 */
export function coversBucketAndObjects(resources: unknown, arn: string): { bucket: boolean; objects: boolean } {
    const patterns = asList(resources as string | string[] | undefined).filter((r): r is string => typeof r === "string");
    return {
        bucket: patterns.some((p) => matches(p, arn)),
        objects: patterns.some((p) => p.endsWith("*") && matches(p, `${arn}/*`)),
    };
}

/** A Deny for everyone on all S3 actions when aws:SecureTransport is false, over `arn` and `arn/*`. */
export function deniesInsecureTransport(policy: unknown, arn: string): boolean {
    let doc: { Statement?: Statement | Statement[] };
    try {
        doc = typeof policy === "string" ? JSON.parse(policy) : (policy as typeof doc);
    } catch {
        return false;
    }
    const statements = asList(doc?.Statement);
    return statements.some((s) => {
        const actions = asList(s.Action);
        const secure = asList(s.Condition?.Bool?.["aws:SecureTransport"] as unknown).map(String);
        const covered = coversBucketAndObjects(s.Resource, arn);
        return s.Effect === "Deny" && isEveryone(s.Principal) && (actions.includes("s3:*") || actions.includes("*"))
            && secure.length === 1 && secure[0] === "false" && covered.bucket && covered.objects;
    });
}

/** The bucket's ARN: its `arn` output, else built from its (deterministic) name. */
function bucketArn(b: PolicyResource): Read<string | undefined> {
    const arn = read(() => b.props.arn);
    if (arn.known && typeof arn.value === "string" && arn.value !== "") return arn as Read<string>;
    const name = read(() => b.props.bucket);
    if (name.known) return { known: true, value: typeof name.value === "string" && name.value !== "" ? `arn:aws:s3:::${name.value}` : undefined };
    return name;
}

const FIX = 'Fix: add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, arn/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.';

export const s3BucketTlsOnly: StackValidationPolicy = {
    name: "s3-bucket-tls-only",
    description: "S3 buckets must have a bucket policy that denies every request made without TLS (Deny s3:* for * when aws:SecureTransport is false, on both the bucket ARN and <arn>/*).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const policies = linked(args.resources, T.bucketPolicy, "bucket", b);
            if (policies.length === 0) {
                report(`${label(b)} has no bucket policy, so plain-HTTP requests are allowed. Fix: add an aws.s3.BucketPolicy with a DenyInsecureTransport statement (Effect Deny, Principal *, Action s3:*, Resource [arn, arn/*], Condition Bool aws:SecureTransport = false).`, b.urn);
                continue;
            }
            const arn = bucketArn(b);
            if (!arn.known) { undecided.note(arn); continue; }
            // A bucket without a name (auto-named) is covered only by a wildcard; match against a name no bucket has.
            const target = arn.value ?? "arn:aws:s3:::\u0000";
            const docs = policies.map((p) => ({ p, doc: read(() => p.props.policy) }));
            if (docs.some((d) => d.doc.known && deniesInsecureTransport(d.doc.value, target))) continue;
            const unknown = docs.find((d) => !d.doc.known);
            if (unknown && !unknown.doc.known) { undecided.note(unknown.doc); continue; }
            report(`${label(b)} bucket policy (${policies.map(label).join(", ")}) does not deny non-TLS access to both ${arn.value ?? "the bucket"} and its objects (${arn.value ?? "arn"}/*). ${FIX}`, policies[0].urn);
        }
    }),
};
