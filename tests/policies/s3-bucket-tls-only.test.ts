import { find, policySpec, set, UNKNOWN } from "./fixtures";

policySpec("s3-bucket-tls-only", {
    cases: [
        { name: "policy without the TLS deny", change: (rs) => set(find(rs, "audit-policy"), ["policy"], JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "x" }] })),
            expect: [{ name: "audit-policy", message: 'Bucket "audit" bucket policy (BucketPolicy "audit-policy") does not deny non-TLS access. Fix: add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, arn/*], Condition: { Bool: { "aws:SecureTransport": "false" } } }.' }] },
        { name: "no bucket policy", change: (rs) => rs.splice(rs.indexOf(find(rs, "documents-policy")), 1),
            expect: [{ name: "documents", message: 'Bucket "documents" has no bucket policy, so plain-HTTP requests are allowed. Fix: add an aws.s3.BucketPolicy with a DenyInsecureTransport statement (Effect Deny, Principal *, Action s3:*, Condition Bool aws:SecureTransport = false).' }] },
    ],
    unknown: { name: "policy JSON unknown (built from the bucket ARN)", change: (rs) => set(find(rs, "documents-policy"), ["policy"], UNKNOWN), expect: "advisory" },
});
