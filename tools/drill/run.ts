// The DR drill: bring the DR stack from standby to drill with the Automation API, time every resource, validate the
// environment, measure RTO and RPO, return to standby, and write the report. Also merges a report's measured
// durations into the bring-up model's data file (`drill:learn`).
//
// Steps (each failure is reported with the step it happened in):
//   1. prepare  - open both stacks without selecting either (the user's current stack is left alone), read their
//                 outputs, estimate the model, refuse a drill id whose final snapshot already exists, and read the
//                 replicated backups' latest restorable time NOW (database RPO: what the DR copy holds at the start)
//   2. canary   - write a canary object to the primary's documents bucket and poll the source object's
//                 ReplicationStatus from then on, while `up` runs (documents RPO: the replication lag)
//   3. up       - `pulumi config set-all vbr:drState=drill vbr:drillId=<UTC timestamp id>`, `pulumi up` streaming
//                 engine events (the drill id names the drill copy's final snapshot, one per drill)
//   4. validate - HTTPS health of the drill endpoint (RTO ends here), the database secret read from its replica in
//                 the DR region, DB writable with those credentials (PGUSER/PGPASSWORD override them), the canary's
//                 replication completed and its replica present
//   5. standby  - in a finally path, whatever failed or threw after the config changed (unless --keep):
//                 `vbr:drState standby`, `pulumi preview` refusing the up if it would delete or replace a
//                 data-bearing resource other than the drill copy (the stack stays in drill), then `up`, asserting
//                 the same on its events. The drill copy's final snapshot keeps its data.
// SIGINT/SIGTERM stop the drill's up (the CLI finishes the operations in flight), skip validation, still return to
// standby unless --keep, and the report is still written.
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import type { BringUpScenario, TimelineEntry } from "../bringup/bringup-report";
import type { Canary, CheckResult, DrillChecks } from "./checks";
import { ProvisioningTimes } from "../../policies/lib/bringup";
import { Naming } from "../../policies/model/naming";
import { RPO_OBJECTIVE_MINUTES } from "../../policies/model/plan";
import { LIFECYCLE_DRILL, TAGS } from "../../policies/model/tags";
import { rtoObjectiveMinutes } from "../harness/policy-config";

export type DrillStep = "prepare" | "canary" | "up" | "validate" | "standby" | "report";

export interface MeasuredResource {
    urn: string;
    type: string;
    op: string;
    status: "ok" | "failed" | "in-flight";
    /** Measured seconds from resourcePre to resOutputs / resOpFailed. */
    seconds: number | null;
    /** The model's estimate for this resource (null when the model has no step for it). */
    estimate: { key: string; p50: number; p90: number } | null;
}

export interface DrillFailure {
    step: DrillStep;
    /** The resource the failure is about, if any. */
    urn: string | null;
    message: string;
}

export interface DrillReport {
    scenario: {
        stack: string; state: "drill"; database: string; parallel: number | null; keep: boolean;
        /** The `vbr:drillId` this drill set: the drill copy's final snapshot is `<db identifier>-final-<drillId>`. */
        drillId: string;
        /** True when the drill id's final snapshot already existed: the drill was refused before touching the stack. */
        drillIdExists: boolean;
    };
    start: string;
    end: string;
    /** The signal (SIGINT/SIGTERM) that stopped the drill, if one did. */
    interrupted: string | null;
    /** The DR stack's model estimate for this scenario. */
    model: { p50Minutes: number; p90Minutes: number; criticalPath: string[] } | null;
    resources: MeasuredResource[];
    upSeconds: number | null;
    rto: { minutes: number | null; objectiveMinutes: number; met: boolean; measuredTo: string };
    rpo: {
        minutes: number | null; objectiveMinutes: number; met: boolean; database: number | null; documents: number | null;
        /** The replicated backups' LatestRestorableTime read at the drill's start (ISO), the database RPO's basis. */
        databaseLatestRestorableTime: string | null;
        /** How each part is measured (RPO_METHOD). */
        method: { database: string; documents: string };
    };
    /** The canary written at the start: when S3 reported its replication COMPLETED (the documents RPO's basis). */
    canary: { source: string; replica: string; writtenAt: string; replicationStatus: string | null; replicationCompletedAt: string | null } | null;
    validation: Array<{ check: string } & CheckResult>;
    dataSafety: {
        ok: boolean;
        /** Data-bearing deletes/replaces the standby preview showed (the drill copy's delete is expected). */
        planned: Array<{ urn: string; type: string; op: string; note: string }>;
        deleted: Array<{ urn: string; type: string; note: string }>;
        detail: string;
    };
    failures: DrillFailure[];
    lessonsLearned: string[];
    exitCode: number;
}

/** Everything a drill touches outside this process; tests pass fakes (the checks, the clock, the model). */
export interface DrillDeps {
    checks: DrillChecks;
    /** Epoch ms now. @default Date.now */
    now?: () => number;
    /** Epoch ms of an engine event, taken when it arrives. @default now() */
    eventTime?: (e: EngineEvent) => number;
    /** The model's estimate of the drill bring-up; null when it cannot be computed. */
    estimate: () => Promise<BringUpScenario | null>;
    /** Progress lines (resources done / planned, elapsed vs objective, slowest in flight). */
    log: (line: string) => void;
    /**
     * Repeats `fn` while `pulumi up` runs, so a 25-minute restore still shows the clock and what is in flight;
     * returns the function that stops it. @default setInterval every HEARTBEAT_MS
     */
    heartbeat?: (fn: () => void) => () => void;
    /** Where PGUSER/PGPASSWORD overrides are read. @default process.env */
    env?: Record<string, string | undefined>;
    /**
     * Subscribes to the signals that stop a drill; returns the unsubscribe. tools/drill.ts passes processInterrupts
     * (SIGINT, SIGTERM). @default - none
     */
    onInterrupt?: (handler: InterruptHandler) => () => void;
}

export interface DrillOptions {
    projectDir: string;
    stack: string;
    primaryStack: string;
    /** Stack config (defaults, stack file): objectives, regions, domain, database mode. */
    config: Record<string, string>;
    parallel?: number;
    keep: boolean;
    /** Health URL; @default https://drill.<vbr:domainName>/health */
    endpointUrl?: string;
    /** How long to wait for the endpoint after `up`. @default 15 min */
    healthTimeoutMs?: number;
    /** Files to write (`<base>.json`, `<base>.md`). */
    reportBase: string;
}

const DATA_BEARING = new Set([
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:rds/instance:Instance", "aws:kms/key:Key",
    "aws:backup/vault:Vault", "aws:secretsmanager/secret:Secret", "aws:ecr/repository:Repository",
]);
/** Engine steps that remove a resource's current physical copy (a preview shows replacements as these too). */
const DATA_LOSS_OPS = new Set(["delete", "replace", "create-replacement", "delete-replaced", "discard", "discard-replaced"]);

const minutes = (ms: number) => Math.round(ms / 6000) / 10;

/** The `vbr:drillId` of a drill started at `epochMs`: its UTC date and minute, e.g. 20261129t2015 (a valid id). */
export function drillIdAt(epochMs: number): string {
    const iso = new Date(epochMs).toISOString();
    return `${iso.slice(0, 10).replace(/-/g, "")}t${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}
const fmtClock = (ms: number) => {
    const s = Math.max(0, Math.round(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};
const shortName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * The model's timeline by URN. The offline recorder builds URNs exactly as the engine does (every ancestor's type),
 * so the engine's events name the same URNs as the model.
 */
export function estimateIndex(timeline: TimelineEntry[]): Map<string, TimelineEntry> {
    return new Map(timeline.map((t) => [t.urn, t]));
}

/** How often the progress line repeats while nothing finishes (a restore or a steady-state wait). */
export const HEARTBEAT_MS = 30_000;

function everyHeartbeat(fn: () => void): () => void {
    const timer = setInterval(fn, HEARTBEAT_MS);
    return () => clearInterval(timer);
}

/** Pairs resourcePre with resOutputs / resOpFailed by op and URN; reports progress as resources finish. */
export class EventTimer {
    private readonly started = new Map<string, { urn: string; type: string; op: string; at: number }>();
    readonly measured: MeasuredResource[] = [];
    readonly errors = new Map<string, string>();
    private done = 0;

    constructor(private readonly planned: number, private readonly t0: number, private readonly objectiveMs: number,
        private readonly estimates: Map<string, TimelineEntry>, private readonly log: (line: string) => void) {}

    private estimateOf(urn: string): MeasuredResource["estimate"] {
        const e = this.estimates.get(urn);
        return e ? { key: e.key, p50: e.p50Finish - e.p50Start, p90: e.finish - e.start } : null;
    }

    handle(e: EngineEvent, at: number): void {
        if (e.diagnosticEvent?.severity === "error" && e.diagnosticEvent.urn) {
            this.errors.set(e.diagnosticEvent.urn, e.diagnosticEvent.message.trim());
        }
        const pre = e.resourcePreEvent?.metadata;
        if (pre && pre.op !== "same" && pre.op !== "read" && !pre.type.startsWith("pulumi:providers:") && pre.type !== "pulumi:pulumi:Stack") {
            this.started.set(`${pre.op}|${pre.urn}`, { urn: pre.urn, type: pre.type, op: pre.op, at });
            return;
        }
        const out = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (!out) return;
        const key = `${out.op}|${out.urn}`;
        const s = this.started.get(key);
        if (!s) return;
        this.started.delete(key);
        const failed = e.resOpFailedEvent !== undefined;
        this.measured.push({ urn: s.urn, type: s.type, op: s.op, status: failed ? "failed" : "ok", seconds: (at - s.at) / 1000, estimate: this.estimateOf(s.urn) });
        this.done++;
        this.progress(at);
    }

    progress(at: number): void {
        const inflight = [...this.started.values()].sort((a, b) => a.at - b.at).slice(0, 3)
            .map((s) => `${shortName(s.urn)} ${fmtClock(at - s.at)}`);
        this.log(`[${fmtClock(at - this.t0)} / ${fmtClock(this.objectiveMs)}] ${this.done}/${Math.max(this.planned, this.done)} resources done` +
            (inflight.length ? `; slowest in flight: ${inflight.join(", ")}` : ""));
    }

    /** Resources still without an end event (the update stopped): listed as in flight. */
    finish(): void {
        for (const s of this.started.values()) {
            this.measured.push({ urn: s.urn, type: s.type, op: s.op, status: "in-flight", seconds: null, estimate: this.estimateOf(s.urn) });
        }
        this.started.clear();
    }
}

type OutputMap = Record<string, { value: unknown }>;
const outputValue = <T>(o: OutputMap | undefined, key: string): T | undefined => o?.[key]?.value as T | undefined;

const arnRegion = (arn: string) => arn.split(":")[3];

/**
 * The ARN of the database secret's replica in the DR region: the DR stack's own `secretArn` output, else the
 * primary's with the region swapped (a Secrets Manager replica keeps the ARN except for the region).
 */
export function drSecretArn(drOutputs: OutputMap | undefined, primaryOutputs: OutputMap | undefined, region: string, peerRegion: string): string | undefined {
    const own = outputValue<string>(drOutputs, "secretArn");
    if (typeof own === "string" && own !== "") return own;
    const primary = outputValue<string>(primaryOutputs, "secretArn");
    if (typeof primary !== "string" || arnRegion(primary) !== peerRegion) return undefined;
    return primary.split(":").map((part, i) => (i === 3 ? region : part)).join(":");
}

function errorText(err: unknown): string {
    const e = err as { message?: string; commandResult?: { stderr?: string } };
    const stderr = e?.commandResult?.stderr?.trim();
    const msg = stderr || e?.message || String(err);
    // execa prefixes the command line ("Command failed with exit code N: pulumi up ..."): keep what the CLI said.
    const lines = msg.split("\n").map((l) => l.trim()).filter((l) => l && !/^Command failed with exit code/.test(l));
    return lines.slice(-3).join(" | ");
}

/** How long the canary may take to replicate: S3 Replication Time Control replicates 99.99 % of objects in 15 min. */
export const CANARY_TIMEOUT_MS = 15 * 60_000;

/** How each part of the RPO is measured (also in the report, so a reader knows what the numbers mean). */
export const RPO_METHOD = {
    database: "drill start minus the LatestRestorableTime of the DR region's replicated automated backups, read at the " +
        "drill's start before pulumi up: the newest database data the DR copy holds when the drill starts. The drill copy " +
        "restores with useLatestRestorableTime a little later, so it holds at least this; RDS does not expose the exact " +
        "restore point of an instance, so this is the honest bound.",
    documents: "replication lag of a canary object written to the primary's documents bucket at the drill's start: the " +
        "time its source object's ReplicationStatus was first seen COMPLETED (HeadObject polled from the write on, at most " +
        "15 min) minus the write time; the replica's presence in the DR bucket is confirmed. S3 keeps the source's " +
        "Last-Modified on the replica, so the replica's timestamps cannot measure the lag.",
} as const;

/** What a data-bearing step is: the drill copy's delete (its final snapshot keeps the data) or anything else. */
function dataStep(m: StepEventMetadata | undefined): { urn: string; type: string; op: string; note: string; drillCopy: boolean } | undefined {
    if (!m || !DATA_LOSS_OPS.has(m.op) || !DATA_BEARING.has(m.type)) return undefined;
    const inputs = (m.old?.inputs ?? {}) as Record<string, unknown>;
    const tags = (inputs.tags ?? {}) as Record<string, string>;
    const snapshot = inputs.skipFinalSnapshot === false && typeof inputs.finalSnapshotIdentifier === "string";
    if (m.type === "aws:rds/instance:Instance" && tags[TAGS.lifecycle] === LIFECYCLE_DRILL && snapshot) {
        return { urn: m.urn, type: m.type, op: m.op, note: `drill copy; final snapshot ${String(inputs.finalSnapshotIdentifier)}`, drillCopy: true };
    }
    return { urn: m.urn, type: m.type, op: m.op, note: "DATA-BEARING RESOURCE DELETED", drillCopy: false };
}

/**
 * Process signals as the drill sees them (tools/drill.ts wires SIGINT and SIGTERM). `deliveredToCli` is true when
 * the CLI got the same signal itself: Ctrl-C in a terminal reaches the whole foreground process group, and a second
 * SIGINT would make the CLI terminate at once instead of finishing the operations in flight.
 */
export type InterruptHandler = (signal: string, deliveredToCli: boolean) => void;

/** SIGINT and SIGTERM of this process, for runDrill; returns the function that stops listening. */
export function processInterrupts(handler: InterruptHandler): () => void {
    const on = (signal: NodeJS.Signals) => handler(signal, signal === "SIGINT" && process.stdin.isTTY === true);
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
    return () => { process.off("SIGINT", on); process.off("SIGTERM", on); };
}

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

/** Runs the drill; never throws: every error becomes a failure in the report, with the step it happened in. */
export async function runDrill(opts: DrillOptions, deps: DrillDeps): Promise<DrillReport> {
    const now = deps.now ?? Date.now;
    const eventTime = deps.eventTime ?? (() => now());
    const cfg = opts.config;
    const rtoObjective = rtoObjectiveMinutes(cfg, "drill");
    const rpoObjective = Number(cfg["vbr:rpoObjectiveMinutes"] ?? RPO_OBJECTIVE_MINUTES);
    const region = cfg["aws:region"];
    const peerRegion = cfg["vbr:peerRegion"];
    const t0 = now();
    const drillId = drillIdAt(t0);
    const failures: DrillFailure[] = [];
    const validation: DrillReport["validation"] = [];
    const fail = (step: DrillStep, message: string, urn: string | null = null) => failures.push({ step, urn, message });
    let step: DrillStep = "prepare";

    // Signals: the first stops the drill's up (SIGINT to the CLI, which finishes the operations in flight) and the
    // checks; the return to standby still runs unless --keep. A signal during the return to standby stops it only
    // when it is not the first (the first means "stop the drill", and going back to standby is how it stops).
    let interrupted: string | null = null;
    let interruptedIn: DrillStep = "prepare";
    let signals = 0;
    let running: { abort: AbortController; standby: boolean } | undefined;
    const stopChecks = new AbortController();
    const unsubscribe = (deps.onInterrupt ?? (() => () => undefined))((signal, deliveredToCli) => {
        signals++;
        if (!interrupted) { interrupted = signal; interruptedIn = step; }
        stopChecks.abort();
        if (running?.standby && signals < 2) {
            deps.log(deliveredToCli
                ? `${signal}: pulumi got it too and stops the return to standby after the operations in flight; finish it with pulumi up -s ${opts.stack} (vbr:drState=standby)`
                : `${signal}: the drill is returning ${opts.stack} to standby; send it again to stop that too (the stack may be left between states)`);
            return;
        }
        deps.log(`${signal}: stopping the drill${running ? " (pulumi finishes the operations in flight)" : ""}`);
        if (running && !deliveredToCli) running.abort.abort();
    });
    /** Runs a CLI operation that a signal may stop. */
    const stoppable = async <T>(standby: boolean, op: (signal: AbortSignal) => Promise<T>): Promise<T> => {
        running = { abort: new AbortController(), standby };
        // The SDK listens for the abort only once the command runs: one that came first must stop it from starting.
        if (interrupted && !(standby && signals < 2)) {
            running = undefined;
            throw new Error(`not started: the drill was interrupted by ${interrupted}`);
        }
        try {
            return await op(running.abort.signal);
        } finally {
            running = undefined;
        }
    };

    let stack: Stack | undefined;
    let model: BringUpScenario | null = null;
    let drillIdExists = false;
    let dbLatestRestorable: number | null = null;
    let canary: Canary | undefined;
    let canaryResult: (CheckResult & { status?: string; completedAt?: number }) | undefined;
    let touched = false;
    let upEnd: number | null = null;
    let healthyAt: number | undefined;
    const deleted: DrillReport["dataSafety"]["deleted"] = [];
    const planned: DrillReport["dataSafety"]["planned"] = [];
    let unsafe: string[] = [];
    let refused = false;
    const estimates = () => estimateIndex(model?.timeline ?? []);
    let timer = new EventTimer(0, t0, rtoObjective * 60_000, new Map(), deps.log);

    try {
        // 1. prepare: nothing here changes a stack.
        try {
            model = await deps.estimate();
        } catch (err) {
            fail("prepare", `bring-up model: ${errorText(err)}`);
        }
        timer = new EventTimer(model?.resources ?? 0, t0, rtoObjective * 60_000, estimates(), deps.log);
        let primaryOutputs: OutputMap | undefined;
        let drOutputs: OutputMap | undefined;
        try {
            const [dr, primary] = await openStacks(opts.projectDir, [opts.stack, opts.primaryStack]);
            stack = dr.stack;
            drOutputs = dr.outputs;
            primaryOutputs = primary.outputs;
        } catch (err) {
            fail("prepare", `opening the stacks ${opts.stack} and ${opts.primaryStack}: ${errorText(err)}`);
        }
        const sourceArn = outputValue<{ arn: string }>(primaryOutputs, "database")?.arn;
        if (stack) {
            // The drill copy's final snapshot is named for the drill id: a taken id would fail the return to standby.
            const snapshotId = `${new Naming(cfg["vbr:environment"] ?? "prod").dbIdentifier("drill")}-final-${drillId}`;
            const taken = await deps.checks.snapshotExists(region, snapshotId);
            if (!taken.ok) fail("prepare", taken.detail);
            else if (taken.exists) {
                drillIdExists = true;
                fail("prepare", `drill id ${drillId} already exists: the DB snapshot ${snapshotId} is in ${region} (a drill started in the same minute?); start the drill again in a minute`);
            }
            if (sourceArn) {
                // RPO (database): what the DR copy holds at the start, read before up (see RPO_METHOD).
                const lrt = await deps.checks.latestRestorableTime(region, sourceArn);
                validation.push({ check: "latest restorable time of the replicated backups (at the drill's start)", ok: lrt.ok, detail: lrt.detail });
                if (lrt.ok && lrt.time !== undefined) dbLatestRestorable = lrt.time;
                else fail("prepare", lrt.detail);
            } else {
                fail("prepare", `the primary stack ${opts.primaryStack} exports no database ARN`);
            }
        }
        const go = stack !== undefined && !drillIdExists && !interrupted;

        // 2. canary: written now, its replication polled while `up` runs.
        let canaryPending: Promise<CheckResult & { status?: string; completedAt?: number }> | undefined;
        if (go) {
            step = "canary";
            const srcBucket = outputValue<Record<string, { name: string }>>(primaryOutputs, "buckets")?.documents?.name;
            const replicaBucket = outputValue<Record<string, { name: string }>>(drOutputs, "buckets")?.documents?.name;
            if (!srcBucket) fail("canary", `the primary stack ${opts.primaryStack} exports no documents bucket (output buckets.documents.name)`);
            else if (!replicaBucket) fail("canary", `the ${opts.stack} stack exports no documents bucket (output buckets.documents.name)`);
            else {
                const key = `drill-canary/${new Date(t0).toISOString().replace(/[:.]/g, "-")}.txt`;
                const c = { sourceBucket: srcBucket, sourceRegion: peerRegion, replicaBucket, replicaRegion: region, key };
                const written = await deps.checks.writeCanary(c);
                validation.push({ check: "canary written", ok: written.ok, detail: written.detail });
                if (written.ok && written.writtenAt !== undefined) {
                    canary = { ...c, writtenAt: written.writtenAt };
                    canaryPending = deps.checks.canaryReplicated(canary, CANARY_TIMEOUT_MS, stopChecks.signal)
                        .catch((err) => ({ ok: false, detail: `canary replication: ${errorText(err)}` }));
                } else fail("canary", written.detail);
            }
        }

        // 3. up
        let upOutputs: OutputMap | undefined;
        if (go && stack && !interrupted) {
            step = "up";
            const s = stack;
            deps.log(`Setting ${opts.stack} vbr:drState=drill vbr:drillId=${drillId} and running pulumi up (objective ${rtoObjective} min, model p90 ${model?.p90Minutes ?? "?"} min)`);
            try {
                touched = true;
                // One call: the drill copy is created with this drill's own final snapshot name.
                await s.setAllConfig({ "vbr:drState": { value: "drill" }, "vbr:drillId": { value: drillId } });
                const stopHeartbeat = (deps.heartbeat ?? everyHeartbeat)(() => timer.progress(now()));
                try {
                    const res = await stoppable(false, (signal) => s.up({ onEvent: (e) => timer.handle(e, eventTime(e)), parallel: opts.parallel, signal }));
                    upOutputs = res.outputs;
                } finally {
                    stopHeartbeat();
                }
            } catch (err) {
                fail("up", interrupted
                    ? `pulumi up (drill) stopped by ${interrupted}: ${errorText(err)}`
                    : `pulumi up (drill) failed: ${errorText(err)}`);
            }
            timer.finish();
            upEnd = now();
            for (const m of timer.measured.filter((x) => x.status === "failed")) {
                fail("up", `${m.op} ${m.type} failed: ${timer.errors.get(m.urn) ?? "see the engine log"}`, m.urn);
            }
        }

        // 4. validate (only a drill environment that came up, and not after a signal)
        if (upOutputs && !interrupted) {
            step = "validate";
            const url = opts.endpointUrl ?? `https://drill.${cfg["vbr:domainName"]}/health`;
            const health = await deps.checks.endpointHealthy(url, opts.healthTimeoutMs ?? 15 * 60_000, stopChecks.signal);
            validation.push({ check: "endpoint healthy over HTTPS", ok: health.ok, detail: health.detail });
            if (health.ok) healthyAt = health.healthyAt; else fail("validate", health.detail);

            // The credentials come from the secret's replica in this region: reading it proves the replication too.
            let credentials: { user: string; password: string; source: string } | undefined;
            const secretArn = drSecretArn(upOutputs, primaryOutputs, region, peerRegion);
            if (secretArn === undefined) {
                fail("validate", `neither ${opts.stack} nor ${opts.primaryStack} exports secretArn (the database secret); cannot prove its replication`);
            } else if (arnRegion(secretArn) !== region) {
                fail("validate", `the database secret ${secretArn} is not in the DR region ${region}: reading it would not prove replication`);
            } else {
                const read = await deps.checks.databaseCredentials(secretArn, region);
                validation.push({ check: "database secret replicated to the DR region", ok: read.ok, detail: read.detail });
                if (read.ok && read.credentials) {
                    credentials = { user: read.credentials.username, password: read.credentials.password, source: `the secret's replica in ${region}` };
                } else {
                    fail("validate", read.detail);
                }
            }
            const env = deps.env ?? process.env;
            if (env.PGUSER && env.PGPASSWORD) credentials = { user: env.PGUSER, password: env.PGPASSWORD, source: "PGUSER/PGPASSWORD (override)" };

            const db = outputValue<{ address: string; port: number }>(upOutputs, "database");
            if (!db?.address) {
                fail("validate", `the ${opts.stack} stack exports no database address after the drill up`);
            } else if (!credentials) {
                const detail = "not checked: no credentials (the secret could not be read and PGUSER/PGPASSWORD are not set)";
                validation.push({ check: "database writable (drill copy)", ok: false, detail });
                fail("validate", `database writable (drill copy) ${detail}`);
            } else {
                const w = await deps.checks.databaseWritable({ host: db.address, port: Number(db.port ?? 5432), user: credentials.user, password: credentials.password });
                const detail = `${w.detail} (credentials: ${credentials.source})`;
                validation.push({ check: "database writable (drill copy)", ok: w.ok, detail });
                if (!w.ok) fail("validate", detail);
            }

            if (canaryPending) {
                canaryResult = await canaryPending;
                validation.push({ check: "canary replicated to the DR bucket", ok: canaryResult.ok, detail: canaryResult.detail });
                if (!canaryResult.ok) fail("validate", canaryResult.detail);
            }
        }
        if (canaryPending && !canaryResult) {
            stopChecks.abort();
            await canaryPending;
        }
    } catch (err) {
        // A bug or an unexpected SDK error: reported with the step it happened in; the return to standby still runs.
        fail(step, `unexpected error: ${errorText(err)}`);
    } finally {
        stopChecks.abort();
        // 5. back to standby, whatever happened after the config was changed (unless --keep).
        if (stack && touched && !opts.keep) {
            const s = stack;
            step = "standby";
            deps.log(`Returning ${opts.stack} to standby`);
            let doing = "config set vbr:drState=standby";
            try {
                await s.setConfig("vbr:drState", { value: "standby" });
                doing = "preview (standby)";
                // Preview first: refuse an up that would delete or replace data other than the drill copy.
                await stoppable(true, (signal) => s.preview({ parallel: opts.parallel, signal, onEvent: (e) => {
                    const d = dataStep(e.resourcePreEvent?.metadata);
                    if (d && !planned.some((p) => p.urn === d.urn)) planned.push({ urn: d.urn, type: d.type, op: d.op, note: d.note });
                } }));
                const danger = planned.filter((p) => !p.note.startsWith("drill copy"));
                if (danger.length > 0) {
                    refused = true;
                    for (const d of danger) fail("standby", `the standby preview would ${d.op} this data-bearing resource: the standby up was not run and ${opts.stack} stays in drill (vbr:drState set back to drill)`, d.urn);
                    doing = "config set vbr:drState=drill";
                    await s.setConfig("vbr:drState", { value: "drill" });
                } else {
                    doing = "up (standby)";
                    await stoppable(true, (signal) => s.up({ parallel: opts.parallel, signal, onEvent: (e) => {
                        const d = dataStep(e.resourcePreEvent?.metadata);
                        if (!d) return;
                        deleted.push({ urn: d.urn, type: d.type, note: d.note });
                        if (!d.drillCopy) unsafe.push(d.urn);
                    } }));
                }
            } catch (err) {
                fail("standby", `pulumi ${doing} ${signals >= 2 ? `stopped by ${interrupted}` : "failed"}: ${errorText(err)}; ` +
                    "the stack is left in drill or between states: check it with pulumi preview, then pulumi up after fixing");
            }
        }
        unsubscribe();
    }
    unsafe = [...new Set(unsafe)];
    for (const urn of unsafe) fail("standby", "a data-bearing resource was deleted or replaced on the way back to standby", urn);

    // Measurements
    const rtoMs = healthyAt !== undefined ? healthyAt - t0 : null;
    const dbRpoMs = dbLatestRestorable === null ? null : Math.max(0, t0 - dbLatestRestorable);
    const docsRpoMs = canary && canaryResult?.ok && canaryResult.completedAt !== undefined ? Math.max(0, canaryResult.completedAt - canary.writtenAt) : null;
    const rpoParts = [dbRpoMs, docsRpoMs].filter((x): x is number => x !== null);
    const rpoMs = rpoParts.length ? Math.max(...rpoParts) : null;
    const rtoMet = rtoMs !== null && rtoMs <= rtoObjective * 60_000;
    const rpoMet = rpoMs !== null && rpoMs <= rpoObjective * 60_000;
    if (interrupted) fail(interruptedIn, `drill interrupted by ${interrupted}`);
    const end = now();
    const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
    const report: DrillReport = {
        scenario: { stack: opts.stack, state: "drill", database: cfg["vbr:drDatabase"] ?? "replica", parallel: opts.parallel ?? null, keep: opts.keep, drillId, drillIdExists },
        start: new Date(t0).toISOString(),
        end: new Date(end).toISOString(),
        interrupted,
        model: model ? { p50Minutes: model.p50Minutes, p90Minutes: model.p90Minutes, criticalPath: model.criticalPath } : null,
        resources: timer.measured,
        upSeconds: upEnd !== null ? (upEnd - t0) / 1000 : null,
        rto: { minutes: rtoMs === null ? null : minutes(rtoMs), objectiveMinutes: rtoObjective, met: rtoMet, measuredTo: "drill endpoint healthy over HTTPS" },
        rpo: {
            minutes: rpoMs === null ? null : minutes(rpoMs), objectiveMinutes: rpoObjective, met: rpoMet,
            database: dbRpoMs === null ? null : minutes(dbRpoMs), documents: docsRpoMs === null ? null : minutes(docsRpoMs),
            databaseLatestRestorableTime: iso(dbLatestRestorable),
            method: RPO_METHOD,
        },
        canary: canary
            ? {
                source: `s3://${canary.sourceBucket}/${canary.key}`, replica: `s3://${canary.replicaBucket}/${canary.key}`,
                writtenAt: new Date(canary.writtenAt).toISOString(), replicationStatus: canaryResult?.status ?? null,
                replicationCompletedAt: canaryResult?.ok ? iso(canaryResult.completedAt) : null,
            }
            : null,
        validation,
        dataSafety: {
            ok: unsafe.length === 0 && !refused,
            planned,
            deleted,
            detail: opts.keep
                ? "--keep: the stack stays in drill; nothing was deleted"
                : !touched
                    ? "The drill did not change the stack; nothing to return to standby."
                    : refused
                        ? "The standby preview would delete or replace data-bearing resources other than the drill copy: the standby up was not run; the stack stays in drill."
                        : unsafe.length === 0
                            ? "No data-bearing resource was deleted or replaced on the way back to standby (previewed first; protect flags); the drill copy keeps its data in its final snapshot."
                            : `${unsafe.length} data-bearing resource(s) deleted or replaced: ${unsafe.join(", ")}`,
        },
        failures,
        lessonsLearned: [],
        exitCode: 0,
    };
    if (rtoMs !== null && !rtoMet) fail("validate", `RTO ${minutes(rtoMs)} min missed the objective of ${rtoObjective} min`);
    if (rpoMs !== null && !rpoMet) fail("validate", `RPO ${minutes(rpoMs)} min missed the objective of ${rpoObjective} min`);
    report.lessonsLearned = lessons(report);
    report.exitCode = failures.length > 0 || !rtoMet || !rpoMet ? 1 : 0;
    return report;
}

/** Observations a person should read first; the team adds its own under the same heading. */
export function lessons(r: DrillReport): string[] {
    const out: string[] = [];
    const slow = r.resources.filter((m) => m.estimate && m.seconds !== null && m.seconds > m.estimate.p90)
        .sort((a, b) => (b.seconds! - b.estimate!.p90) - (a.seconds! - a.estimate!.p90));
    for (const m of slow.slice(0, 5)) {
        out.push(`${m.type} ${shortName(m.urn)} took ${(m.seconds! / 60).toFixed(1)} min, above the model's p90 of ${(m.estimate!.p90 / 60).toFixed(1)} min: run drill:learn and check why.`);
    }
    const unmodelled = r.resources.filter((m) => m.estimate === null && m.op === "create");
    if (unmodelled.length > 0) out.push(`${unmodelled.length} created resource(s) were not in the model's step set (check their vbr:standby tags): ${unmodelled.slice(0, 5).map((m) => shortName(m.urn)).join(", ")}.`);
    if (r.model && r.upSeconds !== null && r.upSeconds / 60 > r.model.p90Minutes) out.push(`pulumi up took ${(r.upSeconds / 60).toFixed(1)} min, above the model's p90 of ${r.model.p90Minutes} min.`);
    if (r.failures.length === 0 && out.length === 0) out.push("No deviation from the model above its p90.");
    return out;
}

// ---- report rendering -------------------------------------------------------------------------------------------

const fmtMin = (m: number | null) => (m === null ? "not measured" : `${m.toFixed(1)} min`);
const fmtSec = (s: number | null) => (s === null ? "-" : `${(s / 60).toFixed(1)} min`);

export function renderDrillMarkdown(r: DrillReport): string {
    const out = [
        `# DR drill report: ${r.scenario.stack} -> ${r.scenario.state} (${r.scenario.database} database) ${r.exitCode === 0 ? "✅ passed" : "❌ failed"}`,
        "",
        `- Drill id (vbr:drillId): ${r.scenario.drillId}${r.scenario.drillIdExists ? " (ALREADY EXISTS: its final snapshot was found; the drill was refused)" : ""}`,
        `- Start: ${r.start}`,
        `- End: ${r.end}`,
        ...(r.interrupted ? [`- Interrupted by ${r.interrupted}: the drill's up was stopped and validation skipped`] : []),
        `- RTO (start -> ${r.rto.measuredTo}): **${fmtMin(r.rto.minutes)}** against ${r.rto.objectiveMinutes} min ${r.rto.met ? "✅" : "❌"}`,
        `- RPO (age of the newest data the DR copy holds): **${fmtMin(r.rpo.minutes)}** against ${r.rpo.objectiveMinutes} min ${r.rpo.met ? "✅" : "❌"} ` +
            `(database ${fmtMin(r.rpo.database)}, documents ${fmtMin(r.rpo.documents)})`,
        `  - Database: replicated backups restorable to ${r.rpo.databaseLatestRestorableTime ?? "unknown"} at the start. ${r.rpo.method.database}`,
        `  - Documents: canary ${r.canary ? `${r.canary.source} written ${r.canary.writtenAt}, replication ${r.canary.replicationCompletedAt ? `completed by ${r.canary.replicationCompletedAt}` : `not completed (${r.canary.replicationStatus ?? "not polled"})`}` : "not written"}. ${r.rpo.method.documents}`,
        `- Model: ${r.model ? `p50 ${r.model.p50Minutes} min, p90 ${r.model.p90Minutes} min` : "not available"}; pulumi up took ${fmtSec(r.upSeconds)}`,
        "",
        "## Resources (measured vs model)",
        "",
        "| Resource | Type | Op | Status | Measured | Model p50 | Model p90 |",
        "|---|---|---|---|---:|---:|---:|",
        ...r.resources.map((m) => `| \`${shortName(m.urn)}\` | \`${m.type}\` | ${m.op} | ${m.status} | ${fmtSec(m.seconds)} | ${fmtSec(m.estimate?.p50 ?? null)} | ${fmtSec(m.estimate?.p90 ?? null)} |`),
        "",
        "## Validation",
        "",
        ...r.validation.map((v) => `- ${v.ok ? "✅" : "❌"} ${v.check}: ${v.detail}`),
        "",
        "## Data safety",
        "",
        `${r.dataSafety.ok ? "✅" : "❌"} ${r.dataSafety.detail}`,
        ...r.dataSafety.planned.map((d) => `- previewed ${d.op}: \`${d.urn}\` (${d.type}): ${d.note}`),
        ...r.dataSafety.deleted.map((d) => `- \`${d.urn}\` (${d.type}): ${d.note}`),
        "",
        "## Failures",
        "",
        ...(r.failures.length ? r.failures.map((f) => `- **${f.step}**${f.urn ? ` \`${f.urn}\`` : ""}: ${f.message}`) : ["None."]),
        "",
        "## Lessons learned",
        "",
        ...r.lessonsLearned.map((l) => `- ${l}`),
        "- _(add the team's observations here)_",
        "",
    ];
    return out.join("\n");
}

export function writeDrillReport(r: DrillReport, base: string): { json: string; markdown: string } {
    fs.mkdirSync(path.dirname(path.resolve(base)), { recursive: true });
    const json = `${base}.json`;
    const markdown = `${base}.md`;
    fs.writeFileSync(json, JSON.stringify(r, null, 2) + "\n");
    fs.writeFileSync(markdown, renderDrillMarkdown(r));
    return { json, markdown };
}

// ---- drill:learn --------------------------------------------------------------------------------------------------

/** Nearest-rank quantile of a non-empty list. */
export function quantile(values: number[], q: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface LearnResult { times: ProvisioningTimes; changes: string[] }

/**
 * Merges a drill's measured durations into the model's data (returns a new object; the caller writes it).
 * Rule: per data-file key, the drill's n samples give a measured p50 and p90 (nearest rank); the entry's history
 * weighs w = min(samples, maxWeight) (a literature seed counts as priorWeight samples), and
 * new = (w x old + n x measured) / (w + n), rounded to the second, p90 never below p50; samples += n.
 * The restore entry (base + per GiB) is scaled by the measured/estimated ratio with the same weights. Only
 * resources that finished (status ok) and that the model estimated count; an unlisted type the model gave the
 * default gets its own entry, seeded from the default.
 */
export function mergeMeasurements(times: ProvisioningTimes, report: DrillReport): LearnResult {
    const next: ProvisioningTimes = JSON.parse(JSON.stringify(times));
    const changes: string[] = [];
    const date = report.start.slice(0, 10);
    const groups = new Map<string, MeasuredResource[]>();
    for (const m of report.resources) {
        if (m.status !== "ok" || m.seconds === null || !m.estimate) continue;
        const key = m.estimate.key === "default" ? m.type : m.estimate.key;
        (groups.get(key) ?? groups.set(key, []).get(key)!).push(m);
    }
    const weigh = (samples: number | undefined) => Math.min(samples ?? next.priorWeight, next.maxWeight);
    for (const [key, ms] of groups) {
        const n = ms.length;
        const secs = ms.map((m) => m.seconds!);
        if (key === "restore") {
            const r = next.restore;
            const w = weigh(r.samples);
            const r50 = quantile(ms.map((m) => m.seconds! / m.estimate!.p50), 0.5);
            const r90 = quantile(ms.map((m) => m.seconds! / m.estimate!.p90), 0.9);
            const f50 = (w + n * r50) / (w + n);
            const f90 = (w + n * r90) / (w + n);
            const round = (x: number) => Math.round(x * 100) / 100;
            r.p50 = { baseSeconds: Math.round(r.p50.baseSeconds * f50), perGiBSeconds: round(r.p50.perGiBSeconds * f50) };
            r.p90 = { baseSeconds: Math.round(r.p90.baseSeconds * f90), perGiBSeconds: round(r.p90.perGiBSeconds * f90) };
            r.samples = (r.samples ?? next.priorWeight) + n;
            r.lastMeasured = date;
            changes.push(`restore: scaled p50 x${f50.toFixed(3)}, p90 x${f90.toFixed(3)} (${n} sample${n > 1 ? "s" : ""})`);
            continue;
        }
        const isOp = key.startsWith("operations.");
        const table = isOp ? next.operations : next.types;
        const name = isOp ? key.slice("operations.".length) : key;
        const entry = table[name] ?? (table[name] = { ...next.default, source: `default (${next.default.source}); learned from drills` });
        const w = weigh(entry.samples);
        const m50 = quantile(secs, 0.5);
        const m90 = quantile(secs, 0.9);
        const before = `${entry.p50}/${entry.p90}`;
        entry.p50 = Math.round((w * entry.p50 + n * m50) / (w + n));
        entry.p90 = Math.max(entry.p50, Math.round((w * entry.p90 + n * m90) / (w + n)));
        entry.samples = (entry.samples ?? next.priorWeight) + n;
        entry.lastMeasured = date;
        changes.push(`${key}: p50/p90 ${before} -> ${entry.p50}/${entry.p90} s (${n} sample${n > 1 ? "s" : ""}, measured ${m50}/${m90} s)`);
    }
    return { times: next, changes };
}
