import { expect } from "chai";
import { baseline, find, policySpec, reported, res, retype, set, UNKNOWN, V2 } from "./fixtures";
import type { RecordedResource } from "../../tools/harness/analyzer";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const GRANT_FIX = "Fix: delete the ACL resource or remove the AllUsers/AuthenticatedUsers grants (use BucketOwnershipControls BucketOwnerEnforced).";

/** A BucketAcl (or V2) on the audit bucket with an explicit access control policy. */
function aclWithGrants(rs: RecordedResource[], type: string, grants: unknown): RecordedResource {
    const b = find(rs, "audit");
    const a = res(type, "audit-acl", { bucket: b.inputs.bucket, accessControlPolicy: { owner: { id: "owner-1" }, grants } }, { bucket: [b] });
    rs.push(a);
    return a;
}
const grant = (uri: string, permission: string) => ({ grantee: { type: "Group", uri }, permission });

const ARN = "arn:aws:s3:::vbr-audit-us-east-1";
const TLS = { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, `${ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } };
/** The audit bucket's policy: the TLS deny plus `extra`. */
const withStatements = (rs: RecordedResource[], ...extra: Array<Record<string, unknown>>) =>
    set(find(rs, "audit-policy"), ["policy"], JSON.stringify({ Version: "2012-10-17", Statement: [TLS, ...extra] }));
const POLICY_FIX = "Fix: remove the public Allow statements, or narrow each to known callers with a condition on aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce.";
const publicPolicy = (what: string) => ({ name: "audit-policy", message: `Bucket "audit": BucketPolicy "audit-policy" allows anyone: ${what}. ${POLICY_FIX}` });

policySpec("s3-bucket-public-access-blocked", {
    cases: [
        { name: "bucket policy allows Principal * to read objects", change: (rs) => withStatements(rs, { Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*` }),
            expect: [publicPolicy('statement "Public" (s3:GetObject)')] },
        { name: "bucket policy allows { AWS: \"*\" } with a condition that does not narrow the callers", change: (rs) => withStatements(rs, { Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:GetObject", "s3:ListBucket"], Resource: [ARN, `${ARN}/*`], Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1" } } }),
            expect: [publicPolicy("statement 1 (s3:GetObject, s3:ListBucket)")] },
        { name: "bucket policy allows everyone but one role (NotPrincipal)", change: (rs) => withStatements(rs, { Sid: "AllButEtl", Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/etl" }, Action: "s3:*", Resource: `${ARN}/*` }),
            expect: [publicPolicy('statement "AllButEtl" (s3:*)')] },
        { name: "bucket policy allows any account's root (wildcard account)", change: (rs) => withStatements(rs, { Sid: "AnyAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: "s3:GetObject", Resource: `${ARN}/*` }),
            expect: [publicPolicy('statement "AnyAccount" (s3:GetObject)')] },
        { name: "bucket policy allows a source IP range of the whole internet", change: (rs) => withStatements(rs, { Sid: "Wide", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*`, Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }),
            expect: [publicPolicy('statement "Wide" (s3:GetObject)')] },
        { name: "Principal * narrowed to the organisation is not public", change: (rs) => withStatements(rs, { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*`, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } }), expect: [] },
        { name: "a service principal with aws:SourceAccount is not public", change: (rs) => withStatements(rs, { Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${ARN}/*`, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }), expect: [] },
        { name: "Principal * narrowed to one VPC endpoint is not public", change: (rs) => withStatements(rs, { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*`, Condition: { StringEquals: { "aws:SourceVpce": ["vpce-1", "vpce-2"] } } }), expect: [] },
        { name: "an account-level block with every setting stands in for the bucket's", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "audit-pab")), 1);
            rs.push(res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account-pab", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }));
        }, expect: [] },
        { name: "an account-level block with a setting off, and a bucket without its own", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "audit-pab")), 1);
            rs.push(res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account-pab", { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true }));
        }, expect: [{ name: "account-pab", message: 'AccountPublicAccessBlock "account-pab" leaves blockPublicPolicy off, and Bucket "audit" has no public access block of its own. Fix: set blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true on it, or add an aws.s3.BucketPublicAccessBlock for each bucket.' }] },
        { name: "a bucket block's setting off is covered by the account's", change: (rs) => {
            set(find(rs, "documents-pab"), ["restrictPublicBuckets"], false);
            rs.push(res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account-pab", { restrictPublicBuckets: true }));
        }, expect: [] },
        { name: "an object with a public canned ACL", change: (rs) => { const b = find(rs, "audit"); rs.push(res("aws:s3/bucketObjectv2:BucketObjectv2", "index", { bucket: b.inputs.bucket, key: "index.html", acl: "public-read" }, { bucket: [b] })); },
            expect: [{ name: "index", message: 'Bucket "audit" holds BucketObjectv2 "index" with the public ACL "public-read". Fix: remove acl from the object (use BucketOwnershipControls BucketOwnerEnforced).' }] },
        { name: "one setting off", change: (rs) => set(find(rs, "documents-pab"), ["restrictPublicBuckets"], false),
            expect: [{ name: "documents-pab", message: 'Bucket "documents" public access block BucketPublicAccessBlock "documents-pab" has restrictPublicBuckets=false. Fix: set blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true.' }] },
        { name: "no public access block", change: (rs) => rs.splice(rs.indexOf(find(rs, "audit-pab")), 1),
            expect: [{ name: "audit", message: 'Bucket "audit" has no public access block. Fix: add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true.' }] },
        { name: "public ACL resource", change: (rs) => { const b = find(rs, "audit"); rs.push(res("aws:s3/bucketAcl:BucketAcl", "audit-acl", { bucket: b.inputs.bucket, acl: "public-read" }, { bucket: [b] })); },
            expect: [{ name: "audit-acl", message: 'Bucket "audit" is given the public ACL "public-read" by BucketAcl "audit-acl". Fix: delete the ACL resource or set acl "private".' }] },
        { name: "public canned ACL on the bucket itself", change: (rs) => set(find(rs, "audit"), ["acl"], "public-read-write"),
            expect: [{ name: "audit", message: 'Bucket "audit" has the public ACL "public-read-write". Fix: remove acl (use BucketOwnershipControls BucketOwnerEnforced).' }] },
        { name: "BucketAclV2 granting AllUsers READ through accessControlPolicy.grants", change: (rs) => { aclWithGrants(rs, V2.acl, [grant(ALL_USERS, "READ")]); },
            expect: [{ name: "audit-acl", message: `Bucket "audit" is opened to AllUsers "READ" (grants[0]) by BucketAclV2 "audit-acl" accessControlPolicy. ${GRANT_FIX}` }] },
        { name: "BucketAcl granting AuthenticatedUsers WRITE next to the owner's FULL_CONTROL", change: (rs) => {
            aclWithGrants(rs, "aws:s3/bucketAcl:BucketAcl", [{ grantee: { type: "CanonicalUser", id: "owner-1" }, permission: "FULL_CONTROL" }, grant(AUTH_USERS, "WRITE")]);
        }, expect: [{ name: "audit-acl", message: `Bucket "audit" is opened to AuthenticatedUsers "WRITE" (grants[1]) by BucketAcl "audit-acl" accessControlPolicy. ${GRANT_FIX}` }] },
        { name: "a BucketV2 granting AllUsers through its own grants input", change: (rs) => {
            set(retype(rs, find(rs, "documents"), V2.bucket), ["grants"], [{ type: "Group", uri: ALL_USERS, permissions: ["READ"] }]);
        }, expect: [{ name: "documents", message: 'BucketV2 "documents" grants AllUsers ["READ"] (grants[0]) through its grants input. Fix: remove the public grants (use BucketOwnershipControls BucketOwnerEnforced).' }] },
        { name: "a private grant to the owner passes", change: (rs) => { aclWithGrants(rs, V2.acl, [{ grantee: { type: "CanonicalUser", id: "owner-1" }, permission: "FULL_CONTROL" }]); }, expect: [] },
    ],
    unknown: { name: "a block setting unknown", change: (rs) => set(find(rs, "documents-pab"), ["blockPublicAcls"], UNKNOWN), expect: "advisory" },
});

describe("s3-bucket-public-access-blocked in preview", () => {
    for (const [name, change] of [
        ["the bucket's canned acl", (rs: RecordedResource[]) => set(find(rs, "audit"), ["acl"], UNKNOWN)],
        ["a BucketAclV2 grantee", (rs: RecordedResource[]) => { aclWithGrants(rs, V2.acl, [{ grantee: { type: "Group", uri: UNKNOWN }, permission: "READ" }]); }],
        ["a BucketAcl's grant list", (rs: RecordedResource[]) => { aclWithGrants(rs, "aws:s3/bucketAcl:BucketAcl", UNKNOWN); }],
    ] as const) {
        it(`${name} unknown -> the engine's advisory, not a pass`, async () => {
            const rs = baseline();
            change(rs);
            const got = await reported("s3-bucket-public-access-blocked", rs);
            expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
            expect(got[0].message).to.match(/can't be known during preview$/);
        });
    }
});
