// Every bucket's policy denies requests that do not use TLS (aws:SecureTransport = false).
import { StackValidationPolicy } from "@pulumi/policy";
import { forTypes, label, linked, read, T } from "./lib/stack";

type Statement = { Effect?: string; Principal?: unknown; Action?: string | string[]; Condition?: Record<string, Record<string, unknown>> };

/** A Deny for everyone on all S3 actions when aws:SecureTransport is false. */
export function deniesInsecureTransport(policy: unknown): boolean {
    let doc: { Statement?: Statement | Statement[] };
    try {
        doc = typeof policy === "string" ? JSON.parse(policy) : (policy as typeof doc);
    } catch {
        return false;
    }
    const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
    return statements.some((s) => {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        const principal = s.Principal === "*" || (typeof s.Principal === "object" && s.Principal !== null && (s.Principal as { AWS?: unknown }).AWS === "*");
        const secure = s.Condition?.Bool?.["aws:SecureTransport"];
        return s.Effect === "Deny" && principal && (actions.includes("s3:*") || actions.includes("*")) && String(secure) === "false";
    });
}

export const s3BucketTlsOnly: StackValidationPolicy = {
    name: "s3-bucket-tls-only",
    description: "S3 buckets must have a bucket policy that denies every request made without TLS (Deny s3:* for * when aws:SecureTransport is false).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const policies = linked(args.resources, T.bucketPolicy, "bucket", b);
            if (policies.length === 0) {
                report(`${label(b)} has no bucket policy, so plain-HTTP requests are allowed. Fix: add an aws.s3.BucketPolicy with a DenyInsecureTransport statement (Effect Deny, Principal *, Action s3:*, Condition Bool aws:SecureTransport = false).`, b.urn);
                continue;
            }
            const docs = policies.map((p) => ({ p, doc: read(() => p.props.policy) }));
            if (docs.some((d) => d.doc.known && deniesInsecureTransport(d.doc.value))) continue;
            const unknown = docs.find((d) => !d.doc.known);
            if (unknown && !unknown.doc.known) { undecided.note(unknown.doc); continue; }
            report(`${label(b)} bucket policy (${policies.map(label).join(", ")}) does not deny non-TLS access. Fix: add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, arn/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.`, policies[0].urn);
        }
    }),
};
