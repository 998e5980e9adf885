// The failback: back from region B to region A with an RPO of zero, closing the DR cycle. One file per concern:
// phases.ts (each phase), stack-step.ts (config, safety preview, up), checks.ts (AWS), report.ts. Phases in order:
//   prepare, replicate-back, backfill, recover, stop-writes, canary, drain, promote, verify, standby
// A phase that fails stops the run. Before the promotion, region B's writers are resumed if they were stopped, so B
// serves again; from the promotion on they never are (both regions would take writes): the report says what is left.
import { backfill, canary, drain, prepare, promote, recover, replicateBack, standby, stopWrites, verify } from "./phases";
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
    let done = 0;
    try {
        for (const [, run] of STEPS) {
            if (f.stop.signal.aborted) break;
            const ok = await run(f, state);
            done++;
            if (!ok) break;
        }
    } catch (err) {
        f.fail(f.phase, `unexpected error: ${errorText(err)}`);
    } finally {
        for (const phase of PHASES.slice(f.phases.length)) f.skip(phase, "not run: an earlier phase failed or the failback was interrupted");
        if (state.writer && state.previousCapacity && !state.promoteStarted) {
            const r = await deps.checks.resumeWrites(state.writer, state.previousCapacity);
            f.validation.push({ check: "region B's writers resumed (the failback stopped before the promotion)", ok: r.ok, detail: r.detail });
            if (!r.ok) f.fail(f.phase, r.detail);
        }
        f.close();
    }
    deps.log(`${done}/${PHASES.length} phases run`);
    return failbackReport(f, state);
}
