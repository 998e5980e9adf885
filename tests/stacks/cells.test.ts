// Both cells of the project (the default pair and eu) synthesize and pass the pack in every DR state, each copy
// inside its own zone, with names no other cell uses.
import { expect } from "chai";
import { policies } from "../../policies/pack";
import { analyze } from "../../tools/harness/analyzer";
import { policyConfigFromStack } from "../../tools/harness/policy-config";
import { cellStackStates, SynthesizedStack } from "../helpers/stacks";

const judge = (s: SynthesizedStack) =>
    analyze(policies, s.resources, { stackRegion: s.config["aws:region"], config: policyConfigFromStack(policies, s.config, { parallel: 8 }) });

/** The physical names a stack gives its resources (the inputs AWS keys them by within an account and region). */
function physicalNames(s: SynthesizedStack): Set<string> {
    const keys = ["bucket", "name", "identifier", "alias", "repositoryName", "functionName"];
    return new Set(s.resources.flatMap((r) => keys.map((k) => r.inputs[k]).filter((v): v is string => typeof v === "string" && v !== "")
        .map((v) => `${r.type} ${v}`)));
}

describe("cells: both cells in every DR state", () => {
    for (const [cell, zone, regions] of [["default", "us", ["us-east-1", "us-west-2"]], ["eu", "eu", ["eu-central-1", "eu-west-1"]]] as const) {
        for (const preview of [false, true]) {
            it(`${cell}: the primary and the DR stack in standby, drill and failover (replica, restore) pass with the copies kept in ${zone}${preview ? ", in a first preview" : ""}`, async () => {
                const states = await cellStackStates(cell, preview);
                expect(states.map((s) => s.label)).to.have.length(7);
                for (const { label, stack } of states) {
                    expect(stack.config["vbr:residency"], label).to.equal(zone);
                    expect(regions, label).to.include(stack.config["aws:region"]);
                    const { violations, notApplicable } = await judge(stack);
                    expect(violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy}: ${v.message}`), label).to.deep.equal([]);
                    expect(violations.map((v) => v.policy), label).to.deep.equal([]);
                    // The residency policy judged this stack's copies: it was not left out as not applicable.
                    expect(notApplicable.filter((n) => n.policy === "data-residency-copy-links" && n.urn === null), label).to.deep.equal([]);
                }
            });
        }
    }

    it("the eu cell's names start vbr-prod-eu- and meet no name of the default cell; the load balancer's generated name fits 32", async () => {
        const [us, eu] = [await cellStackStates("default"), await cellStackStates("eu")];
        const names = (states: typeof us) => new Set(states.flatMap((s) => [...physicalNames(s.stack)]));
        // A restore testing selection's name is scoped to its restore testing plan (named after the cell).
        const shared = [...names(us)].filter((n) => names(eu).has(n) && !n.startsWith("aws:backup/restoreTestingSelection:"));
        expect(shared).to.deep.equal([]);
        const failover = eu.find((s) => s.label === "eu-dr failover (replica)")!.stack;
        const alb = failover.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")!;
        expect(alb.name).to.equal("vbr-prod-eu-app-alb");
        expect(`${alb.name}-1234567`.length).to.be.at.most(32);
        expect(failover.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.inputs.bucket).sort()).to.deep.equal([
            "vbr-prod-eu-alb-logs-eu-west-1", "vbr-prod-eu-audit-eu-west-1", "vbr-prod-eu-documents-eu-west-1", "vbr-prod-eu-reports-eu-west-1", "vbr-prod-eu-trail-eu-west-1",
        ]);
    });
});
