// Step 2, canary: before the stack is changed, a canary object in the primary's documents bucket (its replication
// polled from the write on, while `up` runs) and a canary row in the primary database, written by a one-off task on
// the primary's own app task definition (`vbr-db-check seed`, inside the primary's VPC, with the app's credentials).
// The drill then waits until the DR region's replicated backups can restore to the row's write time, so the drill
// copy must hold it. Both canaries are deleted at the end (deleteCanaries), whatever happened.
import type { OneOffTask } from "../../components/service-validation";
import { VALIDATION_COMMAND } from "../../components/service-validation";
import { sleep } from "./aws";
import { replicationSourceOf } from "./prepare";
import { Drill, DrillState, errorText, OutputMap, outputValue } from "./session";
import { writeMarker } from "./workspace";

/** How long the canary may take to replicate: S3 Replication Time Control replicates 99.99 % of objects in 15 min. */
export const CANARY_TIMEOUT_MS = 15 * 60_000;
/** Between two reads of the replicated backups' restorable time while waiting for the canary row. */
export const RESTORABLE_POLL_MS = 30_000;

/** The primary's app task definition, for one-off tasks in the primary region (the `tasks.app` output). */
const primaryAppTask = (outputs: OutputMap | undefined) => outputValue<{ app?: OneOffTask }>(outputs, "tasks")?.app;
const NO_APP_TASK = "exports no tasks.app (its app task definition): update it with this version (pulumi up -s <primary>, vbr:serviceEnabled=true)";

export async function writeCanaries(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps } = d;
    d.step = "canary";
    const srcBucket = outputValue<Record<string, { name: string }>>(state.primaryOutputs, "buckets")?.documents?.name;
    const replicaBucket = outputValue<Record<string, { name: string }>>(state.drOutputs, "buckets")?.documents?.name;
    const appTask = primaryAppTask(state.primaryOutputs);
    if (!srcBucket) return d.fail("canary", `the primary stack ${opts.primaryStack} exports no documents bucket (output buckets.documents.name)`);
    if (!replicaBucket) return d.fail("canary", `the ${opts.stack} stack exports no documents bucket (output buckets.documents.name)`);
    if (!appTask) return d.fail("canary", `the primary stack ${opts.primaryStack} ${NO_APP_TASK}`);

    const key = `drill-canary/${d.drillId}.txt`;
    const c = { sourceBucket: srcBucket, sourceRegion: d.peerRegion, replicaBucket, replicaRegion: d.region, key };
    const written = await deps.checks.writeCanary(c);
    d.validation.push({ check: "canary object written (primary documents bucket)", ok: written.ok, detail: written.detail });
    if (!written.ok || written.writtenAt === undefined) return d.fail("canary", written.detail);
    state.canary = { ...c, writtenAt: written.writtenAt, versionId: written.versionId };
    state.marker.canaries.object = state.canary;
    writeMarker(opts.projectDir, state.marker);
    state.canaryPending = deps.checks.canaryReplicated(state.canary, CANARY_TIMEOUT_MS, d.stopChecks.signal)
        .catch((err) => ({ ok: false, detail: `canary replication: ${errorText(err)}` }));

    if (d.interrupted) return;
    // Recorded before the task runs: an interrupted seed may still have written the row.
    state.marker.canaries.row = { id: d.drillId };
    writeMarker(opts.projectDir, state.marker);
    const seed = await deps.checks.runTask({
        region: d.peerRegion, task: appTask, command: [VALIDATION_COMMAND, "seed"], environment: { VBR_CANARY_ID: d.drillId }, signal: d.stopChecks.signal,
    });
    const writtenAt = seed.output?.mode === "seed" && seed.output.writtenAt ? Date.parse(seed.output.writtenAt) : NaN;
    const ok = seed.ok && Number.isFinite(writtenAt);
    const detail = ok ? `row ${d.drillId} written ${new Date(writtenAt).toISOString()} (database clock): ${seed.detail}`
        : seed.ok ? `${seed.detail}, but its log has no seed result line with writtenAt` : seed.detail;
    d.validation.push({ check: "canary row seeded (primary database, one-off task)", ok, detail });
    if (!ok) return d.fail("canary", detail);
    state.canaryRow = { id: d.drillId, writtenAt, detail };
}

/**
 * Waits until the DR region's replicated backups restore to at least the canary row's write, polling every
 * RESTORABLE_POLL_MS, for at most the RPO objective after the write. Past that the RPO is missed; the drill goes on
 * (its RTO is still worth measuring) and its copy will not hold the canary.
 */
export async function awaitRestorable(d: Drill, state: DrillState): Promise<void> {
    const row = state.canaryRow;
    const source = replicationSourceOf(state.primaryOutputs);
    if (!row || !source) return;
    const deadline = row.writtenAt + d.rpoObjective * 60_000;
    const wait = d.deps.sleep ?? sleep;
    let last = "not read yet";
    d.deps.log(`Waiting until the replicated backups in ${d.region} restore to the canary row's write (${new Date(row.writtenAt).toISOString()}), at most ${d.rpoObjective} min`);
    for (;;) {
        const lrt = await d.deps.checks.latestRestorableTime(d.region, source.arn);
        last = lrt.detail;
        const at = d.now();
        if (lrt.ok && lrt.time !== undefined && lrt.time >= row.writtenAt) {
            state.canaryRowRestorableAt = at;
            d.validation.push({ check: "canary row restorable in the DR region", ok: true, detail: `${lrt.detail}, seen ${Math.round((at - row.writtenAt) / 1000)} s after the write (polled every ${RESTORABLE_POLL_MS / 1000} s)` });
            return;
        }
        if (d.stopChecks.signal.aborted || at + RESTORABLE_POLL_MS > deadline) break;
        await wait(RESTORABLE_POLL_MS, d.stopChecks.signal);
    }
    d.validation.push({
        check: "canary row restorable in the DR region", ok: false,
        detail: `not restorable within ${d.rpoObjective} min of its write${d.stopChecks.signal.aborted ? " (drill interrupted)" : ""} (last: ${last})`,
    });
}

/** Deletes the canaries the marker records (object and row); what is deleted leaves the marker. */
export async function deleteCanaries(d: Drill, state: DrillState): Promise<void> {
    const { deps, opts } = d;
    const { object, row } = state.marker.canaries;
    if (!object && !row) return;
    d.step = "cleanup";
    if (object) {
        const r = await deps.checks.deleteCanary(object);
        state.cleanup.push({ check: "canary object deleted (both buckets)", ...r });
        if (r.ok) delete state.marker.canaries.object; else d.fail("cleanup", r.detail);
    }
    if (row) {
        const appTask = primaryAppTask(state.primaryOutputs);
        const r = appTask
            ? await deps.checks.runTask({ region: d.peerRegion, task: appTask, command: [VALIDATION_COMMAND, "delete"], environment: { VBR_CANARY_ID: row.id } })
            : { ok: false, detail: `the primary stack ${opts.primaryStack} ${NO_APP_TASK}` };
        state.cleanup.push({ check: "canary row deleted (primary database)", ok: r.ok, detail: r.detail });
        if (r.ok) delete state.marker.canaries.row; else d.fail("cleanup", r.detail);
    }
}

