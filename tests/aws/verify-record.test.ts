// DR event records (tools/verify/record.ts) and the monthly verification's Lambda handler (tools/verify/lambda.ts)
// against moto's S3: Object Lock retention and the SHA-256 checksum on each record, the fallback to the DR twin, and a
// run that continues in a second invocation before it records its report and publishes its metric.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    CreateBucketCommand, GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand, PutBucketVersioningCommand, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { expect } from "chai";
import { HandlerDeps, runInvocation, RunState, VerifierConfig } from "../../tools/verify/lambda";
import { recordEvent, recordKey } from "../../tools/verify/record";
import { verifyPair } from "../../tools/verify/replica";
import { useMoto } from "./moto";

const AUDIT = { bucket: "vbr-prod-audit-us-east-1", region: "us-east-1" };
const TWIN = { bucket: "vbr-prod-audit-us-west-2", region: "us-west-2" };
const T0 = Date.parse("2026-12-02T06:00:00Z");
const LOCK = { mode: "COMPLIANCE" as const, days: 365 };

describe("DR event records and the verification Lambda against moto's S3", function () {
    this.timeout(120_000);
    const aws = useMoto();

    async function lockedBucket(b: { bucket: string; region: string }): Promise<void> {
        const s3 = aws.s3(b.region);
        await s3.send(new CreateBucketCommand({
            Bucket: b.bucket, ObjectLockEnabledForBucket: true,
            CreateBucketConfiguration: b.region === "us-east-1" ? undefined : { LocationConstraint: b.region as "us-west-2" },
        }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: b.bucket, VersioningConfiguration: { Status: "Enabled" } }));
    }
    const event = { kind: "drill" as const, id: "drill-dr-2026-11-29T20-15-00-000Z", at: Date.parse("2026-11-29T20:15:00Z"), json: { rto: 42 }, markdown: "# Drill\n" };

    it("writes JSON and Markdown under Object Lock with their SHA-256, to the first audit bucket that takes them, and locally", async () => {
        await lockedBucket(AUDIT);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-record-"));
        const r = await recordEvent(event, { targets: [AUDIT, TWIN], lock: LOCK, localDir: dir, client: (region) => aws.s3(region), now: () => T0 });
        expect(r.ok).to.equal(true);
        expect(r.detail).to.equal("recorded in s3://vbr-prod-audit-us-east-1/dr-events/drill/2026/11/drill-dr-2026-11-29T20-15-00-000Z.{json,md} (us-east-1), Object Lock COMPLIANCE until 2027-12-02T06:00:00.000Z");
        expect(r.s3.map((f) => f.key)).to.deep.equal(["dr-events/drill/2026/11/drill-dr-2026-11-29T20-15-00-000Z.json", "dr-events/drill/2026/11/drill-dr-2026-11-29T20-15-00-000Z.md"]);
        expect(fs.readdirSync(dir).sort()).to.deep.equal([`${event.id}.json`, `${event.id}.md`]);
        const s3 = aws.s3(AUDIT.region);
        for (const f of r.s3) {
            const head = await s3.send(new HeadObjectCommand({ Bucket: f.bucket, Key: f.key, VersionId: f.versionId! }));
            expect([head.ObjectLockMode, head.ObjectLockRetainUntilDate?.toISOString()]).to.deep.equal(["COMPLIANCE", "2027-12-02T06:00:00.000Z"]);
            // What an auditor compares: the checksum S3 keeps with the version, and the file's own SHA-256.
            const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: f.bucket, Key: f.key, VersionId: f.versionId!, ObjectAttributes: ["Checksum"] }));
            expect(attrs.Checksum?.ChecksumSHA256).to.equal(f.sha256);
            const body = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: f.key }))).Body!.transformToByteArray());
            expect(body.equals(fs.readFileSync(path.join(dir, path.basename(f.key))))).to.equal(true);
        }
    });

    it("falls back to the DR twin when the primary's audit bucket cannot be written, and says why", async () => {
        await lockedBucket(TWIN);
        const r = await recordEvent(event, { targets: [AUDIT, TWIN], lock: LOCK, client: (region) => aws.s3(region), now: () => T0 });
        expect(r.ok).to.equal(true);
        expect(r.s3.map((f) => f.bucket)).to.deep.equal([TWIN.bucket, TWIN.bucket]);
        expect(r.errors).to.have.length(1);
        expect(r.detail).to.match(/^recorded in s3:\/\/vbr-prod-audit-us-west-2\/.* \(us-west-2\), Object Lock COMPLIANCE until 2027-12-02T06:00:00\.000Z; s3:\/\/vbr-prod-audit-us-east-1 \(us-east-1\): NoSuchBucket: /);
        expect(r.errors[0]).to.match(/^s3:\/\/vbr-prod-audit-us-east-1 \(us-east-1\): NoSuchBucket: /);
    });

    it("reports, without throwing, a record no target took", async () => {
        const r = await recordEvent(event, { targets: [AUDIT], lock: LOCK, client: (region) => aws.s3(region), now: () => T0 });
        expect([r.ok, r.s3]).to.deep.equal([false, []]);
        expect(r.detail).to.match(/^NOT recorded in the audit bucket: s3:\/\/vbr-prod-audit-us-east-1 \(us-east-1\): NoSuchBucket: /);
    });

    describe("the verification Lambda (runInvocation with moto's S3)", () => {
        const SOURCE = { bucket: "vbr-prod-documents-us-east-1", region: "us-east-1" };
        const REPLICA = { bucket: "vbr-prod-documents-us-west-2", region: "us-west-2" };
        const config: VerifierConfig = {
            pairs: [{ name: "documents", source: SOURCE, replica: REPLICA }],
            record: { ...AUDIT, ...LOCK }, namespace: "VBR/Integrity", graceMinutes: 15,
        };

        it("continues a run past its deadline in a new invocation, then records the report and publishes ReplicaProblems", async () => {
            await lockedBucket(AUDIT);
            for (const b of [SOURCE, REPLICA]) {
                await aws.s3(b.region).send(new CreateBucketCommand({ Bucket: b.bucket, CreateBucketConfiguration: b.region === "us-east-1" ? undefined : { LocationConstraint: "us-west-2" } }));
                await aws.s3(b.region).send(new PutBucketVersioningCommand({ Bucket: b.bucket, VersioningConfiguration: { Status: "Enabled" } }));
            }
            for (const [i, key] of ["a.pdf", "b.pdf"].entries()) {
                for (const b of [SOURCE, REPLICA]) {
                    await aws.moto.seed(500 + i);
                    await aws.s3(b.region).send(new PutObjectCommand({ Bucket: b.bucket, Key: key, Body: key, ChecksumAlgorithm: "SHA256" }));
                }
            }
            await aws.s3(SOURCE.region).send(new PutObjectCommand({ Bucket: SOURCE.bucket, Key: "c.pdf", Body: "lost", ChecksumAlgorithm: "SHA256" }));
            const metrics: Array<[string, Record<string, number>]> = [];
            const continued: RunState[] = [];
            const logged: string[] = [];
            const later = Date.now() + 3_600_000;
            const deps: HandlerDeps = {
                config, now: () => later,
                // A page of one key, so the first invocation runs out of time after one key.
                verify: (pair, opts) => verifyPair(pair, { ...opts, client: (r) => aws.s3(r), pageSize: 1 }),
                record: (e, opts) => recordEvent(e, { ...opts, client: (r) => aws.s3(r) }),
                putMetrics: async (ns, m) => { metrics.push([ns, m]); },
                continueWith: async (_fn, state) => { continued.push(JSON.parse(JSON.stringify(state)) as RunState); },
                log: (line) => logged.push(line),
            };
            const context = (remainingMs: number) => ({ functionName: "vbr-prod-integrity", getRemainingTimeInMillis: () => remainingMs });
            // 60 s left: less than the reserve, so the first key is the last of this invocation.
            expect(await runInvocation({}, context(60_000), deps)).to.deep.equal({ continued: true, invocation: 1, pair: "documents", after: "a.pdf" });
            expect(metrics).to.deep.equal([]);
            const done = await runInvocation(continued[0], context(900_000), deps) as { ok: boolean; record: string[] };
            expect(done.ok).to.equal(false);
            expect(metrics).to.deep.equal([["VBR/Integrity", { ReplicaProblems: 1, VersionsVerified: 3 }]]);
            const key = recordKey({ kind: "verification", id: `verification-${new Date(later).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`, at: later }, "json");
            expect(done.record).to.deep.equal([`s3://${AUDIT.bucket}/${key}`, `s3://${AUDIT.bucket}/${key.replace(/json$/, "md")}`]);
            const report = JSON.parse(await (await aws.s3(AUDIT.region).send(new GetObjectCommand({ Bucket: AUDIT.bucket, Key: key }))).Body!.transformToString());
            expect(report.totals).to.deep.include({ versions: 3, matched: 2, missing: 1 });
            expect(report.pairs[0].problems.map((p: { key: string }) => p.key)).to.deep.equal(["c.pdf"]);
            expect(logged[0]).to.match(/^FAIL documents: .* 2 matched, 0 mismatched, 1 missing,/);
            expect(logged[1]).to.match(/^recorded in s3:\/\/vbr-prod-audit-us-east-1\/dr-events\/verification\//);
        });

        it("fails the invocation (Lambda's Errors alarm) when the report cannot be recorded, after publishing the metric", async () => {
            const metrics: unknown[] = [];
            const deps: HandlerDeps = {
                config: { ...config, pairs: [] }, now: () => T0, verify: verifyPair,
                record: (e, opts) => recordEvent(e, { ...opts, client: (r) => aws.s3(r) }),
                putMetrics: async (_ns, m) => { metrics.push(m); }, continueWith: async () => undefined, log: () => undefined,
            };
            let error: Error | undefined;
            await runInvocation({}, { functionName: "f", getRemainingTimeInMillis: () => 900_000 }, deps).catch((e: Error) => { error = e; });
            expect(error?.message).to.match(/^NOT recorded in the audit bucket: s3:\/\/vbr-prod-audit-us-east-1 \(us-east-1\): NoSuchBucket/);
            expect(metrics).to.deep.equal([{ ReplicaProblems: 0, VersionsVerified: 0 }]);
        });
    });
});
