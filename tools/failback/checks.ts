// What a failback does and checks outside Pulumi, behind one interface: the real AWS calls here, a fake in tests.
//
// Reuses the drill's checks (the canary object and its replication, the endpoint, the one-off ECS tasks that reach the
// private databases from inside their VPC, the audit record and the report on record): AwsFailbackChecks extends
// AwsDrillChecks. Added here: S3 Batch Replication of what a bucket held before its rule existed (S3 Control CreateJob,
// S3ReplicateObject, a generated manifest of objects whose replication status is NONE or FAILED), stopping and resuming
// the writes in region B (Application Auto Scaling min/max 0, then ECS desired count 0, until no task runs), and S3's
// pending replication operations (CloudWatch). The canary row is the runner's (database.ts, with runTask). Every call
// returns a result instead of throwing; no detail ever contains a secret, and no secret value is read.
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { CreateJobCommand, DescribeJobCommand, S3ControlClient } from "@aws-sdk/client-s3-control";
import { AwsClientOptions, clientConfig, message, sleep } from "../drill/aws";
import { AwsDrillChecks, AwsDrillChecksOptions, CheckResult, DrillChecks } from "../drill/checks";

/** The ECS service that takes region B's writes. */
export interface WriterService { region: string; cluster: string; service: string }
/** Its scaling before the failback stopped it, to resume it exactly. */
export interface WriterCapacity { min: number; max: number; desired: number }
/** One S3 replication rule whose backlog must drain (the CloudWatch dimensions of its RTC metrics). */
export interface ReplicationRuleRef { region: string; sourceBucket: string; destinationBucket: string; ruleId: string }

export interface FailbackChecks extends Pick<DrillChecks, "writeCanary" | "canaryReplicated" | "endpointHealthy" | "runTask" | "auditRecord" | "recordReport"> {
    /**
     * Replicates the objects `bucketArn` held before its replication rule existed (live replication copies only new
     * writes): an S3 Batch Replication job with a generated manifest, polled until it ends; `failed` counts its failed tasks.
     */
    batchReplicate(job: { region: string; accountId: string; bucketArn: string; roleArn: string; token: string }, timeoutMs: number, signal?: AbortSignal):
        Promise<CheckResult & { jobId?: string; total?: number; failed?: number }>;
    /** Stops every writer: scaling min/max 0, desired 0, then waits until no task runs. `previous` is what to resume. */
    stopWrites(s: WriterService, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { previous?: WriterCapacity; stoppedAt?: number }>;
    /** Gives the service back its scaling and desired count (a failback that stopped before the promotion). */
    resumeWrites(s: WriterService, previous: WriterCapacity): Promise<CheckResult>;
    /**
     * Waits until every rule's OperationsPendingReplication has a datapoint after `since` and the latest one is 0 (the
     * metric comes per minute with RTC's metrics); `drainedAt` in epoch ms.
     */
    replicationDrained(rules: ReplicationRuleRef[], since: number, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { drainedAt?: number }>;
}

const resourceId = (s: WriterService) => `service/${s.cluster}/${s.service}`;

/** The real AWS calls (credentials for both regions). */
export class AwsFailbackChecks extends AwsDrillChecks implements FailbackChecks {
    private readonly aws: AwsClientOptions;
    private readonly poll: number;
    private readonly clock: () => number;
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;

    constructor(opts: AwsDrillChecksOptions = {}) {
        super(opts);
        this.aws = opts;
        this.poll = opts.pollMs ?? 10_000;
        this.clock = opts.now ?? Date.now;
        this.wait = opts.sleep ?? sleep;
    }

    async batchReplicate(job: { region: string; accountId: string; bucketArn: string; roleArn: string; token: string }, timeoutMs: number, signal?: AbortSignal) {
        const s3control = new S3ControlClient(clientConfig(this.aws, job.region));
        let jobId: string | undefined;
        try {
            const out = await s3control.send(new CreateJobCommand({
                AccountId: job.accountId, ConfirmationRequired: false, Priority: 10, RoleArn: job.roleArn, ClientRequestToken: job.token,
                Description: `vbr failback: replicate what ${job.bucketArn} held before its replication rule`,
                Operation: { S3ReplicateObject: {} },
                // The job's counts are its report: no report bucket to create, secure and clean up.
                Report: { Enabled: false },
                ManifestGenerator: { S3JobManifestGenerator: {
                    SourceBucket: job.bucketArn, EnableManifestOutput: false,
                    Filter: { EligibleForReplication: true, ObjectReplicationStatuses: ["NONE", "FAILED"] },
                } },
            }));
            jobId = out.JobId;
        } catch (err) {
            return { ok: false, detail: `could not start S3 Batch Replication of ${job.bucketArn}: ${message(err)}` };
        }
        const deadline = this.clock() + timeoutMs;
        for (;;) {
            if (signal?.aborted) return { ok: false, jobId, detail: `S3 Batch Replication job ${jobId} of ${job.bucketArn}: stopped waiting (interrupted)` };
            try {
                const { Job } = await s3control.send(new DescribeJobCommand({ AccountId: job.accountId, JobId: jobId }));
                const p = Job?.ProgressSummary;
                const total = p?.TotalNumberOfTasks ?? 0;
                const failed = p?.NumberOfTasksFailed ?? 0;
                if (Job?.Status === "Complete") {
                    return { ok: failed === 0, jobId, total, failed, detail: `S3 Batch Replication job ${jobId} of ${job.bucketArn}: ${total} object(s), ${failed} failed` };
                }
                if (Job?.Status === "Failed" || Job?.Status === "Cancelled") {
                    return { ok: false, jobId, total, failed, detail: `S3 Batch Replication job ${jobId} of ${job.bucketArn} ${Job.Status}: ${(Job.FailureReasons ?? []).map((f) => f.FailureReason).join("; ")}` };
                }
            } catch (err) {
                if (this.clock() + this.poll > deadline) return { ok: false, jobId, detail: `S3 Batch Replication job ${jobId}: ${message(err)}` };
            }
            if (this.clock() + this.poll > deadline) return { ok: false, jobId, detail: `S3 Batch Replication job ${jobId} of ${job.bucketArn} did not finish within ${Math.round(timeoutMs / 60000)} min` };
            await this.wait(this.poll, signal);
        }
    }

    async stopWrites(s: WriterService, timeoutMs: number, signal?: AbortSignal) {
        const scaling = new ApplicationAutoScalingClient(clientConfig(this.aws, s.region));
        const ecs = new ECSClient(clientConfig(this.aws, s.region));
        let previous: WriterCapacity;
        try {
            const targets = await scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [resourceId(s)] }));
            const t = targets.ScalableTargets?.[0];
            const svc = (await ecs.send(new DescribeServicesCommand({ cluster: s.cluster, services: [s.service] }))).services?.[0];
            previous = { min: t?.MinCapacity ?? 0, max: t?.MaxCapacity ?? 0, desired: svc?.desiredCount ?? 0 };
            // Scaling first: a target-tracking policy would otherwise raise the desired count again.
            await scaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", ResourceId: resourceId(s), MinCapacity: 0, MaxCapacity: 0 }));
            await ecs.send(new UpdateServiceCommand({ cluster: s.cluster, service: s.service, desiredCount: 0 }));
        } catch (err) {
            return { ok: false, detail: `could not scale ${resourceId(s)} in ${s.region} to zero: ${message(err)}` };
        }
        const deadline = this.clock() + timeoutMs;
        for (;;) {
            try {
                const svc = (await ecs.send(new DescribeServicesCommand({ cluster: s.cluster, services: [s.service] }))).services?.[0];
                const running = (svc?.runningCount ?? 0) + (svc?.pendingCount ?? 0);
                if (running === 0) return { ok: true, previous, stoppedAt: this.clock(), detail: `${resourceId(s)} in ${s.region}: no task runs (was ${previous.desired}, scaling ${previous.min}-${previous.max})` };
            } catch (err) {
                if (this.clock() + this.poll > deadline) return { ok: false, previous, detail: `${resourceId(s)}: ${message(err)}` };
            }
            if (signal?.aborted || this.clock() + this.poll > deadline) return { ok: false, previous, detail: `${resourceId(s)} in ${s.region} still runs tasks after ${Math.round(timeoutMs / 60000)} min` };
            await this.wait(this.poll, signal);
        }
    }

    async resumeWrites(s: WriterService, previous: WriterCapacity): Promise<CheckResult> {
        try {
            await new ApplicationAutoScalingClient(clientConfig(this.aws, s.region)).send(new RegisterScalableTargetCommand({
                ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", ResourceId: resourceId(s), MinCapacity: previous.min, MaxCapacity: previous.max,
            }));
            await new ECSClient(clientConfig(this.aws, s.region)).send(new UpdateServiceCommand({ cluster: s.cluster, service: s.service, desiredCount: previous.desired }));
            return { ok: true, detail: `${resourceId(s)} in ${s.region} back to ${previous.desired} task(s), scaling ${previous.min}-${previous.max}` };
        } catch (err) {
            return { ok: false, detail: `could not resume ${resourceId(s)} in ${s.region}: ${message(err)}` };
        }
    }

    async replicationDrained(rules: ReplicationRuleRef[], since: number, timeoutMs: number, signal?: AbortSignal) {
        const deadline = this.clock() + timeoutMs;
        let pending = "not read yet";
        for (;;) {
            try {
                const open: string[] = [];
                for (const r of rules) {
                    const out = await new CloudWatchClient(clientConfig(this.aws, r.region)).send(new GetMetricDataCommand({
                        StartTime: new Date(since), EndTime: new Date(this.clock() + 60_000), ScanBy: "TimestampDescending",
                        MetricDataQueries: [{ Id: "pending", MetricStat: { Stat: "Maximum", Period: 60, Metric: {
                            Namespace: "AWS/S3", MetricName: "OperationsPendingReplication",
                            Dimensions: [{ Name: "SourceBucket", Value: r.sourceBucket }, { Name: "DestinationBucket", Value: r.destinationBucket }, { Name: "RuleId", Value: r.ruleId }],
                        } } }],
                    }));
                    const latest = out.MetricDataResults?.[0]?.Values?.[0];
                    if (latest === undefined || latest > 0) open.push(`${r.ruleId}: ${latest ?? "no datapoint yet"}`);
                }
                if (open.length === 0) return { ok: true, drainedAt: this.clock(), detail: `OperationsPendingReplication 0 for ${rules.map((r) => r.ruleId).join(", ")}` };
                pending = open.join(", ");
            } catch (err) {
                pending = message(err);
            }
            if (signal?.aborted || this.clock() + this.poll > deadline) return { ok: false, detail: `S3 replication did not drain within ${Math.round(timeoutMs / 60000)} min (pending: ${pending})` };
            await this.wait(this.poll, signal);
        }
    }
}
