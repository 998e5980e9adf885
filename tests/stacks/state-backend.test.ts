// The state-backend bootstrap program (stacks/state-backend), synthesized offline and judged by the pack.
// What a mock cannot prove: that `pulumi login s3://...` accepts the bucket (the CLI is not here).
import { expect } from "chai";
import * as path from "path";
import { policies } from "../../policies/pack";
import { evaluatePolicies } from "../../tools/harness/analyzer";
import { RecordedResource, synthesize, SynthesisError } from "../../tools/harness/recorder";

const PROJECT = path.resolve(__dirname, "..", "..", "stacks", "state-backend");
const one = (rs: RecordedResource[], type: string, name: string) => {
    const found = rs.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).to.have.length(1);
    return found[0];
};

describe("state backend bootstrap program", function () {
    this.timeout(60_000);
    let resources: RecordedResource[];
    let outputs: Record<string, unknown>;

    before(async () => {
        const stack = await synthesize({ projectDir: PROJECT, stack: "state" });
        resources = stack.resources;
        outputs = stack.outputs;
    });

    it("puts a protected, retained, CMK-encrypted state bucket in each region", () => {
        for (const region of ["us-east-1", "us-west-2"]) {
            const bucket = one(resources, "aws:s3/bucket:Bucket", `vbr-prod-state-${region}`);
            expect([bucket.inputs.bucket, bucket.region, bucket.protect, bucket.retainOnDelete]).to.deep.equal([`vbr-prod-state-${region}`, region, true, true]);
            const key = one(resources, "aws:kms/key:Key", `vbr-prod-state-keys-${region}-data`);
            expect([key.region, key.inputs.enableKeyRotation, key.inputs.deletionWindowInDays]).to.deep.equal([region, true, 30]);
            const sse = one(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `vbr-prod-state-${region}`);
            expect(sse.inputs.rules).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn }, bucketKeyEnabled: true }]);
            const versioning = one(resources, "aws:s3/bucketVersioning:BucketVersioning", `vbr-prod-state-${region}`);
            expect([versioning.region, versioning.inputs.versioningConfiguration]).to.deep.equal([region, { status: "Enabled" }]);
        }
    });

    it("replicates the primary region's bucket to the peer's with RTC 15 minutes and the peer's key", () => {
        const rule = one(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "vbr-prod-state-to-us-west-2");
        const peerKey = one(resources, "aws:kms/key:Key", "vbr-prod-state-keys-us-west-2-data");
        expect(rule.region).to.equal("us-east-1");
        expect(rule.inputs.rules).to.deep.equal([{
            id: "state-to-us-west-2", status: "Enabled", filter: {},
            deleteMarkerReplication: { status: "Enabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
                bucket: "arn:aws:s3:::vbr-prod-state-us-west-2",
                encryptionConfiguration: { replicaKmsKeyId: peerKey.outputs.arn },
                replicationTime: { status: "Enabled", time: { minutes: 15 } },
                metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
            },
        }]);
        expect(String(peerKey.outputs.arn)).to.match(/^arn:aws:kms:us-west-2:123456789012:key\//);
        // Both buckets come up in the same update: the rule waits for the destination's versioning too.
        const versioning = (region: string) => one(resources, "aws:s3/bucketVersioning:BucketVersioning", `vbr-prod-state-${region}`).urn;
        expect(rule.dependencies).to.include.members([versioning("us-east-1"), versioning("us-west-2")]);
    });

    it("exports the login URL of each bucket, primary first", () => {
        expect(outputs.loginUrls).to.deep.equal([
            "s3://vbr-prod-state-us-east-1?region=us-east-1&awssdk=v2",
            "s3://vbr-prod-state-us-west-2?region=us-west-2&awssdk=v2",
        ]);
    });

    it("passes the policy pack with no violation at all", async () => {
        expect(await evaluatePolicies(policies, resources, { stackRegion: "us-east-1" })).to.deep.equal([]);
    });

    it("rejects a peer region equal to the region, naming the key", async () => {
        let error: unknown;
        try {
            await synthesize({ projectDir: PROJECT, stack: "state", overrides: { "vbr-state:peerRegion": "us-east-1" } });
        } catch (err) {
            error = err;
        }
        expect(error).to.be.instanceOf(SynthesisError);
        expect((error as Error).message).to.include(`vbr-state:peerRegion = "us-east-1": must differ from aws:region`);
    });
});
