import { expect } from "chai";
import { find, policySpec, reported, baseline, set, UNKNOWN } from "./fixtures";

policySpec("backup-vault-cmk", {
    cases: [
        { name: "AWS-managed key", change: (rs) => set(find(rs, "vault"), ["kmsKeyArn"], "alias/aws/backup"),
            expect: [{ name: "vault", message: 'Vault "vault" encrypts with the AWS-managed key "alias/aws/backup" (kmsKeyArn). Fix: set kmsKeyArn to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "no key", change: (rs) => set(find(rs, "vault"), ["kmsKeyArn"], undefined),
            expect: [{ name: "vault", message: 'Vault "vault" encrypts with no KMS key (the service falls back to its AWS-managed key) (kmsKeyArn). Fix: set kmsKeyArn to a customer-managed KMS key ARN in the resource\'s region.' }] },
    ],
    unknown: { name: "key ARN unknown and not from a key of this stack", change: (rs) => { const r = find(rs, "vault"); set(r, ["kmsKeyArn"], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory" },
});

describe("backup-vault-cmk in preview", () => {
    it("decides an unknown key ARN from its property dependency on a KMS key of the stack", async () => {
        const rs = baseline();
        set(find(rs, "vault"), ["kmsKeyArn"], UNKNOWN);
        expect(await reported("backup-vault-cmk", rs)).to.deep.equal([]);
    });
});
