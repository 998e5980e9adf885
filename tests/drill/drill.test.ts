// The drill runner against a fake `pulumi` first on PATH (tests/fixtures/fake-pulumi/pulumi) that replays recorded
// engine events through the real Automation API, with the AWS checks faked: exact report numbers and exit codes.
// The fake streams events the way the Automation API expects for the version it reports: a tailed --event-log file
// up to 3.205, the SDK's gRPC EventsService above (both run below). What this cannot prove: the real engine's event
// contents beyond the recorded ones, and the AWS checks themselves (AwsDrillChecks; see checks.test.ts).
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { main as drill } from "../../tools/drill";
import { main as learn } from "../../tools/drill-learn";
import type { BringUpScenario } from "../../tools/bringup/bringup-report";
import type { DatabaseTarget, DrillChecks } from "../../tools/drill/checks";
import { estimateIndex, EventTimer } from "../../tools/drill/events";
import { mergeMeasurements, quantile } from "../../tools/drill/learn";
import { DrillReport, RPO_METHOD } from "../../tools/drill/report";
import type { DrillDeps, InterruptHandler } from "../../tools/drill/session";
import { loadProvisioningTimes } from "../../policies/lib/bringup";
import { parseStackConfig } from "../../stacks/config";
import { loadProject, stackConfig } from "../../tools/harness/project";

const ROOT = path.resolve(__dirname, "..", "..");
const FAKE_DIR = path.join(ROOT, "tests", "fixtures", "fake-pulumi");
const T0 = Date.parse("2026-01-01T10:00:00Z");
const S = "urn:pulumi:dr::vbr::";
const NAT = `${S}vbr:platform:Platform$vbr:network:Network$awsx:ec2:Vpc$aws:ec2/natGateway:NatGateway::vpc-1`;
const ALB = `${S}vbr:platform:Platform$aws:lb/loadBalancer:LoadBalancer::alb`;
const DB = `${S}vbr:platform:Platform$aws:rds/instance:Instance::drill-db`;
const SVC = `${S}vbr:platform:Platform$aws:ecs/service:Service::svc`;
const BUCKET = `${S}vbr:platform:Platform$aws:s3/bucket:Bucket::documents`;
const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
const shortUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The model's drill estimate the runner compares against (injected: no synthesis in this test). */
const MODEL: BringUpScenario = {
    state: "drill", database: "restore", objectiveMinutes: 60, p50Minutes: 15.2, p90Minutes: 25.8, parallel: 8, resources: 4,
    criticalPath: [DB, SVC], dnsServesMinutes: null,
    timeline: [
        { urn: NAT, type: typeOf(NAT), operation: "create", key: "aws:ec2/natGateway:NatGateway", start: 15, finish: 140, p50Start: 5, p50Finish: 110, critical: false },
        { urn: ALB, type: typeOf(ALB), operation: "create", key: "aws:lb/loadBalancer:LoadBalancer", start: 140, finish: 312, p50Start: 110, p50Finish: 265, critical: false },
        { urn: DB, type: typeOf(DB), operation: "restore", key: "restore", start: 0, finish: 1500, p50Start: 0, p50Finish: 900, critical: true },
        { urn: SVC, type: typeOf(SVC), operation: "create", key: "aws:ecs/service:Service", start: 1500, finish: 2150, p50Start: 900, p50Finish: 1320, critical: true },
    ],
};

let seq = 0;
const meta = (op: string, urn: string, old?: Record<string, unknown>) => ({ op, urn, type: typeOf(urn), provider: "", ...(old ? { old: { inputs: old } } : {}) });
const at = (s: number) => Math.floor(T0 / 1000) + s;
const pre = (s: number, urn: string, op = "create", old?: Record<string, unknown>): EngineEvent =>
    ({ sequence: seq++, timestamp: at(s), resourcePreEvent: { metadata: meta(op, urn, old) } } as unknown as EngineEvent);
const done = (s: number, urn: string, op = "create"): EngineEvent =>
    ({ sequence: seq++, timestamp: at(s), resOutputsEvent: { metadata: meta(op, urn) } } as unknown as EngineEvent);
const failed = (s: number, urn: string, message: string): EngineEvent[] => [
    { sequence: seq++, timestamp: at(s), diagnosticEvent: { urn, message, color: "never", severity: "error" } } as unknown as EngineEvent,
    { sequence: seq++, timestamp: at(s), resOpFailedEvent: { metadata: meta("create", urn), status: 1, steps: 0 } } as unknown as EngineEvent,
];

/** A drill up: NAT 115 s, ALB 158 s, restore 988 s, then the service for `serviceSeconds`. */
function drillEvents(serviceSeconds: number, fail = false): EngineEvent[] {
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
const DRILL_ID = "20260101t1000";
const DRILL_COPY = { tags: { "vbr:lifecycle": "drill" }, skipFinalSnapshot: false, finalSnapshotIdentifier: `vbr-prod-postgres-drill-final-${DRILL_ID}` };
/** The fake CLI's config calls, in order: drill (drState + drillId in one set-all), then back to standby. */
const CONFIG_CALLS = [
    ["config", "set-all", "--stack", "dr", "--plaintext", "vbr:drState=drill", "--plaintext", `vbr:drillId=${DRILL_ID}`, "--non-interactive"],
    ["config", "set", "vbr:drState", "--stack", "dr", "--plaintext", "--non-interactive", "--", "standby"],
];
const configCalls = (calls: string[][]) => calls.filter((c) => c[0] === "config" && (c[1] === "set" || c[1] === "set-all"));
function standbyEvents(extraDelete?: string): EngineEvent[] {
    return [
        pre(1, SVC, "delete"), done(40, SVC, "delete"),
        pre(41, ALB, "delete"), done(90, ALB, "delete"),
        pre(41, DB, "delete", DRILL_COPY), done(400, DB, "delete"),
        ...(extraDelete ? [pre(401, extraDelete, "delete", { tags: {} }), done(402, extraDelete, "delete")] : []),
    ];
}

const SECRET = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:vbr-prod/database/master-a1b2c3`;
const PRIMARY_OUT = {
    buckets: { documents: { name: "vbr-prod-documents-us-east-1", arn: "arn:aws:s3:::vbr-prod-documents-us-east-1" } },
    database: { arn: "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-db" },
    secretArn: SECRET("us-east-1"),
};
const DR_DRILL_OUT: Record<string, unknown> = {
    endpoint: "vbr-prod-alb-123.us-west-2.elb.amazonaws.com",
    database: { address: "vbr-prod-drill-db.abc.us-west-2.rds.amazonaws.com", port: 5432 },
    buckets: { documents: { name: "vbr-prod-documents-us-west-2" } },
    secretArn: SECRET("us-west-2"),
};

interface Run { code: number; report: DrillReport; md: string; calls: string[][]; stdout: string }

/** The test clock: engine events set it to their timestamp; the fake checks advance it. */
class Clock {
    t = T0;
    now = () => this.t;
    eventTime = (e: EngineEvent) => (this.t = Math.max(this.t, e.timestamp * 1000));
}

type FakeChecks = DrillChecks & {
    probed: string[]; secretReads: string[][]; dbTargets: DatabaseTarget[]; calledAt: Record<string, number>;
    audits: Array<Parameters<DrillChecks["auditRecord"]>[0]>; records: Array<Parameters<DrillChecks["recordReport"]>>;
};
function fakeChecks(clock: Clock, opts: { healthyAfterMs?: number; dbOk?: boolean; secretOk?: boolean; snapshotExists?: boolean; healthThrows?: boolean;
    auditOk?: boolean; recordOk?: boolean } = {}): FakeChecks {
    const audits: FakeChecks["audits"] = [];
    const records: FakeChecks["records"] = [];
    const probed: string[] = [];
    const secretReads: string[][] = [];
    const dbTargets: DatabaseTarget[] = [];
    /** The test clock when each time-sensitive check was called. */
    const calledAt: Record<string, number> = {};
    return {
        probed, secretReads, dbTargets, calledAt, audits, records,
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
        databaseCredentials: async (arn, region) => {
            secretReads.push([arn, region]);
            return (opts.secretOk ?? true)
                ? { ok: true, detail: `read ${arn} in ${region} (version v1, user vbr_admin)`, credentials: { username: "vbr_admin", password: "from-the-replica" } }
                : { ok: false, detail: `could not read the database secret ${arn} in ${region}: ResourceNotFoundException: Secrets Manager can't find the specified secret.` };
        },
        writeCanary: async (c) => ({ ok: true, detail: `wrote s3://${c.sourceBucket}/${c.key}`, writtenAt: clock.t }),
        endpointHealthy: async (url) => {
            probed.push(url);
            if (opts.healthThrows) throw new TypeError("Cannot read properties of undefined (reading 'status')");
            clock.t += opts.healthyAfterMs ?? 60_000;
            return { ok: true, detail: `${url} answered 200`, healthyAt: clock.t };
        },
        databaseWritable: async (db) => (dbTargets.push(db), opts.dbOk ?? true)
            ? { ok: true, detail: `${db.host}:${db.port} accepted a write` }
            : { ok: false, detail: `${db.host}:${db.port} is not writable: password authentication failed` },
        // S3 finishes 45 s after the write (the poll starts at the write, while up runs).
        canaryReplicated: async (c) => {
            calledAt.canaryReplicated = clock.t;
            return { ok: true, status: "COMPLETED", detail: "source ReplicationStatus COMPLETED; replica present", completedAt: c.writtenAt + 45_000 };
        },
        // The replicated backups always trail the call by 5 min: read at the start, the database RPO is 5 min.
        latestRestorableTime: async () => {
            calledAt.latestRestorableTime = clock.t;
            return { ok: true, detail: "restore up to 5 min ago", time: clock.t - 5 * 60_000 };
        },
        snapshotExists: async (region, id) => ({ ok: true, exists: opts.snapshotExists ?? false, detail: `DB snapshot ${id} ${opts.snapshotExists ? "exists" : "does not exist"} in ${region}` }),
    };
}

describe("drill runner (fake pulumi CLI, fake AWS checks)", function () {
    this.timeout(60_000);
    let dir: string;
    const saved = { PATH: process.env.PATH };

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-drill-"));
        process.env.PATH = `${FAKE_DIR}${path.delimiter}${saved.PATH}`;
        process.env.FAKE_PULUMI_STATE = path.join(dir, "state.json");
        process.env.FAKE_PULUMI_LOG = path.join(dir, "calls.jsonl");
        process.env.FAKE_PULUMI_SCENARIO = path.join(dir, "scenario.json");
    });
    afterEach(() => {
        process.env.PATH = saved.PATH;
        for (const k of ["FAKE_PULUMI_STATE", "FAKE_PULUMI_LOG", "FAKE_PULUMI_SCENARIO"]) delete process.env[k];
        fs.rmSync(dir, { recursive: true, force: true });
    });

    interface More {
        env?: Record<string, string>; drOutputs?: Record<string, unknown>; heartbeat?: (fn: () => void) => () => void;
        /** The version the fake CLI reports: v3.200.0 (file event log) unless given. */
        version?: string;
        /** The standby preview's events when they differ from the standby up's. */
        standbyPreview?: EngineEvent[];
        /** The stack the user had selected before the drill. */
        current?: string;
        onInterrupt?: DrillDeps["onInterrupt"];
        /** Called with every engine event as it arrives (after the clock moved). */
        onEvent?: (e: EngineEvent) => void;
    }
    async function run(drillUp: { events: EngineEvent[]; exitCode?: number; stderr?: string; waitForSignal?: boolean }, args: string[] = [],
        checks?: (c: Clock) => DrillChecks, standby = standbyEvents(), more: More = {}): Promise<Run> {
        const drOut = more.drOutputs ?? DR_DRILL_OUT;
        fs.writeFileSync(process.env.FAKE_PULUMI_SCENARIO!, JSON.stringify({
            ...(more.version ? { version: more.version } : {}),
            stacks: {
                dr: {
                    outputs: { drill: drOut, default: { buckets: drOut.buckets } }, up: { drill: drillUp, standby: { events: standby } },
                    ...(more.standbyPreview ? { preview: { standby: { events: more.standbyPreview } } } : {}),
                },
                primary: { outputs: { default: PRIMARY_OUT } },
            },
        }));
        if (more.current) fs.writeFileSync(process.env.FAKE_PULUMI_STATE!, JSON.stringify({ current: more.current }));
        const clock = new Clock();
        let stdout = "";
        const eventTime = (e: EngineEvent) => { const t = clock.eventTime(e); more.onEvent?.(e); return t; };
        const code = await drill(["--project", ROOT, "--out", path.join(dir, "reports"), "--parallel", "8", ...args],
            { cwd: dir, stdout: (t) => { stdout += t; }, stderr: (t) => { stdout += t; } },
            {
                checks: (checks ?? ((c) => fakeChecks(c)))(clock), now: clock.now, eventTime, estimate: async () => MODEL,
                log: (l) => { stdout += `${l}\n`; }, env: more.env ?? {}, heartbeat: more.heartbeat, onInterrupt: more.onInterrupt ?? (() => () => undefined),
            });
        const reports = fs.readdirSync(path.join(dir, "reports"));
        const json = reports.find((f) => f.endsWith(".json"))!;
        const calls = fs.readFileSync(process.env.FAKE_PULUMI_LOG!, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
        return {
            code, calls, stdout,
            report: JSON.parse(fs.readFileSync(path.join(dir, "reports", json), "utf8")) as DrillReport,
            md: fs.readFileSync(path.join(dir, "reports", json.replace(/\.json$/, ".md")), "utf8"),
        };
    }

    it("a successful drill: per-resource durations next to the model, RTO and RPO, back to standby, exit 0", async () => {
        let checks: FakeChecks | undefined;
        const { code, report, md, calls, stdout } = await run({ events: drillEvents(500) }, [], (c) => (checks = fakeChecks(c)), standbyEvents(), { current: "dev" });
        expect(code).to.equal(0);
        expect(report.failures).to.deep.equal([]);
        expect(report.resources.map((m) => [m.urn, m.op, m.status, m.seconds, m.estimate])).to.deep.equal([
            [NAT, "create", "ok", 115, { key: "aws:ec2/natGateway:NatGateway", p50: 105, p90: 125 }],
            [ALB, "create", "ok", 158, { key: "aws:lb/loadBalancer:LoadBalancer", p50: 155, p90: 172 }],
            [DB, "create", "ok", 988, { key: "restore", p50: 900, p90: 1500 }],
            [SVC, "create", "ok", 500, { key: "aws:ecs/service:Service", p50: 420, p90: 650 }],
        ]);
        // Up ends at 1500 s, the endpoint is healthy 60 s later.
        // A drill is judged against vbr:drillRtoObjectiveMinutes (default 240): its copy is a restore, with RDS's baseline backup.
        expect(report.rto).to.deep.equal({ minutes: 26, objectiveMinutes: 240, met: true, measuredTo: "drill endpoint healthy over HTTPS" });
        // Database: the replicated backups' latest restorable time read at the start (before up), 5 min before it;
        // documents: the canary's replication polled from its write on (also at the start), COMPLETED 45 s later.
        expect(checks!.calledAt).to.deep.equal({ latestRestorableTime: T0, canaryReplicated: T0 });
        expect(report.rpo).to.deep.equal({
            minutes: 5, objectiveMinutes: 15, met: true, database: 5, documents: 0.8,
            databaseLatestRestorableTime: "2026-01-01T09:55:00.000Z", method: RPO_METHOD,
        });
        expect(report.canary).to.deep.equal({
            source: "s3://vbr-prod-documents-us-east-1/drill-canary/2026-01-01T10-00-00-000Z.txt",
            replica: "s3://vbr-prod-documents-us-west-2/drill-canary/2026-01-01T10-00-00-000Z.txt",
            writtenAt: "2026-01-01T10:00:00.000Z", replicationStatus: "COMPLETED", replicationCompletedAt: "2026-01-01T10:00:45.000Z",
        });
        expect(report.interrupted).to.equal(null);
        expect(report.start).to.equal("2026-01-01T10:00:00.000Z");
        expect(report.upSeconds).to.equal(1500);
        expect(report.model).to.deep.equal({ p50Minutes: 15.2, p90Minutes: 25.8, criticalPath: [DB, SVC] });
        expect(report.validation.map((v) => [v.check, v.ok])).to.deep.equal([
            ["latest restorable time of the replicated backups (at the drill's start)", true],
            ["canary written", true], ["endpoint healthy over HTTPS", true],
            ["database secret replicated to the DR region", true], ["database writable (drill copy)", true],
            ["canary replicated to the DR bucket", true], ["audit record: trail digest chain and audit bucket replica", true],
        ]);
        // The audit record over the drill's window, from its start to validation (the endpoint answered 60 s after up).
        expect(checks!.audits).to.deep.equal([{ environment: "prod", primaryRegion: "us-east-1", drRegion: "us-west-2", start: T0, end: T0 + 1560_000 }]);
        // The report goes on record in the primary's audit bucket, then its twin, locked as vbr:auditLockMode says.
        const [[event, where]] = checks!.records;
        expect([event.kind, event.at, event.json, event.markdown]).to.deep.equal(["drill", T0, report, md]);
        expect(where).to.deep.equal({
            targets: [{ bucket: "vbr-prod-audit-us-east-1", region: "us-east-1" }, { bucket: "vbr-prod-audit-us-west-2", region: "us-west-2" }],
            lock: { mode: "COMPLIANCE", days: 365 },
        });
        expect(stdout).to.include("\nRecord: recorded in s3://vbr-prod-audit-us-east-1\n");
        expect(report.dataSafety.ok).to.equal(true);
        // The standby preview showed the drill copy's delete and nothing else data-bearing, so the up ran.
        expect(report.dataSafety.planned).to.deep.equal([{ urn: DB, type: "aws:rds/instance:Instance", op: "delete", note: `drill copy; final snapshot vbr-prod-postgres-drill-final-${DRILL_ID}` }]);
        expect(calls.filter((c) => c[0] === "preview" || c[0] === "up").map((c) => c[0])).to.deep.equal(["up", "preview", "up"]);
        expect(report.dataSafety.deleted).to.deep.equal([{ urn: DB, type: "aws:rds/instance:Instance", note: `drill copy; final snapshot vbr-prod-postgres-drill-final-${DRILL_ID}` }]);
        expect(report.lessonsLearned).to.deep.equal(["No deviation from the model above its p90."]);
        // The Automation API's calls, in order: drill (with this drill's id) then standby; the fake CLI kept both keys.
        expect(configCalls(calls)).to.deep.equal(CONFIG_CALLS);
        // The user's selected stack is untouched: no `pulumi stack select`, every call names its stack.
        expect(JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_STATE!, "utf8"))).to.deep.equal({ current: "dev", dr: { "vbr:drState": "standby", "vbr:drillId": DRILL_ID } });
        expect(calls.filter((c) => c[0] === "stack" && c[1] === "select")).to.deep.equal([]);
        expect(calls.filter((c) => c[0] !== "version" && !c.includes("--stack"))).to.deep.equal([]);
        expect(report.scenario).to.deep.equal({ stack: "dr", state: "drill", database: "replica", parallel: 8, keep: false, drillId: DRILL_ID, drillIdExists: false });
        // The id is a valid vbr:drillId (the program would reject it otherwise).
        expect(parseStackConfig("dr", stackConfig(loadProject(ROOT), "dr", { "vbr:drillId": report.scenario.drillId })).drillId).to.equal(DRILL_ID);
        expect(calls.filter((c) => c[0] === "up" || c[0] === "preview").map((c) => c[c.indexOf("--parallel") + 1])).to.deep.equal(["8", "8", "8"]);
        expect(md).to.contain("# DR drill report: dr -> drill (replica database) ✅ passed");
        expect(md).to.contain(`- Drill id (vbr:drillId): ${DRILL_ID}\n`);
        expect(md).to.contain("| `drill-db` | `aws:rds/instance:Instance` | create | ok | 16.5 min | 15.0 min | 25.0 min |");
        expect(md).to.contain("## Lessons learned");
        expect(md).to.contain("  - Database: replicated backups restorable to 2026-01-01T09:55:00.000Z at the start. ");
        expect(md).to.contain("  - Documents: canary s3://vbr-prod-documents-us-east-1/drill-canary/2026-01-01T10-00-00-000Z.txt written 2026-01-01T10:00:00.000Z, replication completed by 2026-01-01T10:00:45.000Z. ");
        expect(stdout).to.contain("[25:00 / 240:00] 4/4 resources done");
        expect(stdout).to.contain("[2:05 / 240:00] 1/4 resources done; slowest in flight: drill-db 1:53, alb 1:53");
    });

    it("repeats the progress line while pulumi up runs, and stops repeating when it returns", async () => {
        const beats: Array<() => void> = [];
        let stopped = 0;
        const { stdout } = await run({ events: drillEvents(500) }, [], undefined, standbyEvents(), {
            heartbeat: (fn) => { beats.push(fn); fn(); return () => { stopped++; }; },
        });
        // One heartbeat for the drill's `up`, stopped when it returns; its first beat shows the clock before any event.
        expect([beats.length, stopped]).to.deep.equal([1, 1]);
        expect(stdout).to.contain("[0:00 / 240:00] 0/4 resources done\n");
    });

    it("a failed resource: reported with its step and the engine's error, validation skipped, standby restored, exit 1", async () => {
        const { code, report, calls } = await run({ events: drillEvents(30, true), exitCode: 255, stderr: "error: update failed\n" });
        expect(code).to.equal(1);
        expect(report.resources.find((m) => m.urn === SVC)).to.deep.include({ status: "failed", seconds: 30 });
        expect(report.failures).to.deep.equal([
            { step: "up", urn: null, message: "pulumi up (drill) failed: error: update failed" },
            { step: "up", urn: SVC, message: "create aws:ecs/service:Service failed: creating ECS Service: InvalidParameterException: subnets not found" },
        ]);
        expect(report.rto.minutes).to.equal(null);
        expect(report.rto.met).to.equal(false);
        expect(report.validation.map((v) => v.check)).to.deep.equal(["latest restorable time of the replicated backups (at the drill's start)", "canary written"]);
        expect(report.rpo).to.deep.include({ database: 5, documents: null, minutes: 5 });
        expect(configCalls(calls)).to.deep.equal(CONFIG_CALLS);
    });

    it("a missed objective: the service takes 225 min, RTO 242.7 min > 240, exit 1 and a lesson", async () => {
        const { code, report } = await run({ events: drillEvents(13500) });
        expect(code).to.equal(1);
        expect(report.rto).to.deep.include({ minutes: 242.7, met: false });
        expect(report.failures).to.deep.equal([{ step: "validate", urn: null, message: "RTO 242.7 min missed the objective of 240 min" }]);
        expect(report.lessonsLearned[0]).to.equal("aws:ecs/service:Service svc took 225.0 min, above the model's p90 of 10.8 min: run drill:learn and check why.");
    });

    it("a failed validation (database not writable) fails the drill even within the objective", async () => {
        const { code, report } = await run({ events: drillEvents(500) }, [], (c) => fakeChecks(c, { dbOk: false }));
        expect(code).to.equal(1);
        expect(report.rto.met).to.equal(true);
        expect(report.failures).to.deep.equal([{
            step: "validate", urn: null,
            message: "vbr-prod-drill-db.abc.us-west-2.rds.amazonaws.com:5432 is not writable: password authentication failed (credentials: the secret's replica in us-west-2)",
        }]);
    });

    it("a broken CloudTrail digest chain over the drill's window fails the drill in validate", async () => {
        const { code, report } = await run({ events: drillEvents(500) }, [], (c) => fakeChecks(c, { auditOk: false }));
        expect(code).to.equal(1);
        expect(report.failures).to.deep.equal([{
            step: "validate", urn: null, message: "trail vbr-prod-trail-us-east-1: chain BROKEN in us-east-1 (digest 20260101T110000Z: no link to the digest before it)",
        }]);
    });

    it("a drill whose report cannot be put on record in the audit bucket exits 1, its local report written", async () => {
        const { code, report, stdout } = await run({ events: drillEvents(500) }, [], (c) => fakeChecks(c, { recordOk: false }));
        expect([code, report.exitCode, report.failures]).to.deep.equal([1, 0, []]);
        expect(stdout).to.include("\nRecord: NOT recorded in the audit bucket: AccessDenied\n");
    });

    describe("database credentials from the replicated secret", () => {
        const DB_HOST = "vbr-prod-drill-db.abc.us-west-2.rds.amazonaws.com";
        let checks: FakeChecks | undefined;
        const capture = (opts: Parameters<typeof fakeChecks>[1] = {}) => (c: Clock) => (checks = fakeChecks(c, opts));

        it("reads the DR stack's secretArn in the DR region and connects with its credentials", async () => {
            const { code, report } = await run({ events: drillEvents(500) }, [], capture());
            expect(code).to.equal(0);
            expect(checks!.secretReads).to.deep.equal([[SECRET("us-west-2"), "us-west-2"]]);
            expect(checks!.dbTargets).to.deep.equal([{ host: DB_HOST, port: 5432, user: "vbr_admin", password: "from-the-replica" }]);
            expect(report.validation.find((v) => v.check === "database writable (drill copy)")!.detail)
                .to.equal(`${DB_HOST}:5432 accepted a write (credentials: the secret's replica in us-west-2)`);
            // The report never carries the password.
            expect(JSON.stringify(report)).not.to.contain("from-the-replica");
        });

        it("without a DR secretArn output, reads the primary's ARN with the region swapped", async () => {
            const { secretArn: _, ...noSecret } = DR_DRILL_OUT;
            const { code } = await run({ events: drillEvents(500) }, [], capture(), standbyEvents(), { drOutputs: noSecret });
            expect(code).to.equal(0);
            expect(checks!.secretReads).to.deep.equal([[SECRET("us-west-2"), "us-west-2"]]);
        });

        it("PGUSER/PGPASSWORD override the credentials, but the secret's replication is still checked", async () => {
            const { code, report } = await run({ events: drillEvents(500) }, [], capture(), standbyEvents(), { env: { PGUSER: "drill_probe", PGPASSWORD: "from-env" } });
            expect(code).to.equal(0);
            expect(checks!.secretReads).to.have.length(1);
            expect(checks!.dbTargets).to.deep.equal([{ host: DB_HOST, port: 5432, user: "drill_probe", password: "from-env" }]);
            expect(report.validation.find((v) => v.check === "database writable (drill copy)")!.detail).to.match(/\(credentials: PGUSER\/PGPASSWORD \(override\)\)$/);
        });

        it("an unreadable secret fails the drill: replication not proven, and no credentials for the database", async () => {
            const { code, report } = await run({ events: drillEvents(500) }, [], capture({ secretOk: false }));
            expect(code).to.equal(1);
            expect(checks!.dbTargets).to.deep.equal([]);
            expect(report.failures).to.deep.equal([
                { step: "validate", urn: null, message: `could not read the database secret ${SECRET("us-west-2")} in us-west-2: ResourceNotFoundException: Secrets Manager can't find the specified secret.` },
                { step: "validate", urn: null, message: "database writable (drill copy) not checked: no credentials (the secret could not be read and PGUSER/PGPASSWORD are not set)" },
            ]);
        });

        it("with the override set, an unreadable secret still fails the drill (replication is what it proves)", async () => {
            const { code, report } = await run({ events: drillEvents(500) }, [], capture({ secretOk: false }), standbyEvents(), { env: { PGUSER: "u", PGPASSWORD: "p" } });
            expect(code).to.equal(1);
            expect(checks!.dbTargets).to.have.length(1);
            expect(report.failures.map((f) => f.message)).to.deep.equal([`could not read the database secret ${SECRET("us-west-2")} in us-west-2: ResourceNotFoundException: Secrets Manager can't find the specified secret.`]);
        });
    });

    it("--keep leaves the stack in drill; a data-bearing delete on the way back fails the data-safety assertion", async () => {
        const kept = await run({ events: drillEvents(500) }, ["--keep"]);
        expect(kept.code).to.equal(0);
        expect(kept.calls.filter((c) => c[0] === "up")).to.have.length(1);
        expect(kept.report.dataSafety.detail).to.equal("--keep: the stack stays in drill; nothing was deleted");

        // The preview showed nothing dangerous, but the up deleted a bucket: the events of the up are checked too.
        const unsafe = await run({ events: drillEvents(500) }, [], undefined, standbyEvents(BUCKET), { standbyPreview: standbyEvents() });
        expect(unsafe.code).to.equal(1);
        expect(unsafe.report.dataSafety.ok).to.equal(false);
        expect(unsafe.report.failures).to.deep.equal([{ step: "standby", urn: BUCKET, message: "a data-bearing resource was deleted or replaced on the way back to standby" }]);
    });

    describe("the engine event stream of both CLI generations", () => {
        /** Starts the next run from nothing (the fake's state and log, the reports). */
        const fresh = () => {
            for (const f of [process.env.FAKE_PULUMI_STATE!, process.env.FAKE_PULUMI_LOG!, path.join(dir, "reports")]) fs.rmSync(f, { recursive: true, force: true });
        };
        const eventLogs = (calls: string[][]) => calls.filter((c) => c.includes("--event-log")).map((c) => c[c.indexOf("--event-log") + 1]);
        const scenarios: Array<[string, () => { events: EngineEvent[]; exitCode?: number; stderr?: string }, number]> = [
            ["a successful drill", () => ({ events: drillEvents(500) }), 0],
            ["a failed resource", () => ({ events: drillEvents(30, true), exitCode: 255, stderr: "error: update failed\n" }), 1],
        ];
        for (const [name, up, exitCode] of scenarios) {
            it(`${name}: the same report and exit code from a tailed event file (3.200) and the gRPC event stream (3.248)`, async () => {
                const file = await run(up(), [], undefined, standbyEvents(), { version: "v3.200.0" });
                fresh();
                const grpc = await run(up(), [], undefined, standbyEvents(), { version: "v3.248.0" });
                // The Automation API chose the transport from the version: a file it tails, or its own gRPC server.
                expect(eventLogs(file.calls)).to.have.length(3);
                for (const log of eventLogs(file.calls)) expect(log).to.match(/automation-logs-(up|preview)-[^/]+\/eventlog\.txt$/);
                expect(eventLogs(grpc.calls)).to.have.length(3);
                for (const log of eventLogs(grpc.calls)) expect(log).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
                expect([file.code, grpc.code]).to.deep.equal([exitCode, exitCode]);
                expect(grpc.report).to.deep.equal(file.report);
                // Not equal by being empty: every resource's events arrived.
                expect(grpc.report.resources.map((m) => [shortUrn(m.urn), m.status])).to.deep.equal(
                    [["vpc-1", "ok"], ["alb", "ok"], ["drill-db", "ok"], ["svc", exitCode === 0 ? "ok" : "failed"]]);
                expect(grpc.report.dataSafety.planned.map((p) => p.urn)).to.deep.equal([DB]);
            });
        }
    });

    it("a signal during up stops the CLI's update, skips validation, returns to standby and still writes the report (exit 1)", async () => {
        let interrupt: InterruptHandler | undefined;
        // The update waits after the NAT gateway finished; SIGTERM arrives then.
        const { code, report, calls, md } = await run({ events: drillEvents(500).slice(0, 7), waitForSignal: true }, [], undefined, standbyEvents(), {
            version: "v3.248.0",
            onInterrupt: (h) => { interrupt = h; return () => { interrupt = undefined; }; },
            onEvent: (e) => { if (e.resOutputsEvent?.metadata.urn === NAT) interrupt!("SIGTERM", false); },
        });
        expect(code).to.equal(1);
        // The runner forwarded it to the CLI as SIGINT (Pulumi's graceful cancel), exactly once.
        expect(calls.filter((c) => c[0] === "signal")).to.deep.equal([["signal", "SIGINT"]]);
        expect(report.interrupted).to.equal("SIGTERM");
        expect(report.failures).to.deep.equal([
            { step: "up", urn: null, message: "pulumi up (drill) stopped by SIGTERM: error: update canceled" },
            { step: "up", urn: null, message: "drill interrupted by SIGTERM" },
        ]);
        expect(report.resources.map((m) => [shortUrn(m.urn), m.status])).to.deep.equal([["vpc-1", "ok"], ["drill-db", "in-flight"], ["alb", "in-flight"]]);
        expect(report.validation.map((v) => v.check)).to.deep.equal(["latest restorable time of the replicated backups (at the drill's start)", "canary written"]);
        expect(calls.filter((c) => c[0] === "preview" || c[0] === "up").map((c) => c[0])).to.deep.equal(["up", "preview", "up"]);
        expect(configCalls(calls)).to.deep.equal(CONFIG_CALLS);
        expect(md).to.contain("# DR drill report: dr -> drill (replica database) ❌ failed");
        expect(interrupt).to.equal(undefined);
    });

    it("a signal before up: the stack is never changed, the report is still written (exit 1)", async () => {
        let interrupt: InterruptHandler | undefined;
        const { code, report, calls } = await run({ events: drillEvents(500) }, [], (c) => {
            const f = fakeChecks(c);
            return { ...f, writeCanary: async (x) => { interrupt!("SIGINT", true); return f.writeCanary(x); } };
        }, standbyEvents(), { onInterrupt: (h) => { interrupt = h; return () => undefined; } });
        expect(code).to.equal(1);
        expect(report.failures).to.deep.equal([{ step: "canary", urn: null, message: "drill interrupted by SIGINT" }]);
        expect(calls.filter((c) => c[0] === "up" || c[0] === "preview" || c[0] === "config")).to.deep.equal([]);
        expect(report.dataSafety.detail).to.equal("The drill did not change the stack; nothing to return to standby.");
    });

    it("refuses the standby up when its preview would replace a data-bearing resource other than the drill copy; the stack stays in drill", async () => {
        const { code, report, calls } = await run({ events: drillEvents(500) }, [], undefined, standbyEvents(), {
            standbyPreview: [...standbyEvents(), pre(2, BUCKET, "replace", { tags: {} })],
        });
        expect(code).to.equal(1);
        expect(calls.filter((c) => c[0] === "preview" || c[0] === "up").map((c) => c[0])).to.deep.equal(["up", "preview"]);
        expect(configCalls(calls)).to.deep.equal([...CONFIG_CALLS, ["config", "set", "vbr:drState", "--stack", "dr", "--plaintext", "--non-interactive", "--", "drill"]]);
        expect(JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_STATE!, "utf8")).dr["vbr:drState"]).to.equal("drill");
        expect(report.failures).to.deep.equal([{
            step: "standby", urn: BUCKET,
            message: "the standby preview would replace this data-bearing resource: the standby up was not run and dr stays in drill (vbr:drState set back to drill)",
        }]);
        expect(report.dataSafety).to.deep.include({ ok: false, deleted: [] });
        expect(report.dataSafety.planned.map((p) => [p.urn, p.op])).to.deep.equal([[DB, "delete"], [BUCKET, "replace"]]);
    });

    it("an unexpected error in validation is reported with its step, and the return to standby still runs", async () => {
        const { code, report, calls } = await run({ events: drillEvents(500) }, [], (c) => fakeChecks(c, { healthThrows: true }));
        expect(code).to.equal(1);
        expect(report.failures).to.deep.equal([{ step: "validate", urn: null, message: "unexpected error: Cannot read properties of undefined (reading 'status')" }]);
        expect(configCalls(calls)).to.deep.equal(CONFIG_CALLS);
        expect(calls.filter((c) => c[0] === "preview" || c[0] === "up").map((c) => c[0])).to.deep.equal(["up", "preview", "up"]);
        expect(report.dataSafety.ok).to.equal(true);
    });

    it("a drill id whose final snapshot already exists is refused before the stack is touched", async () => {
        const { code, report, calls } = await run({ events: drillEvents(500) }, [], (c) => fakeChecks(c, { snapshotExists: true }));
        expect(code).to.equal(1);
        expect(report.scenario.drillIdExists).to.equal(true);
        expect(report.failures).to.deep.equal([{
            step: "prepare", urn: null,
            message: `drill id ${DRILL_ID} already exists: the DB snapshot vbr-prod-postgres-drill-final-${DRILL_ID} is in us-west-2 (a drill started in the same minute?); start the drill again in a minute`,
        }]);
        expect(configCalls(calls)).to.deep.equal([]);
        expect(calls.filter((c) => c[0] === "preview" || c[0] === "up")).to.deep.equal([]);
        expect(report.canary).to.equal(null);
        expect(report.dataSafety.detail).to.equal("The drill did not change the stack; nothing to return to standby.");
    });

    it("matches engine events to the model by the full-chain URN the offline recorder also builds", async () => {
        // `pulumi up` names every ancestor; so does the recorder (tests/harness/recorder.test.ts pins it).
        const realDb = `${S}vbr:platform:Platform$vbr:database:Database$aws:rds/instance:Instance::vbr-prod-db-drill`;
        const index = estimateIndex([{ ...MODEL.timeline[2], urn: realDb }]);
        const timer = new EventTimer(2, T0, 3_600_000, index, () => undefined);
        timer.handle(pre(0, realDb), T0);
        timer.handle(done(988, realDb), T0 + 988_000);
        // A resource the model did not plan (another parent chain) gets no estimate rather than a guessed one.
        const other = `${S}vbr:other:Other$aws:rds/instance:Instance::vbr-prod-db-drill`;
        timer.handle(pre(0, other), T0);
        timer.handle(done(5, other), T0 + 5_000);
        expect(timer.measured).to.deep.equal([
            { urn: realDb, type: "aws:rds/instance:Instance", op: "create", status: "ok", seconds: 988, estimate: { key: "restore", p50: 900, p90: 1500 } },
            { urn: other, type: "aws:rds/instance:Instance", op: "create", status: "ok", seconds: 5, estimate: null },
        ]);
    });

    it("usage errors exit 2 before touching the CLI", async () => {
        let err = "";
        const io = { cwd: ROOT, stdout: () => undefined, stderr: (t: string) => { err += t; } };
        expect(await drill(["--stack", "primary"], io)).to.equal(2);
        expect(err).to.contain('stack "primary" has vbr:role=primary; a drill runs on the dr stack');
        expect(await drill(["--parallel", "0"], io)).to.equal(2);
        expect(await drill(["--stack", "nope"], io)).to.equal(2);
        // --out must be a writable directory: checked before any CLI call.
        const file = path.join(dir, "a-file");
        fs.writeFileSync(file, "");
        err = "";
        expect(await drill(["--out", file], io)).to.equal(2);
        expect(err).to.equal(`error: --out ${file}: not a writable directory (EEXIST)\n`);
        expect(fs.existsSync(process.env.FAKE_PULUMI_LOG!)).to.equal(false);
    });
});

describe("drill:learn", () => {
    const report = (resources: DrillReport["resources"]) => ({ start: "2026-01-01T10:00:00.000Z", resources } as DrillReport);
    const m = (type: string, key: string, seconds: number, p50: number, p90: number) =>
        ({ urn: `${S}${type}::x`, type, op: "create", status: "ok" as const, seconds, estimate: { key, p50, p90 } });

    it("nearest-rank quantiles", () => {
        expect(quantile([5, 1, 3, 2, 4], 0.5)).to.equal(3);
        expect(quantile([5, 1, 3, 2, 4], 0.9)).to.equal(5);
        expect(quantile([7], 0.9)).to.equal(7);
    });

    it("weighs the seed as priorWeight samples, then counts drills; p90 never below p50", () => {
        const times = loadProvisioningTimes();
        const nat = "aws:ec2/natGateway:NatGateway";
        const { times: next, changes } = mergeMeasurements(times, report([m(nat, nat, 95, 105, 125), m(nat, nat, 100, 105, 125), m(nat, nat, 140, 105, 125)]));
        // w = 5, n = 3: p50 (5 x 105 + 3 x 100) / 8 = 103.1 -> 103; p90 (5 x 125 + 3 x 140) / 8 = 130.6 -> 131.
        expect(next.types[nat]).to.deep.include({ p50: 103, p90: 131, samples: 8, lastMeasured: "2026-01-01" });
        expect(changes).to.deep.equal([`${nat}: p50/p90 105/125 -> 103/131 s (3 samples, measured 100/140 s)`]);
        expect(times.types[nat]).to.deep.include({ p50: 105, p90: 125 });
    });

    it("scales the restore model by measured / estimated, learns unlisted types, skips failures", () => {
        const times = loadProvisioningTimes();
        const failedOne = { ...m("aws:lb/loadBalancer:LoadBalancer", "aws:lb/loadBalancer:LoadBalancer", 999, 155, 172), status: "failed" as const };
        const { times: next } = mergeMeasurements(times, report([
            m("aws:rds/instance:Instance", "restore", 1800, 900, 1500),
            m("aws:made/up:Thing", "default", 40, 10, 30),
            failedOne,
        ]));
        // ratio p50 2.0, p90 1.2; w = 5, n = 1: f50 = (5 + 2) / 6, f90 = (5 + 1.2) / 6.
        expect(next.restore.p50).to.deep.equal({ baseSeconds: 700, perGiBSeconds: 3.5 });
        expect(next.restore.p90).to.deep.equal({ baseSeconds: 930, perGiBSeconds: 6.2 });
        expect(next.types["aws:made/up:Thing"]).to.deep.include({ p50: 15, p90: 32, samples: 6 });
        expect(next.types["aws:lb/loadBalancer:LoadBalancer"]).to.deep.equal(times.types["aws:lb/loadBalancer:LoadBalancer"]);
    });

    it("the command writes the data file given with --times", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-learn-"));
        const times = path.join(dir, "times.json");
        fs.copyFileSync(path.join(ROOT, "policies", "data", "provisioning-times.json"), times);
        fs.writeFileSync(path.join(dir, "r.json"), JSON.stringify(report([m("aws:ecs/service:Service", "aws:ecs/service:Service", 600, 420, 650)])));
        let out = "";
        const code = await learn(["r.json", "--times", times], { cwd: dir, stdout: (t) => { out += t; return true; }, stderr: (t) => { out += t; return true; } });
        expect(code).to.equal(0);
        expect(JSON.parse(fs.readFileSync(times, "utf8")).types["aws:ecs/service:Service"]).to.deep.include({ p50: 450, p90 : 642, samples: 6 });
        expect(out).to.contain("updated times.json");
        expect(await learn(["missing.json"], { cwd: dir, stdout: () => true, stderr: () => true })).to.equal(2);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
