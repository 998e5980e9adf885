import { expect } from "chai";
import { find, policySpec, reported, baseline, set, UNKNOWN } from "./fixtures";

policySpec("cloudwatch-loggroup-cmk", {
    cases: [
        { name: "AWS-managed key", change: (rs) => set(find(rs, "logs"), ["kmsKeyId"], "alias/aws/logs"),
            expect: [{ name: "logs", message: 'LogGroup "logs" encrypts with the AWS-managed key "alias/aws/logs" (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "no key", change: (rs) => set(find(rs, "logs"), ["kmsKeyId"], undefined),
            expect: [{ name: "logs", message: 'LogGroup "logs" encrypts with no KMS key (the service falls back to its AWS-managed key) (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
    ],
    unknown: { name: "key ARN unknown and not from a key of this stack", change: (rs) => { const r = find(rs, "logs"); set(r, ["kmsKeyId"], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory" },
});

describe("cloudwatch-loggroup-cmk in preview", () => {
    it("decides an unknown key ARN from its property dependency on a KMS key of the stack", async () => {
        const rs = baseline();
        set(find(rs, "logs"), ["kmsKeyId"], UNKNOWN);
        expect(await reported("cloudwatch-loggroup-cmk", rs)).to.deep.equal([]);
    });
});
