// Every bucket has a default-encryption resource linked to it: SSE-KMS with a customer-managed key for data
// buckets, SSE-S3 for ALB access-log buckets (ELB log delivery supports only SSE-S3). A bucket is an access-log
// bucket only when the graph proves it (lib/access-logs.ts); the tag alone exempts nothing.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { accessLogBucket, UNPROVEN } from "./lib/access-logs";
import { judgeCmk } from "./lib/kms";
import { replicationDestination } from "./lib/destination";
import { effectiveRegion, forTypes, isTaggedAccessLogs, label, linked, read, T } from "./lib/stack";

/** Why the bucket's tags do not soften the rule, appended to its violations. */
function tagNote(b: PolicyResource, all: PolicyResource[]): string {
    if (isTaggedAccessLogs(b)) return ` (${UNPROVEN})`;
    const d = replicationDestination(b, all);
    if (d.kind === "proven" || d.kind === "trusted") return ` (a replication destination, ${d.via}, holds the same data as its source and needs a customer-managed key too)`;
    return "";
}

type Rule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } };

export const s3BucketEncryptionCmk: StackValidationPolicy = {
    name: "s3-bucket-encryption-cmk",
    description: "S3 buckets must default-encrypt with SSE-KMS and a customer-managed key (a BucketServerSideEncryptionConfiguration linked to the bucket); ALB access-log buckets use SSE-S3, and a bucket is one only if tagged vbr:data-class = access-logs AND a load balancer of the stack logs to it or its bucket policy grants only ELB log delivery.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const logs = accessLogBucket(b, args.resources);
            if (logs.kind === "unknown") { undecided.note({ known: false, error: logs.error }); continue; }
            const note = logs.kind === "access-logs" ? "" : tagNote(b, args.resources);
            const configs = linked(args.resources, T.encryption, "bucket", b);
            if (configs.length === 0) {
                report(`${label(b)} has no default encryption configuration${note}. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with sseAlgorithm "aws:kms" and kmsMasterKeyId = a customer-managed KMS key ARN in the bucket's region.`, b.urn);
                continue;
            }
            for (const c of configs) {
                const rules = read(() => c.props.rules as Rule[] | undefined);
                if (!rules.known) { undecided.note(rules); continue; }
                const algo = read(() => (c.props.rules as Rule[])?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm);
                if (!algo.known) { undecided.note(algo); continue; }
                if (logs.kind === "access-logs") {
                    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html:
                    // the only server-side encryption supported for access-log buckets is SSE-S3.
                    if (algo.value !== "AES256") {
                        report(`${label(b)} is an ALB access-log bucket (${logs.via}) encrypted with ${JSON.stringify(algo.value)} by ${label(c)}; ELB log delivery supports only SSE-S3. Fix: set sseAlgorithm "AES256".`, c.urn);
                    }
                    continue;
                }
                if (algo.value !== "aws:kms" && algo.value !== "aws:kms:dsse") {
                    report(`${label(b)} default-encrypts with ${JSON.stringify(algo.value)} (${label(c)}), not a customer-managed KMS key${note}. Fix: set rules[0].applyServerSideEncryptionByDefault to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN in the bucket's region> }.`, c.urn);
                    continue;
                }
                const v = judgeCmk(c, "rules", () => (c.props.rules as Rule[])[0].applyServerSideEncryptionByDefault?.kmsMasterKeyId, { region: effectiveRegion(b) });
                if (v.ok === "unknown") undecided.note({ known: false, error: v.error });
                else if (!v.ok) report(`${label(b)} default-encrypts with ${v.problem} (${label(c)} rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId)${note}. Fix: set kmsMasterKeyId to a customer-managed KMS key ARN in the bucket's region.`, c.urn);
            }
        }
    }),
};
