// Step 2, canary: an object written to the primary's documents bucket now; its replication is polled from the
// write on, while `up` runs (the documents RPO: the replication lag).
import { Drill, DrillState, errorText, outputValue } from "./session";

/** How long the canary may take to replicate: S3 Replication Time Control replicates 99.99 % of objects in 15 min. */
export const CANARY_TIMEOUT_MS = 15 * 60_000;

export async function writeCanary(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps } = d;
    d.step = "canary";
    const srcBucket = outputValue<Record<string, { name: string }>>(state.primaryOutputs, "buckets")?.documents?.name;
    const replicaBucket = outputValue<Record<string, { name: string }>>(state.drOutputs, "buckets")?.documents?.name;
    if (!srcBucket) return d.fail("canary", `the primary stack ${opts.primaryStack} exports no documents bucket (output buckets.documents.name)`);
    if (!replicaBucket) return d.fail("canary", `the ${opts.stack} stack exports no documents bucket (output buckets.documents.name)`);
    const key = `drill-canary/${new Date(d.t0).toISOString().replace(/[:.]/g, "-")}.txt`;
    const c = { sourceBucket: srcBucket, sourceRegion: d.peerRegion, replicaBucket, replicaRegion: d.region, key };
    const written = await deps.checks.writeCanary(c);
    d.validation.push({ check: "canary written", ok: written.ok, detail: written.detail });
    if (!written.ok || written.writtenAt === undefined) return d.fail("canary", written.detail);
    state.canary = { ...c, writtenAt: written.writtenAt };
    state.canaryPending = deps.checks.canaryReplicated(state.canary, CANARY_TIMEOUT_MS, d.stopChecks.signal)
        .catch((err) => ({ ok: false, detail: `canary replication: ${errorText(err)}` }));
}
