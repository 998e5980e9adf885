// What a drill checks in AWS, behind one interface: the real checks here, a fake in the fast tests (tests/drill) and
// AWS's API emulator in `npm run test:aws` (tests/aws).
//
// The endpoint is probed over HTTPS with Node's fetch; the database from inside the VPC by one-off ECS tasks
// (tasks.ts), never from this machine; S3, RDS, Secrets Manager, CloudWatch and STS through the AWS SDK v3 with the
// default credential chain. No check reads a secret's value. Every check returns a result instead of throwing, so
// the report can list each failure with the step it happened in.
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DBInstanceAutomatedBackup, DescribeDBInstanceAutomatedBackupsCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsClientOptions, clientConfig, fmtWait, message, notFound, sleep } from "./aws";
import { TaskRequest, TaskRun, TaskRunner } from "./tasks";
import { AuditRecordWindow, verifyAuditRecord } from "../verify/audit";
import { DrEvent, recordEvent, RecordOptions } from "../verify/record";

export interface CheckResult {
    ok: boolean;
    /** What was checked and what was found, for the report. */
    detail: string;
}

/** A canary object written to a primary bucket before the drill, whose replica the drill looks for. */
export interface Canary {
    sourceBucket: string;
    sourceRegion: string;
    replicaBucket: string;
    replicaRegion: string;
    key: string;
    /** Epoch ms when the canary was written. */
    writtenAt: number;
    /** The version S3 gave the object (versioned buckets): the one the drill deletes afterwards. */
    versionId?: string;
}

export interface DrillChecks {
    /** Who the credentials are (STS GetCallerIdentity): the drill's prerequisite. */
    callerIdentity(region: string): Promise<CheckResult & { account?: string; arn?: string }>;
    /** Writes the canary object to the primary bucket (before the drill). */
    writeCanary(c: Omit<Canary, "writtenAt" | "versionId">): Promise<CheckResult & { writtenAt?: number; versionId?: string }>;
    /** Deletes the canary's version from the primary bucket and, if it replicated, from the DR bucket. */
    deleteCanary(c: Canary): Promise<CheckResult>;
    /**
     * Polls the endpoint's health URL over HTTPS until it answers 2xx, the time runs out or `signal` aborts;
     * `healthyAt` in epoch ms.
     */
    endpointHealthy(url: string, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { healthyAt?: number }>;
    /**
     * Proves the database secret replicated to `region` without reading its value: the replica exists there
     * (DescribeSecret) and the primary reports its replication to `region` InSync.
     */
    secretReplicated(primarySecretArn: string, replicaSecretArn: string, region: string): Promise<CheckResult>;
    /**
     * Polls the SOURCE object's `ReplicationStatus` (HeadObject in the source region) from the write on, until it
     * is COMPLETED or FAILED, `timeoutMs` after the write have passed, or `signal` aborts; then confirms the replica
     * exists in the DR bucket. `completedAt` (epoch ms) is when COMPLETED was first seen, at most one poll interval
     * after S3 finished: the replication lag is `completedAt - writtenAt`. (A replica keeps the source's
     * Last-Modified, so the replica's timestamps cannot measure the lag.) Started right after the write, so the
     * poll runs while `pulumi up` does.
     */
    canaryReplicated(c: Canary, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { status?: string; completedAt?: number }>;
    /**
     * Newest instant the DR region's replicated automated backups of `sourceDbArn` can restore to (epoch ms), as of
     * the call.
     */
    latestRestorableTime(region: string, sourceDbArn: string): Promise<CheckResult & { time?: number }>;
    /** Whether a DB snapshot named `snapshotId` exists in `region` (a drill id already used names one). */
    snapshotExists(region: string, snapshotId: string): Promise<CheckResult & { exists?: boolean }>;
    /**
     * The audit record of the operation's window (tools/verify/audit.ts): the CloudTrail digest chain of each trail named
     * (default the primary's) and the audit bucket's replica. Not ok on a broken chain or a missing or different replica.
     */
    auditRecord(o: AuditRecordWindow): Promise<CheckResult>;
    /** Writes the operation's report to the audit bucket under Object Lock (tools/verify/record.ts). */
    recordReport(event: DrEvent, o: Pick<RecordOptions, "targets" | "lock">): Promise<CheckResult>;
    /** The read replica's lag: the maximum of CloudWatch `AWS/RDS ReplicaLag` over the last 5 minutes, in seconds. */
    replicaLag(region: string, identifier: string): Promise<CheckResult & { seconds?: number }>;
    /** Runs a one-off ECS task to its end and reads its exit code and log lines (tasks.ts). */
    runTask(r: TaskRequest): Promise<TaskRun>;
}

export interface AwsDrillChecksOptions extends AwsClientOptions {
    /** Between two health probes. @default 10 s */
    pollMs?: number;
    /** Between two HeadObject calls on the canary's source: the resolution of the measured replication lag. @default 5 s */
    replicationPollMs?: number;
    /** Epoch ms now. @default Date.now */
    now?: () => number;
    /** @default setTimeout, cut short by the signal */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Between two DescribeTasks calls of a one-off task. @default 10 s */
    taskPollMs?: number;
    /** How long the health probe waits for one answer. @default 10 s */
    probeTimeoutMs?: number;
}

/** S3 reports a finished replication as COMPLETED (older API docs and some SDK enums say COMPLETE). */
const REPLICATED = new Set(["COMPLETED", "COMPLETE"]);

/** The checks against real AWS (needs credentials for both regions and network access to the endpoint). */
export class AwsDrillChecks implements DrillChecks {
    private readonly pollMs: number;
    private readonly replicationPollMs: number;
    private readonly probeTimeoutMs: number;
    private readonly now: () => number;
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    private readonly tasks: TaskRunner;

    constructor(private readonly opts: AwsDrillChecksOptions = {}) {
        this.pollMs = opts.pollMs ?? 10_000;
        this.replicationPollMs = opts.replicationPollMs ?? 5_000;
        this.probeTimeoutMs = opts.probeTimeoutMs ?? 10_000;
        this.now = opts.now ?? Date.now;
        this.sleep = opts.sleep ?? sleep;
        this.tasks = new TaskRunner({ ...opts, pollMs: opts.taskPollMs, now: this.now, sleep: this.sleep });
    }

    private s3(region: string): S3Client {
        return new S3Client(clientConfig(this.opts, region, true));
    }

    async callerIdentity(region: string): Promise<CheckResult & { account?: string; arn?: string }> {
        try {
            const out = await new STSClient(clientConfig(this.opts, region)).send(new GetCallerIdentityCommand({}));
            return { ok: true, account: out.Account, arn: out.Arn, detail: `AWS credentials: ${out.Arn} (account ${out.Account})` };
        } catch (err) {
            return { ok: false, detail: `no usable AWS credentials (STS GetCallerIdentity in ${region}: ${message(err)})` };
        }
    }

    async writeCanary(c: Omit<Canary, "writtenAt" | "versionId">): Promise<CheckResult & { writtenAt?: number; versionId?: string }> {
        try {
            const writtenAt = this.now();
            const out = await this.s3(c.sourceRegion).send(new PutObjectCommand({ Bucket: c.sourceBucket, Key: c.key, Body: `vbr drill canary ${new Date(writtenAt).toISOString()}\n` }));
            return { ok: true, detail: `wrote s3://${c.sourceBucket}/${c.key}${out.VersionId ? ` (version ${out.VersionId})` : ""}`, writtenAt, versionId: out.VersionId };
        } catch (err) {
            return { ok: false, detail: `could not write the canary s3://${c.sourceBucket}/${c.key}: ${message(err)}` };
        }
    }

    async deleteCanary(c: Canary): Promise<CheckResult> {
        const done: string[] = [];
        // The version S3 gave the write, in both buckets (replication keeps version ids): a plain delete would only
        // add a delete marker and leave the canary in the bucket's history.
        for (const [bucket, region] of [[c.sourceBucket, c.sourceRegion], [c.replicaBucket, c.replicaRegion]]) {
            try {
                await this.s3(region).send(new DeleteObjectCommand({ Bucket: bucket, Key: c.key, VersionId: c.versionId }));
                done.push(`s3://${bucket}/${c.key}`);
            } catch (err) {
                // A canary that never replicated has no replica to delete.
                if (bucket === c.replicaBucket && notFound(err)) continue;
                return { ok: false, detail: `could not delete the canary s3://${bucket}/${c.key}${c.versionId ? ` version ${c.versionId}` : ""}: ${message(err)}` };
            }
        }
        return { ok: true, detail: `deleted ${done.join(" and ")}${c.versionId ? ` (version ${c.versionId})` : ""}` };
    }

    async secretReplicated(primarySecretArn: string, replicaSecretArn: string, region: string): Promise<CheckResult> {
        const primaryRegion = primarySecretArn.split(":")[3];
        try {
            const replica = await new SecretsManagerClient(clientConfig(this.opts, region)).send(new DescribeSecretCommand({ SecretId: replicaSecretArn }));
            if (replica.PrimaryRegion !== undefined && replica.PrimaryRegion !== primaryRegion) {
                return { ok: false, detail: `${replicaSecretArn} in ${region} is a replica of a secret in ${replica.PrimaryRegion}, not ${primaryRegion}` };
            }
        } catch (err) {
            return { ok: false, detail: `the database secret's replica ${replicaSecretArn} cannot be described in ${region}: ${message(err)}` };
        }
        try {
            const primary = await new SecretsManagerClient(clientConfig(this.opts, primaryRegion)).send(new DescribeSecretCommand({ SecretId: primarySecretArn }));
            const status = (primary.ReplicationStatus ?? []).find((r) => r.Region === region);
            if (status?.Status !== "InSync") {
                return { ok: false, detail: `${primarySecretArn} reports its replication to ${region} as ${status?.Status ?? "absent"}${status?.StatusMessage ? ` (${status.StatusMessage})` : ""}` };
            }
            return { ok: true, detail: `${replicaSecretArn} exists in ${region} and ${primarySecretArn} reports it InSync (no secret value read)` };
        } catch (err) {
            return { ok: false, detail: `could not describe the primary secret ${primarySecretArn} in ${primaryRegion}: ${message(err)}` };
        }
    }

    async replicaLag(region: string, identifier: string): Promise<CheckResult & { seconds?: number }> {
        const end = new Date(this.now());
        try {
            const out = await new CloudWatchClient(clientConfig(this.opts, region)).send(new GetMetricStatisticsCommand({
                Namespace: "AWS/RDS", MetricName: "ReplicaLag", Dimensions: [{ Name: "DBInstanceIdentifier", Value: identifier }],
                StartTime: new Date(end.getTime() - 5 * 60_000), EndTime: end, Period: 60, Statistics: ["Maximum"],
            }));
            const points = (out.Datapoints ?? []).map((p) => p.Maximum).filter((v): v is number => typeof v === "number");
            if (points.length === 0) return { ok: false, detail: `no ReplicaLag datapoints for ${identifier} in ${region} in the last 5 min (is the replica running?)` };
            const seconds = Math.max(...points);
            return { ok: true, seconds, detail: `ReplicaLag of ${identifier} in ${region}: at most ${seconds} s over the last 5 min (${points.length} one-minute maxima)` };
        } catch (err) {
            return { ok: false, detail: `could not read ReplicaLag of ${identifier} in ${region}: ${message(err)}` };
        }
    }

    runTask(r: TaskRequest): Promise<TaskRun> {
        return this.tasks.run(r);
    }

    async endpointHealthy(url: string, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { healthyAt?: number }> {
        const deadline = this.now() + timeoutMs;
        let last = "no answer yet";
        for (;;) {
            if (signal?.aborted) return { ok: false, detail: `${url}: stopped before it was healthy (drill interrupted; last: ${last})` };
            try {
                const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(this.probeTimeoutMs) });
                if (res.status >= 200 && res.status < 300) return { ok: true, detail: `${url} answered ${res.status}`, healthyAt: this.now() };
                last = `HTTP ${res.status}`;
            } catch (err) {
                last = message(err);
            }
            if (this.now() + this.pollMs > deadline) return { ok: false, detail: `${url} not healthy within ${fmtWait(timeoutMs)} (last: ${last})` };
            await this.sleep(this.pollMs, signal);
        }
    }

    async canaryReplicated(c: Canary, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { status?: string; completedAt?: number }> {
        const source = `s3://${c.sourceBucket}/${c.key}`;
        const replica = `s3://${c.replicaBucket}/${c.key}`;
        const s3 = this.s3(c.sourceRegion);
        const deadline = c.writtenAt + timeoutMs;
        let status = "not read yet";
        let completedAt: number | undefined;
        while (completedAt === undefined) {
            if (signal?.aborted) return { ok: false, status, detail: `${source}: stopped before its replication completed (drill interrupted; last ReplicationStatus ${status})` };
            try {
                const head = await s3.send(new HeadObjectCommand({ Bucket: c.sourceBucket, Key: c.key }));
                status = head.ReplicationStatus ?? "none";
            } catch (err) {
                if (notFound(err)) return { ok: false, status: "missing", detail: `the canary ${source} is missing from the source bucket (HeadObject: ${message(err)})` };
                // A throttle or a network blip is retried until the deadline; the last error is what the report shows.
                status = `unknown (${message(err)})`;
            }
            const at = this.now();
            if (REPLICATED.has(status)) completedAt = at;
            else if (status === "FAILED") return { ok: false, status, detail: `S3 replication of ${source} FAILED (source ReplicationStatus)` };
            else if (status === "none") return { ok: false, status, detail: `${source} has no ReplicationStatus: no replication rule applies to it` };
            else if (at + this.replicationPollMs > deadline) {
                return { ok: false, status, detail: `${source} not replicated within ${fmtWait(timeoutMs)} of the write (last ReplicationStatus ${status})` };
            } else await this.sleep(this.replicationPollMs, signal);
        }
        const lag = `${Math.round((completedAt - c.writtenAt) / 1000)} s after the write`;
        try {
            await this.s3(c.replicaRegion).send(new HeadObjectCommand({ Bucket: c.replicaBucket, Key: c.key }));
        } catch (err) {
            return { ok: false, status, completedAt, detail: `${source} ReplicationStatus ${status}, but the replica ${replica} cannot be read: ${message(err)}` };
        }
        return {
            ok: true, status, completedAt,
            detail: `${source} ReplicationStatus ${status} by ${new Date(completedAt).toISOString()} (${lag}, polled every ${this.replicationPollMs / 1000} s); replica ${replica} present`,
        };
    }

    async latestRestorableTime(region: string, sourceDbArn: string): Promise<CheckResult & { time?: number }> {
        try {
            const rds = new RDSClient(clientConfig(this.opts, region));
            let backup: DBInstanceAutomatedBackup | undefined;
            let marker: string | undefined;
            do {
                const out = await rds.send(new DescribeDBInstanceAutomatedBackupsCommand({ Marker: marker }));
                backup = (out.DBInstanceAutomatedBackups ?? []).find((b) => b.DBInstanceArn === sourceDbArn);
                marker = out.Marker;
            } while (!backup && marker);
            const latest = backup?.RestoreWindow?.LatestTime;
            if (!latest) return { ok: false, detail: `no replicated automated backups of ${sourceDbArn} in ${region}` };
            return { ok: true, time: latest.getTime(), detail: `replicated backups of ${sourceDbArn} restore up to ${latest.toISOString()}` };
        } catch (err) {
            return { ok: false, detail: `could not read the replicated backups in ${region}: ${message(err)}` };
        }
    }

    async auditRecord(o: AuditRecordWindow): Promise<CheckResult> {
        const r = await verifyAuditRecord({ ...o, now: this.now });
        return { ok: r.ok, detail: r.detail };
    }

    async recordReport(event: DrEvent, o: Pick<RecordOptions, "targets" | "lock">): Promise<CheckResult> {
        const r = await recordEvent(event, { ...o, now: this.now });
        return { ok: r.ok, detail: r.detail };
    }

    async snapshotExists(region: string, snapshotId: string): Promise<CheckResult & { exists?: boolean }> {
        try {
            const out = await new RDSClient(clientConfig(this.opts, region)).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
            const exists = (out.DBSnapshots ?? []).length > 0;
            return { ok: true, exists, detail: `DB snapshot ${snapshotId} ${exists ? "exists" : "does not exist"} in ${region}` };
        } catch (err) {
            if ((err as Error)?.name === "DBSnapshotNotFoundFault") return { ok: true, exists: false, detail: `DB snapshot ${snapshotId} does not exist in ${region}` };
            return { ok: false, detail: `could not look up the DB snapshot ${snapshotId} in ${region}: ${message(err)}` };
        }
    }
}
