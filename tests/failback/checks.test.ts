// AwsFailbackChecks with the SDK clients' send stubbed: the exact requests a failback makes to S3 Control, Application
// Auto Scaling, ECS and CloudWatch, in order, and how it reads their answers. What this cannot prove: that AWS accepts
// them (IAM, the batch role's trust, a job's manifest generation), nor the pg calls (a real database).
import { expect } from "chai";
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { AwsFailbackChecks } from "../../tools/failback/checks";

type Sent = { client: string; command: string; region: string; input: Record<string, unknown> };
const CLIENTS = { S3ControlClient, ApplicationAutoScalingClient, ECSClient, CloudWatchClient } as const;

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
});
