// The drill runner against a fake `pulumi` first on PATH (tests/fixtures/fake-pulumi/pulumi) that replays recorded
// engine events through the real Automation API, with the AWS checks faked (tests/drill/fixtures.ts): exact report
// numbers, exit codes, the CLI calls made, and what is left on disk. The fake streams events the way the Automation
// API expects for the version it reports: a tailed --event-log file up to 3.205, the SDK's gRPC EventsService above
// (both run below). What this cannot prove: the real engine's event contents beyond the recorded ones, and the AWS
// checks themselves (npm run test:aws runs those against AWS's API emulator; checks.test.ts stubs the SDK).
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as drill } from "../../tools/drill";
import { RPO_METHOD } from "../../tools/drill/report";
import { parseStackConfig } from "../../stacks/config";
import { loadProject, stackConfig } from "../../tools/harness/project";
import type { InterruptHandler } from "../../tools/drill/session";
import {
    BUCKET, DB, DR_DRILL_OUT, DRILL_ID, drillEvents, Env, fakeChecks, FAKE_DIR, MODEL, NAT, opStates, ops, pre, PRIMARY_TASK, ROOT, runDrill,
    scratchProject, SECRET, shortUrn, standbyEvents, SVC, T0, UP0, VALIDATION_TASK,
} from "./fixtures";

const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const ALL_OPS = ["refresh:standby", "preview:drill", "up:drill", "preview:standby", "up:standby"];

describe("drill runner (fake pulumi CLI, fake AWS checks)", function () {
    this.timeout(60_000);
    const env = {} as Env;
    const saved = { PATH: process.env.PATH };
    let stackFileHash: string;
    const marker = () => path.join(env.project, ".drill", "dr.json");

    beforeEach(() => {
        env.dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-drill-test-"));
        env.project = scratchProject(env.dir);
        stackFileHash = sha(path.join(env.project, "Pulumi.dr.yaml"));
        process.env.PATH = `${FAKE_DIR}${path.delimiter}${saved.PATH}`;
        process.env.FAKE_PULUMI_STATE = path.join(env.dir, "state.json");
        process.env.FAKE_PULUMI_LOG = path.join(env.dir, "calls.jsonl");
        process.env.FAKE_PULUMI_SCENARIO = path.join(env.dir, "scenario.json");
    });
    afterEach(() => {
        // Whatever happened, the tracked stack file is exactly as it was: every call used a temporary copy.
        expect(sha(path.join(env.project, "Pulumi.dr.yaml"))).to.equal(stackFileHash);
        process.env.PATH = saved.PATH;
        for (const k of ["FAKE_PULUMI_STATE", "FAKE_PULUMI_LOG", "FAKE_PULUMI_SCENARIO"]) delete process.env[k];
        fs.rmSync(env.dir, { recursive: true, force: true });
    });

    it("a successful drill: canaries first, refresh, a safety preview and up with the pack, validation from inside the VPC, standby, exit 0", async () => {
        const { code, report, md, calls, stdout, checks } = await runDrill(env, { events: drillEvents(500) }, [], { current: "dev" });
        expect(code).to.equal(0);
        expect(report.failures).to.deep.equal([]);
        expect(report.resources.map((m) => [shortUrn(m.urn), m.op, m.status, m.seconds, m.estimate?.key])).to.deep.equal([
            ["vpc-1", "create", "ok", 115, "aws:ec2/natGateway:NatGateway"], ["alb", "create", "ok", 158, "aws:lb/loadBalancer:LoadBalancer"],
            ["vbr-prod-db-drill", "create", "ok", 988, "restore"], ["svc", "create", "ok", 500, "aws:ecs/service:Service"],
        ]);
        // RTO from the up's start (after the 5-minute wait for the canary row) to the endpoint, 60 s after up ended.
        expect(report.rto).to.deep.equal({ minutes: 26, objectiveMinutes: 240, met: true, measuredFrom: "start of the drill's pulumi up", measuredTo: "drill endpoint healthy over HTTPS" });
        expect(report.upSeconds).to.equal(1500);
        // Database: the copy was requested 12 s into the up; the newest canary in it was written at T0 (5.2 min before).
        expect(report.rpo).to.deep.equal({
            minutes: 5.2, objectiveMinutes: 15, met: true, database: 5.2, documents: 0.8,
            databaseLatestRestorableTime: "2026-01-01T09:55:00.000Z",
            databaseCanary: {
                id: DRILL_ID, writtenAt: "2026-01-01T10:00:00.000Z", restorableAt: "2026-01-01T10:05:00.000Z",
                copyTakenAt: new Date(UP0 + 12_000).toISOString(), presentInCopy: true, newestInCopy: "2026-01-01T10:00:00.000Z",
            },
            method: RPO_METHOD,
        });
        expect(report.canary).to.deep.equal({
            source: `s3://vbr-prod-documents-us-east-1/drill-canary/${DRILL_ID}.txt`, replica: `s3://vbr-prod-documents-us-west-2/drill-canary/${DRILL_ID}.txt`,
            writtenAt: "2026-01-01T10:00:00.000Z", replicationStatus: "COMPLETED", replicationCompletedAt: "2026-01-01T10:00:45.000Z",
        });
        // The one-off tasks: the seed on the primary's app task definition, the check on the DR validation task, the delete.
        expect(checks.tasks.map((t) => [t.region, t.task.taskDefinition, t.command.join(" "), t.environment])).to.deep.equal([
            ["us-east-1", PRIMARY_TASK.taskDefinition, "vbr-db-check seed", { VBR_CANARY_ID: DRILL_ID }],
            ["us-west-2", VALIDATION_TASK.taskDefinition, "vbr-db-check verify", { VBR_CANARY_ID: DRILL_ID }],
            ["us-east-1", PRIMARY_TASK.taskDefinition, "vbr-db-check delete", { VBR_CANARY_ID: DRILL_ID }],
        ]);
        expect(checks.deleted).to.deep.equal([`s3://vbr-prod-documents-us-east-1/drill-canary/${DRILL_ID}.txt@v-1`]);
        expect(report.validation.map((v) => [v.check, v.ok])).to.deep.equal([
            ["latest restorable time of the replicated backups (at the drill's start)", true],
            ["read replica lag (CloudWatch ReplicaLag)", true],
            ["canary object written (primary documents bucket)", true],
            ["canary row seeded (primary database, one-off task)", true],
            ["canary row restorable in the DR region", true],
            ["endpoint healthy over HTTPS", true],
            ["database secret replicated to the DR region", true],
            ["drill copy: write and canary read back from inside the VPC (validation task)", true],
            ["audit record: trail digest chain and audit bucket replica", true],
            ["canary object replicated to the DR bucket", true],
        ]);
        // The audit record over the drill's window, from its start to validation.
        expect(checks.audits.map((a) => [a.environment, a.primaryRegion, a.drRegion, a.start])).to.deep.equal([["prod", "us-east-1", "us-west-2", T0]]);
        expect(checks.audits[0].end).to.be.above(T0);
        // The report goes on record in the primary's audit bucket, then its twin, locked as vbr:auditLockMode says.
        const [[event, where]] = checks.records;
        expect([event.kind, event.at, event.json, event.markdown]).to.deep.equal(["drill", T0, report, md]);
        expect(where).to.deep.equal({
            targets: [{ bucket: "vbr-prod-audit-us-east-1", region: "us-east-1" }, { bucket: "vbr-prod-audit-us-west-2", region: "us-west-2" }],
            lock: { mode: "COMPLIANCE", days: 365 },
        });
        expect(stdout).to.include("\nRecord: recorded in s3://vbr-prod-audit-us-east-1\n");
        expect(report.cleanup.map((c) => [c.check, c.ok])).to.deep.equal([["canary object deleted (both buckets)", true], ["canary row deleted (primary database)", true]]);
        // Refresh, the drill's safety preview and up with the policy pack and its derived config, then standby.
        expect(opStates(calls)).to.deep.equal(ALL_OPS);
        for (const c of calls.filter((x) => x[0] === "up" || x[0] === "preview")) {
            expect(c[c.indexOf("--policy-pack") + 1]).to.equal(path.join(env.project, "policies"));
            expect(c[c.indexOf("--policy-pack-config") + 1]).to.match(/policy-config\.(drill|standby)\.json$/);
        }
        // No config command at all: the tracked stack file is never the drill's (afterEach checks its bytes).
        expect(calls.filter((c) => c[0] === "config" || (c[0] === "stack" && c[1] === "select"))).to.deep.equal([]);
        expect(calls.filter((c) => c[0] !== "version" && !c.includes("--stack"))).to.deep.equal([]);
        expect(JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_STATE!, "utf8"))).to.deep.equal({ current: "dev", deployed: { dr: "standby" } });
        expect(fs.existsSync(marker())).to.equal(false);
        expect(report.dataSafety).to.deep.include({ ok: true, upPlanned: [] });
        expect(report.dataSafety.deleted).to.deep.equal([{ urn: DB, type: "aws:rds/instance:Instance", note: `drill copy; final snapshot vbr-prod-postgres-drill-final-${DRILL_ID}` }]);
        // Replica mode: what a failover would do instead of this restore.
        expect(report.failover).to.deep.equal({
            mode: "replica", promotion: { p50Minutes: 6, p90Minutes: 15 }, bringUp: { p50Minutes: 13.2, p90Minutes: 26.5 }, replicaLagSeconds: 2,
            detail: "a failover would promote the read replica vbr-prod-postgres in place instead of restoring: the model's promotion takes p50 6 / p90 15 min " +
                "(whole failover bring-up p50 13.2 / p90 26.5 min), and its data would be about 2 s old (the replica's lag). " +
                "This drill measured a restore of its own copy, not the promotion: the live replica is never promoted by a drill.",
        });
        expect(md).to.contain("# DR drill report: dr -> drill (a restore of its own database copy; failover mode: replica) ✅ passed");
        expect(md).to.contain("## What a failover would do\n\na failover would promote the read replica vbr-prod-postgres");
        expect(md).to.contain(`  - Database: canary row ${DRILL_ID} written 2026-01-01T10:00:00.000Z, restorable in the DR region by 2026-01-01T10:05:00.000Z, present in the copy taken`);
        expect(md).to.contain("| `vbr-prod-db-drill` | `aws:rds/instance:Instance` | create | ok | 16.5 min | 15.0 min | 25.0 min |");
        expect(stdout).to.contain("[25:00 / 240:00] 4/4 resources done");
        expect(stdout).to.contain("[2:05 / 240:00] 1/4 resources done; slowest in flight: vbr-prod-db-drill 1:53, alb 1:53");
        // The replicated backups of the primary's replicationSource, not of its serving `database` (a corruption restore).
        expect(checks.calledAt.latestRestorableTime).to.equal(T0);
        expect(checks.restorableOf).to.deep.equal(["arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres"]);
        // The id is a valid vbr:drillId (the program would reject it otherwise), and every update ran at --parallel 8.
        expect(parseStackConfig("dr", stackConfig(loadProject(ROOT), "dr", { "vbr:drillId": report.scenario.drillId })).drillId).to.equal(DRILL_ID);
        expect(calls.filter((c) => c[0] === "up" || c[0] === "preview" || c[0] === "refresh").map((c) => c[c.indexOf("--parallel") + 1])).to.deep.equal(["8", "8", "8", "8", "8"]);
        // The drill's config copy says drill, with this drill's id; the copies are gone afterwards.
        const drillConfig = calls.find((c) => c[0] === "up")![calls.find((c) => c[0] === "up")!.indexOf("--config-file") + 1];
        expect(fs.existsSync(drillConfig)).to.equal(false);
    });

    it("repeats the progress line while pulumi up runs, and stops repeating when it returns", async () => {
        const beats: Array<() => void> = [];
        let stopped = 0;
        const { stdout } = await runDrill(env, { events: drillEvents(500) }, [], { heartbeat: (fn) => { beats.push(fn); fn(); return () => { stopped++; }; } });
        expect([beats.length, stopped]).to.deep.equal([1, 1]);
        expect(stdout).to.contain("[0:00 / 240:00] 0/4 resources done\n");
    });

    it("a failed resource: reported with its step, validation skipped, the canary's result kept, standby restored, exit 1", async () => {
        const { code, report, calls } = await runDrill(env, { events: drillEvents(30, true), exitCode: 255, stderr: "error: update failed\n" });
        expect(code).to.equal(1);
        expect(report.resources.find((m) => m.urn === SVC)).to.deep.include({ status: "failed", seconds: 30 });
        expect(report.failures).to.deep.equal([
            { step: "up", urn: null, message: "pulumi up (drill) failed: error: update failed" },
            { step: "up", urn: SVC, message: "create aws:ecs/service:Service failed: creating ECS Service: InvalidParameterException: subnets not found" },
        ]);
        expect([report.rto.minutes, report.rto.met]).to.deep.equal([null, false]);
        // The canary's replication was polled during the up and is kept, although validation did not run.
        expect(report.canary!.replicationCompletedAt).to.equal("2026-01-01T10:00:45.000Z");
        expect(report.rpo).to.deep.include({ database: null, documents: 0.8, met: false });
        expect(report.validation.map((v) => v.check).slice(-1)).to.deep.equal(["canary object replicated to the DR bucket"]);
        expect(opStates(calls)).to.deep.equal(ALL_OPS);
        expect(report.cleanup.every((c) => c.ok)).to.equal(true);
        expect(fs.existsSync(marker())).to.equal(false);
    });

    it("a missed objective: the service takes 225 min, RTO 251.7 min > 240, exit 1 and a lesson", async () => {
        const { code, report } = await runDrill(env, { events: drillEvents(13500) });
        expect(code).to.equal(1);
        expect(report.rto).to.deep.include({ minutes: 242.7, met: false });
        expect(report.failures).to.deep.equal([{ step: "validate", urn: null, message: "RTO 242.7 min missed the objective of 240 min" }]);
        expect(report.lessonsLearned[0]).to.equal("aws:ecs/service:Service svc took 225.0 min, above the model's p90 of 10.8 min: run drill:learn and check why.");
    });

    it("a missed RPO: the canary row is not restorable in the DR region within 15 min; the drill goes on and its copy lacks the canary", async () => {
        const { code, report, checks } = await runDrill(env, { events: drillEvents(500) }, [], {
            checks: (c) => fakeChecks(c, { backupLagMs: 20 * 60_000, canaryInCopy: false }),
        });
        expect(code).to.equal(1);
        expect(report.rpo).to.deep.include({ met: false, database: null, documents: 0.8 });
        expect(report.rpo.databaseCanary).to.deep.include({ restorableAt: null, presentInCopy: false });
        expect(report.validation.find((v) => v.check === "canary row restorable in the DR region")).to.deep.include({ ok: false });
        expect(report.failures.map((f) => f.message)).to.deep.equal([
            `probe row 7 written; canary row ${DRILL_ID} MISSING; newest canary none. vbr-db-check verify exited 5 (the canary row is missing from this database)`,
            `RPO missed: the canary row written 2026-01-01T10:00:00.000Z was not restorable in us-west-2 within the objective of 15 min`,
        ]);
        // It waited 15 min (30 s polls) before the up.
        expect(checks.tasks.map((t) => t.command[1])).to.deep.equal(["seed", "verify", "delete"]);
    });

    it("a database check that cannot connect (exit 3) fails the drill even within the objectives", async () => {
        const { code, report } = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { verifyExit: 3 }) });
        expect(code).to.equal(1);
        expect(report.rto.met).to.equal(true);
        expect(report.failures).to.deep.equal([{
            step: "validate", urn: null,
            message: `probe row 7 written; canary row ${DRILL_ID} present (written 2026-01-01T10:00:00.000Z); newest canary ${DRILL_ID} (2026-01-01T10:00:00.000Z). ` +
                "vbr-db-check verify exited 3 (could not connect: network, TLS verification against the RDS CA bundle, or IAM/password authentication)",
        }]);
    });

    it("a broken CloudTrail digest chain over the drill's window fails the drill in validate", async () => {
        const { code, report } = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { auditOk: false }) });
        expect(code).to.equal(1);
        expect(report.failures).to.deep.equal([{
            step: "validate", urn: null, message: "trail vbr-prod-trail-us-east-1: chain BROKEN in us-east-1 (digest 20260101T110000Z: no link to the digest before it)",
        }]);
    });

    it("a drill whose report cannot be put on record in the audit bucket exits 1, its local report written", async () => {
        const { code, report, stdout } = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { recordOk: false }) });
        expect([code, report.exitCode, report.failures]).to.deep.equal([1, 0, []]);
        expect(stdout).to.include("\nRecord: NOT recorded in the audit bucket: AccessDenied\n");
    });

    it("restore mode: the report says a failover restores like this drill, and reads no replica lag", async () => {
        fs.appendFileSync(path.join(env.project, "Pulumi.dr.yaml"), "");
        const file = path.join(env.project, "Pulumi.dr.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("vbr:drDatabase: replica", "vbr:drDatabase: restore"));
        stackFileHash = sha(file);
        const { code, report, md } = await runDrill(env, { events: drillEvents(500) });
        expect(code).to.equal(0);
        expect(report.failover).to.deep.equal({ mode: "restore", promotion: null, replicaLagSeconds: null, detail: "a failover restores a new Multi-AZ instance from the replicated backups, as this drill restored its copy: the drill's RTO and database RPO are what a failover would take" });
        expect(report.validation.map((v) => v.check)).not.to.include("read replica lag (CloudWatch ReplicaLag)");
        expect(md).to.contain("(a restore of its own database copy; failover mode: restore)");
    });

    it("--keep leaves the stack in drill and the marker; a new drill refuses to start; --resume returns to standby", async () => {
        const kept = await runDrill(env, { events: drillEvents(500) }, ["--keep"]);
        expect(kept.code).to.equal(0);
        expect(ops(kept.calls)).to.deep.equal(["refresh", "preview", "up"]);
        expect(kept.report.dataSafety.detail).to.equal("--keep: the stack stays in drill (npm run drill -- --resume returns it to standby); nothing was deleted");
        expect(JSON.parse(fs.readFileSync(marker(), "utf8"))).to.deep.include({ drillId: DRILL_ID, upStarted: true, canaries: {} });

        const again = await runDrill(env, { events: drillEvents(500) }, [], { keepState: true });
        expect(again.code).to.equal(2);
        expect(again.stderr).to.equal(`error: the drill ${DRILL_ID} of dr (started 2026-01-01T10:00:00.000Z) did not finish: dr may still be in drill and its canaries may still exist. Run \`npm run drill -- --resume\` to finish it, then start a new drill\n`);

        fs.rmSync(process.env.FAKE_PULUMI_LOG!);
        const resumed = await runDrill(env, { events: drillEvents(500) }, ["--resume"], { keepState: true });
        expect(resumed.code).to.equal(0);
        expect(opStates(resumed.calls)).to.deep.equal(["preview:standby", "up:standby"]);
        expect(resumed.stdout).to.contain(`Resume of drill ${DRILL_ID}: dr is back in standby and the canaries are deleted\n`);
        expect(fs.existsSync(marker())).to.equal(false);
        expect(JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_STATE!, "utf8")).deployed).to.deep.equal({ dr: "standby" });
    });

    it("a data-bearing delete during the standby up fails the data-safety assertion", async () => {
        const unsafe = await runDrill(env, { events: drillEvents(500) }, [], { standbyUp: { events: standbyEvents(BUCKET) }, standbyPreview: standbyEvents() });
        expect(unsafe.code).to.equal(1);
        expect(unsafe.report.dataSafety.ok).to.equal(false);
        expect(unsafe.report.failures).to.deep.equal([{ step: "standby", urn: BUCKET, message: "a data-bearing resource was deleted or replaced by the drill's updates" }]);
    });

    describe("the engine event stream of both CLI generations", () => {
        const fresh = () => {
            for (const f of [process.env.FAKE_PULUMI_LOG!, path.join(env.dir, "reports")]) fs.rmSync(f, { recursive: true, force: true });
        };
        const eventLogs = (calls: string[][]) => calls.filter((c) => c.includes("--event-log")).map((c) => c[c.indexOf("--event-log") + 1]);
        const scenarios: Array<[string, () => { events: ReturnType<typeof drillEvents>; exitCode?: number; stderr?: string }, number]> = [
            ["a successful drill", () => ({ events: drillEvents(500) }), 0],
            ["a failed resource", () => ({ events: drillEvents(30, true), exitCode: 255, stderr: "error: update failed\n" }), 1],
        ];
        for (const [name, up, exitCode] of scenarios) {
            it(`${name}: the in-process fake CLI answers as the executable does (report, output, every command but the workspace's version probe)`, async () => {
                const spawned = await runDrill(env, up(), [], { process: true });
                fresh();
                const inProcess = await runDrill(env, up());
                // Without a PulumiCommand, LocalWorkspace.create asks the executable for its version; given one, it does not.
                // Each run's event logs and temporary stack files are directories of their own.
                const commands = (calls: string[][]) => calls.filter((c) => !(c.length === 1 && c[0] === "version"))
                    .map((c) => c.map((a) => a.replace(/automation-logs-(up|preview)-[^/]+/, "automation-logs-$1").replace(/vbr-drill-[A-Za-z0-9]{6}\//, "vbr-drill-X/")));
                expect(spawned.calls.filter((c) => c.length === 1 && c[0] === "version")).to.have.length(2);
                expect(inProcess.calls.filter((c) => c.length === 1 && c[0] === "version")).to.have.length(1);
                expect(commands(inProcess.calls)).to.deep.equal(commands(spawned.calls));
                expect([inProcess.code, inProcess.stdout, inProcess.report]).to.deep.equal([exitCode, spawned.stdout, spawned.report]);
            });

            it(`${name}: the same report and exit code from a tailed event file (3.200) and the gRPC event stream (3.248)`, async () => {
                const file = await runDrill(env, up(), [], { version: "v3.200.0", process: true });
                fresh();
                const grpc = await runDrill(env, up(), [], { version: "v3.248.0", process: true });
                expect(eventLogs(file.calls)).to.have.length(4);
                for (const log of eventLogs(file.calls)) expect(log).to.match(/automation-logs-(up|preview)-[^/]+\/eventlog\.txt$/);
                expect(eventLogs(grpc.calls)).to.have.length(4);
                for (const log of eventLogs(grpc.calls)) expect(log).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
                expect([file.code, grpc.code]).to.deep.equal([exitCode, exitCode]);
                expect(grpc.report).to.deep.equal(file.report);
                // Each resource exactly once: not empty, and not twice (duplicate engine events are dropped).
                expect(grpc.report.resources.map((m) => [shortUrn(m.urn), m.status])).to.deep.equal(
                    [["vpc-1", "ok"], ["alb", "ok"], ["vbr-prod-db-drill", "ok"], ["svc", exitCode === 0 ? "ok" : "failed"]]);
                expect(grpc.report.dataSafety.planned.map((p) => p.urn)).to.deep.equal([DB]);
            });
        }
    });

    it("a signal during up stops the CLI's update, skips validation, returns to standby and still writes the report (exit 1)", async () => {
        let interrupt: InterruptHandler | undefined;
        const { code, report, calls } = await runDrill(env, { events: drillEvents(500).slice(0, 7), waitForSignal: true }, [], {
            version: "v3.248.0", process: true,
            onInterrupt: (h) => { interrupt = h; return () => { interrupt = undefined; }; },
            onEvent: (e) => { if (e.resOutputsEvent?.metadata.urn === NAT) interrupt!("SIGTERM", false); },
        });
        expect(code).to.equal(1);
        expect(calls.filter((c) => c[0] === "signal")).to.deep.equal([["signal", "SIGINT"]]);
        expect(report.failures).to.deep.equal([
            { step: "up", urn: null, message: "pulumi up (drill) stopped by SIGTERM: error: update canceled" },
            { step: "up", urn: null, message: "drill interrupted by SIGTERM" },
        ]);
        expect(report.resources.map((m) => [shortUrn(m.urn), m.status])).to.deep.equal([["vpc-1", "ok"], ["vbr-prod-db-drill", "in-flight"], ["alb", "in-flight"]]);
        expect(opStates(calls)).to.deep.equal(ALL_OPS);
        expect(report.cleanup.map((c) => c.ok)).to.deep.equal([true, true]);
        expect(fs.existsSync(marker())).to.equal(false);
        expect(interrupt).to.equal(undefined);
    });

    it("a second Ctrl-C that stops the CLI's return to standby does not skip it: the runner starts it again", async () => {
        let interrupt: InterruptHandler | undefined;
        let returns = 0;
        const { code, report, calls, stdout } = await runDrill(env, { events: drillEvents(500) }, [], {
            onInterrupt: (h) => { interrupt = h; return () => undefined; },
            // The CLI got both Ctrl-Cs itself (a terminal's process group) and cancelled the first standby up.
            standbyUp: [{ events: [], exitCode: 255, stderr: "error: update canceled\n" }, { events: standbyEvents() }],
            standbyPreview: standbyEvents(),
            onLog: (line) => { if (line === "Returning dr to standby" && returns++ === 0) { interrupt!("SIGINT", true); interrupt!("SIGINT", true); } },
        });
        expect(code).to.equal(1);
        // The runner forwarded nothing and ran the preview and up again; the stack is back in standby.
        expect(calls.filter((c) => c[0] === "signal")).to.deep.equal([]);
        expect(opStates(calls)).to.deep.equal([...ALL_OPS, "preview:standby", "up:standby"]);
        expect(stdout).to.contain("The return to standby was stopped (pulumi up (standby) failed: error: update canceled); starting it again (attempt 2 of 5)");
        expect(stdout).to.contain("SIGINT: the drill is returning dr to standby and finishes that first (pulumi got the Ctrl-C too: the runner starts the return again when it stops)");
        expect(report.failures).to.deep.equal([{ step: "standby", urn: null, message: "drill interrupted by SIGINT" }]);
        expect(report.dataSafety.detail).to.match(/^No data-bearing resource was deleted/);
        expect(JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_STATE!, "utf8")).deployed).to.deep.equal({ dr: "standby" });
        expect(fs.existsSync(marker())).to.equal(false);
    });

    it("a signal before up: the stack is never changed, the canaries are deleted, the report is still written (exit 1)", async () => {
        let interrupt: InterruptHandler | undefined;
        const { code, report, calls } = await runDrill(env, { events: drillEvents(500) }, [], {
            onInterrupt: (h) => { interrupt = h; return () => undefined; },
            checks: (c) => { const f = fakeChecks(c); return { ...f, writeCanary: async (x) => { interrupt!("SIGINT", true); return f.writeCanary(x); } }; },
        });
        expect(code).to.equal(1);
        expect(report.failures).to.deep.equal([{ step: "canary", urn: null, message: "drill interrupted by SIGINT" }]);
        expect(ops(calls)).to.deep.equal([]);
        expect(report.cleanup.map((c) => c.check)).to.deep.equal(["canary object deleted (both buckets)"]);
        expect(report.dataSafety.detail).to.equal("The drill did not change the stack; nothing to return to standby.");
        expect(fs.existsSync(marker())).to.equal(false);
    });

    it("refuses the standby up when its preview would replace a data-bearing resource other than the drill copy; the marker stays", async () => {
        const { code, report, calls } = await runDrill(env, { events: drillEvents(500) }, [], { standbyPreview: [...standbyEvents(), pre(2, BUCKET, "replace", { tags: {} })] });
        expect(code).to.equal(1);
        expect(ops(calls)).to.deep.equal(["refresh", "preview", "up", "preview"]);
        expect(report.failures).to.deep.equal([{
            step: "standby", urn: BUCKET, message: "the standby preview would replace this data-bearing resource: the standby up was not run and dr stays in drill",
        }]);
        expect(report.dataSafety.planned.map((p) => [p.urn, p.op])).to.deep.equal([[DB, "delete"], [BUCKET, "replace"]]);
        expect(JSON.parse(fs.readFileSync(marker(), "utf8"))).to.deep.include({ upStarted: true, canaries: {} });
    });

    it("the drill's own preview: a data-bearing replace, or a policy violation, stops the drill before its up", async () => {
        const planned = await runDrill(env, { events: drillEvents(500) }, [], { drillPreview: { events: [pre(1, BUCKET, "replace", { tags: {} })] } });
        expect(planned.code).to.equal(1);
        expect(ops(planned.calls)).to.deep.equal(["refresh", "preview"]);
        expect(planned.report.failures).to.deep.equal([{ step: "up", urn: BUCKET, message: "the drill's preview would replace this data-bearing resource: the drill's up was not run" }]);
        expect(planned.report.dataSafety.detail).to.equal("The drill's preview would delete or replace data-bearing resources: its up was not run; nothing was changed.");
        expect(planned.report.cleanup.map((c) => c.ok)).to.deep.equal([true, true]);

        const violated = await runDrill(env, { events: drillEvents(500) }, [], {
            drillPreview: { events: [], exitCode: 255, stderr: "error: preview failed: mandatory policy violation: dr-bringup-rto-objective\n" },
        });
        expect(violated.code).to.equal(1);
        expect(violated.report.failures).to.deep.equal([{ step: "up", urn: null, message: "pulumi preview (drill, with the policy pack) failed: error: preview failed: mandatory policy violation: dr-bringup-rto-objective; the drill's up was not run" }]);
    });

    it("a stack locked by another update: the refresh fails, nothing changes, exit 1", async () => {
        const { code, report, calls } = await runDrill(env, { events: drillEvents(500) }, [], {
            refresh: { exitCode: 255, stderr: "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" },
        });
        expect(code).to.equal(1);
        expect(ops(calls)).to.deep.equal(["refresh"]);
        expect(report.failures[0].message).to.match(/^dr is locked by another update \(pulumi refresh: error: the stack is currently locked by 1 lock\(s\)\..*\): wait for it to finish; nothing was changed$/);
    });

    it("an unexpected error in validation is reported with its step, and the return to standby still runs", async () => {
        const { code, report, calls } = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { healthThrows: true }) });
        expect(code).to.equal(1);
        expect(report.failures).to.deep.equal([{ step: "validate", urn: null, message: "unexpected error: Cannot read properties of undefined (reading 'status')" }]);
        expect(opStates(calls)).to.deep.equal(ALL_OPS);
        expect(report.dataSafety.ok).to.equal(true);
    });

    it("prepare failures stop the drill before a canary or any CLI change: a taken drill id, an unreadable restorable time", async () => {
        const taken = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { snapshotExists: true }) });
        expect(taken.code).to.equal(1);
        expect(taken.report.failures).to.deep.equal([{
            step: "prepare", urn: null,
            message: `drill id ${DRILL_ID} already exists: the DB snapshot vbr-prod-postgres-drill-final-${DRILL_ID} is in us-west-2 (a drill started in the same minute?); start the drill again in a minute`,
        }]);
        expect(ops(taken.calls)).to.deep.equal([]);
        expect(taken.checks.tasks).to.deep.equal([]);
        expect(taken.report.canary).to.equal(null);

        const lrt = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { restorableTimeFails: true }) });
        expect(lrt.code).to.equal(1);
        expect(lrt.report.failures).to.deep.equal([{ step: "prepare", urn: null, message: "could not read the replicated backups in us-west-2: AccessDenied: not authorized" }]);
        expect(ops(lrt.calls)).to.deep.equal([]);
        expect(fs.existsSync(marker())).to.equal(false);
        // The report of a drill that stopped early says why each figure is missing, not "unknown" or "-".
        const why = "the drill stopped in prepare: see Failures";
        expect(lrt.md.split("\n").filter((l) => /^- (RTO|Model)|^ {2}- Database|^\| \(none/.test(l)).map((l) => l.replace(/\. Age of .*$|\. age of .*$/, ""))).to.deep.equal([
            `- RTO (start of the drill's pulumi up -> drill endpoint healthy over HTTPS): **not measured (pulumi up was not run: ${why})** against 240 min ❌`,
            `  - Database: no canary row seeded (the replicated backups' latest restorable time was not read: ${why})`,
            `- Model: p50 15.2 min, p90 25.8 min; pulumi up was not run (${why})`,
            "| (none: pulumi up was not run) | | | | | | |",
        ]);
        expect(lrt.md).to.include("(database not measured: no canary row was seeded; documents not measured: no canary object was written)");
        expect(lrt.md).to.include(`  - Documents: canary not written (${why}).`);
        expect(lrt.md).not.to.match(/\bunknown\b|took -|\| - \||\?\)/);
    });

    describe("prerequisites and guards: exit 2, one message, nothing written", () => {
        const nothingWritten = () => {
            expect(fs.existsSync(path.join(env.dir, "reports"))).to.equal(false);
            expect(fs.existsSync(marker())).to.equal(false);
        };

        it("no Pulumi CLI on PATH", async () => {
            process.env.PATH = path.join(env.dir, "empty-bin");
            const r = await runDrill(env, { events: drillEvents(500) });
            expect(r.code).to.equal(2);
            expect(r.stderr).to.equal("error: the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`), put it on PATH and log in to the state backend (`pulumi login`)\n");
            expect(r.stdout).to.equal("");
            nothingWritten();
        });

        it("no AWS credentials", async () => {
            const r = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { credentials: false }) });
            expect(r.code).to.equal(2);
            expect(r.stderr).to.equal("error: no usable AWS credentials (STS GetCallerIdentity in us-west-2: CredentialsProviderError: Could not load credentials from any providers): " +
                "configure credentials for both regions (aws configure, AWS_PROFILE or aws sso login) with the IAM actions docs/drill.md \"What it needs\" lists\n");
            expect(r.calls.map((c) => c[0])).to.deep.equal(["version"]);
            nothingWritten();
        });

        it("a stack that does not exist", async () => {
            const r = await runDrill(env, { events: drillEvents(500) }, ["--primary", "prod-east"]);
            expect(r.code).to.equal(2);
            expect(r.stderr).to.match(/^error: the stacks dr and prod-east must both exist in the state backend you are logged in to \(error: no stack named 'prod-east' found\): check `pulumi whoami -v` and `pulumi stack ls`, and deploy them first \(docs\/deploy\.md\)\n$/);
            nothingWritten();
        });

        it("--cell eu drills eu-dr against eu-primary: the CLI is asked for those stacks", async () => {
            for (const f of ["Pulumi.eu-dr.yaml", "Pulumi.eu-primary.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(env.project, f));
            const r = await runDrill(env, { events: drillEvents(500) }, ["--cell", "eu"]);
            expect(r.code).to.equal(2);
            expect(r.stderr).to.match(/^error: the stacks eu-dr and eu-primary must both exist in the state backend you are logged in to \(error: no stack named 'eu-(dr|primary)' found\)/);
            expect(r.calls.filter((c) => c.includes("--stack")).map((c) => c[c.indexOf("--stack") + 1])).to.include("eu-dr");
            nothingWritten();
        });

        it("--cell: a name that is no cell's, or --stack and --primary naming other stacks, exit 2 before touching the CLI", async () => {
            let err = "";
            const io = { cwd: ROOT, stdout: () => undefined, stderr: (t: string) => { err += t; } };
            expect(await drill(["--project", env.project, "--cell", "eu", "--stack", "dr"], io)).to.equal(2);
            expect(err).to.equal("error: --cell eu drills eu-dr; --stack dr names another stack: give one of them\n");
            err = "";
            expect(await drill(["--project", env.project, "--cell", "eu", "--primary", "primary"], io)).to.equal(2);
            expect(err).to.equal("error: --cell eu reads eu-primary; --primary primary names another stack: give one of them\n");
            err = "";
            expect(await drill(["--project", env.project, "--cell", "eu/x"], io)).to.equal(2);
            expect(err).to.match(/^error: --cell "eu\/x": a cell's name is what precedes -primary and -dr in its stack names/);
            err = "";
            expect(await drill(["--project", env.project, "--cell", "ap"], io)).to.equal(2);
            expect(err).to.match(/ap-dr/);
            expect(fs.existsSync(process.env.FAKE_PULUMI_LOG!) ? fs.readFileSync(process.env.FAKE_PULUMI_LOG!, "utf8") : "").to.equal("");
        });

        it("a DR stack not in standby, by its stack file or by its outputs", async () => {
            const deployed = await runDrill(env, { events: drillEvents(500) }, [], { deployed: "failover" });
            expect(deployed.code).to.equal(2);
            expect(deployed.stderr).to.equal("error: a drill starts only from standby, but dr has vbr:drState=standby in Pulumi.dr.yaml and drState=failover in its outputs (the last update): a DR stack in failover serves production; finish or undo what changed it before a drill\n");
            expect(ops(deployed.calls)).to.deep.equal([]);
            nothingWritten();
            const file = path.join(env.project, "Pulumi.dr.yaml");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("vbr:drState: standby", "vbr:drState: failover"));
            stackFileHash = sha(file);
            const configured = await runDrill(env, { events: drillEvents(500) });
            expect(configured.code).to.equal(2);
            expect(configured.stderr).to.contain("dr has vbr:drState=failover in Pulumi.dr.yaml and drState=standby in its outputs");
            nothingWritten();
        });

        it("pending operations (an update running, or one interrupted)", async () => {
            const r = await runDrill(env, { events: drillEvents(500) }, [], { pendingOperations: [{ type: "creating", resource: { urn: DB } }] });
            expect(r.code).to.equal(2);
            expect(r.stderr).to.equal(`error: dr has 1 pending operation(s) (creating ${DB}): an update is running, or one was interrupted. Wait for it to finish; if none is running, check the resources and clear them with \`pulumi refresh -s dr\`\n`);
            expect(ops(r.calls)).to.deep.equal([]);
            nothingWritten();
        });

        it("a drill objective the policy pack would refuse: the stack config's validation names it first", async () => {
            const file = path.join(env.project, "Pulumi.dr.yaml");
            fs.appendFileSync(file, "  vbr:drillRtoObjectiveMinutes: \"500\"\n");
            stackFileHash = sha(file);
            const r = await runDrill(env, { events: drillEvents(500) });
            expect(r.code).to.equal(2);
            expect(r.stderr).to.equal("error: Invalid configuration for stack \"dr\" (1 problem):\n  vbr:drillRtoObjectiveMinutes = \"500\": must be at most 240\n");
            expect(ops(r.calls)).to.deep.equal([]);
            nothingWritten();
        });

        it("usage errors exit 2 before touching the CLI", async () => {
            let err = "";
            const io = { cwd: ROOT, stdout: () => undefined, stderr: (t: string) => { err += t; } };
            expect(await drill(["--project", env.project, "--stack", "primary"], io)).to.equal(2);
            expect(err).to.contain('stack "primary" has vbr:role=primary; a drill runs on the dr stack');
            expect(await drill(["--parallel", "0"], io)).to.equal(2);
            expect(await drill(["--project", env.project, "--stack", "nope"], io)).to.equal(2);
            const file = path.join(env.dir, "a-file");
            fs.writeFileSync(file, "");
            err = "";
            expect(await drill(["--project", env.project, "--out", file], io)).to.equal(2);
            expect(err).to.equal(`error: --out ${file}: not a directory\n`);
            err = "";
            expect(await drill(["--project", env.project, "--out", path.join(file, "reports")], io)).to.equal(2);
            expect(err).to.equal(`error: --out ${path.join(file, "reports")}: not a writable directory (${file} is a file)\n`);
            expect(fs.existsSync(process.env.FAKE_PULUMI_LOG!)).to.equal(false);
        });
    });

    it("the secret's replication is proven from its metadata: a failed replication fails the drill", async () => {
        const { code, report } = await runDrill(env, { events: drillEvents(500) }, [], { checks: (c) => fakeChecks(c, { secretOk: false }) });
        expect(code).to.equal(1);
        expect(report.failures.map((f) => f.message)).to.deep.equal([`${SECRET("us-east-1")} reports its replication to us-west-2 as Failed`]);
        expect(DR_DRILL_OUT.secretArn).to.equal(SECRET("us-west-2"));
        expect(MODEL.resources).to.equal(4);
    });
});
