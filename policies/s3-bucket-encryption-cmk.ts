// Every bucket has a default-encryption resource linked to it: SSE-KMS with a customer-managed key for data
// buckets, SSE-S3 for ALB access-log buckets (ELB log delivery supports only SSE-S3). A bucket is an access-log
// bucket only when the graph proves it (lib/access-logs.ts); the tag alone exempts nothing.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { accessLogBucket, UNPROVEN } from "./lib/access-logs";
import { judgeCmk } from "./lib/kms";
import { forTypes, isReplicaBucket, isTaggedAccessLogs, label, linked, read, T } from "./lib/stack";

/** Why the bucket's tags do not soften the rule, appended to its violations. */
function tagNote(b: PolicyResource): string {
    if (isTaggedAccessLogs(b)) return ` (${UNPROVEN})`;
    if (isReplicaBucket(b)) return " (a replication destination, vbr:replication = destination, holds the same data as its source and needs the same CMK)";
    return "";
}

type Rule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } };

export const s3BucketEncryptionCmk: StackValidationPolicy = {
    name: "s3-bucket-encryption-cmk",
    description: "S3 buckets must default-encrypt with SSE-KMS and a customer-managed key (a BucketServerSideEncryptionConfiguration linked to the bucket, or the bucket's own serverSideEncryptionConfiguration); ALB access-log buckets use SSE-S3, and a bucket is one only if tagged vbr:data-class = access-logs AND a load balancer of the stack logs to it or its bucket policy grants only ELB log delivery.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const logs = accessLogBucket(b, args.resources);
            if (logs.kind === "unknown") { undecided.note({ known: false, error: logs.error }); continue; }
            const note = logs.kind === "access-logs" ? "" : tagNote(b);
            const configs: Array<{ c: PolicyResource; key: string; at: string; rules: () => Rule[] | undefined }> = linked(args.resources, T.encryption, "bucket", b)
                .map((c) => ({ c, key: "rules", at: "rules[0].applyServerSideEncryptionByDefault", rules: () => c.props.rules as Rule[] | undefined }));
            // The bucket's own serverSideEncryptionConfiguration (deprecated in v7, still applied) counts as it is.
            const inline = read(() => b.props.serverSideEncryptionConfiguration as { rule?: Rule } | undefined);
            if (!inline.known) { undecided.note(inline); continue; }
            if (configs.length === 0 && inline.value !== undefined) {
                configs.push({ c: b, key: "serverSideEncryptionConfiguration", at: "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault", rules: () => [(b.props.serverSideEncryptionConfiguration as { rule: Rule }).rule] });
            }
            if (configs.length === 0) {
                report(`${label(b)} has no default encryption configuration${note}. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with sseAlgorithm "aws:kms" and kmsMasterKeyId = the stack's data key.`, b.urn);
                continue;
            }
            for (const { c, key, at, rules: get } of configs) {
                const rules = read(get);
                if (!rules.known) { undecided.note(rules); continue; }
                const algo = read(() => get()?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm);
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
                    report(`${label(b)} default-encrypts with ${JSON.stringify(algo.value)} (${label(c)}), not a customer-managed KMS key${note}. Fix: set ${at} to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <data key ARN> }.`, c.urn);
                    continue;
                }
                const v = judgeCmk(c, key, () => get()![0].applyServerSideEncryptionByDefault?.kmsMasterKeyId);
                if (v.ok === "unknown") undecided.note({ known: false, error: v.error });
                else if (!v.ok) report(`${label(b)} default-encrypts with ${v.problem} (${label(c)} ${at}.kmsMasterKeyId)${note}. Fix: set kmsMasterKeyId to the stack's data key ARN.`, c.urn);
            }
        }
    }),
};
