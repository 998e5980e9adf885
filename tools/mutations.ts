// `npm run mutations`: break one DR guarantee at a time in the synthesized stacks and report how many the pack
// catches on the resource it breaks; then apply each compliant variant and report the false positives.
import * as path from "path";
import { policies } from "../policies/pack";
import { ALL_MUTATIONS, runVariants } from "./harness/adversarial";
import { runMutations, stackLoader } from "./harness/mutations";

async function main(): Promise<number> {
    const load = stackLoader(path.join(__dirname, ".."));
    const results = await runMutations(policies, load, ALL_MUTATIONS);
    for (const r of results) {
        const m = r.mutation;
        const detail = r.error ? `error: ${r.error}` : r.caught ? r.violations[0].message.split("\n").slice(1).join(" ").slice(0, 160) : `NOT CAUGHT on ${m.at.name}`;
        console.log(`${r.caught ? "caught " : "MISSED "} ${m.area.padEnd(12)} ${m.stack.padEnd(20)} ${m.id.padEnd(40)} ${m.policy}: ${detail}`);
    }
    const variants = await runVariants(policies, load);
    for (const v of variants) {
        const bad = v.error ?? v.mandatory.map((x) => `${x.policy} ${x.urn?.split("::").pop()}`).join(", ");
        console.log(`${bad ? "FALSE+ " : "passed "} ${"variant".padEnd(12)} ${v.variant.stack.padEnd(20)} ${v.variant.id.padEnd(40)}${bad ? ` ${bad}` : ""}`);
    }
    const caught = results.filter((r) => r.caught).length;
    const falsePositives = variants.filter((v) => v.error || v.mandatory.length > 0).length;
    console.log(`caught ${caught}/${results.length} mutations; false positives ${falsePositives}/${variants.length} compliant variants`);
    return caught === results.length && falsePositives === 0 ? 0 : 1;
}

if (require.main === module) main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
