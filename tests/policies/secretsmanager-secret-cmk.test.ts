import { expect } from "chai";
import { baseline, cmkPolicySpec, find, reported, set, UNKNOWN } from "./fixtures";

cmkPolicySpec("secretsmanager-secret-cmk", { resource: "secret", label: "Secret", field: "kmsKeyId", awsAlias: "alias/aws/secretsmanager", absent: "no KMS key (Secrets Manager then uses its AWS-managed key aws/secretsmanager)" });

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
