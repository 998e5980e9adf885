// Step 5, standby: whenever the drill's up was started (even after a failed step, an unexpected error or a signal),
// unless --keep, with the temporary copy of the stack file in standby. A preview first, with the policy pack: if it
// would delete or replace a data-bearing resource other than the drill copy, the up is NOT run and the stack stays
// in drill for a person to look at. Then `pulumi up`, asserting the same on its events. The drill copy's final
// snapshot keeps its data. No signal stops this step: when the CLI itself got a Ctrl-C (a terminal sends it to the
// whole process group) and stopped, the step starts again, up to STANDBY_ATTEMPTS times; the marker file covers the
// rest (a killed runner, a failure): `npm run drill -- --resume`.
import { dataStep, onceEach } from "./events";
import { Drill, DrillState, errorText } from "./session";

/** Attempts of the return to standby when a signal stopped the CLI (each one is idempotent: preview, then up). */
export const STANDBY_ATTEMPTS = 5;

export async function returnToStandby(d: Drill, state: DrillState): Promise<void> {
    const { opts } = d;
    d.step = "standby";
    for (let attempt = 1; attempt <= STANDBY_ATTEMPTS; attempt++) {
        const signalsBefore = d.signals;
        const outcome = await standbyOnce(d, state);
        if (outcome.done) return;
        if (d.signals === signalsBefore || attempt === STANDBY_ATTEMPTS) {
            d.fail("standby", `${outcome.problem}; ${opts.stack} is left in drill or between states: fix the cause, then run npm run drill -- --resume`);
            return;
        }
        d.deps.log(`The return to standby was stopped (${outcome.problem}); starting it again (attempt ${attempt + 1} of ${STANDBY_ATTEMPTS})`);
    }
}

async function standbyOnce(d: Drill, state: DrillState): Promise<{ done: boolean; problem?: string }> {
    const { opts, deps } = d;
    const s = state.stack!;
    const f = opts.files;
    const pack = { policyPacks: [f.policyPack], policyPackConfigs: [f.policyConfig.standby], configFile: f.config.standby, parallel: opts.parallel };
    deps.log(`Returning ${opts.stack} to standby`);
    state.planned = [];
    let doing = "preview (standby)";
    try {
        // Preview first: refuse an up that would delete or replace data other than the drill copy.
        await d.stoppable(true, (signal) => s.preview({ ...pack, signal, onEvent: onceEach((e) => {
            const step = dataStep(e.resourcePreEvent?.metadata);
            if (step && !state.planned.some((p) => p.urn === step.urn)) state.planned.push({ urn: step.urn, type: step.type, op: step.op, note: step.note });
        }) }));
        const danger = state.planned.filter((p) => !p.note.startsWith("drill copy"));
        if (danger.length > 0) {
            state.refused = true;
            for (const p of danger) d.fail("standby", `the standby preview would ${p.op} this data-bearing resource: the standby up was not run and ${opts.stack} stays in drill`, p.urn);
            return { done: true };
        }
        doing = "up (standby)";
        await d.stoppable(true, (signal) => s.up({ ...pack, signal, onEvent: onceEach((e) => {
            const step = dataStep(e.resourcePreEvent?.metadata);
            if (!step) return;
            state.deleted.push({ urn: step.urn, type: step.type, note: step.note });
            if (!step.drillCopy) state.unsafe.push(step.urn);
        }) }));
        state.backInStandby = true;
        return { done: true };
    } catch (err) {
        return { done: false, problem: `pulumi ${doing} failed: ${errorText(err)}` };
    }
}
