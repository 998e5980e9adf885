import { find, policySpec, set, UNKNOWN } from "./fixtures";

policySpec("s3-bucket-versioning-enabled", {
    cases: [
        { name: "versioning suspended", change: (rs) => set(find(rs, "documents-versioning"), ["versioningConfiguration", "status"], "Suspended"),
            expect: [{ name: "documents-versioning", message: 'Bucket "documents" has versioning status "Suspended" (BucketVersioning "documents-versioning"). Fix: set versioningConfiguration.status to "Enabled".' }] },
        { name: "no versioning resource", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-versioning")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" has no versioning resource (versioning is off). Fix: add an aws.s3.BucketVersioning with bucket: audit.id and versioningConfiguration: { status: "Enabled" }.' }] },
    ],
    unknown: { name: "status unknown", change: (rs) => set(find(rs, "documents-versioning"), ["versioningConfiguration", "status"], UNKNOWN), expect: "advisory" },
});
