import { expect } from "chai";
import { baseline, find, policySpec, reported, res, set, UNKNOWN } from "./fixtures";

const FIX = "Fix: add copyActions: [{ destinationVaultArn: <ARN of a backup vault in another region>, lifecycle: { deleteAfter: <same as the rule> } }].";

policySpec("backup-plan-cross-region-copy", {
    cases: [
        { name: "copy action dropped", change: (rs) => set(find(rs, "plan"), ["rules", 0, "copyActions"], []),
            expect: [{ name: "plan", message: `rule "daily" of Plan "plan" in us-east-1 has no copy action; its recovery points would not survive the loss of the region. ${FIX}` }] },
        { name: "copy to a same-region vault", change: (rs) => set(find(rs, "plan"), ["rules", 1, "copyActions", 0, "destinationVaultArn"], "arn:aws:backup:us-east-1:123456789012:backup-vault:other"),
            expect: [{ name: "plan", message: `rule "weekly" of Plan "plan" in us-east-1 copies only to "arn:aws:backup:us-east-1:123456789012:backup-vault:other"; its recovery points would not survive the loss of the region. ${FIX}` }] },
    ],
    unknown: { name: "destination ARN unknown, only the same-region vault in its dependencies", change: (rs) => set(find(rs, "plan"), ["rules", 0, "copyActions", 0, "destinationVaultArn"], UNKNOWN), expect: "advisory" },
});

describe("backup-plan-cross-region-copy in preview", () => {
    it("decides an unknown destination from the vault of this stack it came from", async () => {
        const rs = baseline();
        const west = res("aws:backup/vault:Vault", "west-vault", { name: "v", region: "us-west-2", kmsKeyArn: "arn:aws:kms:us-west-2:1:key/k" }, {}, { protect: true });
        rs.push(west);
        const plan = find(rs, "plan");
        set(plan, ["rules", 0, "copyActions", 0, "destinationVaultArn"], UNKNOWN);
        plan.propertyDependencies.rules = [west.urn];
        expect(await reported("backup-plan-cross-region-copy", rs)).to.deep.equal([]);
    });
});

describe("backup-plan-cross-region-copy: unknown copy actions", () => {
    it("are pending, not \"has no copy action\"", async () => {
        const rs = baseline();
        set(find(rs, "plan"), ["rules", 0, "copyActions"], UNKNOWN);
        const got = await reported("backup-plan-cross-region-copy", rs);
        expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(got[0].message).to.match(/copyActions can't be known during preview$/);
    });
});
