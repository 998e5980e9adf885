// Step 1, prepare: nothing here changes a stack. Estimate the model, open both stacks without selecting either (the
// user's current stack is left alone) and read their outputs, refuse a drill id whose final snapshot already exists,
// and read the replicated backups' latest restorable time now (the database RPO: what the DR copy holds at the start).
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { Naming } from "../../policies/model/naming";
import { estimateIndex, EventTimer } from "./events";
import { Drill, DrillState, errorText, OutputMap, outputValue } from "./session";

/**
 * Opens a stack of the project without `pulumi stack select`: the Automation API's Stack.select would change the
 * current stack of whoever runs the drill. Every Stack operation passes `--stack` itself, so the workspace's select
 * is replaced by reading the stack's outputs (`pulumi stack output --stack <name> --json`), which fails for a
 * stack that does not exist.
 */
export async function openStacks(workDir: string, names: string[]): Promise<Array<{ stack: Stack; outputs: OutputMap }>> {
    const ws = await LocalWorkspace.create({ workDir });
    const found = new Map<string, OutputMap>();
    ws.selectStack = async (name: string) => { found.set(name, await ws.stackOutputs(name)); };
    const out: Array<{ stack: Stack; outputs: OutputMap }> = [];
    for (const name of names) {
        const stack = await Stack.select(name, ws);
        out.push({ stack, outputs: found.get(name) ?? {} });
    }
    return out;
}

export async function prepare(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps, region } = d;
    try {
        state.model = await deps.estimate();
    } catch (err) {
        d.fail("prepare", `bring-up model: ${errorText(err)}`);
    }
    state.timer = new EventTimer(state.model?.resources ?? 0, d.t0, d.rtoObjective * 60_000, estimateIndex(state.model?.timeline ?? []), deps.log);
    try {
        const [dr, primary] = await openStacks(opts.projectDir, [opts.stack, opts.primaryStack]);
        state.stack = dr.stack;
        state.drOutputs = dr.outputs;
        state.primaryOutputs = primary.outputs;
    } catch (err) {
        d.fail("prepare", `opening the stacks ${opts.stack} and ${opts.primaryStack}: ${errorText(err)}`);
    }
    if (!state.stack) return;
    // The drill copy's final snapshot is named for the drill id: a taken id would fail the return to standby.
    const snapshotId = `${new Naming(d.cfg["vbr:environment"] ?? "prod").dbIdentifier("drill")}-final-${d.drillId}`;
    const taken = await deps.checks.snapshotExists(region, snapshotId);
    if (!taken.ok) d.fail("prepare", taken.detail);
    else if (taken.exists) {
        state.drillIdExists = true;
        d.fail("prepare", `drill id ${d.drillId} already exists: the DB snapshot ${snapshotId} is in ${region} (a drill started in the same minute?); start the drill again in a minute`);
    }
    const sourceArn = outputValue<{ arn: string }>(state.primaryOutputs, "database")?.arn;
    if (sourceArn) {
        // RPO (database): what the DR copy holds at the start, read before up (see RPO_METHOD).
        const lrt = await deps.checks.latestRestorableTime(region, sourceArn);
        d.validation.push({ check: "latest restorable time of the replicated backups (at the drill's start)", ok: lrt.ok, detail: lrt.detail });
        if (lrt.ok && lrt.time !== undefined) state.dbLatestRestorable = lrt.time;
        else d.fail("prepare", lrt.detail);
    } else {
        d.fail("prepare", `the primary stack ${opts.primaryStack} exports no database ARN`);
    }
}
