// One-off ECS tasks (tools/drill/tasks.ts) against moto's AWS API emulator: RunTask with the drill's network and
// overrides, DescribeTasks until STOPPED, the container's exit code, and the result line read back from CloudWatch
// Logs; then the drill's steps that use the checks (the wait for the canary row, the report's RPO) with the real
// client. moto runs no container: the test plays the container's part (writes its log line, stops the task), and
// moto reports exit code 0 for every container, so non-zero codes are covered in tests/drill.
import { expect } from "chai";
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { OneOffTask } from "../../components/service-validation";
import { AwsDrillChecks } from "../../tools/drill/checks";
import { awaitRestorable } from "../../tools/drill/canary";
import { drillReport } from "../../tools/drill/report";
import { Drill } from "../../tools/drill/session";
import { client, emulator, ENDPOINT, resetEmulator } from "./emulator";

const REGION = "us-west-2";
const checks = () => new AwsDrillChecks({ ...emulator, taskPollMs: 20 });

/** A cluster, a subnet in a VPC, a Fargate task definition with the validation container, and the app log group. */
async function world(): Promise<OneOffTask> {
    const ec2 = new EC2Client(client(REGION));
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }));
    // Private DNS names on, as in the stacks' VPCs (moto's task network interfaces need them too).
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.Vpc!.VpcId!, EnableDnsHostnames: { Value: true } }));
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: "10.20.1.0/24" }));
    const ecs = new ECSClient(client(REGION));
    const cluster = await ecs.send(new CreateClusterCommand({ clusterName: "vbr-prod-app-cluster" }));
    const td = await ecs.send(new RegisterTaskDefinitionCommand({
        family: "vbr-prod-app-validate", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512",
        containerDefinitions: [{ name: "validate", image: "123456789012.dkr.ecr.us-west-2.amazonaws.com/vbr-prod/app:stable", memory: 512, cpu: 256, command: ["vbr-db-check", "verify"] }],
    }));
    await new CloudWatchLogsClient(client(REGION)).send(new CreateLogGroupCommand({ logGroupName: "/vbr/vbr-prod-app/app" }));
    return {
        cluster: cluster.cluster!.clusterArn!, taskDefinition: td.taskDefinition!.taskDefinitionArn!, container: "validate",
        subnets: [subnet.Subnet!.SubnetId!], securityGroups: ["sg-0123456789abcdef0"], logGroup: "/vbr/vbr-prod-app/app", logStreamPrefix: "validate",
    };
}

/** Plays the container: waits for the task, writes `lines` to its awslogs stream, stops it. Returns the task's overrides. */
async function container(task: OneOffTask, lines: string[] | null): Promise<unknown> {
    const ecs = new ECSClient(client(REGION));
    let arn: string | undefined;
    for (let i = 0; i < 200 && !arn; i++) {
        arn = (await ecs.send(new ListTasksCommand({ cluster: task.cluster }))).taskArns?.[0];
        if (!arn) await new Promise((r) => setTimeout(r, 10));
    }
    if (!arn) throw new Error("no task was started");
    const described = (await ecs.send(new DescribeTasksCommand({ cluster: task.cluster, tasks: [arn] }))).tasks![0];
    if (lines) {
        const logs = new CloudWatchLogsClient(client(REGION));
        const stream = `validate/validate/${arn.slice(arn.lastIndexOf("/") + 1)}`;
        await logs.send(new CreateLogStreamCommand({ logGroupName: task.logGroup, logStreamName: stream }));
        await logs.send(new PutLogEventsCommand({ logGroupName: task.logGroup, logStreamName: stream, logEvents: lines.map((message, i) => ({ message, timestamp: Date.now() + i })) }));
    }
    await ecs.send(new StopTaskCommand({ cluster: task.cluster, task: arn, reason: "Essential container in task exited" }));
    return { overrides: described.overrides, launchType: described.launchType, group: described.startedBy };
}

describe("one-off ECS tasks against the AWS API emulator", function () {
    this.timeout(60_000);
    beforeEach(resetEmulator);

    it("runs the check in the given subnets with the command override, then reads its exit code and result line", async () => {
        const task = await world();
        const verify = 'VBR_DB_CHECK {"mode":"verify","canaryId":"20260101t1000","probeId":41,"canaryWrittenAt":"2026-01-01T10:00:00.000Z","newestCanaryId":"20260101t1000","newestCanaryWrittenAt":"2026-01-01T10:00:00.000Z"}';
        const [run, seen] = await Promise.all([
            checks().runTask({ region: REGION, task, command: ["vbr-db-check", "verify"], environment: { VBR_CANARY_ID: "20260101t1000" }, timeoutMs: 20_000 }),
            container(task, ["connecting to vbr-prod-postgres-drill as vbr_validator (IAM, TLS verify-full)", verify]),
        ]);
        expect(seen).to.deep.include({ launchType: "FARGATE", group: "vbr-drill" });
        expect((seen as { overrides: { containerOverrides: unknown[] } }).overrides.containerOverrides).to.deep.equal([{
            name: "validate", command: ["vbr-db-check", "verify"], environment: [{ name: "VBR_CANARY_ID", value: "20260101t1000" }],
        }]);
        expect(run).to.deep.include({ ok: true, exitCode: 0 });
        expect(run.output).to.deep.equal({
            mode: "verify", canaryId: "20260101t1000", probeId: 41, canaryWrittenAt: "2026-01-01T10:00:00.000Z",
            newestCanaryId: "20260101t1000", newestCanaryWrittenAt: "2026-01-01T10:00:00.000Z",
        });
        expect(run.lines).to.have.length(2);
        expect(run.detail).to.equal(`vbr-db-check verify (task definition ${task.taskDefinition} on ${task.cluster}) exited 0 (ok)`);
    });

    it("a missing canary: the check's result says so and the drill's validation would fail on it", async () => {
        const task = await world();
        const [run] = await Promise.all([
            checks().runTask({ region: REGION, task, command: ["vbr-db-check", "verify"], environment: { VBR_CANARY_ID: "20260101t1000" }, timeoutMs: 20_000 }),
            container(task, ['VBR_DB_CHECK {"mode":"verify","canaryId":"20260101t1000","probeId":42,"canaryWrittenAt":null,"newestCanaryId":null,"newestCanaryWrittenAt":null}']),
        ]);
        expect(run.output).to.deep.include({ canaryWrittenAt: null, newestCanaryWrittenAt: null });
    });

    it("a task without logs: stopped, no result line, the log problem named", async () => {
        const task = await world();
        const [run] = await Promise.all([
            checks().runTask({ region: REGION, task, command: ["vbr-db-check", "seed"], environment: { VBR_CANARY_ID: "x" }, timeoutMs: 20_000 }),
            container(task, null),
        ]);
        expect(run.output).to.equal(undefined);
        expect(run.detail).to.match(/exited 0 \(ok\) \(logs: could not read \/vbr\/vbr-prod-app\/app validate\/validate\/[0-9a-f-]+: ResourceNotFoundException/);
    });

    it("a task that never stops times out", async () => {
        const task = await world();
        // moto moves a task on by itself at every describe; held here in RUNNING, like a hung check.
        const held = await fetch(`${ENDPOINT}/moto-api/state-manager/set-transition`, {
            method: "POST", body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000 } }),
        });
        expect(held.ok).to.equal(true);
        const run = await checks().runTask({ region: REGION, task, command: ["vbr-db-check", "verify"], environment: {}, timeoutMs: 300 });
        expect(run.ok, run.detail).to.equal(false);
        expect(run.detail, run.detail).to.match(/: arn:aws:ecs:us-west-2:123456789012:task\/vbr-prod-app-cluster\/[0-9a-f-]+ did not stop within 0 s \(last status (PROVISIONING|PENDING|RUNNING)\)$/);
    });

    it("a cluster that does not exist: RunTask fails and says why", async () => {
        const task = { ...(await world()), cluster: "arn:aws:ecs:us-west-2:123456789012:cluster/nope" };
        const run = await checks().runTask({ region: REGION, task, command: ["vbr-db-check", "verify"], environment: {} });
        expect(run.ok).to.equal(false);
        expect(run.detail).to.match(/^RunTask vbr-db-check verify .* in us-west-2 failed: ClusterNotFoundException/);
    });

    it("a missed RPO: the replicated backups never reach the canary row, so the drill waits out the objective and the report fails the RPO", async () => {
        let t = Date.parse("2026-01-01T10:00:00Z");
        const d = new Drill({
            projectDir: "/nonexistent", stack: "dr", primaryStack: "primary", keep: false, reportBase: "/nonexistent/r",
            config: { "aws:region": REGION, "vbr:peerRegion": "us-east-1", "vbr:rpoObjectiveMinutes": "15" },
            files: { dir: "", config: { drill: "", standby: "" }, policyConfig: { drill: "", standby: "" }, policyPack: "", remove: () => undefined },
        }, { checks: checks(), now: () => t, sleep: async (ms) => { t += ms; }, estimate: async () => null, log: () => undefined });
        const state = d.initialState();
        state.primaryOutputs = { replicationSource: { value: { arn: "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres", identifier: "vbr-prod-postgres" } } };
        state.canaryRow = { id: "20260101t1000", writtenAt: t, detail: "seeded" };
        await awaitRestorable(d, state);
        expect(t - Date.parse("2026-01-01T10:00:00Z")).to.equal(15 * 60_000);
        const report = drillReport(d, state);
        expect(report.rpo).to.deep.include({ met: false, database: null });
        expect(report.rpo.databaseCanary).to.deep.include({ restorableAt: null });
        expect(report.validation.slice(-1)[0]).to.deep.equal({
            check: "canary row restorable in the DR region", ok: false,
            detail: "not restorable within 15 min of its write (last: no replicated automated backups of arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres in us-west-2)",
        });
        expect(report.failures.map((f) => f.message)).to.deep.equal(["RPO missed: the canary row written 2026-01-01T10:00:00.000Z was not restorable in us-west-2 within the objective of 15 min"]);
        expect(report.exitCode).to.equal(1);
    });
});
