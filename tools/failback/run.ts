// The failback: back from region B to region A with an RPO of zero, closing the DR cycle. One file per concern:
// phases.ts (each phase), stack-step.ts (config, safety preview, up), database.ts (the canary row by one-off tasks),
// checks.ts (AWS), report.ts. Phases in order:
//   prepare, replicate-back, backfill, recover, stop-writes, canary, drain, promote, verify, standby, audit
// A phase that fails stops the run. Before the promotion, region B's writers are resumed if they were stopped, so B
// serves again; from the promotion on they never are (both regions would take writes): the report says what is left.
// The audit record of the window is verified last, whatever failed before (a failed recovery operation is on record
// too), unless the failback never started (prepare failed) or a signal stopped it.
import { audit, backfill, canary, drain, prepare, promote, recover, replicateBack, standby, stopWrites, verify } from "./phases";
import { failbackReport, FailbackReport } from "./report";
import { errorText, Failback, FailbackDeps, FailbackOptions, FailbackState, initialState, Phase, PHASES } from "./session";

const STEPS: Array<[Phase, (f: Failback, s: FailbackState) => Promise<boolean>]> = [
    ["prepare", prepare], ["replicate-back", replicateBack], ["backfill", backfill], ["recover", recover], ["stop-writes", stopWrites],
    ["canary", canary], ["drain", drain], ["promote", promote], ["verify", verify], ["standby", standby],
];

/** Runs the failback; never throws: every error becomes a failure in the report, with the phase it happened in. */
export async function runFailback(opts: FailbackOptions, deps: FailbackDeps): Promise<FailbackReport> {
    const f = new Failback(opts, deps);
    const state = initialState();
    try {
        for (const [, run] of STEPS) {
            if (f.stop.signal.aborted) break;
            if (!(await run(f, state))) break;
        }
    } catch (err) {
        f.fail(f.phase, `unexpected error: ${errorText(err)}`);
    } finally {
        for (const phase of PHASES.slice(f.phases.length, -1)) f.skip(phase, "not run: an earlier phase failed or the failback was interrupted");
        if (state.writer && state.previousCapacity && !state.promoteStarted) {
            const r = await deps.checks.resumeWrites(state.writer, state.previousCapacity);
            f.validation.push({ check: "region B's writers resumed (the failback stopped before the promotion)", ok: r.ok, detail: r.detail });
            if (!r.ok) f.fail(f.phase, r.detail);
        }
        const started = f.phases[0]?.phase === "prepare" && f.phases[0].status === "ok";
        if (!started) f.skip("audit", "not run: the failback did not start (prepare failed)");
        else if (f.interrupted) f.skip("audit", `not run: the failback was interrupted by ${f.interrupted}`);
        else {
            try {
                await audit(f);
            } catch (err) {
                f.fail("audit", `unexpected error: ${errorText(err)}`);
                f.end(null, "not verified");
            }
        }
        f.close();
    }
    deps.log(`${f.phases.filter((p) => p.status !== "skipped").length}/${PHASES.length} phases run`);
    return failbackReport(f, state);
}
