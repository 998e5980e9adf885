// Step 1, prepare: nothing here changes anything. Estimate the model, refuse a drill id whose final snapshot already
// exists, read the replicated backups' latest restorable time (of the primary's replicationSource), and in replica
// mode what a failover would do instead (the model's promotion time and the replica's lag). Any failure here stops
// the drill before a canary is written or the stack is changed.
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { drSourceSuffix } from "../../components/database-dr";
import { Naming } from "../../policies/model/naming";
import { Drill, DrillState, errorText, OutputMap, outputValue } from "./session";

/**
 * Opens a stack of the project without `pulumi stack select`: the Automation API's Stack.select would change the
 * current stack of whoever runs the drill. Every Stack operation passes `--stack` itself, so the workspace's select
 * is replaced by reading the stack's outputs (`pulumi stack output --stack <name> --json`), which fails for a
 * stack that does not exist.
 */
export async function openStacks(workDir: string, names: string[], pulumiCommand?: PulumiCommand): Promise<Array<{ stack: Stack; outputs: OutputMap }>> {
    const ws = await LocalWorkspace.create({ workDir, pulumiCommand });
    const found = new Map<string, OutputMap>();
    ws.selectStack = async (name: string) => { found.set(name, await ws.stackOutputs(name)); };
    const out: Array<{ stack: Stack; outputs: OutputMap }> = [];
    for (const name of names) {
        const stack = await Stack.select(name, ws);
        out.push({ stack, outputs: found.get(name) ?? {} });
    }
    return out;
}

/** The instance the primary replicates from (its `replicationSource` output; after a corruption restore, not `database`). */
export const replicationSourceOf = (primaryOutputs: OutputMap | undefined) =>
    outputValue<{ arn: string; identifier: string }>(primaryOutputs, "replicationSource");

export async function prepare(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps, region } = d;
    try {
        state.model = await deps.estimate();
    } catch (err) {
        d.fail("prepare", `bring-up model: ${errorText(err)}`);
    }
    const naming = new Naming(d.cfg["vbr:environment"] ?? "prod");
    // The drill copy's final snapshot is named for the drill id: a taken id would fail the return to standby.
    const snapshotId = `${naming.dbIdentifier("drill")}-final-${d.drillId}`;
    const taken = await deps.checks.snapshotExists(region, snapshotId);
    if (!taken.ok) d.fail("prepare", taken.detail);
    else if (taken.exists) {
        state.drillIdExists = true;
        d.fail("prepare", `drill id ${d.drillId} already exists: the DB snapshot ${snapshotId} is in ${region} (a drill started in the same minute?); start the drill again in a minute`);
    }
    const source = replicationSourceOf(state.primaryOutputs);
    if (!source?.arn) {
        d.fail("prepare", `the primary stack ${opts.primaryStack} exports no replicationSource (the instance the DR region replicates from)`);
        return;
    }
    const lrt = await deps.checks.latestRestorableTime(region, source.arn);
    d.validation.push({ check: "latest restorable time of the replicated backups (at the drill's start)", ok: lrt.ok, detail: lrt.detail });
    if (lrt.ok && lrt.time !== undefined) state.dbLatestRestorable = lrt.time;
    else d.fail("prepare", lrt.detail);
    if ((d.cfg["vbr:drDatabase"] ?? "replica") === "replica") await replicaFailover(d, state, naming, source.identifier);
    else state.failover = { mode: "restore", promotion: null, replicaLagSeconds: null, detail: RESTORE_FAILOVER };
}

const RESTORE_FAILOVER = "a failover restores a new Multi-AZ instance from the replicated backups, as this drill restored its copy: " +
    "the drill's RTO and database RPO are what a failover would take";

/** Replica mode: what a failover would do instead of a restore (promote the read replica), from the model and CloudWatch. */
async function replicaFailover(d: Drill, state: DrillState, naming: Naming, sourceIdentifier: string): Promise<void> {
    const identifier = naming.dbIdentifier(drSourceSuffix(naming, sourceIdentifier));
    let promotion: { p50Minutes: number; p90Minutes: number } | null = null;
    let bringUp: { p50Minutes: number; p90Minutes: number } | null = null;
    try {
        const model = await d.deps.estimateFailover?.();
        const step = model?.timeline.find((t) => t.operation === "promote");
        if (step) promotion = { p50Minutes: round1((step.p50Finish - step.p50Start) / 60), p90Minutes: round1((step.finish - step.start) / 60) };
        if (model) bringUp = { p50Minutes: model.p50Minutes, p90Minutes: model.p90Minutes };
    } catch (err) {
        d.fail("prepare", `bring-up model (failover, replica): ${errorText(err)}`);
    }
    const lag = await d.deps.checks.replicaLag(d.region, identifier);
    d.validation.push({ check: "read replica lag (CloudWatch ReplicaLag)", ok: lag.ok, detail: lag.detail });
    if (!lag.ok) d.fail("prepare", lag.detail);
    state.failover = {
        mode: "replica", promotion, bringUp, replicaLagSeconds: lag.seconds ?? null,
        detail: `a failover would promote the read replica ${identifier} in place instead of restoring: ` +
            `${promotion ? `the model's promotion takes p50 ${promotion.p50Minutes} / p90 ${promotion.p90Minutes} min` : "the model has no promotion step"}` +
            `${bringUp ? ` (whole failover bring-up p50 ${bringUp.p50Minutes} / p90 ${bringUp.p90Minutes} min)` : ""}, and its data would be ` +
            `${lag.seconds !== undefined ? `about ${lag.seconds} s old (the replica's lag)` : "as old as the replica's lag (not read)"}. ` +
            "This drill measured a restore of its own copy, not the promotion: the live replica is never promoted by a drill.",
    };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
