// The failback model: how long `npm run failback` takes from a DR stack in failover back to both stacks' normal states,
// and how long region B and region A together take no writes (the write downtime). Each Pulumi phase is the bring-up
// model on the difference between the two states it moves between (synthesized offline, as the plan does); the phases
// outside Pulumi (batch replication, stopping the writers, draining the replication) come from the data file.
import * as path from "path";
import {
    defaultParallel, estimateBringUp, loadProvisioningTimes, ProvisioningTimes, stepsFromDiff, toMinutes,
} from "../../policies/lib/bringup";
import { synthesize } from "../harness/recorder";
import type { SynthesizedStack } from "../harness/records";
import { loadProject, stackConfig } from "../harness/project";
import type { StackContext, StackExtension } from "../plan/report";

/** The model's failback id: any valid one names the same resources' shapes; a fixed one keeps the estimate reproducible. */
export const MODEL_FAILBACK_ID = "20260101t0000";

export interface FailbackPhaseEstimate {
    phase: string;
    /** What the phase does, for the report. */
    what: string;
    p50Minutes: number;
    p90Minutes: number;
    /** Whether region B's writers are stopped during this phase (it counts towards the write downtime). */
    writesStopped: boolean;
}

export interface FailbackEstimate {
    phases: FailbackPhaseEstimate[];
    /** Every phase, one after the other. */
    durationMinutes: { p50: number; p90: number };
    /** From stopping region B's writers until DNS serves region A's promoted database (one TTL included). */
    writeDowntimeMinutes: { p50: number; p90: number };
    parallel: number;
}

export interface FailbackEstimateOptions {
    projectDir: string;
    /** The DR stack and its config (in failover). */
    stack: string;
    config: Record<string, string>;
    parallel?: number;
    times?: ProvisioningTimes;
    /** The DR stack already synthesized in this config (the plan's), reused. @default - synthesized here */
    synthesized?: SynthesizedStack;
}

const seconds = (e: { p50: number; p90: number }) => ({ p50: e.p50, p90: e.p90 });

/** Estimates a failback of the DR stack `opts.stack` (in failover) and its primary, phase by phase. */
export async function estimateFailback(opts: FailbackEstimateOptions): Promise<FailbackEstimate> {
    const times = opts.times ?? loadProvisioningTimes();
    const parallel = opts.parallel ?? defaultParallel();
    const project = loadProject(opts.projectDir);
    const primaryName = (opts.config["vbr:primaryStack"] ?? "primary").split("/").pop()!;
    const drName = opts.stack;
    const primaryConfig = stackConfig(project, primaryName);
    const synth = (stack: string, overrides: Record<string, string>, outputs: Record<string, Record<string, unknown>>) =>
        synthesize({ projectDir: opts.projectDir, stack, overrides, stackOutputs: outputs });

    const serving = await synth(primaryName, { ...primaryConfig, "vbr:primaryState": "serving" }, {});
    const failover = opts.synthesized ?? await synth(drName, opts.config, { [primaryName]: serving.outputs });
    const back = { ...opts.config, "vbr:drState": "failover", "vbr:peerRegionAvailable": "true" };
    const replicating = await synth(drName, back, { [primaryName]: serving.outputs });
    const failback = { "vbr:drStack": drName, "vbr:dbFailbackId": MODEL_FAILBACK_ID };
    const recovering = await synth(primaryName, { ...primaryConfig, ...failback, "vbr:primaryState": "recovering" }, { [drName]: replicating.outputs });
    const promoted = await synth(primaryName, { ...primaryConfig, ...failback, "vbr:primaryState": "serving" }, { [drName]: replicating.outputs });
    const standbyConfig: Record<string, string> = { ...opts.config, "vbr:drState": "standby" };
    for (const key of ["vbr:peerRegionAvailable", "vbr:dbRestoreTime", "vbr:dbRestoreSource"]) delete standbyConfig[key];
    const standby = await synth(drName, standbyConfig, { [primaryName]: promoted.outputs });

    const storage = Number(opts.config["vbr:dbAllocatedStorageGiB"]);
    const model = Number.isFinite(storage) && storage > 0 ? { allocatedStorageGiB: storage } : {};
    const up = (from: SynthesizedStack, to: SynthesizedStack, dns = false) => {
        const e = estimateBringUp(stepsFromDiff(from.resources, to.resources, times, model), times, parallel);
        // The promotion serves once DNS answers with the PRIMARY record (INSYNC + one TTL).
        return dns && e.dnsServes ? { p50: Math.max(e.p50Seconds, e.dnsServes.p50), p90: Math.max(e.p90Seconds, e.dnsServes.p90) } : { p50: e.p50Seconds, p90: e.p90Seconds };
    };
    const op = (key: string) => seconds(times.operations[key]);
    const steady = seconds(times.types["aws:ecs/service:Service"]);
    const recover = up(serving, recovering);
    // Every database step is a one-off task inside the region's VPC (tools/failback/database.ts).
    const task = op("ecs-one-off-task");
    // The task definition's DB_HOST follows the failback replica, so the service redeploys once the replica exists; then
    // one read-only task checks the replica before the writes stop.
    const recoverPhase = { p50: recover.p50 + steady.p50 + task.p50, p90: recover.p90 + steady.p90 + task.p90 };
    // The row is seen in region A by a task that starts once it is written; the S3 backlog drains meanwhile.
    const catchUp = op("rds-replica-catch-up");
    const s3Drain = op("s3-replication-drain");
    const drain = { p50: Math.max(catchUp.p50 + task.p50, s3Drain.p50), p90: Math.max(catchUp.p90 + task.p90, s3Drain.p90) };
    const phase = (name: string, what: string, s: { p50: number; p90: number }, writesStopped = false): FailbackPhaseEstimate =>
        ({ phase: name, what, p50Minutes: toMinutes(s.p50), p90Minutes: toMinutes(s.p90), writesStopped });
    const phases = [
        phase("replicate-back", "DR stack: S3 and ECR replication back to region A (pulumi up)", up(failover, replicating)),
        phase("backfill", "S3 Batch Replication of what region B wrote before those rules", op("s3-batch-replication")),
        phase("recover", "primary: the failback read replica, then the service redeploys onto it (pulumi up)", recoverPhase),
        phase("stop-writes", "region B's service scaled to zero", op("ecs-scale-to-zero"), true),
        phase("canary", "canary row (a one-off task) and object written in region B", task, true),
        phase("drain", "replica lag 0 and S3 pending replication 0", drain, true),
        phase("promote", "primary: promote the failback instance, PRIMARY record back, DNS serves it (pulumi up)", up(recovering, promoted, true), true),
        phase("standby", "DR stack: back to standby, replicating the failback instance (pulumi up)", up(replicating, standby)),
    ];
    const sum = (list: FailbackPhaseEstimate[], q: "p50Minutes" | "p90Minutes") => Math.round(list.reduce((t, p) => t + p[q], 0) * 10) / 10;
    const stopped = phases.filter((p) => p.writesStopped);
    return {
        phases, parallel,
        durationMinutes: { p50: sum(phases, "p50Minutes"), p90: sum(phases, "p90Minutes") },
        writeDowntimeMinutes: { p50: sum(stopped, "p50Minutes"), p90: sum(stopped, "p90Minutes") },
    };
}

const fmt = (m: number) => m.toFixed(1);

export function failbackText(f: FailbackEstimate): string[] {
    return [
        `Failback estimate (failover -> both stacks normal): p50 ${fmt(f.durationMinutes.p50)} min, p90 ${fmt(f.durationMinutes.p90)} min; ` +
            `write downtime p50 ${fmt(f.writeDowntimeMinutes.p50)} min, p90 ${fmt(f.writeDowntimeMinutes.p90)} min`,
        ...f.phases.map((p) => `  ${p.phase.padEnd(15)} ${fmt(p.p50Minutes).padStart(6)} / ${fmt(p.p90Minutes).padStart(6)} min${p.writesStopped ? "  (no writes)" : ""}  ${p.what}`),
    ];
}

export function failbackMarkdown(f: FailbackEstimate): string[] {
    return [
        "#### Failback estimate (from failover, RPO 0)",
        "",
        `Duration p50 ${fmt(f.durationMinutes.p50)} min, p90 ${fmt(f.durationMinutes.p90)} min; write downtime p50 ${fmt(f.writeDowntimeMinutes.p50)} min, p90 ${fmt(f.writeDowntimeMinutes.p90)} min.`,
        "",
        "| Phase | p50 | p90 | Writes | What |",
        "|---|---:|---:|---|---|",
        ...f.phases.map((p) => `| ${p.phase} | ${fmt(p.p50Minutes)} min | ${fmt(p.p90Minutes)} min | ${p.writesStopped ? "stopped" : "on"} | ${p.what} |`),
    ];
}

/** The offline plan's `failback` report field: for a DR stack in failover, the failback that closes the cycle. */
export function failbackExtension(opts: { parallel?: number; times?: ProvisioningTimes } = {}): StackExtension<FailbackEstimate | undefined> {
    return {
        field: "failback",
        compute: async (ctx: StackContext) => {
            if (ctx.config["vbr:role"] !== "dr" || ctx.config["vbr:drState"] !== "failover") return undefined;
            return estimateFailback({
                projectDir: ctx.projectDir ?? path.resolve("."), stack: ctx.stack, config: ctx.config,
                parallel: opts.parallel ?? ctx.parallel, times: opts.times,
                // The plan's synthesis of this stack is the failover the estimate starts from, unless it already replicates back.
                synthesized: ctx.config["vbr:peerRegionAvailable"] === "true" ? undefined : ctx.synthesized,
            });
        },
        text: (v) => (v ? failbackText(v) : []),
        markdown: (v) => (v ? failbackMarkdown(v) : []),
    };
}
