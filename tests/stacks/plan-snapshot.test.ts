// Every URN the stacks plan, with its inputs and data-protection options, compared with a recorded snapshot: a
// refactoring must plan exactly the same resources (no replacement for an existing deployment), and a change
// that adds, removes or alters a resource shows here for review. Regenerate deliberately after such a change:
//   UPDATE_PLAN_SNAPSHOT=1 npx mocha tests/stacks/plan-snapshot.test.ts
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { reportResource } from "../../tools/plan/report";
import { drStack, primaryStack, SynthesizedStack } from "../helpers/stacks";

const SNAPSHOT = path.join(__dirname, "..", "fixtures", "plan-snapshot.json");

type Planned = Record<string, { inputs: Record<string, unknown>; protect: boolean; retainOnDelete: boolean; parent: string | null }>;

const STATES: Array<[string, () => Promise<SynthesizedStack>]> = [
    ["primary", () => primaryStack()],
    ["dr standby", () => drStack("standby")],
    ["dr drill", () => drStack("drill")],
    ["dr failover (replica)", () => drStack("failover", "replica")],
    ["dr failover (restore)", () => drStack("failover", "restore")],
];

function planned(stack: SynthesizedStack): Planned {
    return Object.fromEntries(stack.resources.map((r) => {
        const { inputs, protect, retainOnDelete, parent } = reportResource(r);
        return [r.urn, { inputs, protect, retainOnDelete, parent }];
    }));
}

describe("the plan snapshot: URNs, inputs and protection of every stack state", function () {
    this.timeout(180000);

    it("matches tests/fixtures/plan-snapshot.json exactly", async () => {
        const now: Record<string, Planned> = {};
        for (const [label, load] of STATES) now[label] = planned(await load());
        if (process.env.UPDATE_PLAN_SNAPSHOT === "1") fs.writeFileSync(SNAPSHOT, JSON.stringify(now, null, 1) + "\n");
        const recorded = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, Planned>;
        expect(Object.keys(now)).to.deep.equal(Object.keys(recorded));
        for (const [label] of STATES) {
            // URNs first, so a rename reads as a rename and not as a wall of input differences.
            expect(Object.keys(now[label]).sort(), `${label}: URNs`).to.deep.equal(Object.keys(recorded[label]).sort());
            for (const urn of Object.keys(recorded[label])) expect(now[label][urn], `${label}: ${urn}`).to.deep.equal(recorded[label][urn]);
        }
    });
});
