// The failback runner against a fake `pulumi` first on PATH (tests/fixtures/fake-pulumi/pulumi) replaying engine events
// through the real Automation API, with the AWS checks faked: phases in order, a safety preview before every up, the
// canaries, RPO 0 and the write downtime, and what happens when something is missing. What this cannot prove: the real
// engine's events beyond the recorded ones, and the AWS calls themselves (tools/failback/checks.ts; see the README).
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { main as failback } from "../../tools/failback";
import type { FailbackEstimate } from "../../tools/bringup/failback-estimate";
import type { FailbackChecks } from "../../tools/failback/checks";
import type { FailbackReport } from "../../tools/failback/report";
import { EXIT_CODES, TaskRequest, TaskRun } from "../../tools/drill/tasks";
import { inProcessPulumi } from "../helpers/in-process-pulumi";

const ROOT = path.resolve(__dirname, "..", "..");
const FAKE_DIR = path.join(ROOT, "tests", "fixtures", "fake-pulumi");
const T0 = Date.parse("2026-12-04T09:30:00Z");
const ID = "20261204t0930";
const DRU = "urn:pulumi:dr::vbr::vbr:platform:Platform$vbr:database:Database$";
const PRU = "urn:pulumi:primary::vbr::vbr:platform:Platform$";
const REPLICA = `${DRU}aws:rds/instance:Instance::vbr-prod-db-replica`;
const BACKUPS = `${DRU}aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication::vbr-prod-db-backups`;
const FB = `${PRU}vbr:database:Database$aws:rds/instance:Instance::vbr-prod-db-failback-${ID}`;
const RECORD = `${PRU}vbr:dns:Dns$aws:route53/record:Record::vbr-prod-dns-primary`;
const ROLE = "urn:pulumi:dr::vbr::vbr:platform:Platform$vbr:storage:DocumentStore$aws:iam/role:Role::vbr-prod-docs-batch-replication";
const BUCKET_A = "urn:pulumi:primary::vbr::vbr:platform:Platform$vbr:storage:DocumentStore$vbr:storage:SecureBucket$aws:s3/bucket:Bucket::vbr-prod-docs-documents";

const MODEL: FailbackEstimate = {
    parallel: 8, durationMinutes: { p50: 120.4, p90: 284.6 }, writeDowntimeMinutes: { p50: 8, p90: 32 },
    phases: ["replicate-back", "backfill", "recover", "stop-writes", "canary", "drain", "promote", "standby"].map((phase) => ({
        phase, what: phase, p50Minutes: 1, p90Minutes: 2, writesStopped: ["stop-writes", "canary", "drain", "promote"].includes(phase),
    })),
};

let seq = 0;
const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
const meta = (op: string, urn: string, old?: Record<string, unknown>) => ({ op, urn, type: typeOf(urn), provider: "", ...(old ? { old: { inputs: old } } : {}) });
const at = (s: number) => Math.floor(T0 / 1000) + s;
const pre = (s: number, urn: string, op = "create", old?: Record<string, unknown>) => ({ sequence: seq++, timestamp: at(s), resourcePreEvent: { metadata: meta(op, urn, old) } }) as unknown as EngineEvent;
const done = (s: number, urn: string, op = "create") => ({ sequence: seq++, timestamp: at(s), resOutputsEvent: { metadata: meta(op, urn) } }) as unknown as EngineEvent;
const step = (from: number, to: number, urn: string, op = "create", old?: Record<string, unknown>) => [pre(from, urn, op, old), done(to, urn, op)];

const db = (id: string, region: string) => ({ arn: `arn:aws:rds:${region}:123456789012:db:${id}`, identifier: id, address: `${id}.c0.${region}.rds.amazonaws.com`, port: 5432 });
const buckets = (region: string) => Object.fromEntries(["documents", "reports", "audit"].map((b) => [b, { name: `vbr-prod-${b}-${region}`, arn: `arn:aws:s3:::vbr-prod-${b}-${region}` }]));
const secret = (region: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:vbr-prod/database/master-a1b2c3`;
/** Each stack's app task definition: the canary row's one-off tasks run on it (the `tasks.app` output). */
const appTask = (region: string) => ({
    cluster: `arn:aws:ecs:${region}:123456789012:cluster/vbr-prod-app-cluster-1a2b`, taskDefinition: `arn:aws:ecs:${region}:123456789012:task-definition/vbr-prod-app:7`,
    container: "app", subnets: [`subnet-${region}-a`], securityGroups: [`sg-task-${region}`], logGroup: "/vbr/vbr-prod-app/app", logStreamPrefix: "app",
});
const DR_FAILOVER = {
    database: db("vbr-prod-postgres", "us-west-2"), buckets: buckets("us-west-2"), secretArn: secret("us-west-2"),
    service: { cluster: "vbr-prod-app-cluster-1a2b", name: "vbr-prod-app-service-3c4d" }, tasks: { app: appTask("us-west-2") },
};
const PRIMARY_SERVING = { database: db("vbr-prod-postgres", "us-east-1"), replicationSource: db("vbr-prod-postgres", "us-east-1"), buckets: buckets("us-east-1"), secretArn: secret("us-east-1"), tasks: { app: appTask("us-east-1") } };
const FB_DB = db(`vbr-prod-postgres-fb${ID}`, "us-east-1");
const CANARY = `failback-${ID}`;
const TRAIL = "urn:pulumi:dr::vbr::vbr:platform:Platform$vbr:audit:AuditTrail$aws:cloudtrail/trail:Trail::vbr-prod-trail";
/** How long each one-off task takes, start to stop (Fargate provisioning included). */
const TASK_MS = 40_000;

/** The test clock: engine events set it to their timestamp; the fake checks move it on. */
class Clock {
    t = T0;
    now = () => this.t;
    eventTime = (e: EngineEvent) => (this.t = Math.max(this.t, e.timestamp * 1000));
    sleep = async (ms: number) => { this.t += ms; };
}

interface Options {
    /** The canary row is not in region A after the promotion. */
    rowMissingInA?: boolean;
    /** How many looks before the canary row shows in region A's replica (Infinity: never). @default 1 */
    replicaLooks?: number;
    /** Region A's recovering database answers as a writable instance, not a replica. */
    aNotReplica?: boolean;
    /** Region A's check task cannot authenticate (a stale secret in region A). */
    aAuthFails?: boolean;
    /** The S3 backlog never drains. */
    drainFails?: boolean;
    /** The DR stack's return to standby would also delete this data-bearing resource. */
    extraStandbyDelete?: string;
    /** The primary's outputs before the failback. @default PRIMARY_SERVING */
    primaryOutputs?: Record<string, unknown>;
    /** A failback resumed: the primary already recovers from the failback instance of this earlier id. */
    resumedFrom?: string;
    /** The audit record of the window holds (trail digest chains, audit replica). @default true */
    auditOk?: boolean;
    /** The report goes on record in the audit bucket. @default true */
    recordOk?: boolean;
    /** Run the fake CLI as the process the Automation API spawns, not in-process (tests/helpers/in-process-pulumi.ts). */
    process?: boolean;
}

type FakeChecks = FailbackChecks & { tasks: TaskRequest[]; audits: Array<Parameters<FailbackChecks["auditRecord"]>[0]>; records: Array<Parameters<FailbackChecks["recordReport"]>> };

/** The AWS checks, faked; the one-off tasks answer as the validation command's contract (README) says. */
function fakeChecks(clock: Clock, o: Options, calls: string[]): FakeChecks {
    const call = (name: string) => calls.push(name);
    const tasks: TaskRequest[] = [];
    const audits: FakeChecks["audits"] = [];
    const records: FakeChecks["records"] = [];
    let seededAt: string | undefined;
    let looks = 0;
    const result = (mode: string, exitCode: number, output: Record<string, unknown>) => ({
        ok: exitCode === 0, exitCode, lines: [], output: { mode, canaryId: CANARY, ...output } as TaskRun["output"],
        detail: `vbr-db-check ${mode} (task definition vbr-prod-app:7) exited ${exitCode} (${EXIT_CODES[exitCode]})`,
    });
    return {
        tasks, audits, records,
        batchReplicate: async (job) => { call(`batchReplicate ${job.bucketArn} ${job.accountId} ${job.roleArn}`); clock.t += 600_000; return { ok: true, jobId: `job-${job.bucketArn.split("-")[2]}`, total: 12, failed: 0, detail: `${job.bucketArn}: 12 object(s), 0 failed` }; },
        stopWrites: async (s) => { call(`stopWrites ${s.region} ${s.cluster}/${s.service}`); clock.t += 45_000; return { ok: true, previous: { min: 3, max: 12, desired: 3 }, stoppedAt: clock.t, detail: "no task runs" }; },
        resumeWrites: async (s, p) => { call(`resumeWrites ${s.service} ${p.desired} ${p.min}-${p.max}`); return { ok: true, detail: "resumed" }; },
        runTask: async (r) => {
            tasks.push(r);
            const mode = r.command[1];
            call(`runTask ${r.region} ${mode}`);
            clock.t += TASK_MS;
            if (mode === "seed") {
                seededAt = new Date(clock.t).toISOString();
                return result(mode, 0, { writtenAt: seededAt });
            }
            if (o.aAuthFails) return { ok: false, exitCode: 3, lines: ["FATAL: password authentication failed for user \"vbr_admin\""], detail: `vbr-db-check ${mode} exited 3 (${EXIT_CODES[3]}); last log line: FATAL: password authentication failed for user "vbr_admin"` };
            const promoted = calls.includes("runTask us-east-1 verify");
            if (mode === "find") {
                const present = seededAt !== undefined && ++looks >= (o.replicaLooks ?? 1);
                return result(mode, present ? 0 : 5, { canaryWrittenAt: present ? seededAt : null, inRecovery: !o.aNotReplica && !promoted });
            }
            const present = !o.rowMissingInA;
            return result(mode, present ? 0 : 5, { probeId: 7, canaryWrittenAt: present ? seededAt : null, newestCanaryId: CANARY, newestCanaryWrittenAt: seededAt });
        },
        writeCanary: async (c) => { call(`writeCanary s3://${c.sourceBucket}/${c.key} -> ${c.replicaBucket}`); return { ok: true, writtenAt: clock.t, detail: "written" }; },
        canaryReplicated: async (c) => { call("canaryReplicated"); clock.t += 20_000; return { ok: true, status: "COMPLETED", completedAt: clock.t, detail: `s3://${c.replicaBucket}/${c.key} present` }; },
        replicationDrained: async (rules) => {
            call(`replicationDrained ${rules.map((r) => `${r.sourceBucket}>${r.destinationBucket}:${r.ruleId}`).join(",")}`);
            clock.t += 60_000;
            return o.drainFails ? { ok: false, detail: "S3 replication did not drain within 60 min (pending: documents-to-us-east-1: 4)" } : { ok: true, drainedAt: clock.t, detail: "0 pending" };
        },
        endpointHealthy: async (url) => { call(`endpointHealthy ${url}`); return { ok: true, healthyAt: clock.t, detail: `${url} answered 200` }; },
        auditRecord: async (w) => {
            call("auditRecord");
            audits.push(w);
            return (o.auditOk ?? true) ? { ok: true, detail: "trail vbr-prod-trail-us-east-1: chain valid; trail vbr-prod-trail-us-west-2: chain valid; OK audit" }
                : { ok: false, detail: "trail vbr-prod-trail-us-east-1: chain valid; trail vbr-prod-trail-us-west-2: chain BROKEN in us-west-2 (digest 20261204T110000Z: no link to the digest before it (20261204T100000Z): logging or log file validation was stopped)" };
        },
        recordReport: async (e, target) => {
            call("recordReport");
            records.push([e, target]);
            return (o.recordOk ?? true) ? { ok: true, detail: `recorded in s3://${target.targets[0].bucket}/dr-events/failback/2026/12/${e.id}.{json,md} (us-east-1)` }
                : { ok: false, detail: "NOT recorded in the audit bucket: s3://vbr-prod-audit-us-east-1 (us-east-1): AccessDenied: Access Denied; s3://vbr-prod-audit-us-west-2 (us-west-2): AccessDenied: Access Denied" };
        },
    };
}

describe("failback runner (fake pulumi CLI, fake AWS checks)", function () {
    this.timeout(90_000);
    let dir: string;
    const saved = { PATH: process.env.PATH };

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-failback-"));
        process.env.PATH = `${FAKE_DIR}${path.delimiter}${saved.PATH}`;
        process.env.FAKE_PULUMI_STATE = path.join(dir, "state.json");
        process.env.FAKE_PULUMI_LOG = path.join(dir, "calls.jsonl");
        process.env.FAKE_PULUMI_SCENARIO = path.join(dir, "scenario.json");
        // The project as the operator has it after the failover: the DR stack file says failover.
        // The fake CLI runs no program; loadProject only checks the entry point exists.
        fs.mkdirSync(path.join(dir, "project", "stacks"), { recursive: true });
        fs.writeFileSync(path.join(dir, "project", "stacks", "index.ts"), "");
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "project", "Pulumi.yaml"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.primary.yaml"), path.join(dir, "project", "Pulumi.primary.yaml"));
        fs.writeFileSync(path.join(dir, "project", "Pulumi.dr.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.dr.yaml"), "utf8").replace("vbr:drState: standby", "vbr:drState: failover"));
    });
    afterEach(() => {
        process.env.PATH = saved.PATH;
        for (const k of ["FAKE_PULUMI_STATE", "FAKE_PULUMI_LOG", "FAKE_PULUMI_SCENARIO"]) delete process.env[k];
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function run(o: Options = {}) {
        const fbDb = db(`vbr-prod-postgres-fb${o.resumedFrom ?? ID}`, "us-east-1");
        if (o.resumedFrom) fs.appendFileSync(path.join(dir, "project", "Pulumi.primary.yaml"), `  vbr:primaryState: recovering\n  vbr:drStack: dr\n  vbr:dbFailbackId: "${o.resumedFrom}"\n`);
        // Engine timestamps in seconds from the start; the fake checks move the clock too (3 batch jobs of 600 s each).
        const standby = [pre(6000, BACKUPS, "delete", { sourceDbInstanceArn: "a" }), pre(6000, REPLICA, "delete", { identifier: "vbr-prod-postgres", tags: {} }),
            done(6030, BACKUPS, "delete"), done(6040, REPLICA, "delete"), ...(o.extraStandbyDelete ? step(6040, 6045, o.extraStandbyDelete, "delete", { tags: {} }) : [])];
        fs.writeFileSync(process.env.FAKE_PULUMI_SCENARIO!, JSON.stringify({
            stacks: {
                dr: {
                    stateKeys: ["vbr:drState", "vbr:peerRegionAvailable"], config: { "vbr:drState": "failover" },
                    outputs: { default: DR_FAILOVER, "failover+true": { ...DR_FAILOVER, batchReplicationRoleArn: "arn:aws:iam::123456789012:role/vbr-prod-docs-batch-replication-1a2b" }, "standby+": { buckets: buckets("us-west-2") } },
                    up: { "failover+true": { events: step(10, 25, ROLE) }, "standby+": { events: standby } },
                },
                primary: {
                    stateKeys: ["vbr:primaryState"],
                    ...(o.resumedFrom ? { config: { "vbr:primaryState": "recovering" } } : {}),
                    outputs: { default: o.primaryOutputs ?? PRIMARY_SERVING, recovering: { ...PRIMARY_SERVING, database: fbDb }, serving: { ...PRIMARY_SERVING, database: fbDb, replicationSource: fbDb } },
                    up: {
                        recovering: { events: [...step(2000, 4700, FB), pre(4700, RECORD, "delete"), done(4760, RECORD, "delete")] },
                        serving: { events: [pre(5100, FB, "update"), pre(5100, RECORD), done(5170, RECORD), done(5500, FB, "update")] },
                    },
                },
            },
        }));
        const clock = new Clock();
        const checkCalls: string[] = [];
        const checks = fakeChecks(clock, o, checkCalls);
        const unprotected: string[][] = [];
        const pulumiCommand = o.process ? undefined : await inProcessPulumi();
        let stdout = "";
        const code = await failback(["--project", path.join(dir, "project"), "--out", path.join(dir, "reports"), "--parallel", "8"],
            { cwd: dir, stdout: (t) => { stdout += t; }, stderr: (t) => { stdout += t; } },
            {
                checks, now: clock.now, eventTime: clock.eventTime, sleep: clock.sleep, estimate: async () => MODEL,
                log: (l) => { stdout += `${l}\n`; }, onInterrupt: () => () => undefined,
                unprotect: async (stack, urn) => { unprotected.push([stack, urn]); },
                pulumiCommand,
            });
        const json = fs.readdirSync(path.join(dir, "reports")).find((f) => f.endsWith(".json"))!;
        const report = JSON.parse(fs.readFileSync(path.join(dir, "reports", json), "utf8")) as FailbackReport;
        const md = fs.readFileSync(path.join(dir, "reports", json.replace(/\.json$/, ".md")), "utf8");
        const calls = fs.readFileSync(process.env.FAKE_PULUMI_LOG!, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
        const stateFile = process.env.FAKE_PULUMI_STATE!;
        const fake = (fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, "utf8")) : {}) as Record<string, Record<string, string>>;
        return { code, report, md, calls, checkCalls, unprotected, stdout, fake, checks, clock };
    }

    it("fails back with RPO 0: every phase in order, a preview before every up, the canaries in region A, the audit record, the report on record", async () => {
        const { code, report, md, calls, checkCalls, unprotected, stdout, fake, checks, clock } = await run({ process: true });   // the whole cycle once against the executable the Automation API spawns
        expect(report.failures).to.deep.equal([]);
        expect(code).to.equal(0);
        expect(report.phases.map((p) => [p.phase, p.status])).to.deep.equal([
            ["prepare", "ok"], ["replicate-back", "ok"], ["backfill", "ok"], ["recover", "ok"], ["stop-writes", "ok"],
            ["canary", "ok"], ["drain", "ok"], ["promote", "ok"], ["verify", "ok"], ["standby", "ok"], ["audit", "ok"],
        ]);
        // Every up previewed first, on the stack the phase is about.
        const ops = calls.filter((c) => c[0] === "preview" || c[0] === "up").map((c) => `${c[0]} ${c[c.indexOf("--stack") + 1]}`);
        expect(ops).to.deep.equal(["preview dr", "up dr", "preview primary", "up primary", "preview primary", "up primary", "preview dr", "up dr"]);
        expect(fake.dr).to.deep.equal({ "vbr:drState": "standby" });
        expect(fake.primary).to.deep.equal({ "vbr:primaryState": "serving", "vbr:drStack": "dr", "vbr:dbFailbackId": ID });
        // The DR stack's own trail leaves the program with the instance that served (retained in AWS, still logging).
        expect(unprotected).to.deep.equal([["dr", BACKUPS], ["dr", REPLICA], ["dr", TRAIL]]);
        expect(checkCalls).to.deep.equal([
            ...["documents", "reports", "audit"].map((b) => `batchReplicate arn:aws:s3:::vbr-prod-${b}-us-west-2 123456789012 arn:aws:iam::123456789012:role/vbr-prod-docs-batch-replication-1a2b`),
            // Before the writes stop: region A's replica answers the read-only check from inside its VPC.
            "runTask us-east-1 find",
            "stopWrites us-west-2 vbr-prod-app-cluster-1a2b/vbr-prod-app-service-3c4d",
            "runTask us-west-2 seed",
            "writeCanary s3://vbr-prod-documents-us-west-2/failback-canary/failback-20261204t0930.txt -> vbr-prod-documents-us-east-1",
            "runTask us-east-1 find", "canaryReplicated",
            "replicationDrained " + ["documents", "reports", "audit"].map((b) => `vbr-prod-${b}-us-west-2>vbr-prod-${b}-us-east-1:${b}-to-us-east-1`).join(","),
            "runTask us-east-1 verify", "canaryReplicated",
            "endpointHealthy https://app.example.com/health",
            "auditRecord", "recordReport",
        ]);
        // Each task on its own stack's app task definition, in its region, against the database that stack serves from.
        const env = (host: string) => ({ VBR_CANARY_ID: CANARY, DB_HOST: host, DB_PORT: "5432" });
        expect(checks.tasks.map((t) => ({ region: t.region, task: t.task, command: t.command, environment: t.environment, startedBy: t.startedBy }))).to.deep.equal([
            { region: "us-east-1", task: appTask("us-east-1"), command: ["vbr-db-check", "find"], environment: env(FB_DB.address), startedBy: "vbr-failback" },
            { region: "us-west-2", task: appTask("us-west-2"), command: ["vbr-db-check", "seed"], environment: env(DR_FAILOVER.database.address), startedBy: "vbr-failback" },
            { region: "us-east-1", task: appTask("us-east-1"), command: ["vbr-db-check", "find"], environment: env(FB_DB.address), startedBy: "vbr-failback" },
            { region: "us-east-1", task: appTask("us-east-1"), command: ["vbr-db-check", "verify"], environment: env(FB_DB.address), startedBy: "vbr-failback" },
        ]);
        expect(report.rpo).to.deep.include({ zero: true, database: true, documents: true });
        // Writes are asked to stop once the recover up (4760 s) and region A's read-only check (40 s) are done; the promote
        // up ends at 5500 s, and the probe row written after it proves the promoted database takes writes: 700 s.
        expect(report.writeDowntime).to.deep.include({ from: "2026-12-04T10:50:00.000Z", to: "2026-12-04T11:01:40.000Z", minutes: 11.7, modelP90Minutes: 32 });
        // The row: written by the seed task (database clock), seen in region A's replica on the first look and after the promotion.
        expect(report.canary.row).to.deep.equal({
            id: CANARY, database: "vbr-prod-postgres (us-west-2)", writtenAt: T0 + 4_885_000, inReplicaAt: T0 + 4_925_000, afterPromotionAt: T0 + 5_540_000,
        });
        expect(report.validation.filter((v) => /failback replica|canary row|accepts writes|audit record/.test(v.check)).map((v) => [v.check, v.ok, v.detail])).to.deep.equal([
            ["region A's failback replica answers a read-only check from inside its VPC (vbr-db-check find)", true,
                `${FB_DB.identifier} (us-east-1) answers and is a read replica (canary ${CANARY} missing). vbr-db-check find (task definition vbr-prod-app:7) exited 5 (the canary row is missing from this database)`],
            ["canary row written in region B", true,
                `row ${CANARY} written to vbr-prod-postgres (us-west-2) at 2026-12-04T10:51:25.000Z (database clock): vbr-db-check seed (task definition vbr-prod-app:7) exited 0 (ok)`],
            ["replica lag 0: the canary row reached region A's replica", true,
                `${FB_DB.identifier} (us-east-1) holds row ${CANARY} (look 1, every 15 s): vbr-db-check find (task definition vbr-prod-app:7) exited 0 (ok)`],
            ["region A's promoted database accepts writes", true, `probe row 7 written to ${FB_DB.identifier} (us-east-1): vbr-db-check verify (task definition vbr-prod-app:7) exited 0 (ok)`],
            ["the canary row is in region A's promoted database", true, `${FB_DB.identifier} (us-east-1) holds row ${CANARY}: vbr-db-check verify (task definition vbr-prod-app:7) exited 0 (ok)`],
            ["audit record: the trails' digest chains (regions A and B) and the audit bucket's replica", true,
                "trail vbr-prod-trail-us-east-1: chain valid; trail vbr-prod-trail-us-west-2: chain valid; OK audit"],
        ]);
        // The audit record of the whole window, both trails that logged it; then the report on record (A's audit bucket first).
        expect(checks.audits).to.deep.equal([{ environment: "prod", primaryRegion: "us-east-1", drRegion: "us-west-2", start: T0, end: clock.t, trailRegions: ["us-east-1", "us-west-2"] }]);
        const [[event, target]] = checks.records;
        expect([event.kind, event.id, event.at]).to.deep.equal(["failback", "failback-dr-2026-12-04T09-30-00-000Z", T0]);
        expect(event.json).to.deep.equal(report);
        expect(event.markdown).to.equal(md);
        expect(target).to.deep.equal({
            targets: [{ bucket: "vbr-prod-audit-us-east-1", region: "us-east-1" }, { bucket: "vbr-prod-audit-us-west-2", region: "us-west-2" }],
            lock: { mode: "COMPLIANCE", days: 365 },
        });
        expect(report.backfill.map((b) => [b.bucket, b.total, b.failed])).to.deep.equal(["documents", "reports", "audit"].map((b) => [`vbr-prod-${b}-us-west-2`, 12, 0]));
        expect(report.dataSafety.ok).to.equal(true);
        // The instance that served in region B leaves the program (unprotected on purpose, retained in AWS); its backups
        // replication is not data-bearing by type, and is retained too.
        expect(report.dataSafety.planned.map((p) => [p.phase, p.urn, p.op, p.note.startsWith("leaves the program")])).to.deep.equal([
            ["standby", REPLICA, "delete", true],
        ]);
        expect(report.nextSteps).to.deep.equal([
            "Retire the instance that served in us-west-2 once the failback is validated (its final snapshot keeps its data):",
            "aws rds modify-db-instance --db-instance-identifier vbr-prod-postgres --no-deletion-protection --apply-immediately --region us-west-2",
            `aws rds delete-db-instance --db-instance-identifier vbr-prod-postgres --final-db-snapshot-identifier vbr-prod-postgres-final-fb${ID} --no-delete-automated-backups --region us-west-2`,
            "Delete region B's own trail, which left the program retained and still logs (the primary's multi-region trail records region B; " +
                "its log files and digests stay in the object-locked log bucket). The next failover creates it again and fails while it exists:",
            "aws cloudtrail delete-trail --name vbr-prod-trail-us-west-2 --region us-west-2",
        ]);
        expect(report.resources.map((r) => [r.phase, r.urn.split("::").pop(), r.op, r.seconds])).to.deep.equal([
            ["replicate-back", "vbr-prod-docs-batch-replication", "create", 15],
            ["recover", `vbr-prod-db-failback-${ID}`, "create", 2700], ["recover", "vbr-prod-dns-primary", "delete", 60],
            ["promote", "vbr-prod-dns-primary", "create", 70], ["promote", `vbr-prod-db-failback-${ID}`, "update", 400],
            ["standby", "vbr-prod-db-backups", "delete", 30], ["standby", "vbr-prod-db-replica", "delete", 40],
        ]);
        expect(stdout).to.match(/\[1\/11 prepare\] failback 20261204t0930: dr \(region B\) back to primary \(region A\)/);
        expect(stdout).to.match(/\[8\/11 promote\] primary: vbr:primaryState=serving .* \(model p50 1 min, p90 2 min\)/);
        expect(stdout).to.contain("11/11 phases run\n");
        expect(stdout).to.match(/RPO 0, write downtime 11.7 min \(model p90 32\), 0 failure\(s\)/);
        expect(stdout).to.contain("Record: recorded in s3://vbr-prod-audit-us-east-1/dr-events/failback/2026/12/failback-dr-2026-12-04T09-30-00-000Z.{json,md} (us-east-1)\n");
        expect(md).to.match(/^# Failback report: dr -> primary \(failback 20261204t0930\) ✅ passed/);
        expect(md).to.contain("- RPO: **0** (database ✅, documents ✅)");
    });

    it("exits 1 when the canary row is missing in region A after the promotion: RPO not proven 0, region B stays stopped", async () => {
        const { code, report, checkCalls } = await run({ rowMissingInA: true });
        expect(code).to.equal(1);
        expect(report.rpo).to.deep.include({ zero: false, database: false, documents: true });
        // The probe row was written (exit 5 comes after it): the promoted database takes writes, the row is what is missing.
        expect(report.failures.map((f) => [f.phase, f.message])).to.deep.equal([
            ["verify", `RPO not 0: the canary row ${CANARY} is missing from ${FB_DB.identifier} (us-east-1): vbr-db-check verify (task definition vbr-prod-app:7) exited 5 (the canary row is missing from this database)`],
        ]);
        expect(report.validation.find((v) => v.check === "region A's promoted database accepts writes")?.ok).to.equal(true);
        expect(report.phases.map((p) => p.status)).to.deep.equal(["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "failed", "skipped", "ok"]);
        // The promotion ran: region B's writers are never resumed from then on (both regions would take writes).
        expect(checkCalls.filter((c) => c.startsWith("resumeWrites"))).to.deep.equal([]);
        expect(report.nextSteps[0]).to.match(/^The promotion was started: region B's writers stay stopped/);
    });

    it("resumes region B's writers when the S3 backlog does not drain, and never promotes", async () => {
        const { code, report, calls, checkCalls, fake, checks, md, stdout } = await run({ drainFails: true });
        expect(code).to.equal(1);
        // What the report says for what was not measured: the reason, never "?" or "-".
        expect(md).to.match(/^- Write downtime: \*\*not measured\*\* \(model p90 32 min; writes stopped 2026-12-04T\d\d:\d\d:\d\d\.\d{3}Z, the promoted database was not proven writable\)\. /m);
        expect(md).to.include("| promote | skipped | not run | not modelled | not modelled |");
        expect(md).not.to.match(/\?|\| - \|/);
        expect(stdout).to.include("RPO NOT proven 0, write downtime not measured (model p90 32), 1 failure(s)\n");
        expect(report.failures.map((f) => [f.phase, f.message])).to.deep.equal([["drain", "S3 replication did not drain within 60 min (pending: documents-to-us-east-1: 4)"]]);
        expect(checkCalls.filter((c) => c.startsWith("resumeWrites"))).to.deep.equal(["resumeWrites vbr-prod-app-service-3c4d 3 3-12"]);
        expect(calls.filter((c) => c[0] === "up").length).to.equal(2);
        expect(fake.primary["vbr:primaryState"]).to.equal("recovering");
        expect(report.writeDowntime.minutes).to.equal(null);
        expect(report.nextSteps).to.deep.equal([`Region B serves again (its service was resumed). Fix the failure above, then run npm run failback again: it resumes failback ${ID}.`]);
        // A failed failback is a recovery operation too: its window's audit record is verified and its report recorded.
        expect(report.phases.slice(-4).map((p) => [p.phase, p.status])).to.deep.equal([["promote", "skipped"], ["verify", "skipped"], ["standby", "skipped"], ["audit", "ok"]]);
        expect(checks.records.map(([e]) => e.kind)).to.deep.equal(["failback"]);
    });

    it("waits for the canary row in region A's replica one read-only task at a time, and gives up at the wait's end: B serves again", async () => {
        const { code, report, checkCalls, checks } = await run({ replicaLooks: Infinity });
        expect(code).to.equal(1);
        // --wait-timeout 60 min from the first look: looks of 40 s, 15 s apart, while the next one can start in time: 66.
        const finds = checks.tasks.filter((t) => t.command[1] === "find").length - 1;
        expect(finds).to.equal(66);
        expect(report.failures.map((f) => [f.phase, f.message])).to.deep.equal([
            ["drain", `the canary row ${CANARY} is not in ${FB_DB.identifier} (us-east-1) (last: not there after 66 look(s))`],
        ]);
        expect(checkCalls.filter((c) => c.startsWith("resumeWrites"))).to.deep.equal(["resumeWrites vbr-prod-app-service-3c4d 3 3-12"]);
        expect(checks.tasks.every((t) => t.command[1] !== "seed" || t.region === "us-west-2")).to.equal(true);
    });

    it("never stops region B's writes when region A's check task cannot read its replica (a stale secret in region A)", async () => {
        const { code, report, checkCalls } = await run({ aAuthFails: true });
        expect(code).to.equal(1);
        expect(report.failures.map((f) => [f.phase, f.message])).to.deep.equal([
            ["recover", `${FB_DB.identifier} (us-east-1) did not answer: vbr-db-check find exited 3 (${EXIT_CODES[3]}); last log line: FATAL: password authentication failed for user "vbr_admin"`],
        ]);
        expect(checkCalls.some((c) => c.startsWith("stopWrites") || c.startsWith("resumeWrites"))).to.equal(false);
        expect(report.phases.map((p) => p.status)).to.deep.equal(["ok", "ok", "ok", "failed", "skipped", "skipped", "skipped", "skipped", "skipped", "skipped", "ok"]);
    });

    it("refuses a region A database that is not a replica before the writes stop", async () => {
        const { code, report, checkCalls } = await run({ aNotReplica: true });
        expect(code).to.equal(1);
        expect(report.failures[0].message).to.equal(`${FB_DB.identifier} (us-east-1) is not a read replica (inRecovery false): vbr-db-check find (task definition vbr-prod-app:7) exited 5 (the canary row is missing from this database)`);
        expect(checkCalls.some((c) => c.startsWith("stopWrites"))).to.equal(false);
    });

    it("exits 1 when the audit record of the window does not hold (a trail's digest chain is broken); the report is still recorded", async () => {
        const { code, report, stdout, checks } = await run({ auditOk: false });
        expect(code).to.equal(1);
        expect(report.rpo.zero).to.equal(true);
        expect(report.phases.map((p) => [p.phase, p.status]).slice(-2)).to.deep.equal([["standby", "ok"], ["audit", "failed"]]);
        expect(report.failures).to.deep.equal([{ phase: "audit", urn: null, message:
            "trail vbr-prod-trail-us-east-1: chain valid; trail vbr-prod-trail-us-west-2: chain BROKEN in us-west-2 (digest 20261204T110000Z: no link to the digest before it (20261204T100000Z): logging or log file validation was stopped)" }]);
        expect(stdout).to.match(/RPO 0, write downtime 11.7 min \(model p90 32\), 1 failure\(s\)\n {2}\[audit\] trail vbr-prod-trail-us-east-1: chain valid; trail vbr-prod-trail-us-west-2: chain BROKEN/);
        expect(checks.records).to.have.length(1);
        expect((checks.records[0][0].json as FailbackReport).exitCode).to.equal(1);
        expect(checks.records[0][0].markdown).to.contain("- ❌ audit record: the trails' digest chains (regions A and B) and the audit bucket's replica: trail vbr-prod-trail-us-east-1: chain valid; trail vbr-prod-trail-us-west-2: chain BROKEN");
    });

    it("exits 1 when the report cannot be put on record in either audit bucket, although every phase passed", async () => {
        const { code, report, stdout } = await run({ recordOk: false });
        expect([report.exitCode, report.failures]).to.deep.equal([0, []]);
        expect(code).to.equal(1);
        expect(stdout).to.contain("Record: NOT recorded in the audit bucket: s3://vbr-prod-audit-us-east-1 (us-east-1): AccessDenied: Access Denied; s3://vbr-prod-audit-us-west-2 (us-west-2): AccessDenied: Access Denied\n");
    });

    it("a resumed failback keeps its failback id and instance, and writes a canary of its own (the earlier run's row is in B)", async () => {
        const { code, report, checks, fake } = await run({ resumedFrom: "20261204t0700" });
        expect([code, report.failures]).to.deep.equal([0, []]);
        expect([report.scenario.failbackId, fake.primary["vbr:dbFailbackId"]]).to.deep.equal(["20261204t0700", "20261204t0700"]);
        const hostA = db("vbr-prod-postgres-fb20261204t0700", "us-east-1").address;
        expect(checks.tasks.map((t) => [t.region, t.command[1], t.environment.VBR_CANARY_ID, t.environment.DB_HOST])).to.deep.equal([
            ["us-east-1", "find", CANARY, hostA], ["us-west-2", "seed", CANARY, DR_FAILOVER.database.address],
            ["us-east-1", "find", CANARY, hostA], ["us-east-1", "verify", CANARY, hostA],
        ]);
        expect(report.canary.object?.source).to.equal(`s3://vbr-prod-documents-us-west-2/failback-canary/${CANARY}.txt`);
    });

    it("refuses the DR stack's return to standby when its preview deletes any other data-bearing resource, and sets failover back", async () => {
        const { code, report, calls, fake } = await run({ extraStandbyDelete: BUCKET_A.replace("primary::", "dr::") });
        expect(code).to.equal(1);
        expect(report.failures.map((f) => [f.phase, f.urn])).to.deep.equal([["standby", BUCKET_A.replace("primary::", "dr::")]]);
        expect(calls.filter((c) => c[0] === "up").map((c) => c[c.indexOf("--stack") + 1])).to.deep.equal(["dr", "primary", "primary"]);
        expect(fake.dr).to.deep.equal({ "vbr:drState": "failover", "vbr:peerRegionAvailable": "true" });
        expect(report.dataSafety.ok).to.equal(false);
    });

    it("refuses to start from a DR stack that is not in failover (usage is fine: exit 1 with the reason)", async () => {
        fs.writeFileSync(path.join(dir, "project", "Pulumi.dr.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.dr.yaml"), "utf8"));
        const { code, report, calls, checks } = await run();
        expect(code).to.equal(1);
        expect(report.failures[0]).to.deep.equal({ phase: "prepare", urn: null, message: "dr has vbr:drState=standby: a failback starts from a DR stack in failover" });
        expect(calls.filter((c) => c[0] === "up" || c[0] === "preview")).to.deep.equal([]);
        // Nothing started: no window to verify; the refusal is still on record.
        expect(report.phases.at(-1)).to.deep.include({ phase: "audit", status: "skipped", detail: "not run: the failback did not start (prepare failed)" });
        expect([checks.audits.length, checks.records.length]).to.deep.equal([0, 1]);
    });

    it("refuses a second failback once the primary serves from its failback instance (only the DR stack's return is left)", async () => {
        fs.appendFileSync(path.join(dir, "project", "Pulumi.primary.yaml"), `  vbr:dbFailbackId: "${ID}"\n`);
        const promoted = { ...PRIMARY_SERVING, replicationSource: db(`vbr-prod-postgres-fb${ID}`, "us-east-1") };
        const { code, report, calls } = await run({ primaryOutputs: promoted });
        expect(code).to.equal(1);
        expect(report.failures.map((f) => f.message)).to.deep.equal([`primary already serves from its failback instance vbr-prod-postgres-fb${ID} (vbr:dbFailbackId ${ID}): ` +
            "only the DR stack's return to standby is left; do it by hand (docs/runbooks.md, \"After a failover: failback\", step 6), not with a new failback"]);
        expect(calls.filter((c) => c[0] === "up" || c[0] === "preview")).to.deep.equal([]);
    });

    it("usage errors exit 2 before touching a stack", async () => {
        let err = "";
        const code = await failback(["--dr", "primary", "--project", path.join(dir, "project")], { cwd: dir, stdout: () => undefined, stderr: (t) => { err += t; } });
        expect([code, err]).to.deep.equal([2, "error: --dr primary has vbr:role=primary; it must be the dr stack\n"]);
    });

    it("--cell names a cell's two stacks; a flag naming other stacks or a name that is no cell's exits 2 before touching a stack", async () => {
        let err = "";
        const io = { cwd: dir, stdout: () => undefined, stderr: (t: string) => { err += t; } };
        const project = path.join(dir, "project");
        expect(await failback(["--project", project, "--cell", "eu", "--dr", "dr"], io)).to.equal(2);
        expect(err).to.equal("error: --cell eu fails back from eu-dr; --dr dr names another stack: give one of them\n");
        err = "";
        expect(await failback(["--project", project, "--cell", "eu", "--primary", "primary"], io)).to.equal(2);
        expect(err).to.equal("error: --cell eu reads eu-primary; --primary primary names another stack: give one of them\n");
        err = "";
        expect(await failback(["--project", project, "--cell", "eu/x"], io)).to.equal(2);
        expect(err).to.match(/^error: --cell "eu\/x": a cell's name is what precedes -primary and -dr in its stack names/);
        // The project has no eu stack files: the runner looked for eu-dr, the cell's DR stack.
        err = "";
        expect(await failback(["--project", project, "--cell", "eu"], io)).to.equal(2);
        expect(err).to.match(/^error: stack "eu-dr" has no stack file Pulumi\.eu-dr\.yaml in /);
        // With the cell's files, its DR stack's role is read from Pulumi.eu-dr.yaml: the cell's primary would be refused as --dr.
        fs.copyFileSync(path.join(ROOT, "Pulumi.eu-dr.yaml"), path.join(project, "Pulumi.eu-dr.yaml"));
        fs.writeFileSync(path.join(project, "Pulumi.eu-primary.yaml"), fs.readFileSync(path.join(ROOT, "Pulumi.eu-primary.yaml"), "utf8").replace("vbr:role: primary", "vbr:role: dr"));
        err = "";
        expect(await failback(["--project", project, "--cell", "eu"], io)).to.equal(2);
        expect(err).to.equal("error: --primary eu-primary has vbr:role=dr; it must be the primary stack\n");
        expect(fs.existsSync(process.env.FAKE_PULUMI_LOG!)).to.equal(false);
    });
});
