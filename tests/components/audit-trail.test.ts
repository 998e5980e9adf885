import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { useMocks } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";
import { MOCK_ACCOUNT_ID } from "../../tools/harness/mocks";
import { Naming } from "../../policies/model/naming";
import { AuditTrail } from "../../components/audit-trail";
import { INTEGRITY_SCHEDULE, replicaPairs, transpileCached, VERIFIER_FILES, verifierCode } from "../../components/integrity-check";
import { KeyRing } from "../../components/keys";

const LOGS_KEY = "arn:aws:kms:us-east-1:123456789012:key/logs-key";
const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/vbr-prod-trail-us-east-1";
const DATA_EVENTS = ["vbr-prod-documents-us-east-1", "vbr-prod-documents-us-west-2"];
const naming = new Naming("prod");
const T = {
    bucket: "aws:s3/bucket:Bucket", sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bp: "aws:s3/bucketPolicy:BucketPolicy",
    trail: "aws:cloudtrail/trail:Trail", repl: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", fn: "aws:lambda/function:Function",
    schedule: "aws:scheduler/schedule:Schedule", rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

function build(role: "primary" | "dr", region: string, peerRegion: string, trail: boolean): Capture {
    useMocks(region, role);
    const cap = capture();
    new AuditTrail("t", {
        naming, role, region, peerRegion, accountId: MOCK_ACCOUNT_ID, logsKeyArn: LOGS_KEY, trail,
        lock: { mode: "COMPLIANCE", days: 365 }, dataEventBuckets: DATA_EVENTS, tags: role === "dr" ? { "vbr:standby": "kept" } : undefined,
        verification: role === "primary" ? {
            pairs: replicaPairs(naming, region, peerRegion), graceMinutes: 15,
            record: { bucket: "vbr-prod-audit-us-east-1", region, mode: "COMPLIANCE", days: 365 },
        } : undefined,
    }, cap.opts);
    return cap;
}

describe("AuditTrail (primary)", () => {
    let cap: Capture;
    before(() => { cap = build("primary", "us-east-1", "us-west-2", true); });

    it("runs a multi-region trail with log file validation, encrypted with the logs CMK, protected and retained", async () => {
        const trail = cap.named("t", T.trail);
        const inputs = await cap.inputs("t", T.trail);
        expect(inputs).to.deep.include({
            name: "vbr-prod-trail-us-east-1", region: "us-east-1", s3BucketName: "vbr-prod-trail-us-east-1", isMultiRegionTrail: true,
            includeGlobalServiceEvents: true, enableLogFileValidation: true, enableLogging: true, kmsKeyId: LOGS_KEY, tags: {},
        });
        expect(inputs.s3KeyPrefix).to.equal(undefined);
        expect([trail.protect, trail.retainOnDelete]).to.deep.equal([true, true]);
        // CloudTrail checks the bucket policy when the trail is created.
        expect(trail.dependsOn).to.have.length(1);
    });

    it("records every management event and the S3 object reads and writes of the given buckets, by ARN prefix with the slash", async () => {
        expect((await cap.inputs("t", T.trail)).advancedEventSelectors).to.deep.equal([
            { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
            {
                name: "S3 object events of the data buckets", fieldSelectors: [
                    { field: "eventCategory", equals: ["Data"] },
                    { field: "resources.type", equals: ["AWS::S3::Object"] },
                    { field: "resources.ARN", startsWiths: ["arn:aws:s3:::vbr-prod-documents-us-east-1/", "arn:aws:s3:::vbr-prod-documents-us-west-2/"] },
                ],
            },
        ]);
    });

    it("delivers to an Object Lock bucket in the chosen mode, versioned, with the logs key and no S3 Bucket Key", async () => {
        const bucket = cap.named("t-bucket", T.bucket);
        expect(await cap.inputs("t-bucket", T.bucket)).to.deep.include({
            bucket: "vbr-prod-trail-us-east-1", objectLockEnabled: true, forceDestroy: false, tags: { "vbr:data-class": "trail" },
        });
        expect([bucket.protect, bucket.retainOnDelete]).to.deep.equal([true, true]);
        expect((await cap.inputs("t-bucket", T.lock)).rule).to.deep.equal({ defaultRetention: { mode: "COMPLIANCE", days: 365 } });
        expect((await cap.inputs("t-bucket", T.sse)).rules).to.deep.equal([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: LOGS_KEY }, bucketKeyEnabled: false },
        ]);
    });

    it("lets only this trail check the bucket's ACL and write AWSLogs/<account>/ with bucket-owner-full-control, TLS only", async () => {
        const policy = JSON.parse((await cap.inputs("t-bucket", T.bp)).policy);
        expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["DenyInsecureTransport", "CloudTrailAclCheck", "CloudTrailWrite"]);
        expect(policy.Statement[1]).to.deep.equal({
            Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl",
            Resource: "arn:aws:s3:::vbr-prod-trail-us-east-1", Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
        });
        expect(policy.Statement[2]).to.deep.equal({
            Sid: "CloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject",
            Resource: "arn:aws:s3:::vbr-prod-trail-us-east-1/AWSLogs/123456789012/*",
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN } },
        });
    });

    it("replicates the log bucket to its twin with RTC, encrypting replicas with the peer's logs key", async () => {
        const rules = (await cap.inputs("t-bucket", T.repl)).rules;
        expect(rules).to.have.length(1);
        expect(rules[0]).to.deep.include({ id: "trail-to-us-west-2", status: "Enabled" });
        expect(rules[0].destination).to.deep.include({
            bucket: "arn:aws:s3:::vbr-prod-trail-us-west-2", encryptionConfiguration: { replicaKmsKeyId: "arn:aws:kms:us-west-2:123456789012:alias/vbr-prod-logs" },
            replicationTime: { status: "Enabled", time: { minutes: 15 } },
        });
    });

    it("schedules the monthly verification of the four replicated buckets, recording to the audit bucket", async () => {
        const fn = await cap.inputs("t-integrity", T.fn);
        expect(fn).to.deep.include({ name: "vbr-prod-integrity", runtime: "nodejs22.x", handler: "lambda.handler", timeout: 900, memorySize: 1024 });
        expect(JSON.parse(fn.environment.variables.VBR_VERIFY_CONFIG)).to.deep.equal({
            pairs: ["documents", "reports", "audit", "trail"].map((b) => ({
                name: b, source: { bucket: `vbr-prod-${b}-us-east-1`, region: "us-east-1" }, replica: { bucket: `vbr-prod-${b}-us-west-2`, region: "us-west-2" },
            })),
            record: { bucket: "vbr-prod-audit-us-east-1", region: "us-east-1", mode: "COMPLIANCE", days: 365 }, namespace: "VBR/Integrity", graceMinutes: 15,
        });
        const schedule = await cap.inputs("t-integrity", T.schedule);
        expect(schedule).to.deep.include({ name: "vbr-prod-integrity-monthly", scheduleExpression: INTEGRITY_SCHEDULE, scheduleExpressionTimezone: "UTC", flexibleTimeWindow: { mode: "OFF" } });
        expect(schedule.target.arn).to.equal("arn:aws:lambda:us-east-1:123456789012:function:vbr-prod-integrity");
        const policy = JSON.parse((await cap.inputs("t-integrity", T.rolePolicy)).policy);
        expect(policy.Statement.map((s: { Sid: string; Action: unknown }) => [s.Sid, s.Action])).to.deep.equal([
            ["ListVersions", ["s3:ListBucket", "s3:ListBucketVersions"]],
            ["ReadAttributes", ["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"]],
            ["RecordReports", ["s3:PutObject", "s3:PutObjectRetention"]],
            ["Metrics", "cloudwatch:PutMetricData"], ["ContinueRun", "lambda:InvokeFunction"], ["Logs", ["logs:CreateLogStream", "logs:PutLogEvents"]],
        ]);
        expect(policy.Statement[2].Resource).to.equal("arn:aws:s3:::vbr-prod-audit-us-east-1/dr-events/verification/*");
        // No KMS permission: GetObjectAttributes reads metadata, never the objects' data.
        expect(JSON.stringify(policy)).not.to.include("kms:");
    });

    it("packages tools/verify as CommonJS, and refuses a file that imports what the function does not have", async () => {
        const assets = await (verifierCode() as unknown as { assets: Promise<Record<string, { text: Promise<string> }>> }).assets;
        expect(Object.keys(assets)).to.deep.equal(VERIFIER_FILES.map((f) => f.replace(/\.ts$/, ".js")));
        const handler = await assets["lambda.js"].text;
        expect(handler).to.match(/exports\.handler = /);
        expect([...handler.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).sort())
            .to.deep.equal(["./record", "./replica", "./report", "@aws-sdk/client-cloudwatch", "@aws-sdk/client-lambda"]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-verifier-"));
        for (const f of VERIFIER_FILES) fs.copyFileSync(path.join(__dirname, "..", "..", "tools", "verify", f), path.join(dir, f));
        fs.appendFileSync(path.join(dir, "report.ts"), '\nimport { Naming } from "../../policies/model/naming";\nexport const n = Naming;\n');
        expect(() => verifierCode(dir)).to.throw('tools/verify/report.ts imports "../../policies/model/naming", which the verification function does not have');
    });

    it("transpiles once per TypeScript version, options and source: a second run reads the cache, an unwritable cache only costs time", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-transpile-"));
        const source = "export const answer: number = 42;\n";
        const js = transpileCached(source, "answer.ts", dir);
        expect(js).to.equal('"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.answer = void 0;\nexports.answer = 42;\n');
        const cached = fs.readdirSync(dir);
        expect(cached).to.have.length(1);
        expect(cached[0]).to.match(/^[0-9a-f]{64}\.js$/);
        // What the cache holds is what a run returns, without the compiler.
        fs.writeFileSync(path.join(dir, cached[0]), "// from the cache\n");
        expect(transpileCached(source, "answer.ts", dir)).to.equal("// from the cache\n");
        // Another source, another entry.
        transpileCached("export const other = 1;\n", "answer.ts", dir);
        expect(fs.readdirSync(dir)).to.have.length(2);
        // A cache directory that is a file: compiled every time, the same output.
        const file = path.join(dir, "not-a-dir");
        fs.writeFileSync(file, "");
        expect(transpileCached(source, "answer.ts", file)).to.equal(js);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("AuditTrail (DR)", () => {
    it("in standby holds the locked twin, tagged a replication destination, and runs no trail, replication or verification", async () => {
        const cap = build("dr", "us-west-2", "us-east-1", false);
        expect(await cap.inputs("t-bucket", T.bucket)).to.deep.include({
            bucket: "vbr-prod-trail-us-west-2", objectLockEnabled: true, tags: { "vbr:standby": "kept", "vbr:data-class": "trail", "vbr:replication": "destination" },
        });
        expect(cap.ofType(T.trail).concat(cap.ofType(T.repl), cap.ofType(T.fn))).to.deep.equal([]);
        // Its bucket policy already names the trail failover creates, so nothing of standby changes then.
        expect(JSON.parse((await cap.inputs("t-bucket", T.bp)).policy).Statement[1].Condition.StringEquals["aws:SourceArn"])
            .to.equal("arn:aws:cloudtrail:us-west-2:123456789012:trail/vbr-prod-trail-us-west-2");
    });

    it("in failover runs its own trail from region B into the twin, without the standby marker (the bring-up counts it)", async () => {
        const cap = build("dr", "us-west-2", "us-east-1", true);
        expect(await cap.inputs("t", T.trail)).to.deep.include({ name: "vbr-prod-trail-us-west-2", s3BucketName: "vbr-prod-trail-us-west-2", isMultiRegionTrail: true, tags: {} });
    });
});

describe("KeyRing: the logs key's CloudTrail statements", () => {
    it("lets this region's trail encrypt and describe the key, and the account's principals decrypt trail files", async () => {
        useMocks("us-east-1", "primary");
        const cap = capture();
        new KeyRing("k", { naming, region: "us-east-1", accountId: MOCK_ACCOUNT_ID, classes: ["logs"] }, cap.opts);
        const statements = JSON.parse((await cap.inputs("k-logs", "aws:kms/key:Key")).policy).Statement as Array<Record<string, unknown>>;
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
        const anyTrail = { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*" };
        expect(bySid.CloudTrailEncryptLogs).to.deep.equal({
            Sid: "CloudTrailEncryptLogs", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:GenerateDataKey*", Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN }, StringLike: anyTrail },
        });
        expect(bySid.CloudTrailDescribeKey).to.deep.equal({
            Sid: "CloudTrailDescribeKey", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:DescribeKey", Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
        });
        expect(bySid.CloudTrailLogReaders).to.deep.equal({
            Sid: "CloudTrailLogReaders", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:ReEncryptFrom"], Resource: "*",
            Condition: { StringEquals: { "kms:CallerAccount": "123456789012" }, StringLike: anyTrail },
        });
    });
});
