// AwsFailbackChecks with the SDK clients' send stubbed: the exact requests a failback makes to S3 Control, Application
// Auto Scaling, ECS, CloudWatch and CloudWatch Logs, in order, and how it reads their answers, including the canary
// row's one-off tasks (tools/failback/database.ts) run through the drill's task runner. What this cannot prove: that AWS
// accepts them (IAM, the batch role's trust, a job's manifest generation), nor what the image's validation command does
// in a real database.
import { expect } from "chai";
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { AwsFailbackChecks } from "../../tools/failback/checks";
import { awaitRowInReplica, FIND_POLL_MS, promotedChecks, seedRow } from "../../tools/failback/database";
import { Failback, initialState } from "../../tools/failback/session";

type Sent = { client: string; command: string; region: string; input: Record<string, unknown> };
const CLIENTS = { S3ControlClient, ApplicationAutoScalingClient, ECSClient, CloudWatchClient, CloudWatchLogsClient } as const;

describe("AwsFailbackChecks (stubbed SDK)", () => {
    const originals = Object.fromEntries(Object.entries(CLIENTS).map(([k, c]) => [k, c.prototype.send]));
    let sent: Sent[];
    /** Every client answers through `reply`, which sees each request in order. */
    const stub = (reply: (s: Sent) => unknown) => {
        sent = [];
        for (const [name, client] of Object.entries(CLIENTS)) {
            (client.prototype as { send: unknown }).send = async function (this: { config: { region: () => Promise<string> } }, command: { constructor: { name: string }; input: Record<string, unknown> }) {
                const s = { client: name, command: command.constructor.name, region: await this.config.region(), input: command.input };
                sent.push(s);
                return reply(s);
            };
        }
    };
    afterEach(() => { for (const [name, client] of Object.entries(CLIENTS)) (client.prototype as { send: unknown }).send = originals[name]; });
    let t = 0;
    const checks = () => new AwsFailbackChecks({ pollMs: 1000, now: () => t, sleep: async (ms) => { t += ms; } });

    it("batchReplicate: one job per bucket, S3ReplicateObject over a generated manifest of NONE/FAILED objects, polled until Complete", async () => {
        let polls = 0;
        stub((s) => (s.command === "CreateJobCommand" ? { JobId: "job-1" }
            : { Job: { Status: ++polls < 3 ? "Active" : "Complete", ProgressSummary: { TotalNumberOfTasks: 42, NumberOfTasksFailed: 0 } } }));
        const r = await checks().batchReplicate({ region: "us-west-2", accountId: "123456789012", bucketArn: "arn:aws:s3:::vbr-prod-documents-us-west-2", roleArn: "arn:aws:iam::123456789012:role/batch", token: "vbr-failback-x-documents" }, 60_000);
        expect(r).to.deep.equal({ ok: true, jobId: "job-1", total: 42, failed: 0, detail: "S3 Batch Replication job job-1 of arn:aws:s3:::vbr-prod-documents-us-west-2: 42 object(s), 0 failed" });
        expect(sent[0]).to.deep.equal({ client: "S3ControlClient", command: "CreateJobCommand", region: "us-west-2", input: {
            AccountId: "123456789012", ConfirmationRequired: false, Priority: 10, RoleArn: "arn:aws:iam::123456789012:role/batch", ClientRequestToken: "vbr-failback-x-documents",
            Description: "vbr failback: replicate what arn:aws:s3:::vbr-prod-documents-us-west-2 held before its replication rule",
            Operation: { S3ReplicateObject: {} }, Report: { Enabled: false },
            ManifestGenerator: { S3JobManifestGenerator: { SourceBucket: "arn:aws:s3:::vbr-prod-documents-us-west-2", EnableManifestOutput: false,
                Filter: { EligibleForReplication: true, ObjectReplicationStatuses: ["NONE", "FAILED"] } } },
        } });
        expect(sent.slice(1).map((s) => [s.command, s.input])).to.deep.equal(Array(3).fill(["DescribeJobCommand", { AccountId: "123456789012", JobId: "job-1" }]));
    });

    it("batchReplicate: a job with failed tasks is not ok", async () => {
        stub((s) => (s.command === "CreateJobCommand" ? { JobId: "job-2" } : { Job: { Status: "Complete", ProgressSummary: { TotalNumberOfTasks: 10, NumberOfTasksFailed: 2 } } }));
        const r = await checks().batchReplicate({ region: "us-west-2", accountId: "1", bucketArn: "arn:aws:s3:::b", roleArn: "r", token: "t" }, 60_000);
        expect([r.ok, r.failed, r.detail]).to.deep.equal([false, 2, "S3 Batch Replication job job-2 of arn:aws:s3:::b: 10 object(s), 2 failed"]);
    });

    it("stopWrites: scaling to 0-0 before the desired count (a scaling policy would raise it again), then waits for no task", async () => {
        let described = 0;
        stub((s) => {
            if (s.command === "DescribeScalableTargetsCommand") return { ScalableTargets: [{ MinCapacity: 3, MaxCapacity: 12 }] };
            if (s.command === "DescribeServicesCommand") return { services: [{ desiredCount: described++ === 0 ? 4 : 0, runningCount: described < 3 ? 2 : 0, pendingCount: 0 }] };
            return {};
        });
        const svc = { region: "us-west-2", cluster: "c", service: "s" };
        const r = await checks().stopWrites(svc, 60_000);
        expect([r.ok, r.previous]).to.deep.equal([true, { min: 3, max: 12, desired: 4 }]);
        expect(sent.map((s) => [s.command, s.region, s.input])).to.deep.equal([
            ["DescribeScalableTargetsCommand", "us-west-2", { ServiceNamespace: "ecs", ResourceIds: ["service/c/s"] }],
            ["DescribeServicesCommand", "us-west-2", { cluster: "c", services: ["s"] }],
            ["RegisterScalableTargetCommand", "us-west-2", { ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", ResourceId: "service/c/s", MinCapacity: 0, MaxCapacity: 0 }],
            ["UpdateServiceCommand", "us-west-2", { cluster: "c", service: "s", desiredCount: 0 }],
            ["DescribeServicesCommand", "us-west-2", { cluster: "c", services: ["s"] }],
            ["DescribeServicesCommand", "us-west-2", { cluster: "c", services: ["s"] }],
        ]);
        stub(() => ({}));
        expect((await checks().resumeWrites(svc, r.previous!)).ok).to.equal(true);
        expect(sent.map((s) => [s.command, s.input])).to.deep.equal([
            ["RegisterScalableTargetCommand", { ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", ResourceId: "service/c/s", MinCapacity: 3, MaxCapacity: 12 }],
            ["UpdateServiceCommand", { cluster: "c", service: "s", desiredCount: 4 }],
        ]);
    });

    it("replicationDrained: OperationsPendingReplication of every rule, latest datapoint 0 after the stop", async () => {
        let round = 0;
        stub((s) => {
            const rule = ((s.input.MetricDataQueries as Array<{ MetricStat: { Metric: { Dimensions: Array<{ Value: string }> } } }>)[0]).MetricStat.Metric.Dimensions[2].Value;
            if (rule === "documents-to-us-east-1") round++;
            return { MetricDataResults: [{ Values: rule === "reports-to-us-east-1" && round < 2 ? [3] : [0] }] };
        });
        const rules = ["documents", "reports"].map((b) => ({ region: "us-west-2", sourceBucket: `vbr-prod-${b}-us-west-2`, destinationBucket: `vbr-prod-${b}-us-east-1`, ruleId: `${b}-to-us-east-1` }));
        t = 1_000_000;
        const r = await checks().replicationDrained(rules, 900_000, 60_000);
        expect([r.ok, r.detail]).to.deep.equal([true, "OperationsPendingReplication 0 for documents-to-us-east-1, reports-to-us-east-1"]);
        expect(sent).to.have.length(4);
        expect(sent[1].input).to.deep.equal({
            StartTime: new Date(900_000), EndTime: new Date(1_060_000), ScanBy: "TimestampDescending",
            MetricDataQueries: [{ Id: "pending", MetricStat: { Stat: "Maximum", Period: 60, Metric: { Namespace: "AWS/S3", MetricName: "OperationsPendingReplication",
                Dimensions: [{ Name: "SourceBucket", Value: "vbr-prod-reports-us-west-2" }, { Name: "DestinationBucket", Value: "vbr-prod-reports-us-east-1" }, { Name: "RuleId", Value: "reports-to-us-east-1" }] } } }],
        });
    });

    it("replicationDrained: no datapoint yet is not drained", async () => {
        stub(() => ({ MetricDataResults: [{ Values: [] }] }));
        t = 0;
        const r = await checks().replicationDrained([{ region: "us-west-2", sourceBucket: "a", destinationBucket: "b", ruleId: "r" }], 0, 2_500);
        expect([r.ok, r.detail]).to.deep.equal([false, "S3 replication did not drain within 0 min (pending: r: no datapoint yet)"]);
    });

    describe("the canary row's one-off tasks: seed in region B, find in region A's replica, verify after the promotion", () => {
        const T0 = Date.parse("2026-12-04T09:30:00Z");
        const task = (region: string) => ({
            cluster: `arn:aws:ecs:${region}:123456789012:cluster/vbr-prod-app-cluster`, taskDefinition: `arn:aws:ecs:${region}:123456789012:task-definition/vbr-prod-app:7`,
            container: "app", subnets: [`subnet-${region}`], securityGroups: [`sg-${region}`], logGroup: "/vbr/vbr-prod-app/app", logStreamPrefix: "app",
        });
        const db = (id: string, region: string) => ({ identifier: id, address: `${id}.c0.${region}.rds.amazonaws.com`, port: 5432 });
        const outputs = (region: string, id: string) => ({ tasks: { value: { app: task(region) } }, database: { value: db(id, region) } });
        const CANARY = "failback-20261204t0930";

        /** Each task stops at its first DescribeTasks with the exit code and result line `answer` gives for its mode. */
        function world(answer: (mode: string, n: number) => { exit: number; result: Record<string, unknown> }) {
            let n = 0;
            const byArn = new Map<string, { exit: number; result: Record<string, unknown> }>();
            stub((s) => {
                if (s.command === "RunTaskCommand") {
                    const arn = `arn:aws:ecs:${s.region}:123456789012:task/vbr-prod-app-cluster/t${++n}`;
                    const mode = ((s.input.overrides as { containerOverrides: Array<{ command: string[] }> }).containerOverrides[0].command)[1];
                    byArn.set(arn, answer(mode, n));
                    return { tasks: [{ taskArn: arn }], failures: [] };
                }
                if (s.command === "DescribeTasksCommand") {
                    const arn = (s.input.tasks as string[])[0];
                    return { tasks: [{ taskArn: arn, lastStatus: "STOPPED", containers: [{ name: "app", exitCode: byArn.get(arn)!.exit }] }] };
                }
                const arn = `arn:aws:ecs:${s.region}:123456789012:task/vbr-prod-app-cluster/${String(s.input.logStreamName).split("/").pop()}`;
                return { events: [{ message: "connecting" }, { message: `VBR_DB_CHECK ${JSON.stringify(byArn.get(arn)!.result)}` }] };
            });
        }
        function failback() {
            t = T0;
            const f = new Failback({
                projectDir: ".", project: "vbr", primaryStack: "primary", drStack: "dr", reportBase: "unused",
                primaryConfig: { "aws:region": "us-east-1", "vbr:primaryState": "recovering", "vbr:dbFailbackId": "20261204t0930" },
                drConfig: { "aws:region": "us-west-2", "vbr:drState": "failover" },
            }, {
                checks: new AwsFailbackChecks({ taskPollMs: 1, now: () => t, sleep: async (ms) => { t += ms; } }), now: () => t,
                sleep: async (ms) => { t += ms; }, estimate: async () => null, log: () => undefined, unprotect: async () => undefined,
            });
            const state = { ...initialState(), drOutputs: outputs("us-west-2", "vbr-prod-postgres"), primaryOutputs: outputs("us-east-1", "vbr-prod-postgres-fb20261204t0930") };
            return { f, state };
        }
        const runTask = (region: string, mode: string, host: string) => ({
            cluster: `arn:aws:ecs:${region}:123456789012:cluster/vbr-prod-app-cluster`, taskDefinition: `arn:aws:ecs:${region}:123456789012:task-definition/vbr-prod-app:7`,
            launchType: "FARGATE", count: 1, startedBy: "vbr-failback",
            networkConfiguration: { awsvpcConfiguration: { subnets: [`subnet-${region}`], securityGroups: [`sg-${region}`], assignPublicIp: "DISABLED" } },
            overrides: { containerOverrides: [{ name: "app", command: ["vbr-db-check", mode], environment: [
                { name: "VBR_CANARY_ID", value: CANARY }, { name: "DB_HOST", value: host }, { name: "DB_PORT", value: "5432" },
            ] }] },
        });
        const B_HOST = "vbr-prod-postgres.c0.us-west-2.rds.amazonaws.com";
        const A_HOST = "vbr-prod-postgres-fb20261204t0930.c0.us-east-1.rds.amazonaws.com";

        it("each task on its region's app task definition, its private subnets and task security group, the host passed explicitly; read back from its log stream", async () => {
            const written = "2026-12-04T10:51:25.000Z";
            world((mode, n) => (mode === "seed" ? { exit: 0, result: { mode, canaryId: CANARY, writtenAt: written } }
                : mode === "find" ? (n < 3 ? { exit: 5, result: { mode, canaryId: CANARY, canaryWrittenAt: null, inRecovery: true } } : { exit: 0, result: { mode, canaryId: CANARY, canaryWrittenAt: written, inRecovery: true } })
                    : { exit: 0, result: { mode, canaryId: CANARY, probeId: 7, canaryWrittenAt: written, newestCanaryId: CANARY, newestCanaryWrittenAt: written } }));
            const { f, state } = failback();
            await seedRow(f, state);
            await awaitRowInReplica(f, state, 60_000);
            await promotedChecks(f, state);
            expect(f.failures).to.deep.equal([]);
            expect(sent.filter((x) => x.command === "RunTaskCommand").map((x) => [x.region, x.input])).to.deep.equal([
                ["us-west-2", runTask("us-west-2", "seed", B_HOST)],
                ["us-east-1", runTask("us-east-1", "find", A_HOST)], ["us-east-1", runTask("us-east-1", "find", A_HOST)],
                ["us-east-1", runTask("us-east-1", "verify", A_HOST)],
            ]);
            expect(sent.filter((x) => x.command !== "RunTaskCommand").slice(0, 2).map((x) => [x.client, x.command, x.region, x.input])).to.deep.equal([
                ["ECSClient", "DescribeTasksCommand", "us-west-2", { cluster: "arn:aws:ecs:us-west-2:123456789012:cluster/vbr-prod-app-cluster", tasks: ["arn:aws:ecs:us-west-2:123456789012:task/vbr-prod-app-cluster/t1"] }],
                ["CloudWatchLogsClient", "GetLogEventsCommand", "us-west-2", { logGroupName: "/vbr/vbr-prod-app/app", logStreamName: "app/app/t1", startFromHead: true, limit: 1000 }],
            ]);
            expect(state.canaryRow).to.deep.equal({ id: CANARY, writtenAt: Date.parse(written), database: "vbr-prod-postgres (us-west-2)", inReplicaAt: T0 + FIND_POLL_MS, afterPromotionAt: T0 + FIND_POLL_MS });
            expect(state.writableAt).to.equal(T0 + FIND_POLL_MS);
            f.close();
        });

        it("a promoted database that takes no write (exit 4) fails the verify; a read-only find still says the row is there", async () => {
            world((mode) => (mode === "verify" ? { exit: 4, result: { mode, canaryId: CANARY } }
                : { exit: 0, result: { mode, canaryId: CANARY, canaryWrittenAt: "2026-12-04T10:51:25.000Z", inRecovery: true } }));
            const { f, state } = failback();
            state.canaryRow = { id: CANARY, writtenAt: 0, database: "vbr-prod-postgres (us-west-2)" };
            await promotedChecks(f, state);
            expect(sent.filter((x) => x.command === "RunTaskCommand").map((x) => (x.input.overrides as { containerOverrides: Array<{ command: string[] }> }).containerOverrides[0].command[1]))
                .to.deep.equal(["verify", "find"]);
            expect(f.failures.map((x) => x.message)).to.deep.equal([
                "vbr-prod-postgres-fb20261204t0930 (us-east-1) takes no write: vbr-db-check verify (task definition arn:aws:ecs:us-east-1:123456789012:task-definition/vbr-prod-app:7 on " +
                    "arn:aws:ecs:us-east-1:123456789012:cluster/vbr-prod-app-cluster) exited 4 (the write failed (read-only copy, permissions, or the canary/probe table is missing)); last log line: connecting",
            ]);
            expect([state.writableAt, state.canaryRow.afterPromotionAt]).to.deep.equal([undefined, T0]);
            f.close();
        });
    });
});

