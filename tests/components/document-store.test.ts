import { expect } from "chai";
import { useMocks } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";
import { MOCK_ACCOUNT_ID } from "../../tools/harness/mocks";
import { Naming } from "../../policies/model/naming";

import { DocumentStore } from "../../components/document-store";

const DATA_KEY = "arn:aws:kms:us-east-1:123456789012:key/data-key";
const build = (role: "primary" | "dr", region: string, peerRegion: string, replicateToPeer?: boolean) => {
    useMocks(region, role);
    const cap = capture();
    const tags = role === "dr" ? { "vbr:standby": "kept" } : undefined;
    const dataKeyArn = DATA_KEY.replace("us-east-1", region);
    new DocumentStore(`docs-${role}`, { naming: new Naming("prod"), role, region, peerRegion, replicateToPeer, accountId: MOCK_ACCOUNT_ID, dataKeyArn, tags }, cap.opts);
    return cap;
};
const T = {
    bucket: "aws:s3/bucket:Bucket", sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    repl: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", policy: "aws:iam/policy:Policy",
    lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bp: "aws:s3/bucketPolicy:BucketPolicy",
};

describe("DocumentStore (primary)", () => {
    let cap: Capture;
    before(() => { cap = build("primary", "us-east-1", "us-west-2"); });

    it("creates the three buckets with deterministic names, protected, retained, never force-destroyed", async () => {
        const buckets = cap.ofType(T.bucket);
        expect(buckets.map((b) => b.name)).to.deep.equal(["docs-primary-documents", "docs-primary-reports", "docs-primary-audit"]);
        for (const b of buckets) {
            const inputs = await cap.inputs(b.name, T.bucket);
            expect(inputs.bucket).to.equal(`vbr-prod-${b.name.split("-").pop()}-us-east-1`);
            expect(inputs.forceDestroy).to.equal(false);
            expect([b.protect, b.retainOnDelete]).to.deep.equal([true, true]);
            expect(inputs.tags).to.deep.equal({ "vbr:data-class": b.name.split("-").pop() });
        }
        expect((await cap.inputs("docs-primary-audit", T.bucket)).objectLockEnabled).to.equal(true);
    });

    it("encrypts every bucket with the data CMK and bucket keys, versioned, private, TLS-only", async () => {
        for (const b of ["documents", "reports", "audit"]) {
            const sse = await cap.inputs(`docs-primary-${b}`, T.sse);
            expect(sse.rules).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: DATA_KEY }, bucketKeyEnabled: true }]);
            const v = await cap.inputs(`docs-primary-${b}`, "aws:s3/bucketVersioning:BucketVersioning");
            expect(v.versioningConfiguration).to.deep.equal({ status: "Enabled" });
            const pab = await cap.inputs(`docs-primary-${b}`, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            expect([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets]).to.deep.equal([true, true, true, true]);
            const own = await cap.inputs(`docs-primary-${b}`, "aws:s3/bucketOwnershipControls:BucketOwnershipControls");
            expect(own.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
            const policy = JSON.parse((await cap.inputs(`docs-primary-${b}`, T.bp)).policy);
            expect(policy.Statement[0]).to.deep.include({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            expect(policy.Statement[0].Resource).to.deep.equal([`arn:aws:s3:::vbr-prod-${b}-us-east-1`, `arn:aws:s3:::vbr-prod-${b}-us-east-1/*`]);
        }
    });

    it("locks the audit trail in governance mode for 35 days", async () => {
        expect(cap.ofType(T.lock)).to.have.length(1);
        expect((await cap.inputs("docs-primary-audit", T.lock)).rule).to.deep.equal({ defaultRetention: { mode: "GOVERNANCE", days: 35 } });
    });

    it("replicates each bucket to its us-west-2 twin with RTC 15 min, metrics, delete markers and the peer's data key", async () => {
        expect(cap.ofType(T.repl)).to.have.length(3);
        for (const b of ["documents", "reports", "audit"]) {
            const r = cap.named(`docs-primary-${b}`, T.repl);
            expect(r.dependsOn).to.have.length(2); // its versioning and the role's policy attachment
            const inputs = await cap.inputs(r.name, T.repl);
            expect(inputs.role).to.match(/^arn:aws:iam::123456789012:role\/docs-primary-replication-/);
            expect(inputs.rules).to.deep.equal([{
                id: `${b}-to-us-west-2`, status: "Enabled", filter: {},
                deleteMarkerReplication: { status: "Enabled" },
                // Replica modification sync: the DR stack's rules back to us-east-1 during a failback make this two-way.
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" }, replicaModifications: { status: "Enabled" } },
                destination: {
                    bucket: `arn:aws:s3:::vbr-prod-${b}-us-west-2`,
                    encryptionConfiguration: { replicaKmsKeyId: "arn:aws:kms:us-west-2:123456789012:alias/vbr-prod-data" },
                    replicationTime: { status: "Enabled", time: { minutes: 15 } },
                    metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
                },
            }]);
        }
    });

    it("gives the replication role only what replication needs", async () => {
        const doc = JSON.parse((await cap.inputs("docs-primary-replication", T.policy)).policy);
        const bySid = Object.fromEntries(doc.Statement.map((s: { Sid: string }) => [s.Sid, s]));
        expect(bySid.WriteReplicas.Resource).to.deep.equal(["documents", "reports", "audit"].map((b) => `arn:aws:s3:::vbr-prod-${b}-us-west-2/*`));
        expect(bySid.WriteReplicas.Action).to.deep.equal(["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]);
        expect(bySid.ReadReplicationConfig.Resource).to.deep.equal(["documents", "reports", "audit"].map((b) => `arn:aws:s3:::vbr-prod-${b}-us-east-1`));
        expect(bySid.DecryptSource).to.deep.include({ Action: "kms:Decrypt", Resource: DATA_KEY, Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } });
        expect(bySid.EncryptReplicas.Resource).to.equal("arn:aws:kms:us-west-2:123456789012:key/*");
        expect(bySid.EncryptReplicas.Condition).to.deep.equal({
            StringEquals: { "kms:ViaService": "s3.us-west-2.amazonaws.com" },
            "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/vbr-prod-data" },
        });
        expect(doc.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()).filter((a: string) => a.endsWith("*"))).to.deep.equal([]);
    });
});

describe("DocumentStore (dr)", () => {
    let cap: Capture;
    before(() => { cap = build("dr", "us-west-2", "us-east-1"); });

    it("holds the same protected buckets, tagged as replication destinations, with no replication of its own", async () => {
        const buckets = cap.ofType(T.bucket);
        expect(buckets).to.have.length(3);
        for (const b of buckets) {
            const inputs = await cap.inputs(b.name, T.bucket);
            expect(inputs.bucket).to.match(/^vbr-prod-(documents|reports|audit)-us-west-2$/);
            expect(inputs.tags).to.deep.equal({ "vbr:standby": "kept", "vbr:data-class": b.name.split("-").pop(), "vbr:replication": "destination" });
            expect([b.protect, b.retainOnDelete]).to.deep.equal([true, true]);
        }
        expect(cap.ofType(T.repl)).to.have.length(0);
        expect(cap.ofType("aws:iam/role:Role")).to.have.length(0);
        // The DR audit twin must be locked too: S3 refuses to replicate locked objects into an unlocked bucket.
        expect((await cap.inputs("docs-dr-audit", T.lock)).rule.defaultRetention.days).to.equal(35);
    });
});

describe("DocumentStore (dr in failover, the primary's region available again)", () => {
    let cap: Capture;
    before(() => { cap = build("dr", "us-west-2", "us-east-1", true); });
    const WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/data-key";

    it("replicates each twin back to us-east-1 with RTC 15 min, metrics, delete markers, replica modification sync and A's data key", async () => {
        expect(cap.ofType(T.repl).map((r) => r.name)).to.deep.equal(["docs-dr-documents", "docs-dr-reports", "docs-dr-audit"]);
        for (const b of ["documents", "reports", "audit"]) {
            const inputs = await cap.inputs(`docs-dr-${b}`, T.repl);
            expect(inputs.region).to.equal("us-west-2");
            expect(inputs.role).to.match(/^arn:aws:iam::123456789012:role\/docs-dr-replication-/);
            expect(inputs.rules).to.deep.equal([{
                id: `${b}-to-us-east-1`, status: "Enabled", filter: {},
                deleteMarkerReplication: { status: "Enabled" },
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" }, replicaModifications: { status: "Enabled" } },
                destination: {
                    bucket: `arn:aws:s3:::vbr-prod-${b}-us-east-1`,
                    encryptionConfiguration: { replicaKmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/vbr-prod-data" },
                    replicationTime: { status: "Enabled", time: { minutes: 15 } },
                    metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
                },
            }]);
        }
        const doc = JSON.parse((await cap.inputs("docs-dr-replication", T.policy)).policy);
        const bySid = Object.fromEntries(doc.Statement.map((s: { Sid: string }) => [s.Sid, s]));
        expect(bySid.WriteReplicas.Resource).to.deep.equal(["documents", "reports", "audit"].map((b) => `arn:aws:s3:::vbr-prod-${b}-us-east-1/*`));
        expect(bySid.DecryptSource).to.deep.include({ Resource: WEST_KEY, Condition: { StringEquals: { "kms:ViaService": "s3.us-west-2.amazonaws.com" } } });
        expect(bySid.EncryptReplicas.Resource).to.equal("arn:aws:kms:us-east-1:123456789012:key/*");
    });

    it("keeps the buckets' destination tags (A's rules still replicate into them) and marks none of the links kept in standby", async () => {
        for (const b of cap.ofType(T.bucket)) expect((await cap.inputs(b.name, T.bucket)).tags["vbr:replication"]).to.equal("destination");
        for (const r of cap.ofType("aws:iam/role:Role")) expect((await cap.inputs(r.name, "aws:iam/role:Role")).tags ?? {}).to.deep.equal({});
    });

    it("gives S3 Batch Operations a role that can only start replication of the three twins and generate their manifest", async () => {
        const role = await cap.inputs("docs-dr-batch-replication", "aws:iam/role:Role");
        expect(JSON.parse(role.assumeRolePolicy).Statement).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "batchoperations.s3.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        const policy = JSON.parse((await cap.inputs("docs-dr-batch-replication", "aws:iam/rolePolicy:RolePolicy")).policy);
        const arns = ["documents", "reports", "audit"].map((b) => `arn:aws:s3:::vbr-prod-${b}-us-west-2`);
        expect(policy.Statement).to.deep.equal([
            { Sid: "InitiateReplication", Effect: "Allow", Action: "s3:InitiateReplication", Resource: arns.map((a) => `${a}/*`) },
            { Sid: "GenerateManifest", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"], Resource: arns },
        ]);
    });
});
