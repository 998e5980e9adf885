import { find, policySpec, res, set, UNKNOWN } from "./fixtures";

policySpec("s3-bucket-public-access-blocked", {
    cases: [
        { name: "one setting off", change: (rs) => set(find(rs, "documents-pab"), ["restrictPublicBuckets"], false),
            expect: [{ name: "documents-pab", message: 'Bucket "documents" public access block BucketPublicAccessBlock "documents-pab" has restrictPublicBuckets=false. Fix: set blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true.' }] },
        { name: "no public access block", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-pab")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" has no public access block. Fix: add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true.' }] },
        { name: "public ACL resource", change: (rs) => { const b = find(rs, "audit"); rs.push(res("aws:s3/bucketAcl:BucketAcl", "audit-acl", { bucket: b.inputs.bucket, acl: "public-read" }, { bucket: [b] })); },
            expect: [{ name: "audit-acl", message: 'Bucket "audit" is given the public ACL "public-read" by BucketAcl "audit-acl". Fix: delete the ACL resource or set acl "private".' }] },
    ],
    unknown: { name: "a block setting unknown", change: (rs) => set(find(rs, "documents-pab"), ["blockPublicAcls"], UNKNOWN), expect: "advisory" },
});
