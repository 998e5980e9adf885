// Mutation tests: each broken guarantee in the synthesized stacks is caught by the intended policy on the resource it
// breaks; each compliant variant passes the whole pack.
import { expect } from "chai";
import * as path from "path";
import { policies } from "../../policies/pack";
import { ADVERSARIAL, ALL_MUTATIONS, runVariants, VARIANTS } from "../../tools/harness/adversarial";
import { Area, MUTATIONS, runMutations, stackLoader } from "../../tools/harness/mutations";
import { syntheses } from "../helpers/stacks";

const load = stackLoader(path.join(__dirname, "..", ".."));

describe("policy pack mutations", () => {
    it("has distinct mutations covering the eight areas: the project's own and at least 20 adversarial ones", () => {
        expect(new Set(ALL_MUTATIONS.map((m) => m.id)).size).to.equal(ALL_MUTATIONS.length);
        expect(MUTATIONS.length).to.be.at.least(25);
        expect(ADVERSARIAL.length).to.be.at.least(20);
        const areas: Area[] = ["encryption", "retention", "versioning", "cross-region", "residency", "no-data-loss", "exposure", "audit"];
        expect([...new Set(ALL_MUTATIONS.map((m) => m.area))].sort()).to.deep.equal([...areas].sort());
    });

    it("catches every mutation with the intended policy, on the mutated resource's URN, with a fix", async () => {
        const results = await runMutations(policies, stackLoader(path.join(__dirname, "..", ".."), syntheses), ALL_MUTATIONS);
        const missed = results.filter((r) => !r.caught).map((r) => `${r.mutation.id} (${r.mutation.policy} on ${r.mutation.at.name})${r.error ? `: ${r.error}` : ""}`);
        expect(missed).to.deep.equal([]);
        for (const r of results) {
            const v = r.violations[0];
            expect(v.urn, r.mutation.id).to.match(new RegExp(`^urn:pulumi:[a-z]+::vbr::.*${r.mutation.at.type.replace(/[/$]/g, "\\$&")}::${r.mutation.at.name}$`));
            expect(v.message, r.mutation.id).to.include(`"${r.mutation.at.name}"`);
            expect(v.message, r.mutation.id).to.include("Fix:");
        }
    });

    it("fails a mutation whose violation names another resource (the URN assertion can fail)", async () => {
        const m = ALL_MUTATIONS.find((x) => x.id === "replication-prefix-filter")!;
        const [r] = await runMutations(policies, load, [{ ...m, at: { ...m.at, name: "vbr-prod-docs-audit" } }]);
        expect(r.caught).to.equal(false);
    });
});

describe("policy pack compliant variants", () => {
    it("has at least 8 variants, each passing with no mandatory violation", async () => {
        expect(VARIANTS.length).to.be.at.least(8);
        const results = await runVariants(policies, load);
        const failed = results.filter((r) => r.error || r.mandatory.length > 0)
            .map((r) => `${r.variant.id}: ${r.error ?? r.mandatory.map((v) => `${v.policy} ${v.urn}`).join(", ")}`);
        expect(failed).to.deep.equal([]);
    });
});
