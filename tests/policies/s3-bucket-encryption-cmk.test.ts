import { find, policySpec, set, UNKNOWN } from "./fixtures";

const sse = ["rules", 0, "applyServerSideEncryptionByDefault"];

policySpec("s3-bucket-encryption-cmk", {
    cases: [
        { name: "aws/s3 key", change: (rs) => set(find(rs, "documents-sse"), [...sse, "kmsMasterKeyId"], "alias/aws/s3"),
            expect: [{ name: "documents-sse", message: 'Bucket "documents" default-encrypts with the AWS-managed key "alias/aws/s3" (BucketServerSideEncryptionConfiguration "documents-sse" rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId). Fix: set kmsMasterKeyId to the stack\'s data key ARN.' }] },
        { name: "SSE-S3 on a data bucket", change: (rs) => set(find(rs, "audit-sse"), sse, { sseAlgorithm: "AES256" }),
            expect: [{ name: "audit-sse", message: 'Bucket "audit" default-encrypts with "AES256" (BucketServerSideEncryptionConfiguration "audit-sse"), not a customer-managed KMS key. Fix: set rules[0].applyServerSideEncryptionByDefault to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <data key ARN> }.' }] },
        { name: "no encryption configuration", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-sse")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" has no default encryption configuration. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration for it with sseAlgorithm "aws:kms" and kmsMasterKeyId = the stack\'s data key.' }] },
        { name: "access-log bucket with SSE-KMS (ELB cannot deliver)", change: (rs) => set(find(rs, "audit"), ["tags", "vbr:data-class"], "access-logs"),
            expect: [{ name: "audit-sse", message: 'Bucket "audit" is an ALB access-log bucket (vbr:data-class = access-logs) encrypted with "aws:kms" by BucketServerSideEncryptionConfiguration "audit-sse"; ELB log delivery supports only SSE-S3. Fix: set sseAlgorithm "AES256".' }] },
        { name: "access-log bucket with SSE-S3 passes", change: (rs) => { set(find(rs, "audit"), ["tags", "vbr:data-class"], "access-logs"); set(find(rs, "audit-sse"), sse, { sseAlgorithm: "AES256" }); }, expect: [] },
    ],
    unknown: { name: "key unknown and not from a key of this stack", change: (rs) => { const c = find(rs, "documents-sse"); set(c, [...sse, "kmsMasterKeyId"], UNKNOWN); delete c.propertyDependencies.rules; }, expect: "advisory" },
});
