// The DR drill: bring the DR stack from standby to drill with the Automation API, time every resource, validate the
// environment, measure RTO and RPO, return to standby, and write the report. Also merges a report's measured
// durations into the bring-up model's data file (`drill:learn`).
//
// Steps (each failure is reported with the step it happened in):
//   1. prepare  - select the DR stack (LocalWorkspace on the project dir), read the objectives, estimate the model
//   2. canary   - write a canary object to the primary's documents bucket (S3 replication is checked later)
//   3. up       - `pulumi config set-all vbr:drState=drill vbr:drillId=<UTC timestamp id>`, `pulumi up` streaming
//                 engine events (the drill id names the drill copy's final snapshot, one per drill)
//   4. validate - HTTPS health of the drill endpoint (RTO ends here), the database secret read from its replica in
//                 the DR region, DB writable with those credentials (PGUSER/PGPASSWORD override them), canary
//                 replicated, latest restorable time of the replicated backups (RPO)
//   5. standby  - `vbr:drState standby` and `up` again (unless --keep), asserting no data-bearing resource is
//                 deleted except the drill copy, whose final snapshot keeps its data
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import type { BringUpScenario, TimelineEntry } from "./bringup-report";
import type { Canary, CheckResult, DrillChecks } from "./drill-checks";
import { ProvisioningTimes } from "../../policies/lib/bringup";

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
    };
    start: string;
    end: string;
    /** The DR stack's model estimate for this scenario. */
    model: { p50Minutes: number; p90Minutes: number; criticalPath: string[] } | null;
    resources: MeasuredResource[];
    upSeconds: number | null;
    rto: { minutes: number | null; objectiveMinutes: number; met: boolean; measuredTo: string };
    rpo: { minutes: number | null; objectiveMinutes: number; met: boolean; database: number | null; documents: number | null };
    validation: Array<{ check: string } & CheckResult>;
    dataSafety: { ok: boolean; deleted: Array<{ urn: string; type: string; note: string }>; detail: string };
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
 * A URN without its ancestors: `<own type>::<name>`. The offline model's URNs come from the mock monitor, which
 * names a child `<parent's own type>$<type>`, while the engine chains every ancestor
 * (`vbr:platform:Platform$vbr:database:Database$aws:rds/instance:Instance`): the two meet on this key.
 */
export function urnKey(urn: string): string {
    const parts = urn.split("::");
    return `${(parts[2] ?? "").split("$").pop()}::${parts.slice(3).join("::")}`;
}

/** The model's timeline by exact URN, and by urnKey where that key is unique. */
export function estimateIndex(timeline: TimelineEntry[]): Map<string, TimelineEntry> {
    const index = new Map(timeline.map((t) => [t.urn, t]));
    const byKey = new Map<string, TimelineEntry[]>();
    for (const t of timeline) (byKey.get(urnKey(t.urn)) ?? byKey.set(urnKey(t.urn), []).get(urnKey(t.urn))!).push(t);
    for (const [key, entries] of byKey) if (entries.length === 1 && !index.has(key)) index.set(key, entries[0]);
    return index;
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
        const e = this.estimates.get(urn) ?? this.estimates.get(urnKey(urn));
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

/** Runs the drill; never throws: every error becomes a failure in the report. */
export async function runDrill(opts: DrillOptions, deps: DrillDeps): Promise<DrillReport> {
    const now = deps.now ?? Date.now;
    const eventTime = deps.eventTime ?? (() => now());
    const cfg = opts.config;
    const rtoObjective = Number(cfg["vbr:rtoObjectiveMinutes"] ?? 60);
    const rpoObjective = Number(cfg["vbr:rpoObjectiveMinutes"] ?? 15);
    const region = cfg["aws:region"];
    const peerRegion = cfg["vbr:peerRegion"];
    const t0 = now();
    const drillId = drillIdAt(t0);
    const failures: DrillFailure[] = [];
    const validation: DrillReport["validation"] = [];
    const fail = (step: DrillStep, message: string, urn: string | null = null) => failures.push({ step, urn, message });

    // 1. prepare
    let stack: Stack | undefined;
    let primaryOutputs: OutputMap | undefined;
    let model: BringUpScenario | null = null;
    try {
        model = await deps.estimate();
    } catch (err) {
        fail("prepare", `bring-up model: ${errorText(err)}`);
    }
    try {
        stack = await LocalWorkspace.selectStack({ stackName: opts.stack, workDir: opts.projectDir });
        const primary = await LocalWorkspace.selectStack({ stackName: opts.primaryStack, workDir: opts.projectDir });
        primaryOutputs = await primary.outputs();
    } catch (err) {
        fail("prepare", `selecting the stacks ${opts.stack} and ${opts.primaryStack}: ${errorText(err)}`);
    }
    const estimates = estimateIndex(model?.timeline ?? []);
    const timer = new EventTimer(model?.resources ?? 0, t0, rtoObjective * 60_000, estimates, deps.log);

    // 2. canary
    let canary: Canary | undefined;
    const srcBucket = outputValue<Record<string, { name: string }>>(primaryOutputs, "buckets")?.documents?.name;
    if (stack && srcBucket) {
        const key = `drill-canary/${new Date(t0).toISOString().replace(/[:.]/g, "-")}.txt`;
        const c = { sourceBucket: srcBucket, sourceRegion: peerRegion, replicaBucket: "", replicaRegion: region, key };
        const written = await deps.checks.writeCanary(c);
        validation.push({ check: "canary written", ok: written.ok, detail: written.detail });
        if (written.ok && written.writtenAt !== undefined) canary = { ...c, writtenAt: written.writtenAt };
        else fail("canary", written.detail);
    } else if (stack) {
        fail("canary", `the primary stack ${opts.primaryStack} exports no documents bucket (output buckets.documents.name)`);
    }

    // 3. up
    let upOutputs: OutputMap | undefined;
    let upEnd: number | null = null;
    if (stack) {
        deps.log(`Setting ${opts.stack} vbr:drState=drill vbr:drillId=${drillId} and running pulumi up (objective ${rtoObjective} min, model p90 ${model?.p90Minutes ?? "?"} min)`);
        try {
            // One call: the drill copy is created with this drill's own final snapshot name.
            await stack.setAllConfig({ "vbr:drState": { value: "drill" }, "vbr:drillId": { value: drillId } });
            const stopHeartbeat = (deps.heartbeat ?? everyHeartbeat)(() => timer.progress(now()));
            try {
                const res = await stack.up({ onEvent: (e) => timer.handle(e, eventTime(e)), parallel: opts.parallel });
                upOutputs = res.outputs;
            } finally {
                stopHeartbeat();
            }
        } catch (err) {
            fail("up", `pulumi up (drill) failed: ${errorText(err)}`);
        }
        timer.finish();
        upEnd = now();
        for (const m of timer.measured.filter((x) => x.status === "failed")) {
            fail("up", `${m.op} ${m.type} failed: ${timer.errors.get(m.urn) ?? "see the engine log"}`, m.urn);
        }
    }

    // 4. validate
    let healthyAt: number | undefined;
    let dbRpoMs: number | null = null;
    let docsRpoMs: number | null = null;
    if (upOutputs) {
        const url = opts.endpointUrl ?? `https://drill.${cfg["vbr:domainName"]}/health`;
        const health = await deps.checks.endpointHealthy(url, opts.healthTimeoutMs ?? 15 * 60_000);
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

        const replicaBucket = outputValue<Record<string, { name: string }>>(upOutputs, "buckets")?.documents?.name;
        if (canary && replicaBucket) {
            const rep = await deps.checks.canaryReplicated({ ...canary, replicaBucket });
            validation.push({ check: "canary replicated to the DR bucket", ok: rep.ok, detail: rep.detail });
            // The canary's replication lag bounds the age of the newest documents the DR bucket holds.
            if (rep.ok && rep.replicatedAt !== undefined) docsRpoMs = Math.max(0, rep.replicatedAt - canary.writtenAt);
            else fail("validate", rep.detail);
        }

        const sourceArn = outputValue<{ arn: string }>(primaryOutputs, "database")?.arn;
        if (sourceArn) {
            const lrt = await deps.checks.latestRestorableTime(region, sourceArn);
            validation.push({ check: "latest restorable time of the replicated backups", ok: lrt.ok, detail: lrt.detail });
            // The drill copy restores to the latest restorable time as of the start of the drill.
            if (lrt.ok && lrt.time !== undefined) dbRpoMs = Math.max(0, t0 - lrt.time);
            else fail("validate", lrt.detail);
        } else {
            fail("validate", `the primary stack ${opts.primaryStack} exports no database ARN`);
        }
    }

    // 5. back to standby
    const deleted: DrillReport["dataSafety"]["deleted"] = [];
    let unsafe: string[] = [];
    if (stack && !opts.keep) {
        deps.log(`Returning ${opts.stack} to standby`);
        const onEvent = (e: EngineEvent) => {
            const m = e.resourcePreEvent?.metadata;
            if (!m || !(m.op === "delete" || m.op === "replace" || m.op === "delete-replaced") || !DATA_BEARING.has(m.type)) return;
            const inputs = (m.old?.inputs ?? {}) as Record<string, unknown>;
            const tags = (inputs.tags ?? {}) as Record<string, string>;
            const snapshot = inputs.skipFinalSnapshot === false && typeof inputs.finalSnapshotIdentifier === "string";
            if (m.type === "aws:rds/instance:Instance" && tags["vbr:lifecycle"] === "drill" && snapshot) {
                deleted.push({ urn: m.urn, type: m.type, note: `drill copy; final snapshot ${String(inputs.finalSnapshotIdentifier)}` });
            } else {
                deleted.push({ urn: m.urn, type: m.type, note: "DATA-BEARING RESOURCE DELETED" });
                unsafe.push(m.urn);
            }
        };
        try {
            await stack.setConfig("vbr:drState", { value: "standby" });
            await stack.up({ onEvent, parallel: opts.parallel });
        } catch (err) {
            fail("standby", `pulumi up (standby) failed: ${errorText(err)}; the stack is left in drill, run the drill again with --keep or pulumi up after fixing`);
        }
    }
    unsafe = [...new Set(unsafe)];
    for (const urn of unsafe) fail("standby", "a data-bearing resource was deleted or replaced on the way back to standby", urn);

    // Measurements
    const rtoMs = healthyAt !== undefined ? healthyAt - t0 : null;
    const rpoParts = [dbRpoMs, docsRpoMs].filter((x): x is number => x !== null);
    const rpoMs = rpoParts.length ? Math.max(...rpoParts) : null;
    const rtoMet = rtoMs !== null && rtoMs <= rtoObjective * 60_000;
    const rpoMet = rpoMs !== null && rpoMs <= rpoObjective * 60_000;
    const end = now();
    const report: DrillReport = {
        scenario: { stack: opts.stack, state: "drill", database: cfg["vbr:drDatabase"] ?? "replica", parallel: opts.parallel ?? null, keep: opts.keep, drillId },
        start: new Date(t0).toISOString(),
        end: new Date(end).toISOString(),
        model: model ? { p50Minutes: model.p50Minutes, p90Minutes: model.p90Minutes, criticalPath: model.criticalPath } : null,
        resources: timer.measured,
        upSeconds: upEnd !== null && stack ? (upEnd - t0) / 1000 : null,
        rto: { minutes: rtoMs === null ? null : minutes(rtoMs), objectiveMinutes: rtoObjective, met: rtoMet, measuredTo: "drill endpoint healthy over HTTPS" },
        rpo: {
            minutes: rpoMs === null ? null : minutes(rpoMs), objectiveMinutes: rpoObjective, met: rpoMet,
            database: dbRpoMs === null ? null : minutes(dbRpoMs), documents: docsRpoMs === null ? null : minutes(docsRpoMs),
        },
        validation,
        dataSafety: {
            ok: unsafe.length === 0,
            deleted,
            detail: opts.keep
                ? "--keep: the stack stays in drill; nothing was deleted"
                : unsafe.length === 0
                    ? "No data-bearing resource was deleted or replaced on the way back to standby (protect flags); the drill copy keeps its data in its final snapshot."
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
        `- Drill id (vbr:drillId): ${r.scenario.drillId}`,
        `- Start: ${r.start}`,
        `- End: ${r.end}`,
        `- RTO (start -> ${r.rto.measuredTo}): **${fmtMin(r.rto.minutes)}** against ${r.rto.objectiveMinutes} min ${r.rto.met ? "✅" : "❌"}`,
        `- RPO (age of the newest data the DR copy holds): **${fmtMin(r.rpo.minutes)}** against ${r.rpo.objectiveMinutes} min ${r.rpo.met ? "✅" : "❌"} ` +
            `(database ${fmtMin(r.rpo.database)}, documents ${fmtMin(r.rpo.documents)})`,
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
