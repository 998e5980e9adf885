// The DR drill: bring the DR stack from standby to drill with the Automation API, time every resource, validate the
// environment, measure RTO and RPO, return to standby, and report. One file per step:
//   1. prepare.ts   2. canary.ts   3. up.ts   4. validate.ts   5. standby.ts (in a finally path, unless --keep)
// Each failure is reported with the step it happened in. SIGINT/SIGTERM stop the drill's up (the CLI finishes the
// operations in flight), skip validation, still return to standby unless --keep, and the report is still written.
import { writeCanary } from "./canary";
import { prepare } from "./prepare";
import { drillReport, DrillReport } from "./report";
import { Drill, DrillDeps, DrillOptions, errorText, InterruptHandler } from "./session";
import { returnToStandby } from "./standby";
import { bringUp } from "./up";
import { validate } from "./validate";

/** SIGINT and SIGTERM of this process, for runDrill; returns the function that stops listening. */
export function processInterrupts(handler: InterruptHandler): () => void {
    const on = (signal: NodeJS.Signals) => handler(signal, signal === "SIGINT" && process.stdin.isTTY === true);
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
    return () => { process.off("SIGINT", on); process.off("SIGTERM", on); };
}

/** Runs the drill; never throws: every error becomes a failure in the report, with the step it happened in. */
export async function runDrill(opts: DrillOptions, deps: DrillDeps): Promise<DrillReport> {
    const d = new Drill(opts, deps);
    const state = d.initialState();
    try {
        await prepare(d, state);
        const go = state.stack !== undefined && !state.drillIdExists && !d.interrupted;
        if (go) await writeCanary(d, state);
        if (go && !d.interrupted) await bringUp(d, state);
        if (state.upOutputs && !d.interrupted) await validate(d, state);
        if (state.canaryPending && !state.canaryResult) {
            d.stopChecks.abort();
            await state.canaryPending;
        }
    } catch (err) {
        // A bug or an unexpected SDK error: reported with the step it happened in; the return to standby still runs.
        d.fail(d.step, `unexpected error: ${errorText(err)}`);
    } finally {
        d.stopChecks.abort();
        if (state.stack && state.touched && !opts.keep) await returnToStandby(d, state);
        d.close();
    }
    return drillReport(d, state);
}
