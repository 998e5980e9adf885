import { expect } from "chai";
import { find, policySpec, reported, baseline, set, UNKNOWN } from "./fixtures";

policySpec("rds-instance-storage-cmk", {
    cases: [
        { name: "AWS-managed key", change: (rs) => set(find(rs, "db"), ["kmsKeyId"], "alias/aws/rds"),
            expect: [{ name: "db", message: 'Instance "db" encrypts with the AWS-managed key "alias/aws/rds" (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "no key", change: (rs) => set(find(rs, "db"), ["kmsKeyId"], undefined),
            expect: [{ name: "db", message: 'Instance "db" encrypts with no KMS key (the service falls back to its AWS-managed key) (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
    ],
    unknown: { name: "key ARN unknown and not from a key of this stack", change: (rs) => { const r = find(rs, "db"); set(r, ["kmsKeyId"], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory" },
});

describe("rds-instance-storage-cmk in preview", () => {
    it("decides an unknown key ARN from its property dependency on a KMS key of the stack", async () => {
        const rs = baseline();
        set(find(rs, "db"), ["kmsKeyId"], UNKNOWN);
        expect(await reported("rds-instance-storage-cmk", rs)).to.deep.equal([]);
    });
});
