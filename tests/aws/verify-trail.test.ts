// The CloudTrail digest chain (tools/verify/trail.ts) against moto's S3: digest and log files written the way CloudTrail
// writes them (gzip, the signature in the object's metadata, each digest linked to the one before), signed with a test
// RSA key whose public half is served the way ListPublicKeys serves it (base64 of the DER, base64-encoded again in the
// JSON). Valid chain, changed log file, missing digest, restarted chain, changed digest, and a trail that stopped.
import * as crypto from "crypto";
import * as zlib from "zlib";
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { verifyAuditRecord } from "../../tools/verify/audit";
import { PublicKey, validateTrailChain } from "../../tools/verify/trail";
import { useMoto } from "./moto";

const BUCKET = "vbr-prod-trail-us-east-1";
const ACCOUNT = "123456789012";
const TRAIL = "vbr-prod-trail-us-east-1";
const HOME = "us-east-1";
const T0 = Date.parse("2026-11-29T18:00:00Z");
const HOUR = 3_600_000;
const FINGERPRINT = "31e8b5433410dfb61a9dc45cc65b22ff";

const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
/** ListPublicKeys' Value as the SDK hands it over: the bytes of the base64 text of the PKCS#1 DER. */
const PUBLIC: PublicKey[] = [{ fingerprint: FINGERPRINT, value: Buffer.from(publicKey.export({ format: "der", type: "pkcs1" }).toString("base64")) }];
const basic = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const sha256hex = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "/");

interface Written { key: string; raw: Buffer; signature: string; logKey: string }

describe("CloudTrail digest chain validation against moto's S3", function () {
    this.timeout(120_000);
    const aws = useMoto();
    const s3 = () => aws.s3(HOME);

    async function putGz(key: string, content: Buffer, metadata?: Record<string, string>, bucket = BUCKET, home = HOME): Promise<void> {
        await aws.s3(home).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: zlib.gzipSync(content), Metadata: metadata }));
    }

    /**
     * Writes `hours` hourly digests ending at T0 + 1 h ... T0 + hours h, each with one log file; `unlinkedAt` restarts the
     * chain there. `home`: the trail `vbr-prod-trail-<home>` into its own log bucket (default the primary's).
     */
    async function deliver(hours: number, opts: { unlinkedAt?: number; region?: string; home?: string } = {}): Promise<Written[]> {
        const region = opts.region ?? HOME;
        const home = opts.home ?? HOME;
        // The project names a trail's log bucket after the trail.
        const trail = `vbr-prod-trail-${home}`;
        const bucket = trail;
        const out: Written[] = [];
        for (let h = 1; h <= hours; h++) {
            const end = T0 + h * HOUR;
            const log = Buffer.from(JSON.stringify({ Records: [{ eventName: "GetObject", eventTime: iso(end - 600_000) }] }));
            const logKey = `AWSLogs/${ACCOUNT}/CloudTrail/${region}/${day(end)}/${ACCOUNT}_CloudTrail_${region}_${basic(end - 600_000)}_abc${h}.json.gz`;
            await putGz(logKey, log, undefined, bucket, home);
            const key = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/${region}/${day(end)}/${ACCOUNT}_CloudTrail-Digest_${region}_${trail}_${home}_${basic(end)}.json.gz`;
            const prev = h === opts.unlinkedAt ? undefined : out[out.length - 1];
            const data = {
                awsAccountId: ACCOUNT, digestStartTime: iso(end - HOUR), digestEndTime: iso(end), digestS3Bucket: bucket, digestS3Object: key,
                digestPublicKeyFingerprint: FINGERPRINT, digestSignatureAlgorithm: "SHA256withRSA",
                previousDigestS3Bucket: prev ? bucket : null, previousDigestS3Object: prev?.key ?? null,
                previousDigestHashValue: prev ? sha256hex(prev.raw) : null, previousDigestHashAlgorithm: prev ? "SHA-256" : null,
                previousDigestSignature: prev?.signature ?? null,
                logFiles: [{ s3Bucket: bucket, s3Object: logKey, hashValue: sha256hex(log), hashAlgorithm: "SHA-256" }],
            };
            const raw = Buffer.from(JSON.stringify(data));
            // The string CloudTrail signs, spelled out here as the User Guide gives it (not the code under test).
            const signed = `${data.digestEndTime}\n${bucket}/${key}\n${sha256hex(raw)}\n${prev?.signature ?? "null"}`;
            const signature = crypto.sign("sha256", Buffer.from(signed), privateKey).toString("hex");
            await putGz(key, raw, { signature, "signature-algorithm": "SHA256withRSA" }, bucket, home);
            out.push({ key, raw, signature, logKey });
        }
        return out;
    }
    const validate = (start: number, end: number, regions?: string[]) => validateTrailChain({
        bucket: BUCKET, trailName: TRAIL, homeRegion: HOME, start, end, s3: s3(), publicKeys: async () => PUBLIC, regions,
    });

    beforeEach(async () => {
        await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
        await s3().send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }));
    });

    it("a complete chain in every region validates: signatures, log file hashes and links, anchored before the window", async () => {
        await deliver(6);
        await deliver(6, { region: "us-west-2" });
        const r = await validate(T0 + 2 * HOUR, T0 + 5 * HOUR);
        expect(r.ok, r.detail).to.equal(true);
        // The account is found in the bucket; the regions too; digests ending in [start, end + 1 h].
        expect(r.regions.map((x) => [x.region, x.digests, x.logFiles, x.from, x.to, x.problems])).to.deep.equal([
            ["us-east-1", 5, 5, "2026-11-29T19:00:00Z", "2026-11-30T00:00:00Z", []],
            ["us-west-2", 5, 5, "2026-11-29T19:00:00Z", "2026-11-30T00:00:00Z", []],
        ]);
        expect(r.detail).to.equal("trail vbr-prod-trail-us-east-1: chain valid from 2026-11-29T20:00:00.000Z to 2026-11-29T23:00:00.000Z: 10 digest files and 10 log files in 2 regions");
    });

    it("a log file changed after delivery breaks the chain, naming the file", async () => {
        const written = await deliver(4);
        await putGz(written[2].logKey, Buffer.from(JSON.stringify({ Records: [] })));
        const r = await validate(T0 + HOUR, T0 + 4 * HOUR, [HOME]);
        expect(r.ok).to.equal(false);
        expect(r.regions[0].problems).to.deep.equal([`digest ${basic(T0 + 3 * HOUR)}: log file ${written[2].logKey} was changed (SHA-256 differs)`]);
        expect(r.detail).to.match(/^trail vbr-prod-trail-us-east-1: chain BROKEN in us-east-1 \(digest \d{8}T\d{6}Z: log file .* was changed \(SHA-256 differs\)\); /);
    });

    it("a deleted digest breaks the link of the one after it", async () => {
        const written = await deliver(4);
        await s3().send(new DeleteObjectCommand({ Bucket: BUCKET, Key: written[1].key }));
        const r = await validate(T0 + HOUR, T0 + 4 * HOUR, [HOME]);
        expect(r.regions[0].problems).to.deep.equal([
            `digest ${basic(T0 + 3 * HOUR)}: links to ${written[1].key}, but the digest before it is ${written[0].key} (one is missing or was added)`,
        ]);
    });

    it("a digest without a link to the one before it (logging stopped and restarted) breaks the chain", async () => {
        await deliver(4, { unlinkedAt: 3 });
        const r = await validate(T0 + HOUR, T0 + 4 * HOUR, [HOME]);
        expect(r.regions[0].problems).to.deep.equal([
            `digest ${basic(T0 + 3 * HOUR)}: no link to the digest before it (${basic(T0 + 2 * HOUR)}): logging or log file validation was stopped`,
        ]);
    });

    it("a digest rewritten with other content fails its signature and its successor's link", async () => {
        const written = await deliver(4);
        const forged = JSON.parse(written[1].raw.toString()) as Record<string, unknown>;
        forged.logFiles = [];
        await putGz(written[1].key, Buffer.from(JSON.stringify(forged)), { signature: written[1].signature, "signature-algorithm": "SHA256withRSA" });
        const r = await validate(T0 + HOUR, T0 + 4 * HOUR, [HOME]);
        expect(r.regions[0].problems).to.deep.equal([
            `digest ${basic(T0 + 2 * HOUR)}: signature does not verify (the digest was changed)`,
            `digest ${basic(T0 + 3 * HOUR)}: the digest before it (${basic(T0 + 2 * HOUR)}) is not the one it signed (hash or signature differs)`,
        ]);
    });

    it("a trail that stopped delivering during the window fails; a bucket without the trail's files fails", async () => {
        const empty = await validate(T0, T0 + 4 * HOUR);
        expect([empty.ok, empty.detail]).to.deep.equal([false, `trail ${TRAIL}: cannot read s3://${BUCKET}/AWSLogs/: Error: s3://${BUCKET}/AWSLogs/ holds no account's logs: name the account`]);
        await deliver(2);
        const r = await validate(T0 + HOUR, T0 + 8 * HOUR, [HOME]);
        expect(r.regions[0].problems).to.deep.equal([`the newest digest ends 2026-11-29T20:00:00.000Z, more than 2 h before the window's end: the trail stopped delivering`]);
    });

    describe("verifyAuditRecord: what the drill and failback runners call", () => {
        const AUDIT = "vbr-prod-audit-us-east-1", TWIN = "vbr-prod-audit-us-west-2";
        async function auditBuckets(replicate: boolean): Promise<void> {
            await s3().send(new CreateBucketCommand({ Bucket: AUDIT }));
            await aws.s3("us-west-2").send(new CreateBucketCommand({ Bucket: TWIN, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
            for (const [b, region] of [[AUDIT, HOME], [TWIN, "us-west-2"]]) {
                await aws.s3(region).send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
            }
            await aws.moto.seed(77);
            await s3().send(new PutObjectCommand({ Bucket: AUDIT, Key: "dr-events/drill/r.json", Body: "{}", ChecksumAlgorithm: "SHA256" }));
            if (!replicate) return;
            await aws.moto.seed(77);
            await aws.s3("us-west-2").send(new PutObjectCommand({ Bucket: TWIN, Key: "dr-events/drill/r.json", Body: "{}", ChecksumAlgorithm: "SHA256" }));
        }
        const check = (trailRegions?: string[]) => verifyAuditRecord({
            environment: "prod", primaryRegion: HOME, drRegion: "us-west-2", start: T0 + HOUR, end: T0 + 4 * HOUR,
            client: (r) => aws.s3(r), publicKeys: async () => PUBLIC, now: () => Date.now() + HOUR, trailRegions,
        });

        it("passes with an unbroken chain and a complete audit replica", async () => {
            await deliver(5);
            await auditBuckets(true);
            const r = await check();
            expect(r.ok, r.detail).to.equal(true);
            expect(r.detail).to.match(/^trail vbr-prod-trail-us-east-1: chain valid from .*; OK audit: s3:\/\/vbr-prod-audit-us-east-1 \(us-east-1\) -> s3:\/\/vbr-prod-audit-us-west-2 \(us-west-2\): 1 versions/);
        });

        it("fails on an audit record missing from the DR twin, and on a broken chain", async () => {
            await deliver(5, { unlinkedAt: 3 });
            await auditBuckets(false);
            const r = await check();
            expect(r.ok).to.equal(false);
            expect(r.trails.map((t) => t.ok)).to.deep.equal([false]);
            expect(r.replica?.counts.missing).to.equal(1);
        });

        it("validates every trail named (a failback: the primary's and the DR stack's failover trail, each in its own log bucket)", async () => {
            const TWIN_TRAIL = "vbr-prod-trail-us-west-2";
            await aws.s3("us-west-2").send(new CreateBucketCommand({ Bucket: TWIN_TRAIL, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
            await deliver(5);
            await deliver(5, { home: "us-west-2", region: "us-west-2", unlinkedAt: 3 });
            await auditBuckets(true);
            const primaryOnly = await check();
            expect([primaryOnly.ok, primaryOnly.trails.map((t) => t.trailName)]).to.deep.equal([true, [TRAIL]]);
            const both = await check([HOME, "us-west-2"]);
            expect(both.ok).to.equal(false);
            expect(both.trails.map((t) => [t.trailName, t.bucket, t.ok])).to.deep.equal([[TRAIL, BUCKET, true], [TWIN_TRAIL, TWIN_TRAIL, false]]);
            expect(both.trails[1].regions.map((x) => [x.region, x.problems])).to.deep.equal([["us-west-2", [
                `digest ${basic(T0 + 3 * HOUR)}: no link to the digest before it (${basic(T0 + 2 * HOUR)}): logging or log file validation was stopped`,
            ]]]);
            expect(both.detail).to.match(/^trail vbr-prod-trail-us-east-1: chain valid .*; trail vbr-prod-trail-us-west-2: chain BROKEN in us-west-2 .*; OK audit: /);
        });
    });
});
