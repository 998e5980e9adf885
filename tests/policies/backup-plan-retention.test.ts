import { expect } from "chai";
import { baseline, find, policySpec, res, run, set, UNKNOWN } from "./fixtures";
import type { RecordedResource } from "../../tools/harness/analyzer";

/** Moves the weekly rule into a second plan with its own selection of the database. */
function splitPlans(rs: RecordedResource[]): void {
    const plan = find(rs, "plan");
    const [daily, weekly] = plan.inputs.rules as unknown[];
    set(plan, ["rules"], [daily]);
    const p2 = res("aws:backup/plan:Plan", "plan-weekly", { name: "vbr-weekly", rules: [weekly] }, { rules: [find(rs, "vault")] }, { outputs: { id: "plan-0002" } });
    const sel = find(rs, "selection");
    rs.push(p2, res("aws:backup/selection:Selection", "selection-weekly", { ...sel.inputs, planId: "plan-0002", name: "db-weekly" }, { planId: [p2], resources: [find(rs, "db")] }));
}

policySpec("backup-plan-retention", {
    cases: [
        { name: "daily kept 34 days", change: (rs) => set(find(rs, "plan"), ["rules", 0, "lifecycle", "deleteAfter"], 34),
            expect: [{ name: "plan", message: 'rule "daily" of Plan "plan" (daily, cron(0 2 * * ? *)) keeps recovery points 34 days, below 35. Fix: set lifecycle.deleteAfter: 35.' }] },
        { name: "weekly copy kept 100 days", change: (rs) => set(find(rs, "plan"), ["rules", 1, "copyActions", 0, "lifecycle", "deleteAfter"], 100),
            expect: [{ name: "plan", message: 'rule "weekly" of Plan "plan" copy action 0 keeps copies 100 days, below 365. Fix: set copyActions[0].lifecycle.deleteAfter: 365.' }] },
        { name: "no weekly rule", change: (rs) => (find(rs, "plan").inputs.rules as unknown[]).splice(1, 1),
            expect: [{ name: "db", message: 'Instance "db" is backed up by Plan "plan", with no a weekly rule (schedule like cron(0 2 ? * SUN *)) kept 365 days. Fix: add the missing rule (with a cross-region copy action) to one of these plans, or select it in a plan that has it.' }] },
        { name: "daily rule turned monthly", change: (rs) => set(find(rs, "plan"), ["rules", 0, "schedule"], "cron(0 2 1 * ? *)"),
            expect: [{ name: "db", message: 'Instance "db" is backed up by Plan "plan", with no a daily rule (schedule like cron(0 2 * * ? *)) kept 35 days. Fix: add the missing rule (with a cross-region copy action) to one of these plans, or select it in a plan that has it.' }] },
        { name: "daily and weekly rules in two plans, each selecting the database: valid", change: (rs) => splitPlans(rs), expect: [] },
        { name: "two plans selecting the database, both daily", change: (rs) => { splitPlans(rs); set(find(rs, "plan-weekly"), ["rules", 0, "schedule"], "cron(0 3 * * ? *)"); set(find(rs, "plan-weekly"), ["rules", 0, "lifecycle", "deleteAfter"], 35); },
            expect: [{ name: "db", message: 'Instance "db" is backed up by Plan "plan", Plan "plan-weekly", with no a weekly rule (schedule like cron(0 2 ? * SUN *)) kept 365 days. Fix: add the missing rule (with a cross-region copy action) to one of these plans, or select it in a plan that has it.' }] },
        { name: "a daily rule kept a year is also the weekly one", change: (rs) => { const p = find(rs, "plan"); (p.inputs.rules as unknown[]).splice(1, 1); set(p, ["rules", 0, "lifecycle", "deleteAfter"], 365); }, expect: [] },
        { name: "a plan that selects nothing of this stack is judged alone", change: (rs) => {
            const s = find(rs, "selection"); set(s, ["resources"], ["arn:aws:rds:us-east-1:123456789012:db:elsewhere"]); delete s.propertyDependencies.resources;
            (find(rs, "plan").inputs.rules as unknown[]).splice(1, 1);
        }, expect: [{ name: "plan", message: 'Plan "plan" selects no resource of this stack; it has no a weekly rule (schedule like cron(0 2 ? * SUN *)) kept 365 days. Fix: add the missing rule with a cross-region copy action.' }] },
        { name: "two plans selecting the same resources elsewhere are judged together", change: (rs) => {
            splitPlans(rs);
            for (const n of ["selection", "selection-weekly"]) { const s = find(rs, n); set(s, ["resources"], ["arn:aws:rds:us-east-1:123456789012:db:elsewhere"]); delete s.propertyDependencies.resources; }
        }, expect: [] },
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
