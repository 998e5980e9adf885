import { expect } from "chai";
import { asDestinationStack, withInStackReplica, albLoggingTo, asAccessLogShape, baseline, elbLogDeliveryPolicy, find, policySpec, reported, res, retype, set, UNKNOWN, V2 } from "./fixtures";

const UNPROVEN = "it is tagged vbr:data-class = access-logs, but no load balancer of this stack writes its access logs to it and its bucket policy does not grant only ELB log delivery, so the tag exempts nothing";

const FIX = 'Fix: one rule with status "Enabled" and no prefix or tag filter, destination bucket in another region with replicaKmsKeyId there, replicationTime and metrics Enabled at 15 min, sseKmsEncryptedObjects Enabled.';
const noRule = (detail: string) => `Bucket "documents" in us-east-1 has no compliant cross-region replication rule: BucketReplicationConfig "documents-replication" rule "documents-to-us-west-2": ${detail}. ${FIX}`;
const dest = ["rules", 0, "destination"];
const NO_REP_FIX = "Fix: add an aws.s3.BucketReplicationConfig with an enabled rule, covering the whole bucket, to a bucket in another region with Replication Time Control (15 min).";

policySpec("s3-bucket-cross-region-replication", {
    cases: [
        { name: "no replication", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-replication")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" is a data bucket with no replication configuration: its objects exist in one region only. Fix: add an aws.s3.BucketReplicationConfig with an enabled rule, covering the whole bucket, to a bucket in another region with Replication Time Control (15 min).' }] },
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
        { name: "replica-tagged buckets in a stack that holds no replication rule need none (trusted: the source is another stack)", change: (rs) => { asDestinationStack(rs, "audit", "documents", "trail"); }, expect: [] },
        { name: "a replica tag in a stack that holds replication rules is not trusted", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "audit-replication")), 1);
            set(find(rs, "audit"), ["tags", "vbr:replication"], "destination");
        }, expect: [{ name: "audit", message: `Bucket "audit" is a data bucket with no replication configuration: its objects exist in one region only (it is tagged vbr:replication = destination, but no replication rule of this stack, which holds replication rules, names it as a destination, so the tag is not trusted). ${NO_REP_FIX}` }] },
        { name: "a bucket a replication rule of this stack writes into needs no replication of its own (proven, untagged)", change: (rs) => { withInStackReplica(rs); }, expect: [] },
        { name: "a proven destination, named while its ARN is unknown through the rule's property dependency", change: (rs) => {
            const west = withInStackReplica(rs); set(west, ["arn"], UNKNOWN); set(west, ["bucket"], UNKNOWN);
            const r = find(rs, "documents-replication"); set(r, [...dest, "bucket"], UNKNOWN); r.propertyDependencies.rules = [west.urn];
        }, expect: [] },
        { name: "a rule filtered to a prefix replicates part of the bucket", change: (rs) => set(find(rs, "documents-replication"), ["rules", 0, "filter"], { prefix: "invoices/" }),
            expect: [{ name: "documents", message: noRule('it replicates only the objects with prefix "invoices/", not the whole bucket') }] },
        { name: "a rule filtered to a tag replicates part of the bucket", change: (rs) => set(find(rs, "documents-replication"), ["rules", 0, "filter"], { tag: { key: "replicate", value: "yes" } }),
            expect: [{ name: "documents", message: noRule("it replicates only the objects with tag replicate=yes, not the whole bucket") }] },
        { name: "a rule filtered with and { prefix, tags }", change: (rs) => set(find(rs, "documents-replication"), ["rules", 0, "filter"], { and: { prefix: "a/", tags: { k: "v" } } }),
            expect: [{ name: "documents", message: noRule('it replicates only the objects with prefix "a/" and tag k=v, not the whole bucket') }] },
        { name: "the deprecated rule-level prefix", change: (rs) => set(find(rs, "documents-replication"), ["rules", 0, "prefix"], "x/"),
            expect: [{ name: "documents", message: noRule('it replicates only the objects with prefix "x/", not the whole bucket') }] },
        { name: "an empty prefix filter is the whole bucket", change: (rs) => set(find(rs, "documents-replication"), ["rules", 0, "filter"], { prefix: "" }), expect: [] },
        // The tag alone is what a pull request could add to any data bucket: it exempts nothing.
        { name: "the access-logs tag alone does not exempt a bucket", change: (rs) => { asAccessLogShape(rs, "documents"); },
            expect: [{ name: "documents", message: `Bucket "documents" is a data bucket with no replication configuration: its objects exist in one region only (${UNPROVEN}). Fix: add an aws.s3.BucketReplicationConfig with an enabled rule, covering the whole bucket, to a bucket in another region with Replication Time Control (15 min).` }] },
        { name: "a proven access-log bucket (a load balancer logs to it) needs no replication", change: (rs) => { albLoggingTo(rs, asAccessLogShape(rs, "documents")); }, expect: [] },
        { name: "a proven access-log bucket (bucket policy grants only ELB log delivery) needs no replication", change: (rs) => {
            asAccessLogShape(rs, "documents"); set(find(rs, "documents-policy"), ["policy"], elbLogDeliveryPolicy("vbr-documents-us-east-1"));
        }, expect: [] },
        { name: "a BucketV2 without replication", change: (rs) => { retype(rs, find(rs, "audit"), V2.bucket); rs.splice(rs.indexOf(find(rs, "audit-replication")), 1); },
            expect: [{ name: "audit", message: 'BucketV2 "audit" is a data bucket with no replication configuration: its objects exist in one region only. Fix: add an aws.s3.BucketReplicationConfig with an enabled rule, covering the whole bucket, to a bucket in another region with Replication Time Control (15 min).' }] },
        { name: "a BucketV2 replicating with RTC at 10 minutes", change: (rs) => { retype(rs, find(rs, "documents"), V2.bucket); set(find(rs, "documents-replication"), [...dest, "replicationTime", "time", "minutes"], 10); },
            expect: [{ name: "documents", message: `BucketV2 "documents" in us-east-1 has no compliant cross-region replication rule: BucketReplicationConfig "documents-replication" rule "documents-to-us-west-2": Replication Time Control is 10 min (must be 15 min). ${FIX}` }] },
        { name: "a known problem next to an unknown field is still a violation (the rule fails either way)", change: (rs) => {
            const r = find(rs, "documents-replication"); set(r, ["rules", 0, "status"], "Disabled"); set(r, [...dest, "metrics", "status"], UNKNOWN);
        }, expect: [{ name: "documents", message: noRule('status is "Disabled" (must be "Enabled")') }] },
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

describe("s3-bucket-cross-region-replication: unknown rule fields are pending, never a mandatory violation", () => {
    const advisoryOnly = async (change: (rs: ReturnType<typeof baseline>) => void) => {
        const rs = baseline();
        change(rs);
        const got = await reported("s3-bucket-cross-region-replication", rs);
        expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(got[0].message).to.match(/^can't run policy 's3-bucket-cross-region-replication' .* can't be known during preview$/);
    };
    it("status unknown", () => advisoryOnly((rs) => set(find(rs, "documents-replication"), ["rules", 0, "status"], UNKNOWN)));
    it("RTC minutes unknown", () => advisoryOnly((rs) => set(find(rs, "documents-replication"), [...dest, "replicationTime", "time", "minutes"], UNKNOWN)));
    it("sseKmsEncryptedObjects status unknown", () => advisoryOnly((rs) => set(find(rs, "documents-replication"), ["rules", 0, "sourceSelectionCriteria", "sseKmsEncryptedObjects", "status"], UNKNOWN)));
    it("one rule broken, a second rule pending: the second may be the compliant one", () => advisoryOnly((rs) => {
        const r = find(rs, "documents-replication");
        const rules = r.inputs.rules as Array<Record<string, unknown>>;
        rules.push({ ...JSON.parse(JSON.stringify(rules[0])), id: "second", status: UNKNOWN });
        set(r, ["rules", 0, "status"], "Disabled");
    }));
});

