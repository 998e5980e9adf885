// Step 3, up: refresh (the state matches AWS, and a concurrent update's lock shows here, before anything changes),
// then a preview of the drill with the policy pack that must plan no data-bearing delete or replace (the same
// safety check as the return to standby), then `pulumi up` with the pack, each engine event timed against the model.
// Every call runs with the drill's temporary copy of the stack file (`--config-file`): the tracked file never changes.
import { dataStep, estimateIndex, everyHeartbeat, EventTimer, onceEach } from "./events";
import { Drill, DrillState, errorText } from "./session";
import { writeMarker } from "./workspace";

/** The CLI's words for a stack another update holds (self-managed backends' lock files, Pulumi Cloud's conflict). */
const LOCKED = /locked|another update is currently in progress|conflict/i;

export async function bringUp(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps } = d;
    const s = state.stack!;
    const f = opts.files;
    const pack = { policyPacks: [f.policyPack], policyPackConfigs: [f.policyConfig.drill], configFile: f.config.drill, parallel: opts.parallel };
    d.step = "up";
    let doing = "refresh";
    try {
        await d.stoppable(false, (signal) => s.refresh({ configFile: f.config.standby, parallel: opts.parallel, signal }));
        doing = "preview (drill, with the policy pack)";
        await d.stoppable(false, (signal) => s.preview({ ...pack, signal, onEvent: onceEach((e) => {
            const step = dataStep(e.resourcePreEvent?.metadata);
            if (step && !state.upPlanned.some((p) => p.urn === step.urn)) state.upPlanned.push({ urn: step.urn, type: step.type, op: step.op, note: step.note });
        }) }));
    } catch (err) {
        const text = errorText(err);
        return d.fail("up", LOCKED.test(text)
            ? `${opts.stack} is locked by another update (pulumi ${doing}: ${text}): wait for it to finish; nothing was changed`
            : `pulumi ${doing} ${d.interrupted ? `stopped by ${d.interrupted}` : "failed"}: ${text}; the drill's up was not run`);
    }
    if (state.upPlanned.length > 0) {
        for (const p of state.upPlanned) d.fail("up", `the drill's preview would ${p.op} this data-bearing resource: the drill's up was not run`, p.urn);
        return;
    }
    deps.log(`Running pulumi up on ${opts.stack} in drill (vbr:drillId=${d.drillId}; objective ${d.rtoObjective} min, ${state.model ? `model p90 ${state.model.p90Minutes} min` : "no model estimate"})`);
    state.marker.upStarted = true;
    writeMarker(opts.projectDir, state.marker);
    state.touched = true;
    state.upStart = d.now();
    // The clock of the progress line starts with the up, as the RTO does.
    const timer = state.timer = new EventTimer(state.model?.resources ?? 0, state.upStart, d.rtoObjective * 60_000, estimateIndex(state.model?.timeline ?? []), deps.log);
    const stopHeartbeat = (deps.heartbeat ?? everyHeartbeat)(() => timer.progress(d.now()));
    try {
        const res = await d.stoppable(false, (signal) => s.up({ ...pack, signal, onEvent: onceEach((e) => {
            timer.handle(e, d.eventTime(e));
            const step = dataStep(e.resourcePreEvent?.metadata);
            if (step) state.unsafe.push(step.urn);
        }) }));
        state.upOutputs = res.outputs;
    } catch (err) {
        d.fail("up", d.interrupted ? `pulumi up (drill) stopped by ${d.interrupted}: ${errorText(err)}` : `pulumi up (drill) failed: ${errorText(err)}`);
    } finally {
        stopHeartbeat();
    }
    timer.finish();
    state.upEnd = d.now();
    for (const m of timer.measured.filter((x) => x.status === "failed")) {
        d.fail("up", `${m.op} ${m.type} failed: ${timer.errors.get(m.urn) ?? "see the engine log"}`, m.urn);
    }
}
