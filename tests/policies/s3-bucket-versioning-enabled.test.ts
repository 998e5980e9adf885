import { expect } from "chai";
import type { RecordedResource } from "../../tools/harness/records";
import { asDestinationStack, withInStackReplica, baseline, find, policySpec, reported, retype, set, UNKNOWN, V2 } from "./fixtures";

policySpec("s3-bucket-versioning-enabled", {
    cases: [
        { name: "versioning suspended", change: (rs) => set(find(rs, "documents-versioning"), ["versioningConfiguration", "status"], "Suspended"),
            expect: [{ name: "documents-versioning", message: 'Bucket "documents" has versioning status "Suspended" (BucketVersioning "documents-versioning"). Fix: set versioningConfiguration.status to "Enabled".' }] },
        { name: "no versioning resource", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-versioning")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" has no versioning resource (versioning is off). Fix: add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.' }] },
        { name: "a BucketV2 without versioning", change: (rs) => { retype(rs, find(rs, "audit"), V2.bucket); rs.splice(rs.indexOf(find(rs, "audit-versioning")), 1); },
            expect: [{ name: "audit", message: 'BucketV2 "audit" has no versioning resource (versioning is off). Fix: add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.' }] },
        { name: "a BucketVersioningV2 suspended on a BucketV2", change: (rs) => {
            retype(rs, find(rs, "documents"), V2.bucket); retype(rs, find(rs, "documents-versioning"), V2.versioning);
            set(find(rs, "documents-versioning"), ["versioningConfiguration", "status"], "Suspended");
        }, expect: [{ name: "documents-versioning", message: 'BucketV2 "documents" has versioning status "Suspended" (BucketVersioningV2 "documents-versioning"). Fix: set versioningConfiguration.status to "Enabled".' }] },
        { name: "a proven replication destination without versioning is told why it needs it", change: (rs) => { withInStackReplica(rs); },
            expect: [{ name: "documents-replica", message: 'Bucket "documents-replica" has no versioning resource (versioning is off) (a replication destination, the destination of BucketReplicationConfig "documents-replication": S3 refuses to replicate into an unversioned bucket). Fix: add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.' }] },
        { name: "a replica-tagged bucket without versioning gets no leniency", change: (rs) => { asDestinationStack(rs, "audit"); rs.splice(rs.indexOf(find(rs, "audit-versioning")), 1); },
            expect: [{ name: "audit", message: 'Bucket "audit" has no versioning resource (versioning is off) (a replication destination, tagged vbr:replication = destination in a stack that holds no replication rule, so its source is in another stack: S3 refuses to replicate into an unversioned bucket). Fix: add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.' }] },
        { name: "the Bucket's inline versioning.enabled false, no versioning resource", change: (rs) => { rs.splice(rs.indexOf(find(rs, "audit-versioning")), 1); set(find(rs, "audit"), ["versioning"], { enabled: false }); },
            expect: [{ name: "audit", message: 'Bucket "audit" has versioning.enabled false. Fix: set versioning: { enabled: true }, or add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.' }] },
        { name: "the Bucket's inline versioning enabled passes", change: (rs) => { rs.splice(rs.indexOf(find(rs, "audit-versioning")), 1); set(find(rs, "audit"), ["versioning"], { enabled: true }); }, expect: [] },
        { name: "a BucketVersioningV2 enabled on a BucketV2 passes", change: (rs) => { retype(rs, find(rs, "documents"), V2.bucket); retype(rs, find(rs, "documents-versioning"), V2.versioning); }, expect: [] },
    ],
    unknown: { name: "status unknown", change: (rs) => set(find(rs, "documents-versioning"), ["versioningConfiguration", "status"], UNKNOWN), expect: "advisory" },
});

// The bucket's own `versioning` input (deprecated in v7, still applied by the provider) is judged as what it is.
describe("policy s3-bucket-versioning-enabled on a bucket's inline versioning", () => {
    const inline = (rs: RecordedResource[], value: unknown) => {
        rs.splice(rs.indexOf(find(rs, "audit-versioning")), 1);
        set(find(rs, "audit"), ["versioning"], value);
    };
    it("passes versioning: { enabled: true } without a BucketVersioning", async () => {
        const rs = baseline();
        inline(rs, { enabled: true });
        expect(await reported("s3-bucket-versioning-enabled", rs)).to.deep.equal([]);
    });
    it("fails versioning: { enabled: false }, naming the inline setting", async () => {
        const rs = baseline();
        inline(rs, { enabled: false });
        expect(await reported("s3-bucket-versioning-enabled", rs)).to.deep.equal([{ level: "mandatory", name: "audit",
            message: 'Bucket "audit" has versioning.enabled false. Fix: set versioning: { enabled: true }, or add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.' }]);
    });
    it("hands an unknown inline setting to the engine (advisory in preview)", async () => {
        const rs = baseline();
        inline(rs, { enabled: UNKNOWN });
        const got = await reported("s3-bucket-versioning-enabled", rs);
        expect(got.map((g) => [g.level, g.name])).to.deep.equal([["advisory", undefined]]);
        expect(got[0].message).to.match(/can't run policy 's3-bucket-versioning-enabled' .* during preview: .*versioning.* can't be known during preview$/);
    });
});
