// Every bucket's policy denies requests that do not use TLS, on the bucket and every object in it.
//
// Judged by effect (lib/iam.ts): the deny may be spelled with Bool or BoolIfExists, split over several statements
// (bucket and objects), use wildcards or NotAction/NotResource; it must cover every principal, every S3 action and
// every resource of the bucket, with no condition other than aws:SecureTransport narrowing it. S3 keeps one policy
// per bucket: when several BucketPolicy resources (or one and the Bucket's inline policy) target a bucket, each is
// judged and the conflict is reported, because which one is in force depends on the order they are applied.
import { StackValidationPolicy } from "@pulumi/policy";
import { bucketArn, bucketPolicies } from "./lib/bucket-policy";
import { insecureRequestAllowed } from "./lib/iam";
import { forTypes, label, T } from "./lib/stack";

const FIX = 'Fix: add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [<bucket ARN>, "<bucket ARN>/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }.';

export const s3BucketTlsOnly: StackValidationPolicy = {
    name: "s3-bucket-tls-only",
    description: "S3 buckets must have one bucket policy that denies every request made without TLS (aws:SecureTransport false) to every principal, for every S3 action, on the bucket and all its objects.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const sources = bucketPolicies(b, args.resources);
            if (sources.length === 0) {
                report(`${label(b)} has no bucket policy, so plain-HTTP requests are allowed. Fix: add an aws.s3.BucketPolicy with a DenyInsecureTransport statement (Effect Deny, Principal *, Action s3:*, Resource [arn, arn/*], Condition Bool aws:SecureTransport = false).`, b.urn);
                continue;
            }
            if (sources.length > 1) {
                report(`${label(b)} is the target of ${sources.length} bucket policies (${sources.map((s) => s.name).join(", ")}): S3 keeps one policy per bucket, each write replacing the last, so which statements are in force depends on the order they are applied. Fix: merge them into one aws.s3.BucketPolicy.`, b.urn);
            }
            const arn = bucketArn(b);
            if (!arn.known) { undecided.note(arn); continue; }
            // A bucket without a name (auto-named) is covered only by a wildcard; match against a name no bucket has.
            const target = arn.value ?? "arn:aws:s3:::\u0000";
            for (const s of sources) {
                if (!s.doc.known) { undecided.note(s.doc); continue; }
                const open = insecureRequestAllowed(s.doc.value, target);
                if (open) report(`${label(b)}: ${s.name} does not deny every plain-HTTP request to ${arn.value ?? "the bucket"} and its objects (it lets through ${open} without TLS). ${FIX}`, s.owner.urn);
            }
        }
    }),
};
