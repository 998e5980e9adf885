import { expect } from "chai";
import { find, policySpec, reported, baseline, set, UNKNOWN } from "./fixtures";

policySpec("secretsmanager-secret-cmk", {
    cases: [
        { name: "AWS-managed key", change: (rs) => set(find(rs, "secret"), ["kmsKeyId"], "alias/aws/secretsmanager"),
            expect: [{ name: "secret", message: 'Secret "secret" encrypts with the AWS-managed key "alias/aws/secretsmanager" (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "no key", change: (rs) => set(find(rs, "secret"), ["kmsKeyId"], undefined),
            expect: [{ name: "secret", message: 'Secret "secret" encrypts with no KMS key (the service falls back to its AWS-managed key) (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
    ],
    unknown: { name: "key ARN unknown and not from a key of this stack", change: (rs) => { const r = find(rs, "secret"); set(r, ["kmsKeyId"], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory" },
});

describe("secretsmanager-secret-cmk in preview", () => {
    it("decides an unknown key ARN from its property dependency on a KMS key of the stack", async () => {
        const rs = baseline();
        set(find(rs, "secret"), ["kmsKeyId"], UNKNOWN);
        expect(await reported("secretsmanager-secret-cmk", rs)).to.deep.equal([]);
    });
});

describe("secretsmanager-secret-cmk: unknown replica list", () => {
    it("is not taken as no replicas: the engine's advisory unless a key of this stack is its source", async () => {
        const rs = baseline();
        const secret = find(rs, "secret");
        set(secret, ["replicas"], UNKNOWN);
        expect((await reported("secretsmanager-secret-cmk", rs)).map((v) => v.level)).to.deep.equal(["advisory"]);
        secret.propertyDependencies.replicas = [find(rs, "key-secrets").urn];
        expect(await reported("secretsmanager-secret-cmk", rs)).to.deep.equal([]);
    });
});
