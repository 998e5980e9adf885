import { expect } from "chai";
import { baseline, find, policySpec, reported, retype, set, UNKNOWN, V2 } from "./fixtures";
import type { RecordedResource } from "../../tools/harness/analyzer";

const FIX = 'Fix: add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, arn/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.';
const ARN = "arn:aws:s3:::vbr-audit-us-east-1";
const notDenied = (type = "Bucket") => `${type} "audit" bucket policy (BucketPolicy "audit-policy") does not deny non-TLS access to both ${ARN} and its objects (${ARN}/*). ${FIX}`;

/** Replaces the audit bucket's TLS statement with one built from `over`. */
const deny = (rs: RecordedResource[], over: Record<string, unknown>) => set(find(rs, "audit-policy"), ["policy"], JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, `${ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } }, ...over }],
}));

policySpec("s3-bucket-tls-only", {
    cases: [
        { name: "policy without the TLS deny", change: (rs) => set(find(rs, "audit-policy"), ["policy"], JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "x" }] })),
            expect: [{ name: "audit-policy", message: notDenied() }] },
        { name: "no bucket policy", change: (rs) => rs.splice(rs.indexOf(find(rs, "documents-policy")), 1),
            expect: [{ name: "documents", message: 'Bucket "documents" has no bucket policy, so plain-HTTP requests are allowed. Fix: add an aws.s3.BucketPolicy with a DenyInsecureTransport statement (Effect Deny, Principal *, Action s3:*, Resource [arn, arn/*], Condition Bool aws:SecureTransport = false).' }] },
        { name: "deny on the bucket ARN only (objects readable over HTTP)", change: (rs) => deny(rs, { Resource: ARN }), expect: [{ name: "audit-policy", message: notDenied() }] },
        { name: "deny on the objects only", change: (rs) => deny(rs, { Resource: [`${ARN}/*`] }), expect: [{ name: "audit-policy", message: notDenied() }] },
        { name: "deny on a prefix of the objects only", change: (rs) => deny(rs, { Resource: [ARN, `${ARN}/logs/*`] }), expect: [{ name: "audit-policy", message: notDenied() }] },
        { name: "deny for one account, not everyone", change: (rs) => deny(rs, { Principal: { AWS: "arn:aws:iam::123456789012:root" } }), expect: [{ name: "audit-policy", message: notDenied() }] },
        { name: "a BucketV2 whose deny covers only its ARN", change: (rs) => { retype(rs, find(rs, "audit"), V2.bucket); deny(rs, { Resource: [ARN] }); }, expect: [{ name: "audit-policy", message: notDenied("BucketV2") }] },
        { name: "Principal { AWS: \"*\" } is everyone", change: (rs) => deny(rs, { Principal: { AWS: "*" } }), expect: [] },
        { name: "Principal { AWS: [\"*\"] } is everyone", change: (rs) => deny(rs, { Principal: { AWS: ["*"] } }), expect: [] },
        { name: "a wildcard resource covers the bucket and its objects", change: (rs) => deny(rs, { Resource: "arn:aws:s3:::vbr-audit-*" }), expect: [] },
    ],
    unknown: { name: "policy JSON unknown (built from the bucket ARN)", change: (rs) => set(find(rs, "documents-policy"), ["policy"], UNKNOWN), expect: "advisory" },
});

describe("s3-bucket-tls-only in preview", () => {
    it("checks the resources against the bucket's deterministic name when its ARN is unknown", async () => {
        const rs = baseline();
        set(find(rs, "audit"), ["arn"], UNKNOWN);
        expect(await reported("s3-bucket-tls-only", rs)).to.deep.equal([]);
        deny(rs, { Resource: ARN });
        expect((await reported("s3-bucket-tls-only", rs)).map((v) => v.message)).to.deep.equal([notDenied()]);
    });
});
