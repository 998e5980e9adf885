// Step 5, standby: in a finally path, whatever failed or threw after the config changed (unless --keep).
// `vbr:drState standby`, then `pulumi preview`, refusing the up if it would delete or replace a data-bearing resource
// other than the drill copy (the stack then stays in drill), then `up`, asserting the same on its events. The drill
// copy's final snapshot keeps its data.
import { dataStep } from "./events";
import { Drill, DrillState, errorText } from "./session";

export async function returnToStandby(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps } = d;
    const s = state.stack!;
    d.step = "standby";
    deps.log(`Returning ${opts.stack} to standby`);
    let doing = "config set vbr:drState=standby";
    try {
        await s.setConfig("vbr:drState", { value: "standby" });
        doing = "preview (standby)";
        // Preview first: refuse an up that would delete or replace data other than the drill copy.
        await d.stoppable(true, (signal) => s.preview({ parallel: opts.parallel, signal, onEvent: (e) => {
            const step = dataStep(e.resourcePreEvent?.metadata);
            if (step && !state.planned.some((p) => p.urn === step.urn)) state.planned.push({ urn: step.urn, type: step.type, op: step.op, note: step.note });
        } }));
        const danger = state.planned.filter((p) => !p.note.startsWith("drill copy"));
        if (danger.length > 0) {
            state.refused = true;
            for (const p of danger) d.fail("standby", `the standby preview would ${p.op} this data-bearing resource: the standby up was not run and ${opts.stack} stays in drill (vbr:drState set back to drill)`, p.urn);
            doing = "config set vbr:drState=drill";
            await s.setConfig("vbr:drState", { value: "drill" });
        } else {
            doing = "up (standby)";
            await d.stoppable(true, (signal) => s.up({ parallel: opts.parallel, signal, onEvent: (e) => {
                const step = dataStep(e.resourcePreEvent?.metadata);
                if (!step) return;
                state.deleted.push({ urn: step.urn, type: step.type, note: step.note });
                if (!step.drillCopy) state.unsafe.push(step.urn);
            } }));
        }
    } catch (err) {
        d.fail("standby", `pulumi ${doing} ${d.signals >= 2 ? `stopped by ${d.interrupted}` : "failed"}: ${errorText(err)}; ` +
            "the stack is left in drill or between states: check it with pulumi preview, then pulumi up after fixing");
    }
}
