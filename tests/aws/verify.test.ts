// The replica verification (tools/verify/replica.ts, what `npm run verify` and the monthly Lambda run) against moto's
// S3: matching, mismatched and missing replicas. moto has no replication: a "replicated" write is the same write to
// both buckets after the same random seed, so the replica gets the source's version id, as S3 replication keeps it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { main as verify } from "../../tools/verify";
import { BucketPair, emptyCounts, verifyPair } from "../../tools/verify/replica";
import { motoS3Client } from "../../tools/lib/moto";
import { useMoto } from "./moto";

const ROOT = path.join(__dirname, "..", "..");
const SOURCE = { bucket: "vbr-prod-documents-us-east-1", region: "us-east-1" };
const REPLICA = { bucket: "vbr-prod-documents-us-west-2", region: "us-west-2" };
const PAIR: BucketPair = { name: "documents", source: SOURCE, replica: REPLICA };
/** An hour from now: every version is older than the grace period. */
const LATER = () => Date.now() + 3_600_000;

describe("replica verification against moto's S3", function () {
    this.timeout(120_000);
    const aws = useMoto();
    let seed = 1000;

    async function bucket(b: { bucket: string; region: string }, objectLock = false): Promise<void> {
        const s3 = aws.s3(b.region);
        await s3.send(new CreateBucketCommand({
            Bucket: b.bucket, ObjectLockEnabledForBucket: objectLock || undefined,
            CreateBucketConfiguration: b.region === "us-east-1" ? undefined : { LocationConstraint: b.region as "us-west-2" },
        }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: b.bucket, VersioningConfiguration: { Status: "Enabled" } }));
    }
    const put = async (b: { bucket: string; region: string }, key: string, body: string, s3: S3Client = aws.s3(b.region)) =>
        (await s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: key, Body: body, ChecksumAlgorithm: "SHA256" }))).VersionId!;
    /** A write S3 replicated: the replica has the source's version id (and, unless `replicaBody` differs, its bytes). */
    async function replicated(key: string, body: string, replicaBody = body): Promise<string> {
        const n = seed++;
        await aws.moto.seed(n);
        const id = await put(SOURCE, key, body);
        await aws.moto.seed(n);
        expect(await put(REPLICA, key, replicaBody), "the simulation keeps the version id").to.equal(id);
        return id;
    }
    async function deleted(key: string, replicate: boolean): Promise<void> {
        const n = seed++;
        await aws.moto.seed(n);
        await aws.s3(SOURCE.region).send(new DeleteObjectCommand({ Bucket: SOURCE.bucket, Key: key }));
        if (!replicate) return;
        await aws.moto.seed(n);
        await aws.s3(REPLICA.region).send(new DeleteObjectCommand({ Bucket: REPLICA.bucket, Key: key }));
    }
    const run = (opts: Parameters<typeof verifyPair>[1] = {}) => verifyPair(PAIR, { client: (r) => aws.s3(r), now: LATER, ...opts });

    beforeEach(async () => { await bucket(SOURCE); await bucket(REPLICA); });

    it("every version and delete marker replicated with the same checksum: all matched", async () => {
        await replicated("contracts/a.pdf", "A v1");
        await replicated("contracts/a.pdf", "A v2");
        await replicated("contracts/b.pdf", "B");
        await replicated("notes/c.txt", "C");
        await deleted("notes/c.txt", true);
        const r = await run();
        expect(r.complete).to.equal(true);
        expect(r.counts).to.deep.equal({ ...emptyCounts(), versions: 4, deleteMarkers: 1, matched: 5 });
        expect(r.problems).to.deep.equal([]);
        // One listing page per bucket, both copies of the four versions.
        expect(r.requests).to.deep.equal({ list: 2, attributes: 8 });
    });

    it("a replica whose bytes differ is a mismatch naming both SHA-256 checksums", async () => {
        await replicated("contracts/a.pdf", "A");
        const id = await replicated("contracts/b.pdf", "signed original", "tampered copy!!");
        const r = await run();
        expect(r.counts).to.deep.include({ versions: 2, matched: 1, mismatched: 1, missing: 0 });
        expect(r.problems).to.have.length(1);
        expect(r.problems[0]).to.deep.include({ key: "contracts/b.pdf", versionId: id, kind: "mismatch" });
        // S3 adds the checksum's type (FULL_OBJECT); moto stores none.
        expect(r.problems[0].detail).to.match(/^SHA256 \S+( \(FULL_OBJECT\))? in the source, \S+( \(FULL_OBJECT\))? in the replica$/);
    });

    it("a version or delete marker without a replica is missing once older than the grace period, pending before", async () => {
        await replicated("a.pdf", "A");
        const lost = await put(SOURCE, "b.pdf", "never replicated");
        await replicated("c.pdf", "C");
        await deleted("c.pdf", false);
        const late = await run();
        expect(late.counts).to.deep.include({ versions: 3, deleteMarkers: 1, matched: 2, missing: 2, pending: 0 });
        expect(late.problems.map((p) => [p.key, p.kind])).to.deep.equal([["b.pdf", "missing"], ["c.pdf", "missing-delete-marker"]]);
        expect(late.problems[0].versionId).to.equal(lost);
        expect(late.problems[0].detail).to.match(new RegExp(`^version of \\S+ has no replica in ${REPLICA.bucket}$`));
        // Right after the writes both are within Replication Time Control's 15 minutes: pending, not failures.
        const now = await run({ now: Date.now });
        expect(now.counts).to.deep.include({ matched: 2, missing: 0, pending: 2 });
    });

    it("versions only in the replica are counted, not failed; a version without a checksum is compared by size", async () => {
        await replicated("a.pdf", "A");
        await put(REPLICA, "orphan.pdf", "deleted by id on the source");
        const noChecksum = motoS3Client(aws.moto.endpoint, "us-east-1", { requestChecksumCalculation: "WHEN_REQUIRED" });
        const n = seed++;
        for (const b of [SOURCE, REPLICA]) {
            await aws.moto.seed(n);
            await noChecksum.send(new PutObjectCommand({ Bucket: b.bucket, Key: "old.pdf", Body: "from before S3 added checksums" }));
        }
        noChecksum.destroy();
        const r = await run();
        expect(r.counts).to.deep.include({ versions: 2, matched: 2, noChecksum: 1, extra: 1, mismatched: 0, missing: 0 });
    });

    it("a run stopped by its deadline resumes after the last key and ends with the same counts as one run", async () => {
        for (const k of ["a", "b", "c", "d", "e"]) await replicated(`${k}.pdf`, k);
        await put(SOURCE, "c2.pdf", "lost");
        const whole = await run({ pageSize: 2 });
        const first = await run({ pageSize: 2, deadline: 0 });
        expect([first.complete, first.resumeAfter]).to.deep.equal([false, "a.pdf"]);
        let r = first;
        while (!r.complete) r = await run({ pageSize: 2, deadline: 0, resume: r });
        expect(r.counts).to.deep.equal(whole.counts);
        expect(r.counts).to.deep.include({ versions: 6, matched: 5, missing: 1 });
        expect(r.problems).to.deep.equal(whole.problems);
    });

    describe("npm run verify (tools/verify.ts) against the emulator", () => {
        const out = () => fs.mkdtempSync(path.join(os.tmpdir(), "vbr-verify-"));
        async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
            let stdout = "";
            const io = { cwd: ROOT, stdout: (t: string) => { stdout += t; }, stderr: (t: string) => { stdout += t; } };
            const env = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" };
            const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
            Object.assign(process.env, env);
            try {
                return { code: await verify(["--grace", "0", ...args], io, { client: (r) => aws.s3(r) }), stdout };
            } finally {
                for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
            }
        }

        it("prints one line per bucket and exits 0 when every copy matches; the report goes where --out says", async () => {
            await replicated("a.pdf", "A");
            const dir = out();
            const { code, stdout } = await cli(["--bucket", "documents", "--out", dir]);
            expect(stdout.split("\n")[0]).to.equal("OK documents: s3://vbr-prod-documents-us-east-1 (us-east-1) -> s3://vbr-prod-documents-us-west-2 (us-west-2): " +
                "1 versions, 0 delete markers; 1 matched, 0 mismatched, 0 missing, 0 pending, 0 without checksum (size only), 0 only in the replica");
            expect(stdout).to.match(/\nPASS: 1 versions compared, 0 problems; 2 LIST and 2 GetObjectAttributes requests \(\$0\.000011 at us-east-1 prices\)\n/);
            expect(code).to.equal(0);
            const files = fs.readdirSync(dir).sort();
            expect(files).to.have.length(2);
            expect(files[0]).to.match(/^verification-\d{8}T\d{6}Z\.json$/);
            expect(JSON.parse(fs.readFileSync(path.join(dir, files[0]), "utf8"))).to.deep.include({ kind: "verification", ok: true });
        });

        it("exits 1 on a mismatch and on a missing replica, listing each", async () => {
            await replicated("a.pdf", "A", "B");
            await put(SOURCE, "b.pdf", "lost");
            const { code, stdout } = await cli(["--bucket", "documents"]);
            expect(code).to.equal(1);
            expect(stdout).to.match(/^FAIL documents: .*1 mismatched, 1 missing/);
            expect(stdout).to.match(/\n {2}mismatch a\.pdf \(version \S+\): SHA256 /);
            expect(stdout).to.match(/\n {2}missing b\.pdf \(version \S+\): version of /);
        });

        it("a bucket that does not exist fails the run with AWS's error; a bad flag is a usage error", async () => {
            expect((await cli(["--bucket", "invoices"])).code).to.equal(2);
            const { stdout } = await cli(["--bucket", "invoices"]);
            expect(stdout).to.equal("error: --bucket invoices: not a replicated bucket; allowed: documents, reports, audit, trail\n");
            let thrown: unknown;
            await cli(["--bucket", "reports"]).catch((err) => { thrown = err; });
            expect((thrown as Error).name).to.equal("NoSuchBucket");
        });
    });
});
