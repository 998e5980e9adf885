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

type Default = { sseAlgorithm?: string; kmsMasterKeyId?: string };
type Rule = { applyServerSideEncryptionByDefault?: Default };

/** Where a bucket's default encryption is set: linked configuration resources, else the Bucket's (deprecated) inline input. */
function encryptionSources(b: PolicyResource, all: PolicyResource[]): Array<{ owner: PolicyResource; name: string; topKey: string; path: string; get: () => Default | undefined }> {
    const linkedConfigs = linked(all, T.encryption, "bucket", b).map((c) => ({
        owner: c, name: label(c), topKey: "rules", path: "rules[0].applyServerSideEncryptionByDefault",
        get: () => (c.props.rules as Rule[] | undefined)?.[0]?.applyServerSideEncryptionByDefault,
    }));
    if (linkedConfigs.length > 0) return linkedConfigs;
    const inline = read(() => b.props.serverSideEncryptionConfiguration);
    if (inline.known && (inline.value === undefined || inline.value === null)) return [];
    return [{
        owner: b, name: `the inline serverSideEncryptionConfiguration of ${label(b)}`, topKey: "serverSideEncryptionConfiguration",
        path: "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault",
        get: () => (b.props.serverSideEncryptionConfiguration as { rule?: Rule } | undefined)?.rule?.applyServerSideEncryptionByDefault,
    }];
}

export const s3BucketEncryptionCmk: StackValidationPolicy = {
    name: "s3-bucket-encryption-cmk",
    description: "S3 buckets must default-encrypt with SSE-KMS and a customer-managed key (a BucketServerSideEncryptionConfiguration linked to the bucket, or the bucket's own serverSideEncryptionConfiguration); ALB access-log buckets use SSE-S3, and a bucket is one only if tagged vbr:data-class = access-logs AND a load balancer of the stack logs to it or its bucket policy grants only ELB log delivery.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const logs = accessLogBucket(b, args.resources);
            if (logs.kind === "unknown") { undecided.note({ known: false, error: logs.error }); continue; }
            const note = () => (logs.kind === "access-logs" ? "" : tagNote(b, args.resources));
            const configs = encryptionSources(b, args.resources);
            if (configs.length === 0) {
                report(`${label(b)} has no default encryption configuration${note()}. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with sseAlgorithm "aws:kms" and kmsMasterKeyId = a customer-managed KMS key ARN in the bucket's region.`, b.urn);
                continue;
            }
            for (const c of configs) {
                const algo = read(() => c.get()?.sseAlgorithm);
                if (!algo.known) { undecided.note(algo); continue; }
                if (logs.kind === "access-logs") {
                    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html:
                    // the only server-side encryption supported for access-log buckets is SSE-S3.
                    if (algo.value !== "AES256") {
                        report(`${label(b)} is an ALB access-log bucket (${logs.via}) encrypted with ${JSON.stringify(algo.value)} by ${c.name}; ELB log delivery supports only SSE-S3. Fix: set sseAlgorithm "AES256".`, c.owner.urn);
                    }
                    continue;
                }
                if (algo.value !== "aws:kms" && algo.value !== "aws:kms:dsse") {
                    report(`${label(b)} default-encrypts with ${JSON.stringify(algo.value)} (${c.name}), not a customer-managed KMS key${note()}. Fix: set ${c.path} to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN in the bucket's region> }.`, c.owner.urn);
                    continue;
                }
                const v = judgeCmk(c.owner, c.topKey, () => c.get()?.kmsMasterKeyId, { region: effectiveRegion(b) });
                if (v.ok === "unknown") undecided.note({ known: false, error: v.error });
                else if (!v.ok) report(`${label(b)} default-encrypts with ${v.problem} (${c.name} ${c.path}.kmsMasterKeyId)${note()}. Fix: set kmsMasterKeyId to a customer-managed KMS key ARN in the bucket's region.`, c.owner.urn);
            }
        }
    }),
};
