// What a drill validates after `pulumi up`, behind one interface: the real AWS checks here, a fake in tests.
//
// The endpoint is probed over HTTPS with Node's fetch; the database with `pg`, with the credentials read from the
// database secret's replica in the DR region (which also proves Secrets Manager replication) unless the runner
// was given PGUSER/PGPASSWORD; S3, RDS and Secrets Manager through the AWS SDK v3 with the default credential
// chain. Every check returns a result instead of throwing, so the report can list each failure with the step it
// happened in. No result's detail ever contains a secret value.
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeDBInstanceAutomatedBackupsCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";

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
    /** Polls the endpoint's health URL over HTTPS until it answers 2xx or the time runs out; `healthyAt` in epoch ms. */
    endpointHealthy(url: string, timeoutMs: number): Promise<CheckResult & { healthyAt?: number }>;
    /**
     * Reads the database credentials from the secret's replica in `region` (the DR region), proving that Secrets
     * Manager replicated it. `secretArn` is the replica's ARN (the primary's with the region swapped).
     */
    databaseCredentials(secretArn: string, region: string): Promise<CheckResult & { credentials?: DatabaseCredentials }>;
    /** Connects to the drill copy, writes and reads back a row in a scratch table, and drops it. */
    databaseWritable(db: DatabaseTarget): Promise<CheckResult>;
    /** Whether the canary reached the DR bucket; `replicatedAt` is the replica's Last-Modified (epoch ms). */
    canaryReplicated(c: Canary): Promise<CheckResult & { replicatedAt?: number }>;
    /** Newest instant the DR region's replicated automated backups can restore to (epoch ms). */
    latestRestorableTime(region: string, sourceDbArn: string): Promise<CheckResult & { time?: number }>;
}

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The checks against real AWS (needs credentials for both regions and network access to the endpoint and DB). */
export class AwsDrillChecks implements DrillChecks {
    constructor(private readonly pollMs = 10_000) {}

    async writeCanary(c: Omit<Canary, "writtenAt">): Promise<CheckResult & { writtenAt?: number }> {
        try {
            const s3 = new S3Client({ region: c.sourceRegion });
            const writtenAt = Date.now();
            await s3.send(new PutObjectCommand({ Bucket: c.sourceBucket, Key: c.key, Body: `vbr drill canary ${new Date(writtenAt).toISOString()}\n` }));
            return { ok: true, detail: `wrote s3://${c.sourceBucket}/${c.key}`, writtenAt };
        } catch (err) {
            return { ok: false, detail: `could not write the canary s3://${c.sourceBucket}/${c.key}: ${message(err)}` };
        }
    }

    async endpointHealthy(url: string, timeoutMs: number): Promise<CheckResult & { healthyAt?: number }> {
        const deadline = Date.now() + timeoutMs;
        let last = "no answer yet";
        for (;;) {
            try {
                const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
                if (res.status >= 200 && res.status < 300) return { ok: true, detail: `${url} answered ${res.status}`, healthyAt: Date.now() };
                last = `HTTP ${res.status}`;
            } catch (err) {
                last = message(err);
            }
            if (Date.now() + this.pollMs > deadline) return { ok: false, detail: `${url} not healthy within ${Math.round(timeoutMs / 60000)} min (last: ${last})` };
            await sleep(this.pollMs);
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

    async canaryReplicated(c: Canary): Promise<CheckResult & { replicatedAt?: number }> {
        try {
            const source = await new S3Client({ region: c.sourceRegion }).send(new HeadObjectCommand({ Bucket: c.sourceBucket, Key: c.key }));
            const replica = await new S3Client({ region: c.replicaRegion }).send(new HeadObjectCommand({ Bucket: c.replicaBucket, Key: c.key }));
            const status = source.ReplicationStatus ?? "none";
            const ok = status === "COMPLETED" && replica.LastModified !== undefined;
            return {
                ok, replicatedAt: replica.LastModified?.getTime(),
                detail: `source replication status ${status}; replica s3://${c.replicaBucket}/${c.key} ${replica.LastModified ? "present" : "missing"}`,
            };
        } catch (err) {
            return { ok: false, detail: `canary s3://${c.replicaBucket}/${c.key} not replicated: ${message(err)}` };
        }
    }

    async latestRestorableTime(region: string, sourceDbArn: string): Promise<CheckResult & { time?: number }> {
        try {
            const rds = new RDSClient({ region });
            const out = await rds.send(new DescribeDBInstanceAutomatedBackupsCommand({}));
            const backup = (out.DBInstanceAutomatedBackups ?? []).find((b) => b.DBInstanceArn === sourceDbArn);
            const latest = backup?.RestoreWindow?.LatestTime;
            if (!latest) return { ok: false, detail: `no replicated automated backups of ${sourceDbArn} in ${region}` };
            return { ok: true, time: latest.getTime(), detail: `replicated backups of ${sourceDbArn} restore up to ${latest.toISOString()}` };
        } catch (err) {
            return { ok: false, detail: `could not read the replicated backups in ${region}: ${message(err)}` };
        }
    }
}
