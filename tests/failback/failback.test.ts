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
const DR_FAILOVER = { database: db("vbr-prod-postgres", "us-west-2"), buckets: buckets("us-west-2"), secretArn: secret("us-west-2"), service: { cluster: "vbr-prod-app-cluster-1a2b", name: "vbr-prod-app-service-3c4d" } };
const PRIMARY_SERVING = { database: db("vbr-prod-postgres", "us-east-1"), replicationSource: db("vbr-prod-postgres", "us-east-1"), buckets: buckets("us-east-1"), secretArn: secret("us-east-1") };

/** The test clock: engine events set it to their timestamp; the fake checks move it on. */
class Clock {
    t = T0;
    now = () => this.t;
    eventTime = (e: EngineEvent) => (this.t = Math.max(this.t, e.timestamp * 1000));
}

interface Options {
    /** The canary row is not in region A after the promotion. */
    rowMissingInA?: boolean;
    /** The S3 backlog never drains. */
    drainFails?: boolean;
    /** The DR stack's return to standby would also delete this data-bearing resource. */
    extraStandbyDelete?: string;
    /** The primary's outputs before the failback. @default PRIMARY_SERVING */
    primaryOutputs?: Record<string, unknown>;
}

function fakeChecks(clock: Clock, o: Options, calls: string[]): FailbackChecks {
    const call = (name: string) => calls.push(name);
    let promoted = false;
    return {
        batchReplicate: async (job) => { call(`batchReplicate ${job.bucketArn} ${job.accountId} ${job.roleArn}`); clock.t += 600_000; return { ok: true, jobId: `job-${job.bucketArn.split("-")[2]}`, total: 12, failed: 0, detail: `${job.bucketArn}: 12 object(s), 0 failed` }; },
        stopWrites: async (s) => { call(`stopWrites ${s.region} ${s.cluster}/${s.service}`); clock.t += 45_000; return { ok: true, previous: { min: 3, max: 12, desired: 3 }, stoppedAt: clock.t, detail: "no task runs" }; },
        resumeWrites: async (s, p) => { call(`resumeWrites ${s.service} ${p.desired} ${p.min}-${p.max}`); return { ok: true, detail: "resumed" }; },
        databaseCredentials: async (arn, region) => { call(`credentials ${region}`); return { ok: true, detail: `read ${arn}`, credentials: { username: "vbr_admin", password: `pw-${region}` } }; },
        writeCanaryRow: async (t, id) => { call(`writeCanaryRow ${t.host} ${id}`); clock.t += 1_000; return { ok: true, writtenAt: clock.t, detail: `row ${id}` }; },
        canaryRowVisible: async (t, id) => {
            call(`canaryRowVisible ${t.host}`);
            clock.t += 5_000;
            promoted ||= t.host.includes("fb") && calls.includes("databaseWritable");
            if (o.rowMissingInA && promoted) return { ok: false, detail: `the canary row ${id} is not in ${t.host}:5432 (last: not there)` };
            return { ok: true, seenAt: clock.t, detail: `${t.host} holds ${id}` };
        },
        writeCanary: async (c) => { call(`writeCanary s3://${c.sourceBucket}/${c.key} -> ${c.replicaBucket}`); return { ok: true, writtenAt: clock.t, detail: "written" }; },
        canaryReplicated: async (c) => { call("canaryReplicated"); clock.t += 20_000; return { ok: true, status: "COMPLETED", completedAt: clock.t, detail: `s3://${c.replicaBucket}/${c.key} present` }; },
        replicationDrained: async (rules) => {
            call(`replicationDrained ${rules.map((r) => `${r.sourceBucket}>${r.destinationBucket}:${r.ruleId}`).join(",")}`);
            clock.t += 60_000;
            return o.drainFails ? { ok: false, detail: "S3 replication did not drain within 60 min (pending: documents-to-us-east-1: 4)" } : { ok: true, drainedAt: clock.t, detail: "0 pending" };
        },
        databaseWritable: async (t) => { call("databaseWritable"); clock.t += 2_000; return { ok: true, detail: `${t.host} accepted a write` }; },
        endpointHealthy: async (url) => { call(`endpointHealthy ${url}`); return { ok: true, healthyAt: clock.t, detail: `${url} answered 200` }; },
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
        // Engine timestamps in seconds from the start; the fake checks move the clock too (3 batch jobs of 600 s each).
        const standby = [pre(6000, BACKUPS, "delete", { sourceDbInstanceArn: "a" }), pre(6000, REPLICA, "delete", { identifier: "vbr-prod-postgres", tags: {} }),
            done(6030, BACKUPS, "delete"), done(6040, REPLICA, "delete"), ...(o.extraStandbyDelete ? step(6040, 6045, o.extraStandbyDelete, "delete", { tags: {} }) : [])];
        fs.writeFileSync(process.env.FAKE_PULUMI_SCENARIO!, JSON.stringify({
            stacks: {
                dr: {
                    stateKeys: ["vbr:drState", "vbr:peerRegionAvailable"], config: { "vbr:drState": "failover" },
                    outputs: { "failover+": DR_FAILOVER, "failover+true": { ...DR_FAILOVER, batchReplicationRoleArn: "arn:aws:iam::123456789012:role/vbr-prod-docs-batch-replication-1a2b" }, "standby+": { buckets: buckets("us-west-2") } },
                    up: { "failover+true": { events: step(10, 25, ROLE) }, "standby+": { events: standby } },
                },
                primary: {
                    stateKeys: ["vbr:primaryState"],
                    outputs: { "": o.primaryOutputs ?? PRIMARY_SERVING, recovering: { ...PRIMARY_SERVING, database: db(`vbr-prod-postgres-fb${ID}`, "us-east-1") }, serving: { ...PRIMARY_SERVING, database: db(`vbr-prod-postgres-fb${ID}`, "us-east-1"), replicationSource: db(`vbr-prod-postgres-fb${ID}`, "us-east-1") } },
                    up: {
                        recovering: { events: [...step(2000, 4700, FB), pre(4700, RECORD, "delete"), done(4760, RECORD, "delete")] },
                        serving: { events: [pre(5000, FB, "update"), pre(5000, RECORD), done(5070, RECORD), done(5400, FB, "update")] },
                    },
                },
            },
        }));
        const clock = new Clock();
        const checkCalls: string[] = [];
        const unprotected: string[][] = [];
        let stdout = "";
        const code = await failback(["--project", path.join(dir, "project"), "--out", path.join(dir, "reports"), "--parallel", "8"],
            { cwd: dir, stdout: (t) => { stdout += t; }, stderr: (t) => { stdout += t; } },
            {
                checks: fakeChecks(clock, o, checkCalls), now: clock.now, eventTime: clock.eventTime, estimate: async () => MODEL, env: {},
                log: (l) => { stdout += `${l}\n`; }, onInterrupt: () => () => undefined,
                unprotect: async (stack, urn) => { unprotected.push([stack, urn]); },
            });
        const json = fs.readdirSync(path.join(dir, "reports")).find((f) => f.endsWith(".json"))!;
        const report = JSON.parse(fs.readFileSync(path.join(dir, "reports", json), "utf8")) as FailbackReport;
        const md = fs.readFileSync(path.join(dir, "reports", json.replace(/\.json$/, ".md")), "utf8");
        const calls = fs.readFileSync(process.env.FAKE_PULUMI_LOG!, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
        const stateFile = process.env.FAKE_PULUMI_STATE!;
        const fake = (fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, "utf8")) : {}) as Record<string, Record<string, string>>;
        return { code, report, md, calls, checkCalls, unprotected, stdout, fake };
    }

    it("fails back with RPO 0: every phase in order, a preview before every up, the canaries in region A, the measured write downtime", async () => {
        const { code, report, md, calls, checkCalls, unprotected, stdout, fake } = await run();
        expect(report.failures).to.deep.equal([]);
        expect(code).to.equal(0);
        expect(report.phases.map((p) => [p.phase, p.status])).to.deep.equal([
            ["prepare", "ok"], ["replicate-back", "ok"], ["backfill", "ok"], ["recover", "ok"], ["stop-writes", "ok"],
            ["canary", "ok"], ["drain", "ok"], ["promote", "ok"], ["verify", "ok"], ["standby", "ok"],
        ]);
        // Every up previewed first, on the stack the phase is about.
        const ops = calls.filter((c) => c[0] === "preview" || c[0] === "up").map((c) => `${c[0]} ${c[c.indexOf("--stack") + 1]}`);
        expect(ops).to.deep.equal(["preview dr", "up dr", "preview primary", "up primary", "preview primary", "up primary", "preview dr", "up dr"]);
        expect(fake.dr).to.deep.equal({ "vbr:drState": "standby" });
        expect(fake.primary).to.deep.equal({ "vbr:primaryState": "serving", "vbr:drStack": "dr", "vbr:dbFailbackId": ID });
        expect(unprotected).to.deep.equal([["dr", BACKUPS], ["dr", REPLICA]]);
        expect(checkCalls).to.deep.equal([
            ...["documents", "reports", "audit"].map((b) => `batchReplicate arn:aws:s3:::vbr-prod-${b}-us-west-2 123456789012 arn:aws:iam::123456789012:role/vbr-prod-docs-batch-replication-1a2b`),
            "stopWrites us-west-2 vbr-prod-app-cluster-1a2b/vbr-prod-app-service-3c4d",
            "credentials us-west-2", "writeCanaryRow vbr-prod-postgres.c0.us-west-2.rds.amazonaws.com failback-20261204t0930",
            "writeCanary s3://vbr-prod-documents-us-west-2/failback-canary/failback-20261204t0930.txt -> vbr-prod-documents-us-east-1",
            "credentials us-east-1", `canaryRowVisible vbr-prod-postgres-fb${ID}.c0.us-east-1.rds.amazonaws.com`, "canaryReplicated",
            "replicationDrained " + ["documents", "reports", "audit"].map((b) => `vbr-prod-${b}-us-west-2>vbr-prod-${b}-us-east-1:${b}-to-us-east-1`).join(","),
            "credentials us-east-1", "databaseWritable", `canaryRowVisible vbr-prod-postgres-fb${ID}.c0.us-east-1.rds.amazonaws.com`, "canaryReplicated",
            "endpointHealthy https://app.example.com/health",
        ]);
        expect(report.rpo).to.deep.include({ zero: true, database: true, documents: true });
        // Writes are asked to stop when the recover up has ended (4760 s); the promote up ends at 5400 s and the promoted
        // database accepts a write 2 s later: 642 s.
        expect(report.writeDowntime).to.deep.include({ from: "2026-12-04T10:49:20.000Z", to: "2026-12-04T11:00:02.000Z", minutes: 10.7, modelP90Minutes: 32 });
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
        ]);
        expect(report.resources.map((r) => [r.phase, r.urn.split("::").pop(), r.op, r.seconds])).to.deep.equal([
            ["replicate-back", "vbr-prod-docs-batch-replication", "create", 15],
            ["recover", `vbr-prod-db-failback-${ID}`, "create", 2700], ["recover", "vbr-prod-dns-primary", "delete", 60],
            ["promote", "vbr-prod-dns-primary", "create", 70], ["promote", `vbr-prod-db-failback-${ID}`, "update", 400],
            ["standby", "vbr-prod-db-backups", "delete", 30], ["standby", "vbr-prod-db-replica", "delete", 40],
        ]);
        expect(stdout).to.match(/\[1\/10 prepare\] failback 20261204t0930: dr \(region B\) back to primary \(region A\)/);
        expect(stdout).to.match(/\[8\/10 promote\] primary: vbr:primaryState=serving .* \(model p50 1 min, p90 2 min\)/);
        expect(stdout).to.match(/RPO 0, write downtime 10\.7 min \(model p90 32\), 0 failure\(s\)/);
        expect(md).to.match(/^# Failback report: dr -> primary \(failback 20261204t0930\) ✅ passed/);
        expect(md).to.contain("- RPO: **0** (database ✅, documents ✅)");
    });

    it("exits 1 when the canary row is missing in region A after the promotion: RPO not proven 0, region B stays stopped", async () => {
        const { code, report, checkCalls } = await run({ rowMissingInA: true });
        expect(code).to.equal(1);
        expect(report.rpo).to.deep.include({ zero: false, database: false, documents: true });
        expect(report.failures.map((f) => [f.phase, f.message])).to.deep.equal([
            ["verify", `RPO not 0: the canary row failback-${ID} is not in vbr-prod-postgres-fb${ID}.c0.us-east-1.rds.amazonaws.com:5432 (last: not there)`],
        ]);
        expect(report.phases.map((p) => p.status)).to.deep.equal(["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "failed", "skipped"]);
        // The promotion ran: region B's writers are never resumed from then on (both regions would take writes).
        expect(checkCalls.filter((c) => c.startsWith("resumeWrites"))).to.deep.equal([]);
        expect(report.nextSteps[0]).to.match(/^The promotion was started: region B's writers stay stopped/);
    });

    it("resumes region B's writers when the S3 backlog does not drain, and never promotes", async () => {
        const { code, report, calls, checkCalls, fake } = await run({ drainFails: true });
        expect(code).to.equal(1);
        expect(report.failures.map((f) => [f.phase, f.message])).to.deep.equal([["drain", "S3 replication did not drain within 60 min (pending: documents-to-us-east-1: 4)"]]);
        expect(checkCalls.filter((c) => c.startsWith("resumeWrites"))).to.deep.equal(["resumeWrites vbr-prod-app-service-3c4d 3 3-12"]);
        expect(calls.filter((c) => c[0] === "up").length).to.equal(2);
        expect(fake.primary["vbr:primaryState"]).to.equal("recovering");
        expect(report.writeDowntime.minutes).to.equal(null);
        expect(report.nextSteps).to.deep.equal([`Region B serves again (its service was resumed). Fix the failure above, then run npm run failback again: it resumes failback ${ID}.`]);
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
        const { code, report, calls } = await run();
        expect(code).to.equal(1);
        expect(report.failures[0]).to.deep.equal({ phase: "prepare", urn: null, message: "dr has vbr:drState=standby: a failback starts from a DR stack in failover" });
        expect(calls.filter((c) => c[0] === "up" || c[0] === "preview")).to.deep.equal([]);
    });

    it("refuses a second failback once the primary serves from its failback instance (only the DR stack's return is left)", async () => {
        fs.appendFileSync(path.join(dir, "project", "Pulumi.primary.yaml"), `  vbr:dbFailbackId: "${ID}"\n`);
        const promoted = { ...PRIMARY_SERVING, replicationSource: db(`vbr-prod-postgres-fb${ID}`, "us-east-1") };
        const { code, report, calls } = await run({ primaryOutputs: promoted });
        expect(code).to.equal(1);
        expect(report.failures.map((f) => f.message)).to.deep.equal([`primary already serves from its failback instance vbr-prod-postgres-fb${ID} (vbr:dbFailbackId ${ID}): ` +
            "only the DR stack's return to standby is left; do it by hand (README, \"After a failover: failback\", step 6), not with a new failback"]);
        expect(calls.filter((c) => c[0] === "up" || c[0] === "preview")).to.deep.equal([]);
    });

    it("usage errors exit 2 before touching a stack", async () => {
        let err = "";
        const code = await failback(["--dr", "primary", "--project", path.join(dir, "project")], { cwd: dir, stdout: () => undefined, stderr: (t) => { err += t; } });
        expect([code, err]).to.deep.equal([2, "error: --dr primary has vbr:role=primary; it must be the dr stack\n"]);
    });
});
