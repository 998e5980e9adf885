import { expect } from "chai";
import type { RecordedResource } from "../../tools/harness/records";
import { asDestinationStack, albLoggingTo, asAccessLogShape, baseline, elbLogDeliveryPolicy, find, policySpec, reported, retype, set, UNKNOWN, V2 } from "./fixtures";

const sse = ["rules", 0, "applyServerSideEncryptionByDefault"];
const UNPROVEN = "it is tagged vbr:data-class = access-logs, but no load balancer of this stack writes its access logs to it and its bucket policy does not grant only ELB log delivery, so the tag exempts nothing";
const AES_FIX = 'Fix: set rules[0].applyServerSideEncryptionByDefault to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN in the bucket\'s region> }.';

policySpec("s3-bucket-encryption-cmk", {
    cases: [
        { name: "aws/s3 key", change: (rs) => set(find(rs, "documents-sse"), [...sse, "kmsMasterKeyId"], "alias/aws/s3"),
            expect: [{ name: "documents-sse", message: 'Bucket "documents" default-encrypts with the AWS-managed key "alias/aws/s3" (BucketServerSideEncryptionConfiguration "documents-sse" rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId). Fix: set kmsMasterKeyId to a customer-managed KMS key ARN in the bucket\'s region.' }] },
        { name: "SSE-S3 on a data bucket", change: (rs) => set(find(rs, "audit-sse"), sse, { sseAlgorithm: "AES256" }),
            expect: [{ name: "audit-sse", message: `Bucket "audit" default-encrypts with "AES256" (BucketServerSideEncryptionConfiguration "audit-sse"), not a customer-managed KMS key. ${AES_FIX}` }] },
        { name: "no encryption configuration", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-sse")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" has no default encryption configuration. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with sseAlgorithm "aws:kms" and kmsMasterKeyId = a customer-managed KMS key ARN in the bucket\'s region.' }] },
        { name: "the Bucket's inline SSE-S3, no configuration resource", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "audit-sse")), 1); set(find(rs, "audit"), ["serverSideEncryptionConfiguration"], { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } });
        }, expect: [{ name: "audit", message: 'Bucket "audit" default-encrypts with "AES256" (the inline serverSideEncryptionConfiguration of Bucket "audit"), not a customer-managed KMS key. Fix: set serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN in the bucket\'s region> }.' }] },
        { name: "the Bucket's inline SSE-KMS with a CMK passes", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "audit-sse")), 1);
            set(find(rs, "audit"), ["serverSideEncryptionConfiguration"], { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/data-0000" } } });
        }, expect: [] },
        { name: "a key of another region", change: (rs) => { const c = find(rs, "audit-sse"); set(c, [...sse, "kmsMasterKeyId"], "arn:aws:kms:us-west-2:123456789012:key/k"); delete c.propertyDependencies.rules; },
            expect: [{ name: "audit-sse", message: 'Bucket "audit" default-encrypts with the key "arn:aws:kms:us-west-2:123456789012:key/k" of us-west-2, while the resource is in us-east-1 (AWS accepts only a key of the resource\'s own region) (BucketServerSideEncryptionConfiguration "audit-sse" rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId). Fix: set kmsMasterKeyId to a customer-managed KMS key ARN in the bucket\'s region.' }] },
        { name: "replica-tagged bucket without encryption gets no leniency", change: (rs) => { asDestinationStack(rs, "audit"); rs.splice(rs.indexOf(find(rs, "audit-sse")), 1); },
            expect: [{ name: "audit", message: 'Bucket "audit" has no default encryption configuration (a replication destination, tagged vbr:replication = destination in a stack that holds no replication rule, so its source is in another stack, holds the same data as its source and needs a customer-managed key too). Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with sseAlgorithm "aws:kms" and kmsMasterKeyId = a customer-managed KMS key ARN in the bucket\'s region.' }] },
        // The tag alone is what a pull request could add to any data bucket: it exempts nothing.
        { name: "access-logs tag alone does not allow SSE-S3", change: (rs) => { asAccessLogShape(rs, "audit"); },
            expect: [{ name: "audit-sse", message: `Bucket "audit" default-encrypts with "AES256" (BucketServerSideEncryptionConfiguration "audit-sse"), not a customer-managed KMS key (${UNPROVEN}). ${AES_FIX}` }] },
        { name: "access-logs tag with a bucket policy that also grants someone else proves nothing", change: (rs) => {
            const b = asAccessLogShape(rs, "audit");
            set(find(rs, "audit-policy"), ["policy"], elbLogDeliveryPolicy(String(b.inputs.bucket), [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/app" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::vbr-audit-us-east-1/*" }]));
        }, expect: [{ name: "audit-sse", message: `Bucket "audit" default-encrypts with "AES256" (BucketServerSideEncryptionConfiguration "audit-sse"), not a customer-managed KMS key (${UNPROVEN}). ${AES_FIX}` }] },
        { name: "proven access-log bucket (a load balancer logs to it) with SSE-KMS (ELB cannot deliver)", change: (rs) => { set(find(rs, "audit"), ["tags", "vbr:data-class"], "access-logs"); albLoggingTo(rs, find(rs, "audit")); },
            expect: [{ name: "audit-sse", message: 'Bucket "audit" is an ALB access-log bucket (LoadBalancer "alb" writes its access logs to it) encrypted with "aws:kms" by BucketServerSideEncryptionConfiguration "audit-sse"; ELB log delivery supports only SSE-S3. Fix: set sseAlgorithm "AES256".' }] },
        { name: "proven access-log bucket (a load balancer logs to it) with SSE-S3 passes", change: (rs) => { albLoggingTo(rs, asAccessLogShape(rs, "audit")); }, expect: [] },
        { name: "proven access-log bucket (bucket policy grants only ELB log delivery, DR standby) with SSE-S3 passes", change: (rs) => {
            const b = asAccessLogShape(rs, "audit");
            set(find(rs, "audit-policy"), ["policy"], elbLogDeliveryPolicy(String(b.inputs.bucket)));
        }, expect: [] },
        { name: "V2 tokens: BucketV2 with a BucketServerSideEncryptionConfigurationV2 on SSE-S3", change: (rs) => {
            retype(rs, find(rs, "audit"), V2.bucket); retype(rs, find(rs, "audit-sse"), V2.encryption); set(find(rs, "audit-sse"), sse, { sseAlgorithm: "AES256" });
        }, expect: [{ name: "audit-sse", message: `BucketV2 "audit" default-encrypts with "AES256" (BucketServerSideEncryptionConfigurationV2 "audit-sse"), not a customer-managed KMS key. ${AES_FIX}` }] },
    ],
    unknown: { name: "key unknown and not from a key of this stack", change: (rs) => { const c = find(rs, "documents-sse"); set(c, [...sse, "kmsMasterKeyId"], UNKNOWN); delete c.propertyDependencies.rules; }, expect: "advisory" },
});

describe("s3-bucket-encryption-cmk in preview", () => {
    it("an access-logs tag whose proof is unknown (policy JSON and load balancer target) surfaces the advisory, never passes", async () => {
        const rs = baseline();
        asAccessLogShape(rs, "audit");
        set(find(rs, "audit-policy"), ["policy"], UNKNOWN);
        const got = await reported("s3-bucket-encryption-cmk", rs);
        expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(got[0].message).to.match(/during preview: .*policy can't be known during preview$/);
    });
    it("a key from an alias whose name is unknown is not proof of a CMK", async () => {
        const rs = baseline();
        const { res: mk } = await import("./fixtures");
        const alias = mk("aws:kms/alias:Alias", "data-alias", { name: UNKNOWN, targetKeyId: UNKNOWN });
        rs.push(alias);
        const c = find(rs, "documents-sse");
        set(c, [...sse, "kmsMasterKeyId"], UNKNOWN);
        c.propertyDependencies.rules = [alias.urn];
        expect((await reported("s3-bucket-encryption-cmk", rs)).map((v) => v.level)).to.deep.equal(["advisory"]);
        set(alias, ["name"], "alias/vbr-data");
        expect(await reported("s3-bucket-encryption-cmk", rs)).to.deep.equal([]);
    });
});

// The bucket's own `serverSideEncryptionConfiguration` (deprecated in v7, still applied) is judged as what it is.
describe("policy s3-bucket-encryption-cmk on a bucket's inline encryption", () => {
    const inline = (rs: RecordedResource[], byDefault: unknown) => {
        rs.splice(rs.indexOf(find(rs, "audit-sse")), 1);
        set(find(rs, "audit"), ["serverSideEncryptionConfiguration"], { rule: { applyServerSideEncryptionByDefault: byDefault, bucketKeyEnabled: true } });
    };
    it("passes SSE-KMS with the data key, with the key linked by a property dependency", async () => {
        const rs = baseline();
        inline(rs, { sseAlgorithm: "aws:kms", kmsMasterKeyId: find(rs, "key-data").outputs.arn });
        expect(await reported("s3-bucket-encryption-cmk", rs)).to.deep.equal([]);
    });
    it("fails SSE-S3, naming the inline setting", async () => {
        const rs = baseline();
        inline(rs, { sseAlgorithm: "AES256" });
        expect(await reported("s3-bucket-encryption-cmk", rs)).to.deep.equal([{ level: "mandatory", name: "audit",
            message: 'Bucket "audit" default-encrypts with "AES256" (the inline serverSideEncryptionConfiguration of Bucket "audit"), not a customer-managed KMS key. Fix: set serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN in the bucket\'s region> }.' }]);
    });
    it("fails the AWS-managed key", async () => {
        const rs = baseline();
        inline(rs, { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" });
        expect(await reported("s3-bucket-encryption-cmk", rs)).to.deep.equal([{ level: "mandatory", name: "audit",
            message: 'Bucket "audit" default-encrypts with the AWS-managed key "alias/aws/s3" (the inline serverSideEncryptionConfiguration of Bucket "audit" serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.kmsMasterKeyId). Fix: set kmsMasterKeyId to a customer-managed KMS key ARN in the bucket\'s region.' }]);
    });
    it("passes an unknown key linked to the CMK in preview, and hands an unknown algorithm to the engine", async () => {
        const linkedKey = baseline();
        inline(linkedKey, { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN });
        find(linkedKey, "audit").propertyDependencies.serverSideEncryptionConfiguration = [find(linkedKey, "key-data").urn];
        expect(await reported("s3-bucket-encryption-cmk", linkedKey)).to.deep.equal([]);
        const rs = baseline();
        inline(rs, { sseAlgorithm: UNKNOWN });
        const got = await reported("s3-bucket-encryption-cmk", rs);
        expect(got.map((g) => g.level)).to.deep.equal(["advisory"]);
    });
});
