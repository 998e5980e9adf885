import { expect } from "chai";
import { baseline, find, policySpec, reported, res, retype, set, UNKNOWN, V2 } from "./fixtures";
import type { RecordedResource } from "../../tools/harness/analyzer";

const FIX = 'Fix: add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [<bucket ARN>, "<bucket ARN>/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }.';
const ARN = "arn:aws:s3:::vbr-audit-us-east-1";
const open = (what: string, type = "Bucket", policy = 'BucketPolicy "audit-policy"') =>
    `${type} "audit": ${policy} does not deny every plain-HTTP request to ${ARN} and its objects (it lets through ${what} without TLS). ${FIX}`;
const TLS = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, `${ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } };

/** Replaces the audit bucket's policy with these statements. */
const statements = (rs: RecordedResource[], ...st: Array<Record<string, unknown>>) =>
    set(find(rs, "audit-policy"), ["policy"], JSON.stringify({ Version: "2012-10-17", Statement: st }));
/** Replaces the audit bucket's TLS statement with one built from `over`. */
const deny = (rs: RecordedResource[], over: Record<string, unknown>) => statements(rs, { ...TLS, ...over });

policySpec("s3-bucket-tls-only", {
    cases: [
        { name: "policy without the TLS deny", change: (rs) => statements(rs, { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "x" }),
            expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN} by anyone`) }] },
        { name: "no bucket policy", change: (rs) => rs.splice(rs.indexOf(find(rs, "documents-policy")), 1),
            expect: [{ name: "documents", message: 'Bucket "documents" has no bucket policy, so plain-HTTP requests are allowed. Fix: add an aws.s3.BucketPolicy with a DenyInsecureTransport statement (Effect Deny, Principal *, Action s3:*, Resource [arn, arn/*], Condition Bool aws:SecureTransport = false).' }] },
        { name: "deny on the bucket ARN only (objects readable over HTTP)", change: (rs) => deny(rs, { Resource: ARN }), expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN}/object by anyone`) }] },
        { name: "deny on the objects only", change: (rs) => deny(rs, { Resource: [`${ARN}/*`] }), expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN} by anyone`) }] },
        { name: "deny on a prefix of the objects only", change: (rs) => deny(rs, { Resource: [ARN, `${ARN}/logs/*`] }), expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN}/object by anyone`) }] },
        { name: "deny for one account, not everyone", change: (rs) => deny(rs, { Principal: { AWS: "arn:aws:iam::123456789012:root" } }), expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN} by anyone`) }] },
        { name: "NotPrincipal exempts a role from the deny", change: (rs) => { const { Principal: _p, ...rest } = TLS; statements(rs, { ...rest, NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/etl" } }); },
            expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN} by arn:aws:iam::123456789012:role/etl`) }] },
        { name: "NotAction exempts GetObject", change: (rs) => { const { Action: _a, ...rest } = TLS; statements(rs, { ...rest, NotAction: "s3:GetObject" }); },
            expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN} by anyone`) }] },
        { name: "a list of actions instead of s3:*", change: (rs) => deny(rs, { Action: ["s3:GetObject", "s3:PutObject"] }), expect: [{ name: "audit-policy", message: open(`s3:DeleteObject on ${ARN} by anyone`) }] },
        { name: "a deny narrowed by another condition", change: (rs) => deny(rs, { Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:SourceVpce": "vpce-1" } } }),
            expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN} by anyone`) }] },
        { name: "a deny of TLS requests (true)", change: (rs) => deny(rs, { Condition: { Bool: { "aws:SecureTransport": "true" } } }), expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN} by anyone`) }] },
        { name: "a BucketV2 whose deny covers only its ARN", change: (rs) => { retype(rs, find(rs, "audit"), V2.bucket); deny(rs, { Resource: [ARN] }); }, expect: [{ name: "audit-policy", message: open(`s3:GetObject on ${ARN}/object by anyone`, "BucketV2") }] },
        { name: "two BucketPolicy resources, one without the deny: each judged, the conflict reported", change: (rs) => {
            const b = find(rs, "audit");
            rs.push(res("aws:s3/bucketPolicy:BucketPolicy", "audit-policy-2", { bucket: b.inputs.bucket, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: `${ARN}/*` }] }) }, { bucket: [b] }));
        }, expect: [
            { name: "audit", message: 'Bucket "audit" is the target of 2 bucket policies (BucketPolicy "audit-policy", BucketPolicy "audit-policy-2"): S3 keeps one policy per bucket, each write replacing the last, so which statements are in force depends on the order they are applied. Fix: merge them into one aws.s3.BucketPolicy.' },
            { name: "audit-policy-2", message: open(`s3:GetObject on ${ARN} by anyone`, "Bucket", 'BucketPolicy "audit-policy-2"') },
        ] },
        { name: "an inline Bucket policy next to a BucketPolicy", change: (rs) => set(find(rs, "audit"), ["policy"], JSON.stringify({ Statement: [TLS] })), expect: [
            { name: "audit", message: 'Bucket "audit" is the target of 2 bucket policies (BucketPolicy "audit-policy", the inline policy of Bucket "audit"): S3 keeps one policy per bucket, each write replacing the last, so which statements are in force depends on the order they are applied. Fix: merge them into one aws.s3.BucketPolicy.' },
        ] },
        { name: "Principal { AWS: \"*\" } is everyone", change: (rs) => deny(rs, { Principal: { AWS: "*" } }), expect: [] },
        { name: "Principal { AWS: [\"*\"] } is everyone", change: (rs) => deny(rs, { Principal: { AWS: ["*"] } }), expect: [] },
        { name: "a wildcard resource covers the bucket and its objects", change: (rs) => deny(rs, { Resource: "arn:aws:s3:::vbr-audit-*" }), expect: [] },
        { name: "BoolIfExists is the same deny", change: (rs) => deny(rs, { Condition: { BoolIfExists: { "aws:SecureTransport": "false" } } }), expect: [] },
        { name: "split into bucket and objects statements", change: (rs) => statements(rs, { ...TLS, Resource: ARN }, { ...TLS, Action: "*", Resource: `${ARN}/*` }), expect: [] },
        { name: "NotResource outside the bucket is everything in it", change: (rs) => { const { Resource: _r, ...rest } = TLS; statements(rs, { ...rest, NotResource: "arn:aws:s3:::other-bucket/*" }); }, expect: [] },
        { name: "the deny in the Bucket's inline policy alone", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "audit-policy")), 1);
            set(find(rs, "audit"), ["policy"], JSON.stringify({ Statement: [TLS] }));
        }, expect: [] },
    ],
    unknown: { name: "policy JSON unknown (built from the bucket ARN)", change: (rs) => set(find(rs, "documents-policy"), ["policy"], UNKNOWN), expect: "advisory" },
});

describe("s3-bucket-tls-only in preview", () => {
    it("checks the resources against the bucket's deterministic name when its ARN is unknown", async () => {
        const rs = baseline();
        set(find(rs, "audit"), ["arn"], UNKNOWN);
        expect(await reported("s3-bucket-tls-only", rs)).to.deep.equal([]);
        deny(rs, { Resource: ARN });
        expect((await reported("s3-bucket-tls-only", rs)).map((v) => v.message)).to.deep.equal([open(`s3:GetObject on ${ARN}/object by anyone`)]);
    });
});
