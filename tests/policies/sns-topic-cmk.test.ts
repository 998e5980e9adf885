import { expect } from "chai";
import { find, policySpec, reported, baseline, set, UNKNOWN } from "./fixtures";

policySpec("sns-topic-cmk", {
    cases: [
        { name: "AWS-managed key", change: (rs) => set(find(rs, "topic"), ["kmsMasterKeyId"], "alias/aws/sns"),
            expect: [{ name: "topic", message: 'Topic "topic" encrypts with the AWS-managed key "alias/aws/sns" (kmsMasterKeyId). Fix: set kmsMasterKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "no key", change: (rs) => set(find(rs, "topic"), ["kmsMasterKeyId"], undefined),
            expect: [{ name: "topic", message: 'Topic "topic" encrypts with no KMS key (the service falls back to its AWS-managed key) (kmsMasterKeyId). Fix: set kmsMasterKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
    ],
    unknown: { name: "key ARN unknown and not from a key of this stack", change: (rs) => { const r = find(rs, "topic"); set(r, ["kmsMasterKeyId"], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory" },
});

describe("sns-topic-cmk in preview", () => {
    it("decides an unknown key ARN from its property dependency on a KMS key of the stack", async () => {
        const rs = baseline();
        set(find(rs, "topic"), ["kmsMasterKeyId"], UNKNOWN);
        expect(await reported("sns-topic-cmk", rs)).to.deep.equal([]);
    });
});
