// `npm run mutations`: break one DR guarantee at a time in the synthesized stacks and report how many the pack catches.
import * as path from "path";
import { policies } from "../policies/pack";
import { MUTATIONS, runMutations, stackLoader } from "./harness/mutations";

async function main(): Promise<number> {
    const results = await runMutations(policies, stackLoader(path.join(__dirname, "..")));
    for (const r of results) {
        const m = r.mutation;
        const detail = r.error ? `error: ${r.error}` : r.caught ? r.violations[0].message.split("\n").slice(1).join(" ").slice(0, 160) : "NOT CAUGHT";
        console.log(`${r.caught ? "caught " : "MISSED "} ${m.area.padEnd(12)} ${m.stack.padEnd(20)} ${m.id.padEnd(36)} ${m.policy}: ${detail}`);
    }
    const caught = results.filter((r) => r.caught).length;
    console.log(`caught ${caught}/${MUTATIONS.length}`);
    return caught === MUTATIONS.length ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
