// The drill tests' world: recorded engine events, both stacks' outputs, a test clock, fake AWS checks (the one-off
// tasks answer as the validation command's contract says), and one function that runs `npm run drill` against the
// fake `pulumi` CLI (tests/fixtures/fake-pulumi) through the real Automation API.
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { main as drill } from "../../tools/drill";
import type { BringUpScenario } from "../../tools/bringup/bringup-report";
import type { DrillChecks } from "../../tools/drill/checks";
import type { DrillReport } from "../../tools/drill/report";
import type { DrillDeps } from "../../tools/drill/session";
import { EXIT_CODES, TaskRequest } from "../../tools/drill/tasks";
import { inProcessPulumi } from "../helpers/in-process-pulumi";

export const ROOT = path.resolve(__dirname, "..", "..");
export const FAKE_DIR = path.join(ROOT, "tests", "fixtures", "fake-pulumi");
export const T0 = Date.parse("2026-01-01T10:00:00Z");
/** The drill's up starts after the 5-minute wait for the canary row to be restorable in the DR region. */
export const UP0 = T0 + 300_000;
export const S = "urn:pulumi:dr::vbr::";
export const NAT = `${S}vbr:platform:Platform$vbr:network:Network$awsx:ec2:Vpc$aws:ec2/natGateway:NatGateway::vpc-1`;
export const ALB = `${S}vbr:platform:Platform$aws:lb/loadBalancer:LoadBalancer::alb`;
export const DB = `${S}vbr:platform:Platform$vbr:database:Database$aws:rds/instance:Instance::vbr-prod-db-drill`;
export const SVC = `${S}vbr:platform:Platform$aws:ecs/service:Service::svc`;
export const BUCKET = `${S}vbr:platform:Platform$aws:s3/bucket:Bucket::documents`;
export const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
export const shortUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The model's drill estimate the runner compares against (injected: no synthesis in this test). */
export const MODEL: BringUpScenario = {
    state: "drill", database: "restore", objectiveMinutes: 60, p50Minutes: 15.2, p90Minutes: 25.8, parallel: 8, resources: 4,
    criticalPath: [DB, SVC], dnsServesMinutes: null,
    timeline: [
        { urn: NAT, type: typeOf(NAT), operation: "create", key: "aws:ec2/natGateway:NatGateway", start: 15, finish: 140, p50Start: 5, p50Finish: 110, critical: false },
        { urn: ALB, type: typeOf(ALB), operation: "create", key: "aws:lb/loadBalancer:LoadBalancer", start: 140, finish: 312, p50Start: 110, p50Finish: 265, critical: false },
        { urn: DB, type: typeOf(DB), operation: "restore", key: "restore", start: 0, finish: 1500, p50Start: 0, p50Finish: 900, critical: true },
        { urn: SVC, type: typeOf(SVC), operation: "create", key: "aws:ecs/service:Service", start: 1500, finish: 2150, p50Start: 900, p50Finish: 1320, critical: true },
    ],
};
const REPLICA = `${S}vbr:platform:Platform$vbr:database:Database$aws:rds/instance:Instance::vbr-prod-db-replica`;
/** A replica-mode failover's estimate: the promotion is 6 / 15 min. */
export const FAILOVER_MODEL: BringUpScenario = {
    ...MODEL, state: "failover", database: "replica", p50Minutes: 13.2, p90Minutes: 26.5, criticalPath: [REPLICA, SVC],
    timeline: [{ urn: REPLICA, type: typeOf(REPLICA), operation: "promote", key: "operations.rds-promote", start: 0, finish: 900, p50Start: 0, p50Finish: 360, critical: true }],
};

let seq = 0;
const meta = (op: string, urn: string, old?: Record<string, unknown>) => ({ op, urn, type: typeOf(urn), provider: "", ...(old ? { old: { inputs: old } } : {}) });
const at = (s: number) => Math.floor(UP0 / 1000) + s;
export const pre = (s: number, urn: string, op = "create", old?: Record<string, unknown>): EngineEvent =>
    ({ sequence: seq++, timestamp: at(s), resourcePreEvent: { metadata: meta(op, urn, old) } } as unknown as EngineEvent);
export const done = (s: number, urn: string, op = "create"): EngineEvent =>
    ({ sequence: seq++, timestamp: at(s), resOutputsEvent: { metadata: meta(op, urn) } } as unknown as EngineEvent);
const failed = (s: number, urn: string, message: string): EngineEvent[] => [
    { sequence: seq++, timestamp: at(s), diagnosticEvent: { urn, message, color: "never", severity: "error" } } as unknown as EngineEvent,
    { sequence: seq++, timestamp: at(s), resOpFailedEvent: { metadata: meta("create", urn), status: 1, steps: 0 } } as unknown as EngineEvent,
];

/** A drill up: NAT 115 s, ALB 158 s, restore 988 s, then the service for `serviceSeconds`. */
export function drillEvents(serviceSeconds: number, fail = false): EngineEvent[] {
    return [
        pre(0, `${S}pulumi:pulumi:Stack::vbr-dr`, "same"),
        pre(1, BUCKET, "same"), done(1, BUCKET, "same"),
        pre(10, NAT), pre(12, DB), pre(12, ALB),
        done(125, NAT), done(170, ALB), done(1000, DB),
        pre(1000, SVC),
        ...(fail ? failed(1000 + serviceSeconds, SVC, "creating ECS Service: InvalidParameterException: subnets not found") : [done(1000 + serviceSeconds, SVC)]),
    ];
}

/** The id the runner derives from its start (T0, 2026-01-01 10:00 UTC) and sets as vbr:drillId. */
export const DRILL_ID = "20260101t1000";
export const DRILL_COPY = { tags: { "vbr:lifecycle": "drill" }, skipFinalSnapshot: false, finalSnapshotIdentifier: `vbr-prod-postgres-drill-final-${DRILL_ID}` };
export function standbyEvents(extraDelete?: string): EngineEvent[] {
    return [
        pre(1, SVC, "delete"), done(40, SVC, "delete"),
        pre(41, ALB, "delete"), done(90, ALB, "delete"),
        pre(41, DB, "delete", DRILL_COPY), done(400, DB, "delete"),
        ...(extraDelete ? [pre(401, extraDelete, "delete", { tags: {} }), done(402, extraDelete, "delete")] : []),
    ];
}

export const SECRET = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:vbr-prod/database/master-a1b2c3`;
const task = (region: string, family: string, container: string) => ({
    cluster: `arn:aws:ecs:${region}:123456789012:cluster/vbr-prod-app-cluster`, taskDefinition: `arn:aws:ecs:${region}:123456789012:task-definition/${family}:1`,
    container, subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-task"], logGroup: "/vbr/vbr-prod-app/app", logStreamPrefix: container,
});
export const PRIMARY_TASK = task("us-east-1", "vbr-prod-app", "app");
export const VALIDATION_TASK = task("us-west-2", "vbr-prod-app-validate", "validate");
export const PRIMARY_OUT = {
    buckets: { documents: { name: "vbr-prod-documents-us-east-1", arn: "arn:aws:s3:::vbr-prod-documents-us-east-1" } },
    // After a corruption restore, `database` and `replicationSource` differ: the DR region replicates the latter.
    database: { arn: "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres-r20251201t0900", identifier: "vbr-prod-postgres-r20251201t0900" },
    replicationSource: { arn: "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres", identifier: "vbr-prod-postgres" },
    secretArn: SECRET("us-east-1"),
    tasks: { app: PRIMARY_TASK },
};
export const DR_DRILL_OUT: Record<string, unknown> = {
    endpoint: "vbr-prod-alb-123.us-west-2.elb.amazonaws.com",
    database: { address: "vbr-prod-postgres-drill.abc.us-west-2.rds.amazonaws.com", port: 5432 },
    buckets: { documents: { name: "vbr-prod-documents-us-west-2" } },
    secretArn: SECRET("us-west-2"),
    tasks: { app: task("us-west-2", "vbr-prod-app", "app"), validation: VALIDATION_TASK },
};

export interface Run { code: number; report: DrillReport; md: string; calls: string[][]; stdout: string; stderr: string; checks: FakeChecks }

/** The test clock: engine events set it to their timestamp; the fake checks and the runner's waits advance it. */
export class Clock {
    t = T0;
    now = () => this.t;
    eventTime = (e: EngineEvent) => (this.t = Math.max(this.t, e.timestamp * 1000));
    sleep = async (ms: number) => { this.t += ms; };
}

export interface FakeOptions {
    healthyAfterMs?: number; snapshotExists?: boolean; healthThrows?: boolean;
    /** How far the replicated backups trail the clock. @default 5 min */
    backupLagMs?: number;
    /** The validation task's answer: exit code, and whether the canary row is in the copy. */
    verifyExit?: number; canaryInCopy?: boolean;
    credentials?: boolean; restorableTimeFails?: boolean; secretOk?: boolean;
    /** The audit record of the drill's window (trail digest chain, audit replica), and whether the report goes on record. */
    auditOk?: boolean; recordOk?: boolean;
}

export type FakeChecks = DrillChecks & {
    tasks: TaskRequest[]; deleted: string[]; calledAt: Record<string, number>; restorableOf: string[];
    audits: Array<Parameters<DrillChecks["auditRecord"]>[0]>; records: Array<Parameters<DrillChecks["recordReport"]>>;
};
export function fakeChecks(clock: Clock, opts: FakeOptions = {}): FakeChecks {
    const tasks: TaskRequest[] = [];
    const deleted: string[] = [];
    const calledAt: Record<string, number> = {};
    const restorableOf: string[] = [];
    const audits: FakeChecks["audits"] = [];
    const records: FakeChecks["records"] = [];
    let seededAt: string | undefined;
    return {
        tasks, deleted, calledAt, restorableOf, audits, records,
        auditRecord: async (o) => {
            audits.push(o);
            return (opts.auditOk ?? true)
                ? { ok: true, detail: "trail vbr-prod-trail-us-east-1: chain valid" }
                : { ok: false, detail: "trail vbr-prod-trail-us-east-1: chain BROKEN in us-east-1 (digest 20260101T110000Z: no link to the digest before it)" };
        },
        recordReport: async (e, o) => {
            records.push([e, o]);
            return (opts.recordOk ?? true) ? { ok: true, detail: `recorded in s3://${o.targets[0].bucket}` } : { ok: false, detail: "NOT recorded in the audit bucket: AccessDenied" };
        },
        callerIdentity: async (region) => opts.credentials === false
            ? { ok: false, detail: `no usable AWS credentials (STS GetCallerIdentity in ${region}: CredentialsProviderError: Could not load credentials from any providers)` }
            : { ok: true, account: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/dr-drill/ops", detail: "ok" },
        writeCanary: async (c) => ({ ok: true, detail: `wrote s3://${c.sourceBucket}/${c.key} (version v-1)`, writtenAt: clock.t, versionId: "v-1" }),
        deleteCanary: async (c) => { deleted.push(`s3://${c.sourceBucket}/${c.key}@${c.versionId}`); return { ok: true, detail: `deleted s3://${c.sourceBucket}/${c.key} (version ${c.versionId})` }; },
        endpointHealthy: async (url) => {
            if (opts.healthThrows) throw new TypeError("Cannot read properties of undefined (reading 'status')");
            clock.t += opts.healthyAfterMs ?? 60_000;
            return { ok: true, detail: `${url} answered 200`, healthyAt: clock.t };
        },
        secretReplicated: async (primary, replica, region) => (opts.secretOk ?? true)
            ? { ok: true, detail: `${replica} exists in ${region} and ${primary} reports it InSync (no secret value read)` }
            : { ok: false, detail: `${primary} reports its replication to ${region} as Failed` },
        // S3 finishes 45 s after the write (the poll starts at the write, while the drill goes on).
        canaryReplicated: async (c) => {
            calledAt.canaryReplicated = clock.t;
            return { ok: true, status: "COMPLETED", detail: "source ReplicationStatus COMPLETED; replica present", completedAt: c.writtenAt + 45_000 };
        },
        // The replicated backups trail the clock by 5 min: the canary row written at T0 is restorable at T0 + 5 min.
        latestRestorableTime: async (_region, arn) => {
            calledAt.latestRestorableTime ??= clock.t;
            if (!restorableOf.includes(arn)) restorableOf.push(arn);
            if (opts.restorableTimeFails) return { ok: false, detail: "could not read the replicated backups in us-west-2: AccessDenied: not authorized" };
            return { ok: true, detail: `restore up to ${new Date(clock.t - (opts.backupLagMs ?? 300_000)).toISOString()}`, time: clock.t - (opts.backupLagMs ?? 300_000) };
        },
        snapshotExists: async (region, id) => ({ ok: true, exists: opts.snapshotExists ?? false, detail: `DB snapshot ${id} ${opts.snapshotExists ? "exists" : "does not exist"} in ${region}` }),
        replicaLag: async (region, id) => ({ ok: true, seconds: 2, detail: `ReplicaLag of ${id} in ${region}: at most 2 s over the last 5 min (5 one-minute maxima)` }),
        runTask: async (r) => {
            tasks.push(r);
            const mode = r.command[1];
            const id = r.environment.VBR_CANARY_ID;
            if (mode === "seed") {
                seededAt = new Date(clock.t).toISOString();
                return { ok: true, exitCode: 0, lines: [], output: { mode, canaryId: id, writtenAt: seededAt }, detail: `vbr-db-check seed exited 0 (ok)` };
            }
            if (mode === "verify") {
                const present = opts.canaryInCopy ?? true;
                const exit = opts.verifyExit ?? (present ? 0 : 5);
                return {
                    ok: exit === 0, exitCode: exit, lines: [],
                    output: { mode, canaryId: id, probeId: 7, canaryWrittenAt: present ? seededAt : null, newestCanaryId: present ? id : null, newestCanaryWrittenAt: present ? seededAt : null },
                    detail: `vbr-db-check verify exited ${exit} (${EXIT_CODES[exit]})`,
                };
            }
            return { ok: true, exitCode: 0, lines: [], output: { mode: "delete", canaryId: id, deleted: 1 }, detail: "vbr-db-check delete exited 0 (ok)" };
        },
    };
}

export interface FakeRun { events: EngineEvent[]; exitCode?: number; stderr?: string; waitForSignal?: boolean }

export interface More {
    heartbeat?: (fn: () => void) => () => void;
    drOutputs?: Record<string, unknown>;
    /** The version the fake CLI reports: v3.200.0 (file event log) unless given. */
    version?: string;
    /** The standby preview's events when they differ from the standby up's. */
    standbyPreview?: EngineEvent[];
    /** The drill preview's run when it differs from the drill up's. */
    drillPreview?: { events: EngineEvent[]; exitCode?: number; stderr?: string };
    refresh?: { exitCode?: number; stderr?: string };
    pendingOperations?: unknown[];
    /** What the DR stack last deployed (its outputs' drState). @default standby */
    deployed?: string;
    /** The stack the user had selected before the drill. */
    current?: string;
    onInterrupt?: DrillDeps["onInterrupt"];
    /** Called with every engine event as it arrives (after the clock moved). */
    onEvent?: (e: EngineEvent) => void;
    /** The fake's standby up run(s) when they differ (a list: one per invocation). */
    standbyUp?: FakeRun | FakeRun[];
    /** Sees every progress line the runner logs. */
    onLog?: (line: string) => void;
    keepState?: boolean;
    checks?: (c: Clock) => FakeChecks;
    failoverModel?: BringUpScenario;
    /**
     * Run the fake CLI as the process the Automation API spawns (tests/fixtures/fake-pulumi/pulumi): for what only a
     * process shows, the gRPC event stream from another process and a signal reaching the CLI. @default in-process
     */
    process?: boolean;
}

export interface Env {
    dir: string;
    /** A copy of the project's Pulumi.yaml, stack files and pack manifest: the marker and stack files live here. */
    project: string;
}

/** A scratch project: the runner reads only these files itself (the fake CLI stands in for the program). */
export function scratchProject(dir: string): string {
    const project = path.join(dir, "project");
    fs.mkdirSync(path.join(project, "policies"), { recursive: true });
    for (const f of ["Pulumi.yaml", "Pulumi.dr.yaml", "Pulumi.primary.yaml", "policies/PulumiPolicy.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
    // The entry point must exist for the project to load; the fake CLI never runs it.
    fs.mkdirSync(path.join(project, "stacks"));
    fs.writeFileSync(path.join(project, "stacks", "index.ts"), "export = async () => ({});\n");
    return project;
}

/** Runs the drill against the fake CLI in `env.dir`; the fake's state persists across runs unless reset. */
export async function runDrill(env: Env, drillUp: { events: EngineEvent[]; exitCode?: number; stderr?: string; waitForSignal?: boolean }, args: string[] = [],
    more: More = {}): Promise<Run> {
    const drOut = more.drOutputs ?? DR_DRILL_OUT;
    fs.writeFileSync(process.env.FAKE_PULUMI_SCENARIO!, JSON.stringify({
        ...(more.version ? { version: more.version } : {}),
        stacks: {
            dr: {
                outputs: { drill: drOut, default: { buckets: drOut.buckets } },
                up: { drill: drillUp, standby: more.standbyUp ?? { events: standbyEvents() } },
                preview: { ...(more.standbyPreview ? { standby: { events: more.standbyPreview } } : {}), ...(more.drillPreview ? { drill: more.drillPreview } : {}) },
                ...(more.refresh ? { refresh: more.refresh } : {}),
                ...(more.pendingOperations ? { pendingOperations: more.pendingOperations } : {}),
            },
            primary: { outputs: { default: PRIMARY_OUT } },
        },
    }));
    if (!more.keepState) {
        fs.writeFileSync(process.env.FAKE_PULUMI_STATE!, JSON.stringify({ ...(more.current ? { current: more.current } : {}), ...(more.deployed ? { deployed: { dr: more.deployed } } : {}) }));
    }
    const clock = new Clock();
    let stdout = "";
    let stderr = "";
    const eventTime = (e: EngineEvent) => { const t = clock.eventTime(e); more.onEvent?.(e); return t; };
    const checks = (more.checks ?? ((c) => fakeChecks(c)))(clock);
    const pulumiCommand = more.process ? undefined : await inProcessPulumi();
    const code = await drill(["--project", env.project, "--out", path.join(env.dir, "reports"), "--parallel", "8", ...args],
        { cwd: env.dir, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } },
        {
            checks, now: clock.now, eventTime, estimate: async () => MODEL, estimateFailover: async () => more.failoverModel ?? FAILOVER_MODEL,
            log: (l) => { stdout += `${l}\n`; more.onLog?.(l); }, heartbeat: more.heartbeat, sleep: clock.sleep, onInterrupt: more.onInterrupt ?? (() => () => undefined),
            pulumiCommand,
        });
    const reportsDir = path.join(env.dir, "reports");
    const reports = fs.existsSync(reportsDir) ? fs.readdirSync(reportsDir).sort() : [];
    const json = reports.filter((f) => f.endsWith(".json")).pop();
    const log = process.env.FAKE_PULUMI_LOG!;
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]) : [];
    return {
        code, calls, stdout, stderr, checks,
        report: json ? JSON.parse(fs.readFileSync(path.join(reportsDir, json), "utf8")) as DrillReport : (undefined as unknown as DrillReport),
        md: json ? fs.readFileSync(path.join(reportsDir, json.replace(/\.json$/, ".md")), "utf8") : "",
    };
}

/** The CLI's lifecycle commands, in order, without their flags. */
export const ops = (calls: string[][]) => calls.filter((c) => ["up", "preview", "refresh"].includes(c[0])).map((c) => c[0]);
/** The state (drill/standby) each lifecycle command ran with, from its --config-file. */
export const opStates = (calls: string[][]) => calls.filter((c) => ["up", "preview", "refresh"].includes(c[0]))
    .map((c) => `${c[0]}:${/\.(drill|standby)\.yaml$/.exec(c[c.indexOf("--config-file") + 1] ?? "")?.[1] ?? "none"}`);
