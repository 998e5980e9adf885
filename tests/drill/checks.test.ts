// AwsDrillChecks with the SDK clients' send stubbed: the requests each check makes and what it concludes. What this
// cannot prove: IAM/KMS access, real replication timing (npm run test:aws runs the same checks against AWS's API
// emulator); the parsing of the validation command's result line.
import { expect } from "chai";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeDBInstanceAutomatedBackupsCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { AwsDrillChecks } from "../../tools/drill/checks";
import { parseResult } from "../../tools/drill/tasks";

const PRIMARY = "arn:aws:secretsmanager:us-east-1:123456789012:secret:vbr-prod/database/master-a1b2c3";
const REPLICA = PRIMARY.replace("us-east-1", "us-west-2");

describe("AwsDrillChecks.secretReplicated (stubbed SDK): metadata only, never the value", () => {
    const original = SecretsManagerClient.prototype.send;
    let sent: Array<{ region: string; command: string; input: unknown }>;
    const answer = (reply: (region: string) => unknown) => {
        sent = [];
        SecretsManagerClient.prototype.send = async function (this: SecretsManagerClient, command: unknown) {
            expect(command).to.be.instanceOf(DescribeSecretCommand);
            const region = await this.config.region();
            sent.push({ region, command: (command as object).constructor.name, input: (command as DescribeSecretCommand).input });
            const r = reply(region);
            if (r instanceof Error) throw r;
            return r;
        } as typeof original;
    };
    afterEach(() => { SecretsManagerClient.prototype.send = original; });

    it("describes the replica in the DR region and the primary's replication status in its region", async () => {
        answer((region) => (region === "us-west-2" ? { PrimaryRegion: "us-east-1" } : { ReplicationStatus: [{ Region: "us-west-2", Status: "InSync" }] }));
        const r = await new AwsDrillChecks().secretReplicated(PRIMARY, REPLICA, "us-west-2");
        expect(sent).to.deep.equal([
            { region: "us-west-2", command: "DescribeSecretCommand", input: { SecretId: REPLICA } },
            { region: "us-east-1", command: "DescribeSecretCommand", input: { SecretId: PRIMARY } },
        ]);
        expect(r).to.deep.equal({ ok: true, detail: `${REPLICA} exists in us-west-2 and ${PRIMARY} reports it InSync (no secret value read)` });
    });

    it("fails on a replication that is not InSync, a missing replica, or a replica of another region", async () => {
        answer((region) => (region === "us-west-2" ? {} : { ReplicationStatus: [{ Region: "us-west-2", Status: "Failed", StatusMessage: "KMS key disabled" }] }));
        expect(await new AwsDrillChecks().secretReplicated(PRIMARY, REPLICA, "us-west-2"))
            .to.deep.equal({ ok: false, detail: `${PRIMARY} reports its replication to us-west-2 as Failed (KMS key disabled)` });
        answer(() => Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: "ResourceNotFoundException" }));
        expect(await new AwsDrillChecks().secretReplicated(PRIMARY, REPLICA, "us-west-2")).to.deep.equal({
            ok: false, detail: `the database secret's replica ${REPLICA} cannot be described in us-west-2: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
        });
        answer(() => ({ PrimaryRegion: "eu-west-1" }));
        expect((await new AwsDrillChecks().secretReplicated(PRIMARY, REPLICA, "us-west-2")).detail).to.equal(`${REPLICA} in us-west-2 is a replica of a secret in eu-west-1, not us-east-1`);
    });
});

describe("the validation command's result line", () => {
    it("is the last VBR_DB_CHECK line with JSON and a mode; anything else is no result", () => {
        expect(parseResult(["starting", 'VBR_DB_CHECK {"mode":"verify","probeId":1}', 'VBR_DB_CHECK {"mode":"verify","probeId":2,"canaryWrittenAt":null}']))
            .to.deep.equal({ mode: "verify", probeId: 2, canaryWrittenAt: null });
        expect(parseResult(['2026-01-01T10:00:00Z VBR_DB_CHECK {"mode":"seed","writtenAt":"2026-01-01T10:00:00.123Z"}'])).to.deep.equal({ mode: "seed", writtenAt: "2026-01-01T10:00:00.123Z" });
        expect(parseResult(["VBR_DB_CHECK not json", 'VBR_DB_CHECK {"ok":true}', "done"])).to.equal(undefined);
        expect(parseResult([])).to.equal(undefined);
    });
});

// S3 and RDS with send stubbed: what is asked of which region, and what the RPO is measured from.
// What this cannot prove: real replication timing, IAM, or RDS's pagination beyond what the stub answers.
describe("AwsDrillChecks RPO sources (stubbed SDK)", () => {
    const s3Send = S3Client.prototype.send;
    const rdsSend = RDSClient.prototype.send;
    afterEach(() => { S3Client.prototype.send = s3Send; RDSClient.prototype.send = rdsSend; });

    const WRITTEN = Date.parse("2026-01-01T10:00:00Z");
    const canary = {
        sourceBucket: "vbr-prod-documents-us-east-1", sourceRegion: "us-east-1", replicaBucket: "vbr-prod-documents-us-west-2",
        replicaRegion: "us-west-2", key: "drill-canary/x.txt", writtenAt: WRITTEN,
    };
    /** A clock that only the stubbed sleep moves: each poll is 5 s after the previous one. */
    const clocked = () => {
        const clock = { t: WRITTEN + 1_000 };
        const checks = new AwsDrillChecks({ replicationPollMs: 5_000, now: () => clock.t, sleep: async (ms) => { clock.t += ms; } });
        return { clock, checks };
    };
    type Head = { region: string; bucket: string };
    const stubS3 = (source: Array<string | undefined | Error>, replica: "present" | Error = "present") => {
        const heads: Head[] = [];
        S3Client.prototype.send = async function (this: S3Client, command: unknown) {
            expect(command).to.be.instanceOf(HeadObjectCommand);
            const input = (command as HeadObjectCommand).input;
            expect(input.Key).to.equal(canary.key);
            const region = await this.config.region();
            heads.push({ region, bucket: input.Bucket! });
            if (input.Bucket === canary.replicaBucket) {
                if (replica instanceof Error) throw replica;
                // The replica keeps the source's Last-Modified: useless for the lag, and not used.
                return { LastModified: new Date(WRITTEN), ReplicationStatus: "REPLICA" };
            }
            const next = source.length > 1 ? source.shift() : source[0];
            if (next instanceof Error) throw next;
            return { LastModified: new Date(WRITTEN), ReplicationStatus: next };
        } as typeof s3Send;
        return heads;
    };

    it("polls the SOURCE object's ReplicationStatus until COMPLETED; the lag is when it was first seen, then checks the replica", async () => {
        const heads = stubS3(["PENDING", "PENDING", "COMPLETED"]);
        const { checks } = clocked();
        const r = await checks.canaryReplicated(canary, 15 * 60_000);
        // Polls at +1 s, +6 s, +11 s: COMPLETED first seen 11 s after the write.
        expect(r).to.deep.equal({
            ok: true, status: "COMPLETED", completedAt: WRITTEN + 11_000,
            detail: "s3://vbr-prod-documents-us-east-1/drill-canary/x.txt ReplicationStatus COMPLETED by 2026-01-01T10:00:11.000Z (11 s after the write, polled every 5 s); replica s3://vbr-prod-documents-us-west-2/drill-canary/x.txt present",
        });
        expect(heads).to.deep.equal([
            { region: "us-east-1", bucket: canary.sourceBucket }, { region: "us-east-1", bucket: canary.sourceBucket },
            { region: "us-east-1", bucket: canary.sourceBucket }, { region: "us-west-2", bucket: canary.replicaBucket },
        ]);
    });

    it("retries a transient error, and fails on FAILED, on a missing replica, on no replication rule and at the timeout", async () => {
        const throttled = Object.assign(new Error("Slow Down"), { name: "SlowDown" });
        stubS3([throttled, "COMPLETED"]);
        expect(await clocked().checks.canaryReplicated(canary, 15 * 60_000)).to.deep.include({ ok: true, completedAt: WRITTEN + 6_000 });

        stubS3(["PENDING", "FAILED"]);
        expect(await clocked().checks.canaryReplicated(canary, 15 * 60_000)).to.deep.equal({
            ok: false, status: "FAILED", detail: "S3 replication of s3://vbr-prod-documents-us-east-1/drill-canary/x.txt FAILED (source ReplicationStatus)",
        });

        stubS3(["COMPLETED"], Object.assign(new Error("Not Found"), { name: "NotFound" }));
        expect(await clocked().checks.canaryReplicated(canary, 15 * 60_000)).to.deep.equal({
            ok: false, status: "COMPLETED", completedAt: WRITTEN + 1_000,
            detail: "s3://vbr-prod-documents-us-east-1/drill-canary/x.txt ReplicationStatus COMPLETED, but the replica s3://vbr-prod-documents-us-west-2/drill-canary/x.txt cannot be read: NotFound: Not Found",
        });

        stubS3([undefined]);
        expect(await clocked().checks.canaryReplicated(canary, 15 * 60_000)).to.deep.equal({
            ok: false, status: "none", detail: "s3://vbr-prod-documents-us-east-1/drill-canary/x.txt has no ReplicationStatus: no replication rule applies to it",
        });

        const heads = stubS3(["PENDING"]);
        const { checks, clock } = clocked();
        expect(await checks.canaryReplicated(canary, 60_000)).to.deep.equal({
            ok: false, status: "PENDING", detail: "s3://vbr-prod-documents-us-east-1/drill-canary/x.txt not replicated within 1 min of the write (last ReplicationStatus PENDING)",
        });
        // Bounded: the last poll is within the minute after the write (+1 s ... +56 s), never the replica.
        expect([heads.length, clock.t]).to.deep.equal([12, WRITTEN + 56_000]);
    });

    it("stops polling when the drill is interrupted", async () => {
        stubS3(["PENDING"]);
        const abort = new AbortController();
        const checks = new AwsDrillChecks({ replicationPollMs: 5_000, now: () => WRITTEN + 1_000, sleep: async () => { abort.abort(); } });
        expect(await checks.canaryReplicated(canary, 15 * 60_000, abort.signal)).to.deep.equal({
            ok: false, status: "PENDING", detail: "s3://vbr-prod-documents-us-east-1/drill-canary/x.txt: stopped before its replication completed (drill interrupted; last ReplicationStatus PENDING)",
        });
    });

    const SOURCE = "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres";
    it("latest restorable time: the DR region's replicated backups of the source ARN, across pages", async () => {
        const sent: Array<{ region: string; input: unknown }> = [];
        RDSClient.prototype.send = async function (this: RDSClient, command: unknown) {
            expect(command).to.be.instanceOf(DescribeDBInstanceAutomatedBackupsCommand);
            const input = (command as DescribeDBInstanceAutomatedBackupsCommand).input;
            sent.push({ region: await this.config.region(), input });
            return input.Marker === undefined
                ? { DBInstanceAutomatedBackups: [{ DBInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:other", RestoreWindow: { LatestTime: new Date("2026-01-01T09:59:00Z") } }], Marker: "p2" }
                : { DBInstanceAutomatedBackups: [{ DBInstanceArn: SOURCE, RestoreWindow: { LatestTime: new Date("2026-01-01T09:55:00Z") } }] };
        } as typeof rdsSend;
        expect(await new AwsDrillChecks().latestRestorableTime("us-west-2", SOURCE)).to.deep.equal({
            ok: true, time: Date.parse("2026-01-01T09:55:00Z"), detail: `replicated backups of ${SOURCE} restore up to 2026-01-01T09:55:00.000Z`,
        });
        expect(sent).to.deep.equal([{ region: "us-west-2", input: { Marker: undefined } }, { region: "us-west-2", input: { Marker: "p2" } }]);
    });

    it("snapshot lookup: found, not found (DBSnapshotNotFoundFault), and an error", async () => {
        const answers: Array<() => unknown> = [
            () => ({ DBSnapshots: [{ DBSnapshotIdentifier: "vbr-prod-postgres-drill-final-20260101t1000" }] }),
            () => { throw Object.assign(new Error("DBSnapshot not found"), { name: "DBSnapshotNotFoundFault" }); },
            () => { throw Object.assign(new Error("not authorized"), { name: "AccessDenied" }); },
        ];
        RDSClient.prototype.send = async function (command: unknown) {
            expect(command).to.be.instanceOf(DescribeDBSnapshotsCommand);
            expect((command as DescribeDBSnapshotsCommand).input).to.deep.equal({ DBSnapshotIdentifier: "vbr-prod-postgres-drill-final-20260101t1000" });
            return answers.shift()!();
        } as typeof rdsSend;
        const c = new AwsDrillChecks();
        const id = "vbr-prod-postgres-drill-final-20260101t1000";
        expect(await c.snapshotExists("us-west-2", id)).to.deep.equal({ ok: true, exists: true, detail: `DB snapshot ${id} exists in us-west-2` });
        expect(await c.snapshotExists("us-west-2", id)).to.deep.equal({ ok: true, exists: false, detail: `DB snapshot ${id} does not exist in us-west-2` });
        expect(await c.snapshotExists("us-west-2", id)).to.deep.equal({ ok: false, detail: `could not look up the DB snapshot ${id} in us-west-2: AccessDenied: not authorized` });
    });
});
