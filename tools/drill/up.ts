// Step 3, up: `vbr:drState=drill` and the drill's own `vbr:drillId` (the drill copy's final snapshot, one per drill)
// in one config call, then `pulumi up`, each engine event timed against the model.
import { everyHeartbeat } from "./events";
import { Drill, DrillState, errorText } from "./session";

export async function bringUp(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps } = d;
    const s = state.stack!;
    d.step = "up";
    deps.log(`Setting ${opts.stack} vbr:drState=drill vbr:drillId=${d.drillId} and running pulumi up (objective ${d.rtoObjective} min, model p90 ${state.model?.p90Minutes ?? "?"} min)`);
    const timer = state.timer;
    try {
        state.touched = true;
        // One call: the drill copy is created with this drill's own final snapshot name.
        await s.setAllConfig({ "vbr:drState": { value: "drill" }, "vbr:drillId": { value: d.drillId } });
        const stopHeartbeat = (deps.heartbeat ?? everyHeartbeat)(() => timer.progress(d.now()));
        try {
            const res = await d.stoppable(false, (signal) => s.up({ onEvent: (e) => timer.handle(e, d.eventTime(e)), parallel: opts.parallel, signal }));
            state.upOutputs = res.outputs;
        } finally {
            stopHeartbeat();
        }
    } catch (err) {
        d.fail("up", d.interrupted
            ? `pulumi up (drill) stopped by ${d.interrupted}: ${errorText(err)}`
            : `pulumi up (drill) failed: ${errorText(err)}`);
    }
    timer.finish();
    state.upEnd = d.now();
    for (const m of timer.measured.filter((x) => x.status === "failed")) {
        d.fail("up", `${m.op} ${m.type} failed: ${timer.errors.get(m.urn) ?? "see the engine log"}`, m.urn);
    }
}
