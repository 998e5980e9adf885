// Mutation tests: each broken guarantee in the synthesized stacks is caught by the intended policy.
import { expect } from "chai";
import * as path from "path";
import { policies } from "../../policies/pack";
import { Area, MUTATIONS, runMutations, stackLoader } from "../../tools/harness/mutations";
import { syntheses } from "../helpers/stacks";

describe("policy pack mutations", () => {
    it("has at least 25 distinct mutations covering the six areas", () => {
        expect(new Set(MUTATIONS.map((m) => m.id)).size).to.equal(MUTATIONS.length);
        expect(MUTATIONS.length).to.be.at.least(25);
        const areas: Area[] = ["encryption", "retention", "versioning", "cross-region", "no-data-loss", "exposure"];
        expect([...new Set(MUTATIONS.map((m) => m.area))].sort()).to.deep.equal([...areas].sort());
    });

    it("catches every mutation with the intended policy, naming the mutated resource", async () => {
        const results = await runMutations(policies, stackLoader(path.join(__dirname, "..", ".."), syntheses));
        const missed = results.filter((r) => !r.caught).map((r) => `${r.mutation.id} (${r.mutation.policy})${r.error ? `: ${r.error}` : ""}`);
        expect(missed).to.deep.equal([]);
        expect(results.filter((r) => r.caught).length).to.equal(MUTATIONS.length);
        for (const r of results) expect(r.violations[0].message).to.include("Fix:");
    });
});
