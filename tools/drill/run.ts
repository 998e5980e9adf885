// The DR drill: bring the DR stack from standby to drill with the Automation API, time every resource, validate the
// environment, measure RTO and RPO, return to standby, and report. One file per step:
//   (preflight.ts before anything)  1. prepare.ts  2. canary.ts  3. up.ts  4. validate.ts
//   5. standby.ts and the canaries' deletion (in the finally path: after any failure, error or signal; standby unless --keep)
// A failure in prepare or canary stops the drill before the stack is changed. The marker file (workspace.ts) records
// what is left to finish until it is done; `--resume` runs only step 5 for the drill it records.
import type { Stack } from "@pulumi/pulumi/automation";
import { awaitRestorable, deleteCanaries, writeCanaries } from "./canary";
import { prepare } from "./prepare";
import { drillReport, DrillReport } from "./report";
import { Drill, DrillDeps, DrillOptions, errorText, InterruptHandler, OutputMap } from "./session";
import { returnToStandby } from "./standby";
import { bringUp } from "./up";
import { validate } from "./validate";
import { removeMarker, writeMarker } from "./workspace";

/** SIGINT and SIGTERM of this process, for runDrill; returns the function that stops listening. */
export function processInterrupts(handler: InterruptHandler): () => void {
    const on = (signal: NodeJS.Signals) => handler(signal, signal === "SIGINT" && process.stdin.isTTY === true);
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
    return () => { process.off("SIGINT", on); process.off("SIGTERM", on); };
}

/** The DR stack and both stacks' outputs, as the preflight opened them. */
export interface OpenedStacks { stack: Stack; drOutputs: OutputMap; primaryOutputs: OutputMap }

/** Runs the drill (or, with opts.resume, finishes an earlier one); never throws: every error becomes a failure. */
export async function runDrill(opts: DrillOptions, deps: DrillDeps, opened: OpenedStacks): Promise<DrillReport> {
    const d = new Drill(opts, deps);
    const state = d.initialState();
    Object.assign(state, { stack: opened.stack, drOutputs: opened.drOutputs, primaryOutputs: opened.primaryOutputs });
    // A resumed drill changed the stack if its up had started.
    if (opts.resume) state.touched = state.marker.upStarted;
    const go = () => d.failures.length === 0 && !d.interrupted;
    try {
        if (!opts.resume) {
            await prepare(d, state);
            if (go()) await writeCanaries(d, state);
            if (go()) await awaitRestorable(d, state);
            if (go()) await bringUp(d, state);
            if (state.upOutputs && !d.interrupted) await validate(d, state);
        }
    } catch (err) {
        // A bug or an unexpected SDK error: reported with the step it happened in; the return to standby still runs.
        d.fail(d.step, `unexpected error: ${errorText(err)}`);
    } finally {
        await finish(d, state);
    }
    return drillReport(d, state);
}

/** Always: the canary's replication result (kept when up failed), the return to standby, the canaries' deletion. */
async function finish(d: Drill, state: ReturnType<Drill["initialState"]>): Promise<void> {
    const { opts } = d;
    try {
        if (state.canaryPending && !state.canaryResult) {
            if (!state.upOutputs) d.deps.log("Waiting for the canary object's replication result (at most 15 min after its write)");
            state.canaryResult = await state.canaryPending;
            d.validation.push({ check: "canary object replicated to the DR bucket", ok: state.canaryResult.ok, detail: state.canaryResult.detail });
            if (!state.canaryResult.ok) d.fail("validate", state.canaryResult.detail);
        }
        d.stopChecks.abort();
        if (state.marker.upStarted && !opts.keep) await returnToStandby(d, state);
        await deleteCanaries(d, state);
    } catch (err) {
        d.fail(d.step, `unexpected error: ${errorText(err)}`);
    } finally {
        const left = Object.keys(state.marker.canaries).length > 0 || (state.marker.upStarted && !state.backInStandby);
        if (!left) removeMarker(opts.projectDir, opts.stack);
        else if (state.marker.upStarted || Object.keys(state.marker.canaries).length > 0) writeMarker(opts.projectDir, state.marker);
        d.close();
        opts.files.remove();
    }
}
