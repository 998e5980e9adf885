// Every bucket has a default-encryption resource linked to it: SSE-KMS with a customer-managed key for data
// buckets, SSE-S3 for ALB access-log buckets (ELB log delivery supports only SSE-S3).
import { StackValidationPolicy } from "@pulumi/policy";
import { judgeCmk } from "./lib/kms";
import { forTypes, isAccessLogBucket, label, linked, read, T } from "./lib/stack";

type Rule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } };

export const s3BucketEncryptionCmk: StackValidationPolicy = {
    name: "s3-bucket-encryption-cmk",
    description: "S3 buckets must default-encrypt with SSE-KMS and a customer-managed key (a BucketServerSideEncryptionConfiguration linked to the bucket); ALB access-log buckets use SSE-S3.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const configs = linked(args.resources, T.encryption, "bucket", b);
            if (configs.length === 0) {
                report(`${label(b)} has no default encryption configuration. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with sseAlgorithm "aws:kms" and kmsMasterKeyId = the stack's data key.`, b.urn);
                continue;
            }
            for (const c of configs) {
                const rules = read(() => c.props.rules as Rule[] | undefined);
                if (!rules.known) { undecided.note(rules); continue; }
                const algo = read(() => (c.props.rules as Rule[])?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm);
                if (!algo.known) { undecided.note(algo); continue; }
                if (isAccessLogBucket(b)) {
                    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html:
                    // the only server-side encryption supported for access-log buckets is SSE-S3.
                    if (algo.value !== "AES256") {
                        report(`${label(b)} is an ALB access-log bucket (vbr:data-class = access-logs) encrypted with ${JSON.stringify(algo.value)} by ${label(c)}; ELB log delivery supports only SSE-S3. Fix: set sseAlgorithm "AES256".`, c.urn);
                    }
                    continue;
                }
                if (algo.value !== "aws:kms" && algo.value !== "aws:kms:dsse") {
                    report(`${label(b)} default-encrypts with ${JSON.stringify(algo.value)} (${label(c)}), not a customer-managed KMS key. Fix: set rules[0].applyServerSideEncryptionByDefault to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <data key ARN> }.`, c.urn);
                    continue;
                }
                const v = judgeCmk(c, "rules", () => (c.props.rules as Rule[])[0].applyServerSideEncryptionByDefault?.kmsMasterKeyId);
                if (v.ok === "unknown") undecided.note({ known: false, error: v.error });
                else if (!v.ok) report(`${label(b)} default-encrypts with ${v.problem} (${label(c)} rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId). Fix: set kmsMasterKeyId to the stack's data key ARN.`, c.urn);
            }
        }
    }),
};
