// The bucket-policy evaluator (policies/lib/iam.ts): effect, not spelling.
import { expect } from "chai";
import { appliesToEveryInsecureRequest, insecureRequestAllowed, publicGrants, statementsOf, wildcard } from "../../../policies/lib/iam";

const ARN = "arn:aws:s3:::b";
const TLS = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, `${ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } };
const doc = (...st: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: st });

describe("lib/iam", () => {
    it("matches IAM wildcards: * any run, ? one character, actions case-insensitively", () => {
        expect(wildcard("s3:Get*", "s3:GetObject")).to.equal(true);
        expect(wildcard("arn:aws:s3:::b/?", "arn:aws:s3:::b/xy")).to.equal(false);
        expect(wildcard("S3:GETOBJECT", "s3:GetObject", true)).to.equal(true);
        expect(wildcard("arn:aws:s3:::B", "arn:aws:s3:::b")).to.equal(false);
    });

    it("reads a policy document from JSON or an object, and nothing else", () => {
        expect(statementsOf(doc(TLS))).to.have.length(1);
        expect(statementsOf({ Statement: TLS })).to.have.length(1);
        expect(statementsOf("{not json")).to.equal(undefined);
    });

    it("a deny counts only when aws:SecureTransport is its only condition key and it holds for false", () => {
        expect(appliesToEveryInsecureRequest(TLS)).to.equal(true);
        expect(appliesToEveryInsecureRequest({ ...TLS, Condition: { BoolIfExists: { "aws:SecureTransport": ["false"] } } })).to.equal(true);
        expect(appliesToEveryInsecureRequest({ ...TLS, Condition: { StringNotEquals: { "aws:SecureTransport": "true" } } })).to.equal(true);
        expect(appliesToEveryInsecureRequest({ ...TLS, Condition: { Bool: { "aws:SecureTransport": "true" } } })).to.equal(false);
        expect(appliesToEveryInsecureRequest({ ...TLS, Condition: { Bool: { "aws:SecureTransport": "false" }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })).to.equal(false);
        // No condition at all denies every request, insecure ones included.
        expect(appliesToEveryInsecureRequest({ ...TLS, Condition: undefined })).to.equal(true);
    });

    it("names the first plain-HTTP request a policy lets through", () => {
        expect(insecureRequestAllowed(doc(TLS), ARN)).to.equal(undefined);
        expect(insecureRequestAllowed(doc({ ...TLS, Resource: `${ARN}/*` }), ARN)).to.equal(`s3:GetObject on ${ARN} by anyone`);
        expect(insecureRequestAllowed(doc({ ...TLS, Action: "s3:Get*" }), ARN)).to.equal(`s3:PutObject on ${ARN} by anyone`);
        expect(insecureRequestAllowed(doc({ ...TLS, Action: ["s3:Get*", "s3:Put*", "s3:Delete*", "s3:List*", "s3:Restore*"] }), ARN)).to.equal(`s3:ProbeFutureAction on ${ARN} by anyone`);
        expect(insecureRequestAllowed(doc({ ...TLS, Resource: [ARN, `${ARN}/public/*`] }), ARN)).to.equal(`s3:GetObject on ${ARN}/object by anyone`);
        expect(insecureRequestAllowed("nope", ARN)).to.equal("the policy is not a JSON policy document");
    });

    it("finds the public Allow statements and leaves those narrowed to known callers", () => {
        expect(publicGrants(doc(TLS, { Sid: "Open", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*` }))).to.deep.equal(['statement "Open" (s3:GetObject)']);
        expect(publicGrants(doc({ Effect: "Allow", Principal: { AWS: "*" }, NotAction: "s3:Delete*", Resource: `${ARN}/*` }))).to.deep.equal(["statement 0 (every action but s3:Delete*)"]);
        expect(publicGrants(doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*`, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }))).to.deep.equal([]);
        expect(publicGrants(doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*`, Condition: { StringLike: { "aws:SourceArn": "arn:aws:*" } } }))).to.have.length(1);
        expect(publicGrants(doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*`, Condition: { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } } }))).to.deep.equal([]);
        expect(publicGrants(doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: `${ARN}/*` }))).to.deep.equal([]);
    });
});
