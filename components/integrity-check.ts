// The monthly replica integrity verification (DR plan 2.2): EventBridge Scheduler starts a Lambda function that runs
// this repository's verification code (tools/verify, the same as `npm run verify`) over every replicated bucket, writes
// its report to the audit bucket under Object Lock and publishes ReplicaProblems, on which the monitoring alarms.
//
// The code is read from tools/verify as files, not imported, and transpiled to CommonJS by TypeScript when the program
// runs; the bundled files import only each other, Node and the AWS SDK that the nodejs22.x runtime provides.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type * as TS from "typescript";
import { Naming, REPLICATED_BUCKETS } from "../policies/model/naming";
import { replicationRules } from "./document-store";

/** The 2nd of every month at 06:00 UTC: after the 1st's restore test and the night's backups and copies. */
export const INTEGRITY_SCHEDULE = "cron(0 6 2 * ? *)";
export const INTEGRITY_NAMESPACE = "VBR/Integrity";
/** Lambda's maximum: a longer run continues in a new invocation (tools/verify/lambda.ts). */
export const INTEGRITY_TIMEOUT_SECONDS = 900;

/** The files the function runs, and its handler. */
export const VERIFIER_FILES = ["lambda.ts", "record.ts", "replica.ts", "report.ts"] as const;
export const VERIFIER_HANDLER = "lambda.handler";
const VERIFY_DIR = path.join(__dirname, "..", "tools", "verify");

const TRANSPILE_OPTIONS = { module: "CommonJS", target: "ES2022", esModuleInterop: true, removeComments: true } as const;

/**
 * `source` transpiled to CommonJS by TypeScript (`ts.transpileModule`), cached on disk by the TypeScript version, the
 * options and the source's hash. Loading the compiler costs about 0.3 s, which under `pulumi up` ts-node has paid
 * already but the offline plan (swc) has not: a warm run reads the same bytes from the cache. A cache that cannot be
 * read or written only costs that time.
 */
export function transpileCached(source: string, fileName: string, cacheDir = path.join(os.tmpdir(), `vbr-verifier-code-${process.getuid?.() ?? "user"}`)): string {
    const version = (JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string }).version;
    const key = crypto.createHash("sha256").update(`${version}\0${JSON.stringify(TRANSPILE_OPTIONS)}\0${fileName}\0`).update(source).digest("hex");
    const file = path.join(cacheDir, `${key}.js`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        // not cached yet
    }
    const ts = require("typescript") as typeof TS;
    const js = ts.transpileModule(source, { compilerOptions: ts.convertCompilerOptionsFromJson(TRANSPILE_OPTIONS, "").options, fileName }).outputText;
    try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, js);
        fs.renameSync(tmp, file);
    } catch {
        // only costs time
    }
    return js;
}

/**
 * The function's code: VERIFIER_FILES transpiled to CommonJS. Throws when a file imports anything but a bundled
 * sibling, a Node built-in or the AWS SDK (the function would fail at its first run instead of at `pulumi up`).
 */
export function verifierCode(dir = VERIFY_DIR): pulumi.asset.AssetArchive {
    const bundled = new Set(VERIFIER_FILES.map((f) => `./${f.replace(/\.ts$/, "")}`));
    const assets: Record<string, pulumi.asset.Asset> = {};
    for (const file of VERIFIER_FILES) {
        const js = transpileCached(fs.readFileSync(path.join(dir, file), "utf8"), file);
        for (const m of js.matchAll(/require\("([^"]+)"\)/g)) {
            const spec = m[1];
            if (!bundled.has(spec) && !spec.startsWith("@aws-sdk/") && !["crypto", "fs", "path", "zlib"].includes(spec)) {
                throw new Error(`tools/verify/${file} imports "${spec}", which the verification function does not have: it may import only ${[...bundled].join(", ")}, Node built-ins and @aws-sdk/*`);
            }
        }
        assets[file.replace(/\.ts$/, ".js")] = new pulumi.asset.StringAsset(js);
    }
    return new pulumi.asset.AssetArchive(assets);
}

export interface IntegrityPair {
    name: string;
    source: { bucket: string; region: string };
    replica: { bucket: string; region: string };
}

/** Every bucket the primary replicates, with its twin: what the verification compares. */
export function replicaPairs(naming: Naming, region: string, peerRegion: string): IntegrityPair[] {
    return replicationRules(naming, region, peerRegion, REPLICATED_BUCKETS).map((r) => ({
        name: r.bucket, source: { bucket: r.source, region }, replica: { bucket: r.destination, region: peerRegion },
    }));
}

export interface IntegrityCheckArgs {
    naming: Naming;
    region: string;
    accountId: pulumi.Input<string>;
    /** Encrypts the function's log group. */
    logsKeyArn: pulumi.Input<string>;
    pairs: IntegrityPair[];
    /** The audit bucket the reports go to, and the reports' Object Lock. */
    record: { bucket: string; region: string; mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
    /** Versions younger than this without a replica are pending (RTC: 15). */
    graceMinutes: number;
    /** @default verifierCode() */
    code?: pulumi.asset.Archive;
    /** @default {} */
    tags?: Record<string, string>;
}

/** Creates the function, its role and log group, and the monthly schedule, as children of `parent`. */
export function scheduleIntegrityCheck(parent: pulumi.Resource, name: string, args: IntegrityCheckArgs): aws.lambda.Function {
    const fnName = args.naming.verifierName();
    const tags = args.tags ?? {};
    const account = pulumi.output(args.accountId);
    const fnArn = pulumi.interpolate`arn:aws:lambda:${args.region}:${account}:function:${fnName}`;
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-integrity`, {
        name: `/aws/lambda/${fnName}`, retentionInDays: 365, kmsKeyId: args.logsKeyArn, tags,
    }, { parent });
    const role = new aws.iam.Role(`${name}-integrity`, {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
    }, { parent });
    const buckets = args.pairs.flatMap((p) => [p.source.bucket, p.replica.bucket]).map((b) => `arn:aws:s3:::${b}`);
    const policy = new aws.iam.RolePolicy(`${name}-integrity`, {
        role: role.name,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "ListVersions", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketVersions"], Resource: buckets },
                // GetObjectAttributes of a version needs both; no KMS permission: it reads metadata, never the data.
                { Sid: "ReadAttributes", Effect: "Allow", Action: ["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"], Resource: buckets.map((b) => `${b}/*`) },
                {
                    Sid: "RecordReports", Effect: "Allow", Action: ["s3:PutObject", "s3:PutObjectRetention"],
                    Resource: `arn:aws:s3:::${args.record.bucket}/dr-events/verification/*`,
                },
                { Sid: "Metrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": INTEGRITY_NAMESPACE } } },
                { Sid: "ContinueRun", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fnArn },
                { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
            ],
        }),
    }, { parent });
    const fn = new aws.lambda.Function(`${name}-integrity`, {
        name: fnName, region: args.region, role: role.arn, runtime: "nodejs22.x", handler: VERIFIER_HANDLER, architectures: ["arm64"],
        code: args.code ?? verifierCode(), timeout: INTEGRITY_TIMEOUT_SECONDS, memorySize: 1024,
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        environment: {
            variables: {
                VBR_VERIFY_CONFIG: JSON.stringify({ pairs: args.pairs, record: args.record, namespace: INTEGRITY_NAMESPACE, graceMinutes: args.graceMinutes }),
            },
        },
        description: "Monthly replica integrity verification (tools/verify): every object version and its replica's checksum",
        tags,
    }, { parent, dependsOn: [policy, logGroup] });
    const schedulerRole = new aws.iam.Role(`${name}-integrity-schedule`, {
        assumeRolePolicy: account.apply((acct) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": acct } } }],
        })),
        tags,
    }, { parent });
    const invoke = new aws.iam.RolePolicy(`${name}-integrity-schedule`, {
        role: schedulerRole.name,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fnArn }] }),
    }, { parent });
    new aws.scheduler.Schedule(`${name}-integrity`, {
        name: `${fnName}-monthly`, region: args.region, description: "DR plan 2.2: monthly integrity verification of the replicated data",
        scheduleExpression: INTEGRITY_SCHEDULE, scheduleExpressionTimezone: "UTC", flexibleTimeWindow: { mode: "OFF" },
        target: { arn: fn.arn, roleArn: schedulerRole.arn, input: JSON.stringify({}), retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } },
    }, { parent, dependsOn: [invoke] });
    return fn;
}
