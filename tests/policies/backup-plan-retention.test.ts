import { expect } from "chai";
import { baseline, find, policySpec, run, set, UNKNOWN } from "./fixtures";

policySpec("backup-plan-retention", {
    cases: [
        { name: "daily kept 34 days", change: (rs) => set(find(rs, "plan"), ["rules", 0, "lifecycle", "deleteAfter"], 34),
            expect: [{ name: "plan", message: 'rule "daily" of Plan "plan" (daily, cron(0 2 * * ? *)) keeps recovery points 34 days, below 35. Fix: set lifecycle.deleteAfter: 35.' }] },
        { name: "weekly copy kept 100 days", change: (rs) => set(find(rs, "plan"), ["rules", 1, "copyActions", 0, "lifecycle", "deleteAfter"], 100),
            expect: [{ name: "plan", message: 'rule "weekly" of Plan "plan" copy action 0 keeps copies 100 days, below 365. Fix: set copyActions[0].lifecycle.deleteAfter: 365.' }] },
        { name: "no weekly rule", change: (rs) => (find(rs, "plan").inputs.rules as unknown[]).splice(1, 1),
            expect: [{ name: "plan", message: 'Plan "plan" has no weekly rule (schedule like cron(0 2 ? * SUN *)). Fix: add a weekly rule with lifecycle.deleteAfter: 365 and a cross-region copy action.' }] },
        { name: "daily rule turned monthly", change: (rs) => set(find(rs, "plan"), ["rules", 0, "schedule"], "cron(0 2 1 * ? *)"),
            expect: [{ name: "plan", message: 'Plan "plan" has no daily rule (schedule like cron(0 2 * * ? *)). Fix: add a daily rule with lifecycle.deleteAfter: 35 and a cross-region copy action.' }] },
    ],
    unknown: { name: "a rule's lifecycle unknown", change: (rs) => set(find(rs, "plan"), ["rules", 0, "lifecycle"], UNKNOWN), expect: "advisory" },
});

describe("backup-plan-retention config", () => {
    it("rejects a weekly retention below the 365-day floor", async () => {
        const err = await run(baseline(), { "backup-plan-retention": { weeklyRetentionDays: 90, dailyRetentionDays: 30 } }).then(() => null, (e: Error) => e.message);
        expect(err).to.equal("invalid policy pack config:\n  - backup-plan-retention.weeklyRetentionDays: 90 is below the minimum 365\n  - backup-plan-retention.dailyRetentionDays: 30 is below the minimum 35");
    });
});

describe("backup-plan-retention: unknown schedule", () => {
    it("is pending, not \"has no daily rule\"", async () => {
        const { reported } = await import("./fixtures");
        const rs = baseline();
        set(find(rs, "plan"), ["rules", 0, "schedule"], UNKNOWN);
        const got = await reported("backup-plan-retention", rs);
        expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(got[0].message).to.match(/schedule can't be known during preview$/);
    });
});
