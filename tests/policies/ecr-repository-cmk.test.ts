import { expect } from "chai";
import { baseline, find, policySpec, reported, set, UNKNOWN } from "./fixtures";

policySpec("ecr-repository-cmk", {
    cases: [
        { name: "AES256", change: (rs) => { const r = find(rs, "repo"); set(r, ["encryptionConfigurations"], [{ encryptionType: "AES256" }]); delete r.propertyDependencies.encryptionConfigurations; },
            // One violation per resource and cause: the encryption type, whose fix names the key too.
            expect: [{ name: "repo", message: 'Repository "repo": encryptionType is "AES256", not KMS. Fix: set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <customer-managed KMS key ARN in the resource\'s region> }].' }] },
        { name: "KMS without a key", change: (rs) => { const r = find(rs, "repo"); set(r, ["encryptionConfigurations", 0, "kmsKey"], undefined); delete r.propertyDependencies.encryptionConfigurations; },
            expect: [{ name: "repo", message: 'Repository "repo" encrypts with no KMS key (ECR then uses its AWS-managed key aws/ecr) (encryptionConfigurations[0].kmsKey). Fix: set encryptionConfigurations[0].kmsKey to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "KMS with the AWS-managed key", change: (rs) => set(find(rs, "repo"), ["encryptionConfigurations", 0, "kmsKey"], "alias/aws/ecr"),
            expect: [{ name: "repo", message: 'Repository "repo" encrypts with the AWS-managed key "alias/aws/ecr" (encryptionConfigurations[0].kmsKey). Fix: set encryptionConfigurations[0].kmsKey to a customer-managed KMS key ARN in the resource\'s region.' }] },
    ],
    unknown: { name: "key unknown, not from a key", change: (rs) => { const r = find(rs, "repo"); set(r, ["encryptionConfigurations", 0, "kmsKey"], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory" },
});

describe("ecr-repository-cmk in preview", () => {
    it("an unknown encryptionType is not proven KMS by a known CMK in kmsKey", async () => {
        const rs = baseline();
        set(find(rs, "repo"), ["encryptionConfigurations", 0, "encryptionType"], UNKNOWN);
        expect((await reported("ecr-repository-cmk", rs)).map((v) => v.level)).to.deep.equal(["advisory"]);
    });
});
