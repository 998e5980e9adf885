// `npm run bench`: how long the offline plan takes on this project, and how its cost grows with program size.
//
// (a) Wall time of `npm start` on this project's stacks (a process, as CI runs it: transpiler startup included).
// (b) Generated Pulumi projects of 100, 1,000 and 5,000 resources of mixed types, checked in-process through
//     the same path as `npm start` (synthesize twice, evaluate the pack twice); time per resource per size.
// Targets (2 cores): both stacks < 10 s wall, 5,000 resources < 60 s, per-resource time at 5,000 <= 1.5 x at 1,000.
// Exit 0 when every target is met, 1 when one is missed (or `npm start` could not run), 2 when the bench itself fails.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { plan, PlanIO } from "./plan";

const ROOT = path.join(__dirname, "..");
const SIZES = [100, 1000, 5000];
/** Resources per generated group (see GROUP below): a component and nine AWS resources. */
const PER_GROUP = 10;

/**
 * One group: a component holding a KMS key, a bucket with versioning, encryption and a public access block
 * (property dependencies on the bucket and the key), a role, a log group, a topic and a security group.
 */
const GROUP = `
class Group extends pulumi.ComponentResource {
    constructor(name: string, region: string | undefined, opts?: pulumi.ComponentResourceOptions) {
        super("bench:index:Group", name, {}, opts);
        const p = { parent: this };
        const key = new aws.kms.Key(\`\${name}-key\`, { enableKeyRotation: true, deletionWindowInDays: 30, region }, { ...p, protect: true, retainOnDelete: true });
        const bucket = new aws.s3.Bucket(\`\${name}-bucket\`, { bucket: \`\${name}-data\`, region, tags: { "vbr:data-class": "documents" } }, { ...p, protect: true, retainOnDelete: true });
        new aws.s3.BucketVersioning(\`\${name}-versioning\`, { bucket: bucket.id, region, versioningConfiguration: { status: "Enabled" } }, p);
        new aws.s3.BucketServerSideEncryptionConfiguration(\`\${name}-sse\`, {
            bucket: bucket.id, region,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
        }, p);
        new aws.s3.BucketPublicAccessBlock(\`\${name}-pab\`, { bucket: bucket.id, region, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, p);
        new aws.iam.Role(\`\${name}-role\`, { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }, p);
        new aws.cloudwatch.LogGroup(\`\${name}-logs\`, { retentionInDays: 365, kmsKeyId: key.arn, region }, p);
        new aws.sns.Topic(\`\${name}-topic\`, { kmsMasterKeyId: key.id, region }, p);
        new aws.ec2.SecurityGroup(\`\${name}-sg\`, { description: "bench", region }, p);
        this.registerOutputs({});
    }
}
`;

/** Writes a Pulumi TypeScript project with `resources` resources (plus the stack) and returns its directory. */
export function generateProject(resources: number, dir = fs.mkdtempSync(path.join(os.tmpdir(), `plan-bench-${resources}-`))): string {
    const groups = Math.max(1, Math.round(resources / PER_GROUP));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: bench\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`);
    fs.writeFileSync(path.join(dir, "Pulumi.main.yaml"), "config:\n  aws:region: us-east-1\n");
    // Every fifth group lands in the peer region through the per-resource region input.
    fs.writeFileSync(path.join(dir, "index.ts"), [
        `import * as pulumi from "@pulumi/pulumi";`, `import * as aws from "@pulumi/aws";`, GROUP,
        `for (let i = 0; i < ${groups}; i++) new Group(\`g\${i}\`, i % 5 === 4 ? "us-west-2" : undefined);`, "",
    ].join("\n"));
    // Resolve @pulumi/* from this repository: node follows the link to the same module instances.
    const link = path.join(dir, "node_modules");
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(ROOT, "node_modules"), link, "dir");
    return dir;
}

/** The targets; `npm run bench` exits 1 when one is missed. */
export const TARGETS = { stacksWallSeconds: 10, largestSeconds: 60, growthRatio: 1.5 } as const;

export interface BenchFigures {
    /** `npm start` on this project: wall seconds and exit code. */
    stacks: { seconds: number; exitCode: number | null };
    /** Seconds for the 5,000-resource program. */
    largestSeconds: number;
    /** Per-resource time at 5,000 over that at 1,000. */
    growthRatio: number;
}

/** The targets these figures miss, one line each (empty when all are met). */
export function missedTargets(f: BenchFigures): string[] {
    const missed: string[] = [];
    if (f.stacks.exitCode !== 0 && f.stacks.exitCode !== 1) missed.push(`npm start exited ${f.stacks.exitCode} (usage or configuration error): no verdict to time`);
    if (!(f.stacks.seconds < TARGETS.stacksWallSeconds)) missed.push(`both stacks took ${f.stacks.seconds.toFixed(1)} s wall (target < ${TARGETS.stacksWallSeconds} s)`);
    if (!(f.largestSeconds < TARGETS.largestSeconds)) missed.push(`5,000 resources took ${f.largestSeconds.toFixed(1)} s (target < ${TARGETS.largestSeconds} s)`);
    if (!(f.growthRatio <= TARGETS.growthRatio)) missed.push(`per-resource time 5,000 / 1,000 = ${f.growthRatio.toFixed(2)} (target <= ${TARGETS.growthRatio})`);
    return missed;
}

const quiet: PlanIO = { cwd: ROOT, color: false, stdout: () => undefined, stderr: () => undefined };

async function timePlan(projectDir: string): Promise<{ ms: number; resources: number; pack: string | null }> {
    const start = process.hrtime.bigint();
    const { report } = await plan({ project: projectDir, stacks: [], config: [] }, quiet);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { ms, resources: report.stacks.reduce((n, s) => n + s.summary.resources, 0), pack: report.policyPack };
}

async function run(): Promise<number> {
    const lines: string[] = [];
    const say = (s: string) => { lines.push(s); process.stdout.write(s + "\n"); };
    say(`offline plan bench: node ${process.version}, ${os.cpus().length} CPUs`);

    // (a) This project, as CI runs it.
    const start = Date.now();
    const child = spawnSync("npm", ["start", "--silent"], { cwd: ROOT, encoding: "utf8" });
    const wall = (Date.now() - start) / 1000;
    const summaries = child.stdout.split("\n").filter((l) => /^(PASS|FAIL) /.test(l));
    say(`(a) npm start (all stacks): ${wall.toFixed(1)} s wall, exit ${child.status} [target < 10 s]`);
    for (const l of summaries) say(`      ${l}`);
    if (child.status === 2) say(`      stderr: ${child.stderr.trim().split("\n")[0]}`);

    // (b) Generated programs. A warm-up run loads @pulumi/aws once, as `npm start` pays it once per process.
    const warm = await timePlan(generateProject(20));
    say(`(b) generated programs, judged by policy pack: ${warm.pack ?? "none (policies/pack.ts not available)"}`);
    const perResource: Record<number, number> = {};
    const seconds: Record<number, number> = {};
    for (const size of SIZES) {
        const dir = generateProject(size);
        const { ms, resources } = await timePlan(dir);
        perResource[size] = ms / resources;
        seconds[size] = ms / 1000;
        say(`(b) ${String(size).padStart(5)} resources: ${(ms / 1000).toFixed(2)} s for ${resources} recorded, ` +
            `${perResource[size].toFixed(3)} ms/resource${size === 5000 ? " [target < 60 s]" : ""}`);
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const ratio = perResource[5000] / perResource[1000];
    say(`    per-resource time 5,000 / 1,000 = ${ratio.toFixed(2)} [target <= ${TARGETS.growthRatio}]`);
    const missed = missedTargets({ stacks: { seconds: wall, exitCode: child.status }, largestSeconds: seconds[5000], growthRatio: ratio });
    for (const m of missed) say(`MISSED: ${m}`);
    say(missed.length === 0 ? "all targets met" : `${missed.length} target${missed.length === 1 ? "" : "s"} missed`);
    return missed.length === 0 ? 0 : 1;
}

if (require.main === module) {
    run().then((code) => process.stdout.write("", () => process.exit(code)), (err) => {
        process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exit(2);
    });
}
