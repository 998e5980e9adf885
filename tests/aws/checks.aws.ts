// The drill's real checks (AwsDrillChecks) against moto's AWS API emulator, and the endpoint probe against local HTTP
// and HTTPS servers: every AWS SDK v3 call as the drill makes it, for success and for each failure. Run with
// `npm run test:aws` (tools/test-aws.ts starts the emulator).
// What the emulator cannot show: S3 replication (moto never sets ReplicationStatus, so a COMPLETED canary is
// covered by tests/drill/checks.test.ts with the SDK stubbed), RDS's RestoreWindow of replicated automated backups
// (moto lists automated backups without one), IAM and KMS permissions, and real latencies.
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { AwsDrillChecks } from "../../tools/drill/checks";
import { client, emulator, resetEmulator } from "./emulator";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    return port;
}

/** A local server answering every request with `handler`; returns its URL and a stop function. */
async function serve(handler: http.RequestListener, tls?: { key: Buffer; cert: Buffer }): Promise<{ url: string; stop: () => Promise<void> }> {
    const srv = tls ? https.createServer(tls, handler) : http.createServer(handler);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    return {
        url: `${tls ? "https" : "http"}://127.0.0.1:${port}/health`,
        stop: () => new Promise((r) => { srv.closeAllConnections?.(); srv.close(() => r()); }),
    };
}

const checks = (o: ConstructorParameters<typeof AwsDrillChecks>[0] = {}) =>
    new AwsDrillChecks({ ...emulator, pollMs: 20, replicationPollMs: 20, taskPollMs: 20, probeTimeoutMs: 300, ...o });

describe("AwsDrillChecks against the AWS API emulator", function () {
    this.timeout(60_000);
    beforeEach(resetEmulator);

    describe("credentials (STS GetCallerIdentity)", () => {
        it("names the caller", async () => {
            const r = await checks().callerIdentity("us-west-2");
            expect(r).to.deep.include({ ok: true, account: "123456789012", arn: "arn:aws:sts::123456789012:user/moto" });
        });
        it("an unreachable endpoint is no usable credentials", async () => {
            const r = await new AwsDrillChecks({ ...emulator, endpoint: `http://127.0.0.1:${await closedPort()}` }).callerIdentity("us-west-2");
            expect(r.ok).to.equal(false);
            expect(r.detail).to.match(/^no usable AWS credentials \(STS GetCallerIdentity in us-west-2: .*ECONNREFUSED/);
        });
    });

    describe("the endpoint's health", () => {
        it("a 200 answer is healthy, with the time it answered", async () => {
            const srv = await serve((_req, res) => { res.writeHead(200).end("ok"); });
            try {
                const before = Date.now();
                const r = await checks().endpointHealthy(srv.url, 2_000);
                expect(r).to.deep.include({ ok: true, detail: `${srv.url} answered 200` });
                expect(r.healthyAt).to.be.within(before, Date.now());
            } finally { await srv.stop(); }
        });
        it("a 5xx answer until the deadline is not healthy, naming the last status", async () => {
            let calls = 0;
            const srv = await serve((_req, res) => { calls++; res.writeHead(503).end("starting"); });
            try {
                const r = await checks().endpointHealthy(srv.url, 500);
                expect(r).to.deep.equal({ ok: false, detail: `${srv.url} not healthy within 1 s (last: HTTP 503)` });
                expect(calls).to.be.greaterThan(2);
            } finally { await srv.stop(); }
        });
        it("an unreachable endpoint is not healthy", async () => {
            const url = `http://127.0.0.1:${await closedPort()}/health`;
            const r = await checks().endpointHealthy(url, 200);
            expect(r.ok).to.equal(false);
            expect(r.detail).to.match(new RegExp(`^${url.replace(/[/.]/g, "\\$&")} not healthy within 0 s \\(last: TypeError: fetch failed \\(ECONNREFUSED: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\)\\)$`));
        });
        it("an endpoint that never answers times out each probe, then the wait", async () => {
            const srv = await serve(() => undefined);
            try {
                const r = await checks({ probeTimeoutMs: 100 }).endpointHealthy(srv.url, 300);
                expect(r.ok).to.equal(false);
                expect(r.detail).to.match(/not healthy within 0 s \(last: TimeoutError: The operation was aborted due to timeout\)$/);
            } finally { await srv.stop(); }
        });
        it("HTTPS with a certificate that does not verify is not healthy (TLS is verified)", async function () {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-tls-"));
            try {
                execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
                    "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
            } catch {
                this.skip();
            }
            const srv = await serve((_req, res) => { res.writeHead(200).end("ok"); }, { key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) });
            try {
                const r = await checks().endpointHealthy(srv.url, 200);
                expect(r).to.deep.equal({ ok: false, detail: `${srv.url} not healthy within 0 s (last: TypeError: fetch failed (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate))` });
            } finally { await srv.stop(); fs.rmSync(dir, { recursive: true, force: true }); }
        });
    });

    describe("the canary object (S3)", () => {
        const canary = { sourceBucket: "vbr-prod-documents-us-east-1", sourceRegion: "us-east-1", replicaBucket: "vbr-prod-documents-us-west-2", replicaRegion: "us-west-2", key: "drill-canary/20260101t1000.txt" };
        const bucket = async (name: string, region: string) => {
            const s3 = new S3Client(client(region, true));
            await s3.send(new CreateBucketCommand({ Bucket: name, ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
            await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
            return s3;
        };
        const versions = async (s3: S3Client, name: string) => ((await s3.send(new ListObjectVersionsCommand({ Bucket: name }))).Versions ?? []).map((v) => v.VersionId);

        it("is written with its version, and deleting it removes exactly that version from both buckets", async () => {
            const src = await bucket(canary.sourceBucket, "us-east-1");
            const dst = await bucket(canary.replicaBucket, "us-west-2");
            const w = await checks().writeCanary(canary);
            expect(w.ok).to.equal(true);
            expect(w.versionId).to.be.a("string");
            expect(w.detail).to.equal(`wrote s3://${canary.sourceBucket}/${canary.key} (version ${w.versionId})`);
            await dst.send(new PutObjectCommand({ Bucket: canary.replicaBucket, Key: canary.key, Body: "replica" }));
            const d = await checks().deleteCanary({ ...canary, writtenAt: w.writtenAt!, versionId: w.versionId });
            expect(d.ok, d.detail).to.equal(true);
            expect(await versions(src, canary.sourceBucket)).to.deep.equal([]);
        });
        it("cannot be written to a bucket that does not exist", async () => {
            const w = await checks().writeCanary(canary);
            expect(w).to.deep.equal({ ok: false, detail: `could not write the canary s3://${canary.sourceBucket}/${canary.key}: NoSuchBucket: The specified bucket does not exist` });
        });
        it("a canary missing from the source bucket fails its replication check at once", async () => {
            await bucket(canary.sourceBucket, "us-east-1");
            const r = await checks().canaryReplicated({ ...canary, writtenAt: Date.now() }, 5_000);
            expect(r.ok).to.equal(false);
            expect(r.status).to.equal("missing");
            expect(r.detail).to.match(/^the canary s3:\/\/vbr-prod-documents-us-east-1\/drill-canary\/20260101t1000\.txt is missing from the source bucket \(HeadObject: NotFound/);
        });
        it("an object no replication rule applies to has no ReplicationStatus: not replicated", async () => {
            await bucket(canary.sourceBucket, "us-east-1");
            const w = await checks().writeCanary(canary);
            const r = await checks().canaryReplicated({ ...canary, writtenAt: w.writtenAt! }, 5_000);
            expect(r).to.deep.equal({ ok: false, status: "none", detail: `s3://${canary.sourceBucket}/${canary.key} has no ReplicationStatus: no replication rule applies to it` });
        });
    });

    describe("RDS: snapshots and replicated backups", () => {
        const rds = () => new RDSClient(client("us-west-2"));
        it("finds a snapshot by id, and says when there is none", async () => {
            await rds().send(new CreateDBInstanceCommand({ DBInstanceIdentifier: "vbr-prod-postgres-drill", Engine: "postgres", DBInstanceClass: "db.t3.micro", AllocatedStorage: 20, MasterUsername: "u", MasterUserPassword: "password1" }));
            await rds().send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "vbr-prod-postgres-drill", DBSnapshotIdentifier: "vbr-prod-postgres-drill-final-20260101t1000" }));
            expect(await checks().snapshotExists("us-west-2", "vbr-prod-postgres-drill-final-20260101t1000"))
                .to.deep.equal({ ok: true, exists: true, detail: "DB snapshot vbr-prod-postgres-drill-final-20260101t1000 exists in us-west-2" });
            expect(await checks().snapshotExists("us-west-2", "vbr-prod-postgres-drill-final-20260401t1000"))
                .to.deep.equal({ ok: true, exists: false, detail: "DB snapshot vbr-prod-postgres-drill-final-20260401t1000 does not exist in us-west-2" });
        });
        it("no replicated automated backups of the source: no restorable time (the drill stops in prepare)", async () => {
            const arn = "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres";
            expect(await checks().latestRestorableTime("us-west-2", arn)).to.deep.equal({ ok: false, detail: `no replicated automated backups of ${arn} in us-west-2` });
        });
        it("an unreachable endpoint is reported with the region", async () => {
            const r = await new AwsDrillChecks({ ...emulator, endpoint: `http://127.0.0.1:${await closedPort()}` }).snapshotExists("us-west-2", "x");
            expect(r.ok).to.equal(false);
            expect(r.detail).to.match(/^could not look up the DB snapshot x in us-west-2: .*ECONNREFUSED/);
        });
    });

    describe("the database secret's replica (Secrets Manager), by metadata", () => {
        it("a replica in the DR region that the primary reports InSync", async () => {
            const sm = new SecretsManagerClient(client("us-east-1"));
            const s = await sm.send(new CreateSecretCommand({ Name: "vbr-prod/database/master", SecretString: JSON.stringify({ username: "u", password: "p" }), AddReplicaRegions: [{ Region: "us-west-2" }] }));
            const replica = s.ARN!.replace(":us-east-1:", ":us-west-2:");
            expect(await checks().secretReplicated(s.ARN!, replica, "us-west-2"))
                .to.deep.equal({ ok: true, detail: `${replica} exists in us-west-2 and ${s.ARN} reports it InSync (no secret value read)` });
        });
        it("a secret that was never replicated has no replica to describe", async () => {
            const s = await new SecretsManagerClient(client("us-east-1")).send(new CreateSecretCommand({ Name: "vbr-prod/database/master", SecretString: "{}" }));
            const replica = s.ARN!.replace(":us-east-1:", ":us-west-2:");
            const r = await checks().secretReplicated(s.ARN!, replica, "us-west-2");
            expect(r.ok).to.equal(false);
            expect(r.detail).to.match(new RegExp(`^the database secret's replica ${replica.replace(/[/.]/g, "\\$&")} cannot be described in us-west-2: ResourceNotFoundException`));
        });
    });

    describe("the read replica's lag (CloudWatch ReplicaLag)", () => {
        it("the maximum over the last 5 minutes", async () => {
            const cw = new CloudWatchClient(client("us-west-2"));
            const now = Date.now();
            for (const [ago, value] of [[240_000, 1.5], [120_000, 4], [60_000, 2]]) {
                await cw.send(new PutMetricDataCommand({ Namespace: "AWS/RDS", MetricData: [{ MetricName: "ReplicaLag", Dimensions: [{ Name: "DBInstanceIdentifier", Value: "vbr-prod-postgres" }], Value: value, Timestamp: new Date(now - ago) }] }));
            }
            const r = await checks().replicaLag("us-west-2", "vbr-prod-postgres");
            expect(r).to.deep.equal({ ok: true, seconds: 4, detail: "ReplicaLag of vbr-prod-postgres in us-west-2: at most 4 s over the last 5 min (3 one-minute maxima)" });
        });
        it("no datapoints: the replica is not reporting", async () => {
            expect(await checks().replicaLag("us-west-2", "vbr-prod-postgres"))
                .to.deep.equal({ ok: false, detail: "no ReplicaLag datapoints for vbr-prod-postgres in us-west-2 in the last 5 min (is the replica running?)" });
        });
    });
});
