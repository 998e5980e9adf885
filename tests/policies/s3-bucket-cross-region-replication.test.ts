import { expect } from "chai";
import { baseline, find, policySpec, reported, res, set, UNKNOWN } from "./fixtures";

const FIX = 'Fix: one rule with status "Enabled", destination bucket in the peer region with replicaKmsKeyId there, replicationTime and metrics Enabled at 15 min, sseKmsEncryptedObjects Enabled.';
const noRule = (detail: string) => `Bucket "documents" in us-east-1 has no compliant cross-region replication rule: BucketReplicationConfig "documents-replication" rule "documents-to-us-west-2": ${detail}. ${FIX}`;
const dest = ["rules", 0, "destination"];

policySpec("s3-bucket-cross-region-replication", {
    cases: [
        { name: "no replication", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-replication")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" is a data bucket with no replication configuration: its objects exist in one region only. Fix: add an aws.s3.BucketReplicationConfig with an enabled rule to its twin in the peer region (naming.bucketArn(bucket, peerRegion)), RTC 15 min, or tag it vbr:replication = destination if it is a replica.' }] },
        { name: "replica key in the same region", change: (rs) => set(find(rs, "documents-replication"), [...dest, "encryptionConfiguration", "replicaKmsKeyId"], "arn:aws:kms:us-east-1:123456789012:alias/vbr-data"),
            expect: [{ name: "documents", message: noRule("its destination is in us-east-1 (from replicaKmsKeyId arn:aws:kms:us-east-1:123456789012:alias/vbr-data), the bucket's own region") }] },
        { name: "destination region cannot be proven", change: (rs) => set(find(rs, "documents-replication"), [...dest, "encryptionConfiguration"], undefined),
            expect: [{ name: "documents", message: noRule('its destination region cannot be proven (destination "arn:aws:s3:::vbr-documents-us-west-2" is not a bucket of this stack and has no replicaKmsKeyId ARN with a region)') }] },
        { name: "destination is a bucket of this stack in the same region", change: (rs) => set(find(rs, "documents-replication"), [...dest, "bucket"], "arn:aws:s3:::vbr-audit-us-east-1"),
            expect: [{ name: "documents", message: noRule('its destination is in us-east-1 (from destination bucket Bucket "audit"), the bucket\'s own region') }] },
        { name: "RTC off and rule disabled", change: (rs) => { const r = find(rs, "documents-replication"); set(r, [...dest, "replicationTime", "status"], "Disabled"); set(r, ["rules", 0, "status"], "Disabled"); },
            expect: [{ name: "documents", message: noRule('status is "Disabled" (must be "Enabled"); Replication Time Control is off (must be Enabled, 15 min)') }] },
        { name: "SSE-KMS objects not selected, metrics off", change: (rs) => { const r = find(rs, "documents-replication"); set(r, ["rules", 0, "sourceSelectionCriteria"], undefined); set(r, [...dest, "metrics", "status"], "Disabled"); },
            expect: [{ name: "documents", message: noRule('replication metrics are off (RTC requires metrics: { status: "Enabled", eventThreshold: { minutes: 15 } }); sseKmsEncryptedObjects is not Enabled (SSE-KMS objects would not replicate)') }] },
        { name: "replica buckets and access-log buckets need no replication", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "audit-replication")), 1); rs.splice(rs.indexOf(find(rs, "documents-replication")), 1);
            set(find(rs, "audit"), ["tags", "vbr:replication"], "destination"); set(find(rs, "documents"), ["tags", "vbr:data-class"], "access-logs");
        }, expect: [] },
    ],
    unknown: { name: "destination ARN and key unknown, no dependency to decide from", change: (rs) => { const r = find(rs, "documents-replication"); set(r, [...dest, "bucket"], UNKNOWN); set(r, [...dest, "encryptionConfiguration", "replicaKmsKeyId"], UNKNOWN); }, expect: "advisory" },
});

describe("s3-bucket-cross-region-replication in preview", () => {
    it("decides from the destination bucket of this stack (propertyDependencies) when its ARN is unknown", async () => {
        const rs = baseline();
        const r = find(rs, "documents-replication");
        const west = res("aws:s3/bucket:Bucket", "west-twin", { bucket: "vbr-documents-us-west-2", region: "us-west-2" }, {}, { protect: true });
        rs.push(west);
        set(r, [...dest, "bucket"], UNKNOWN);
        set(r, [...dest, "encryptionConfiguration", "replicaKmsKeyId"], UNKNOWN);
        r.propertyDependencies.rules = [west.urn];
        expect((await reported("s3-bucket-cross-region-replication", rs)).filter((v) => v.name === "documents")).to.deep.equal([]);
        // ... and catches a same-region twin the same way.
        set(west, ["region"], "us-east-1");
        expect((await reported("s3-bucket-cross-region-replication", rs)).map((v) => v.message).filter((m) => m.startsWith('Bucket "documents"')))
            .to.deep.equal([noRule('its destination is in us-east-1 (from destination bucket Bucket "west-twin"), the bucket\'s own region')]);
    });

    it("uses the provider's region for the source bucket", async () => {
        const rs = baseline();
        const prov = res("pulumi:providers:aws", "west", { region: "us-west-2" });
        rs.push(prov);
        find(rs, "documents").provider = `${prov.urn}::prov-id`;
        expect((await reported("s3-bucket-cross-region-replication", rs)).map((v) => v.message)[0]).to.match(/^Bucket "documents" in us-west-2 has no compliant cross-region replication rule: .*its destination is in us-west-2 \(from replicaKmsKeyId/);
    });
});
