// What a drill validates after `pulumi up`, behind one interface: the real AWS checks here, a fake in tests.
//
// The endpoint is probed over HTTPS with Node's fetch; the database with `pg`, with the credentials read from the
// database secret's replica in the DR region (which also proves Secrets Manager replication) unless the runner
// was given PGUSER/PGPASSWORD; S3, RDS and Secrets Manager through the AWS SDK v3 with the default credential
// chain. Every check returns a result instead of throwing, so the report can list each failure with the step it
// happened in. No result's detail ever contains a secret value.
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DBInstanceAutomatedBackup, DescribeDBInstanceAutomatedBackupsCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";
import { AuditRecordOptions, verifyAuditRecord } from "../verify/audit";
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
}

export interface DatabaseTarget {
    host: string;
    port: number;
    /** @default "postgres" (or PGDATABASE) */
    database?: string;
    /** @default - pg's own fallback (PGUSER) */
    user?: string;
    /** @default - pg's own fallback (PGPASSWORD) */
    password?: string;
}

/** The database secret's JSON (components/database.ts writes `username` and `password`). */
export interface DatabaseCredentials {
    username: string;
    password: string;
}

export interface DrillChecks {
    /** Writes the canary object to the primary bucket (before the drill). */
    writeCanary(c: Omit<Canary, "writtenAt">): Promise<CheckResult & { writtenAt?: number }>;
    /**
     * Polls the endpoint's health URL over HTTPS until it answers 2xx, the time runs out or `signal` aborts;
     * `healthyAt` in epoch ms.
     */
    endpointHealthy(url: string, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { healthyAt?: number }>;
    /**
     * Reads the database credentials from the secret's replica in `region` (the DR region), proving that Secrets
     * Manager replicated it. `secretArn` is the replica's ARN (the primary's with the region swapped).
     */
    databaseCredentials(secretArn: string, region: string): Promise<CheckResult & { credentials?: DatabaseCredentials }>;
    /** Connects to the drill copy, writes and reads back a row in a scratch table, and drops it. */
    databaseWritable(db: DatabaseTarget): Promise<CheckResult>;
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
     * the call: the drill reads it at its start.
     */
    latestRestorableTime(region: string, sourceDbArn: string): Promise<CheckResult & { time?: number }>;
    /** Whether a DB snapshot named `snapshotId` exists in `region` (a drill id already used names one). */
    snapshotExists(region: string, snapshotId: string): Promise<CheckResult & { exists?: boolean }>;
    /**
     * The audit record of the drill's window (tools/verify/audit.ts): the primary trail's CloudTrail digest chain and
     * the audit bucket's replica. Not ok on a broken chain or a missing or different replica.
     */
    auditRecord(o: Pick<AuditRecordOptions, "environment" | "primaryRegion" | "drRegion" | "start" | "end">): Promise<CheckResult>;
    /** Writes the drill's report to the audit bucket under Object Lock (tools/verify/record.ts). */
    recordReport(event: DrEvent, o: Pick<RecordOptions, "targets" | "lock">): Promise<CheckResult>;
}

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => { clearTimeout(timer); signal?.removeEventListener("abort", done); resolve(); };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done);
    });
}

export interface AwsDrillChecksOptions {
    /** Between two health probes. @default 10 s */
    pollMs?: number;
    /** Between two HeadObject calls on the canary's source: the resolution of the measured replication lag. @default 5 s */
    replicationPollMs?: number;
    /** Epoch ms now. @default Date.now */
    now?: () => number;
    /** @default setTimeout, cut short by the signal */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** S3 reports a finished replication as COMPLETED (older API docs and some SDK enums say COMPLETE). */
const REPLICATED = new Set(["COMPLETED", "COMPLETE"]);

/** The checks against real AWS (needs credentials for both regions and network access to the endpoint and DB). */
export class AwsDrillChecks implements DrillChecks {
    private readonly pollMs: number;
    private readonly replicationPollMs: number;
    private readonly now: () => number;
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

    constructor(opts: AwsDrillChecksOptions = {}) {
        this.pollMs = opts.pollMs ?? 10_000;
        this.replicationPollMs = opts.replicationPollMs ?? 5_000;
        this.now = opts.now ?? Date.now;
        this.sleep = opts.sleep ?? sleep;
    }

    async writeCanary(c: Omit<Canary, "writtenAt">): Promise<CheckResult & { writtenAt?: number }> {
        try {
            const s3 = new S3Client({ region: c.sourceRegion });
            const writtenAt = this.now();
            await s3.send(new PutObjectCommand({ Bucket: c.sourceBucket, Key: c.key, Body: `vbr drill canary ${new Date(writtenAt).toISOString()}\n` }));
            return { ok: true, detail: `wrote s3://${c.sourceBucket}/${c.key}`, writtenAt };
        } catch (err) {
            return { ok: false, detail: `could not write the canary s3://${c.sourceBucket}/${c.key}: ${message(err)}` };
        }
    }

    async endpointHealthy(url: string, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { healthyAt?: number }> {
        const deadline = this.now() + timeoutMs;
        let last = "no answer yet";
        for (;;) {
            if (signal?.aborted) return { ok: false, detail: `${url}: stopped before it was healthy (drill interrupted; last: ${last})` };
            try {
                const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
                if (res.status >= 200 && res.status < 300) return { ok: true, detail: `${url} answered ${res.status}`, healthyAt: this.now() };
                last = `HTTP ${res.status}`;
            } catch (err) {
                last = message(err);
            }
            if (this.now() + this.pollMs > deadline) return { ok: false, detail: `${url} not healthy within ${Math.round(timeoutMs / 60000)} min (last: ${last})` };
            await this.sleep(this.pollMs, signal);
        }
    }

    async databaseCredentials(secretArn: string, region: string): Promise<CheckResult & { credentials?: DatabaseCredentials }> {
        let text: string | undefined;
        let version: string | undefined;
        try {
            const out = await new SecretsManagerClient({ region }).send(new GetSecretValueCommand({ SecretId: secretArn }));
            text = out.SecretString;
            version = out.VersionId;
        } catch (err) {
            return { ok: false, detail: `could not read the database secret ${secretArn} in ${region}: ${message(err)}` };
        }
        // Parse errors quote the input: report the shape problem without the text.
        let parsed: unknown;
        try {
            parsed = JSON.parse(text ?? "");
        } catch {
            parsed = undefined;
        }
        const c = parsed as Partial<DatabaseCredentials> | undefined;
        if (!c || typeof c.username !== "string" || typeof c.password !== "string") {
            return { ok: false, detail: `the database secret ${secretArn} in ${region} is not JSON with string username and password` };
        }
        return {
            ok: true, credentials: { username: c.username, password: c.password },
            detail: `read ${secretArn} in ${region} (version ${version ?? "unknown"}, user ${c.username})`,
        };
    }

    async databaseWritable(db: DatabaseTarget): Promise<CheckResult> {
        const client = new Client({
            host: db.host, port: db.port, database: db.database ?? process.env.PGDATABASE ?? "postgres", user: db.user, password: db.password,
            ssl: { rejectUnauthorized: false }, connectionTimeoutMillis: 15_000,
        });
        try {
            await client.connect();
            await client.query("CREATE TABLE IF NOT EXISTS vbr_drill_probe (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())");
            const { rows } = await client.query<{ id: number }>("INSERT INTO vbr_drill_probe DEFAULT VALUES RETURNING id");
            await client.query("DROP TABLE vbr_drill_probe");
            return { ok: true, detail: `${db.host}:${db.port} accepted a write (probe row ${rows[0].id})` };
        } catch (err) {
            return { ok: false, detail: `${db.host}:${db.port} is not writable: ${message(err)}` };
        } finally {
            await client.end().catch(() => undefined);
        }
    }

    async canaryReplicated(c: Canary, timeoutMs: number, signal?: AbortSignal): Promise<CheckResult & { status?: string; completedAt?: number }> {
        const source = `s3://${c.sourceBucket}/${c.key}`;
        const replica = `s3://${c.replicaBucket}/${c.key}`;
        const s3 = new S3Client({ region: c.sourceRegion });
        const deadline = c.writtenAt + timeoutMs;
        let status = "not read yet";
        let completedAt: number | undefined;
        while (completedAt === undefined) {
            if (signal?.aborted) return { ok: false, status, detail: `${source}: stopped before its replication completed (drill interrupted; last ReplicationStatus ${status})` };
            try {
                const head = await s3.send(new HeadObjectCommand({ Bucket: c.sourceBucket, Key: c.key }));
                status = head.ReplicationStatus ?? "none";
            } catch (err) {
                // A throttle or a network blip is retried until the deadline; the last error is what the report shows.
                status = `unknown (${message(err)})`;
            }
            const at = this.now();
            if (REPLICATED.has(status)) completedAt = at;
            else if (status === "FAILED") return { ok: false, status, detail: `S3 replication of ${source} FAILED (source ReplicationStatus)` };
            else if (status === "none") return { ok: false, status, detail: `${source} has no ReplicationStatus: no replication rule applies to it` };
            else if (at + this.replicationPollMs > deadline) {
                return { ok: false, status, detail: `${source} not replicated within ${Math.round(timeoutMs / 60000)} min of the write (last ReplicationStatus ${status})` };
            } else await this.sleep(this.replicationPollMs, signal);
        }
        const lag = `${Math.round((completedAt - c.writtenAt) / 1000)} s after the write`;
        try {
            await new S3Client({ region: c.replicaRegion }).send(new HeadObjectCommand({ Bucket: c.replicaBucket, Key: c.key }));
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
            const rds = new RDSClient({ region });
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

    async auditRecord(o: Pick<AuditRecordOptions, "environment" | "primaryRegion" | "drRegion" | "start" | "end">): Promise<CheckResult> {
        const r = await verifyAuditRecord({ ...o, now: this.now });
        return { ok: r.ok, detail: r.detail };
    }

    async recordReport(event: DrEvent, o: Pick<RecordOptions, "targets" | "lock">): Promise<CheckResult> {
        const r = await recordEvent(event, { ...o, now: this.now });
        return { ok: r.ok, detail: r.detail };
    }

    async snapshotExists(region: string, snapshotId: string): Promise<CheckResult & { exists?: boolean }> {
        try {
            const out = await new RDSClient({ region }).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
            const exists = (out.DBSnapshots ?? []).length > 0;
            return { ok: true, exists, detail: `DB snapshot ${snapshotId} ${exists ? "exists" : "does not exist"} in ${region}` };
        } catch (err) {
            if ((err as Error)?.name === "DBSnapshotNotFoundFault") return { ok: true, exists: false, detail: `DB snapshot ${snapshotId} does not exist in ${region}` };
            return { ok: false, detail: `could not look up the DB snapshot ${snapshotId} in ${region}: ${message(err)}` };
        }
    }
}
