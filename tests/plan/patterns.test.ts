// The offline plan on programs written the ways people write Pulumi programs (tests/fixtures/patterns/): ES modules,
// relative paths, transforms, outputs that never resolve, failures feeding exports, data sources, inline S3
// settings, stacks without a stack file. Each through `main` with the real pack: exit code, report, message.
// What this cannot prove: that the CLI's language host behaves the same in every detail (it is not installed here).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { expect } from "chai";
import { main, PlanIO } from "../../tools/plan";
import { SECRET_PLACEHOLDER } from "../../tools/harness/project";
import { policyDocument } from "../../tools/harness/invokes";

const root = path.join(__dirname, "..", "..");
const PATTERNS = path.join(__dirname, "..", "fixtures", "patterns");

interface Resource { name: string; type: string; protect: boolean; inputs: Record<string, unknown> }
interface Stack { stack: string; resources: Resource[]; violations: Array<{ policy: string; urn: string | null; message: string; enforcementLevel: string }>; limitations: string[] }

async function plan(pattern: string, ...args: string[]): Promise<{ code: number; out: string; err: string; stacks: Stack[]; json: Record<string, unknown> }> {
    const io: PlanIO & { out: string; err: string } = { cwd: root, color: false, out: "", err: "", stdout: (t) => { io.out += t; }, stderr: (t) => { io.err += t; } };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-pattern-")), "plan.json");
    const code = await main(["--project", path.join(PATTERNS, pattern), "--json", file, ...args], io, { extensions: [] });
    const json = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { stacks: [] };
    return { code, out: io.out, err: io.err, stacks: json.stacks, json };
}

/** The plan of a project given by its path (a copy outside the repository). */
async function standalone(dir: string, ...args: string[]): Promise<{ code: number; err: string; stacks: Stack[] }> {
    const io: PlanIO & { out: string; err: string } = { cwd: root, color: false, out: "", err: "", stdout: (t) => { io.out += t; }, stderr: (t) => { io.err += t; } };
    const file = path.join(path.dirname(dir), "plan.json");
    const code = await main(["--project", dir, "--json", file, ...args], io, { extensions: [] });
    return { code, err: io.err, stacks: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).stacks : [] };
}

const named = (s: Stack, name: string) => s.resources.find((r) => r.name === name)!;
const policiesOn = (s: Stack, name: string) => s.violations.filter((v) => v.urn?.endsWith(`::${name}`)).map((v) => v.policy).sort();

describe("offline plan on common program patterns", function () {
    this.timeout(60000);

    it("an ES module program in TypeScript: each stack runs the program afresh (module-level config per stack)", async () => {
        const r = await plan("esm");
        expect(r.code, r.err).to.equal(1);
        expect(r.stacks.map((s) => [s.stack, named(s, "data").inputs.bucket])).to.deep.equal([["dev", "dev-data"], ["prod", "prod-data"]]);
        expect(named(r.stacks[0], "data").protect).to.equal(true);
    });

    it("relative paths are the project directory's, and the tool's working directory is restored", async () => {
        const before = process.cwd();
        const r = await plan("relative-paths");
        expect(r.code, r.err).to.equal(1);
        expect(named(r.stacks[0], "site").inputs.tags).to.deep.equal({ team: "platform", source: "files/tags.json" });
        expect(process.cwd()).to.equal(before);
    });

    it("transforms: a resource's own, its parent's (on a component's child) and the stack's, as the engine applies them", async () => {
        const r = await plan("transforms");
        const [dev] = r.stacks;
        expect(["data", "store", "store-bucket", "plain"].map((n) => [n, named(dev, n).protect])).to.deep.equal([["data", true], ["store", true], ["store-bucket", true], ["plain", false]]);
        expect(named(dev, "store-bucket").inputs.tags).to.deep.equal({ owner: "store", team: "data" });
        expect(named(dev, "plain").inputs.tags).to.deep.equal({ team: "data" });
        // The protect a transform sets is what the pack judges.
        expect(policiesOn(dev, "data")).not.to.include("aws-data-resources-protected");
        expect(policiesOn(dev, "plain")).to.include("aws-data-resources-protected");
    });

    it("an output that never resolves while a timer runs: exit 2 after --timeout, naming the stack, nothing written", async () => {
        const r = await plan("hang", "--timeout", "1");
        expect(r.code).to.equal(2);
        expect(r.err).to.equal(`error: stack "dev": the program did not finish within 1 s (--timeout); nothing of Pulumi's was pending: the program waits on a promise or timer of its own\n`);
        expect(r.out).to.equal("");
        expect(r.stacks).to.deep.equal([]);
    });

    it("a failing apply feeding an exported output: exit 2 with the program's error and what was left pending", async () => {
        // In-process the host (mocha) keeps the event loop busy, so only --timeout ends the wait; the CLI notices
        // at once (below, as a process).
        const r = await plan("failing", "--timeout", "1");
        expect(r.code).to.equal(2);
        expect(r.err).to.match(/^error: stack "dev": the program failed while constructing resources: error serializing property "bucket": cannot derive a name from source-[0-9a-f]{7} \(at index\.ts:10:\d+\); the program did not finish within 1 s \(--timeout\); still pending: the outputs of copy \(aws:s3\/bucket:Bucket\)\n$/);
    });

    it("as a process, the same failure is noticed when the event loop runs dry, without waiting for --timeout", () => {
        const started = Date.now();
        const run = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", "--project", path.join(PATTERNS, "failing")], { cwd: root, encoding: "utf8" });
        expect(run.status, run.stderr).to.equal(2);
        expect(run.stderr).to.match(/^error: stack "dev": the program failed while constructing resources: error serializing property "bucket": cannot derive a name from source-[0-9a-f]{7} \(at index\.ts:10:\d+\); the program stopped with outputs that can never resolve; still pending: the outputs of copy \(aws:s3\/bucket:Bucket\)\n$/);
        expect(run.stdout).to.equal("");
        expect(Date.now() - started).to.be.below(60_000);
    });

    it("an unanswered invoke feeding an export: exit 2 naming the invoke", async () => {
        const r = await plan("failing", "--config", "mode=invoke", "--timeout", "1");
        expect(r.code).to.equal(2);
        expect(r.err).to.include("Cannot read properties of undefined (reading 'toLowerCase') (at index.ts:16:");
        expect(r.err).to.match(/\(invokes the offline plan cannot answer: aws:ssm\/getParameter:getParameter \(\/app\/bucket\)\)\n$/);
    });

    it("another project's stack: refused without --stack-outputs (naming the flag), read from the file, a missing key exits 2", async () => {
        const none = await plan("failing", "--config", "mode=output");
        expect(none.code).to.equal(2);
        expect(none.err).to.include(`StackReference "organization/network/prod" cannot be resolved offline`).and.include("--stack-outputs organization/network/prod=<file.json>");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-outputs-"));
        fs.writeFileSync(path.join(dir, "ok.json"), JSON.stringify({ bucketPrefix: "net" }));
        fs.writeFileSync(path.join(dir, "missing.json"), JSON.stringify({ other: 1 }));
        const ok = await plan("failing", "--config", "mode=output", "--stack-outputs", `organization/network/prod=${path.join(dir, "ok.json")}`);
        expect(ok.code, ok.err).to.equal(1);
        const missing = await plan("failing", "--config", "mode=output", "--stack-outputs", `organization/network/prod=${path.join(dir, "missing.json")}`);
        expect(missing.code).to.equal(2);
        expect(missing.err).to.equal(`error: stack "dev": the program failed while constructing resources: Required output 'bucketPrefix' does not exist on stack 'organization/network/prod'.\n`);
        const bad = await plan("failing", "--stack-outputs", "prod=x.json");
        expect(bad.code).to.equal(2);
        expect(bad.err).to.include(`--stack-outputs "prod=x.json" is malformed: expected <org>/<project>/<stack>=<file.json>`);
    });

    it("data sources: a computed TLS policy document passes, lookups get stable ids, the unanswered one is a limitation", async () => {
        const r = await plan("invokes");
        expect(r.code, r.err).to.equal(1);
        const [dev] = r.stacks;
        const policy = JSON.parse(String(named(dev, "site-tls").inputs.policy));
        expect(policy.Statement).to.deep.equal([{
            Sid: "DenyInsecureTransport", Effect: "Deny", Action: "s3:*", Resource: ["arn:aws:s3:::invokes-site/*", "arn:aws:s3:::invokes-site"],
            Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } },
        }]);
        // The bucket policy is known in the synthesized run: the TLS policy judges it and it passes.
        expect(dev.violations.filter((v) => v.policy === "s3-bucket-tls-only" && v.enforcementLevel === "mandatory")).to.deep.equal([]);
        expect(named(dev, "web").inputs.ami).to.match(/^ami-0[0-9a-f]{16}$/);
        expect(named(dev, "web").inputs.subnetId).to.match(/^subnet-0[0-9a-f]{16}$/);
        expect(named(dev, "www").inputs.zoneId).to.match(/^Z[0-9A-F]{20}$/);
        // Public parameters: the ECS-optimized AMI's JSON metadata and a latest-AMI id; the organization's root.
        expect(named(dev, "ecs-host").inputs.ami).to.match(/^ami-0[0-9a-f]{16}$/);
        expect(named(dev, "plain-host").inputs.ami).to.match(/^ami-0[0-9a-f]{16}$/);
        expect(named(dev, "team").inputs.parentId).to.match(/^r-[0-9a-f]{4}$/);
        expect(dev.limitations).to.deep.equal(["invoke aws:ssm/getParameter:getParameter (/app/release): no offline answer, the program got an empty result"]);
        expect(r.out).to.include("Not seen offline (this run's limitations)\n  - invoke aws:ssm/getParameter:getParameter (/app/release)");
    });

    it("inline S3 settings are judged as what they are: compliant inline versioning and SSE-KMS pass, AES256 and a public ACL fail", async () => {
        const r = await plan("inline-s3");
        const [dev] = r.stacks;
        // Neither bucket is on record (no trail): the access-audit policy names the provider's name once it is known and a
        // placeholder in the preview, where an autonamed bucket has none offline.
        const audited = ["s3-bucket-access-audited", "s3-bucket-access-audited"];
        expect(policiesOn(dev, "inline")).to.deep.equal([...audited, "s3-bucket-cross-region-replication", "s3-bucket-public-access-blocked", "s3-bucket-tls-only"]);
        expect(policiesOn(dev, "legacy")).to.deep.equal([
            ...audited, "s3-bucket-cross-region-replication", "s3-bucket-encryption-cmk", "s3-bucket-public-access-blocked", "s3-bucket-public-access-blocked",
            "s3-bucket-tls-only", "s3-bucket-versioning-enabled",
        ]);
        const messages = dev.violations.filter((v) => v.urn?.endsWith("::legacy")).map((v) => v.message);
        expect(messages).to.include('Bucket "legacy" has versioning.enabled false. Fix: set versioning: { enabled: true }, or add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.');
        expect(messages).to.include('Bucket "legacy" has the public ACL "public-read". Fix: remove acl (use BucketOwnershipControls BucketOwnerEnforced).');
    });

    it("no stack file: --stack with --config runs on Pulumi.yaml's defaults (a notice says so); stackConfigDir and package.json main", async () => {
        const dev = await plan("no-stack-file", "--stack", "dev", "--config", "aws:region=us-east-2");
        expect(dev.code, dev.err).to.equal(1);
        expect(named(dev.stacks[0], "logs").inputs.tags).to.deep.equal({ owner: "nobody" });
        expect(dev.stacks[0].limitations).to.deep.equal([`stack "dev" has no stack file (Pulumi.dev.yaml): its config is Pulumi.yaml's defaults and --config`]);
        const staging = await plan("no-stack-file", "--stack", "staging");
        expect(named(staging.stacks[0], "logs").inputs.tags).to.deep.equal({ owner: "data-team" });
        expect(staging.stacks[0].limitations[0]).to.equal(`nofile:apiToken is encrypted in Pulumi.staging.yaml and cannot be decrypted offline: the program got the placeholder "${SECRET_PLACEHOLDER}"; give a value with --config nofile:apiToken=<value> to judge a real one`);
        const typo = await plan("no-stack-file", "--stack", "stagign");
        expect(typo.code).to.equal(2);
        expect(typo.err).to.include(`no stack file for "stagign" (Pulumi.stagign.yaml)`).and.include("stacks: staging");
    });

    it("another runtime: exit 2 naming it, not a missing index.ts", async () => {
        const r = await plan("yaml-runtime");
        expect(r.code).to.equal(2);
        expect(r.err).to.equal(`error: ${path.join(PATTERNS, "yaml-runtime", "Pulumi.yaml")}: runtime "yaml" is not supported: the offline plan runs Node.js programs (runtime: nodejs)\n`);
    });

    it("a program without node_modules (outside this repository) gets the offline plan's packages; a package neither has is named", async () => {
        // In one process: cjs, cjs failing at load, esm (which a late call of the failed run's stack broke), esm failing.
        for (const kind of ["cjs", "esm"]) {
            const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-standalone-")), kind);
            fs.cpSync(path.join(PATTERNS, `no-node-modules-${kind}`), dir, { recursive: true });
            const r = await standalone(dir, "--stack", "dev", "--config", "aws:region=us-east-1");
            expect(r.code, `${kind}: ${r.err}`).to.equal(1);
            expect(named(r.stacks[0], "logs").inputs.tags, kind).to.deep.equal({ name: "logs", stack: "dev" });
            // The SDK's warning for each package a serialized function's archive lacks (one per package and function
            // and pass) is one limitation, not lines on stderr.
            expect(r.err, kind).to.equal("");
            const versions = ["aws", "pulumi"].map((p) => JSON.parse(fs.readFileSync(path.join(root, "node_modules", "@pulumi", p, "package.json"), "utf8")).version);
            expect(r.stacks[0].limitations.slice(1), kind).to.deep.equal([
                "the project has not installed dependencies the offline plan has, so the program ran with the plan's: " +
                `@pulumi/aws ${versions[0]} (package.json: ^7.0.0), @pulumi/pulumi ${versions[1]} (package.json: ^3.0.0); \`npm install\` in the project directory runs it with its own`,
                ...(kind === "esm" ? [] : ["functions serialized from the program (e.g. aws.lambda.CallbackFunction) are packaged without @pulumi/aws, @pulumi/pulumi, which the project has not installed"]),
            ]);
            const missing = await standalone(dir, "--stack", "dev", "--config", "aws:region=us-east-1", "--config", "extra=@example/not-installed/sub");
            expect(missing.code, kind).to.equal(2);
            expect(missing.err, kind).to.equal(`error: stack "dev": the program imports "@example/not-installed", which is installed neither in the project nor beside the offline plan: ` +
                `run \`npm install\` in the project directory (or \`npm install @example/not-installed\` there)${kind === "cjs" ? " (at index.ts:10:12)" : ""}\n`);
            if (kind === "esm") {
                // An ES module's failing line, mapped from the compiled module back to the TypeScript source.
                const legacy = await standalone(dir, "--stack", "dev", "--config", "aws:region=us-east-1", "--config", "legacy=true");
                expect(legacy.code).to.equal(2);
                expect(legacy.err).to.equal(`error: stack "dev": the program failed while constructing resources: require is not defined in ES module scope, you can use import instead (at index.ts:15:5)\n`);
            }
        }
    });

    it("without Pulumi.yaml main, the entry point is the project directory's index.ts, not a <dir>.ts beside the directory", async () => {
        const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-standalone-")), "app");
        fs.cpSync(path.join(PATTERNS, "no-node-modules-cjs"), dir, { recursive: true });
        fs.writeFileSync(`${dir}.ts`, `throw new Error("not the program");\n`);
        const r = await standalone(dir, "--stack", "dev", "--config", "aws:region=us-east-1");
        expect(r.code, r.err).to.equal(1);
        expect(named(r.stacks[0], "logs").inputs.tags).to.deep.equal({ name: "logs", stack: "dev" });
    });

    it("as a process started with a relative -r ./tools/register.js, an ES module program outside the repository runs (the loader thread starts before the chdir)", () => {
        const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-standalone-")), "esm");
        fs.cpSync(path.join(PATTERNS, "no-node-modules-esm"), dir, { recursive: true });
        const run = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", "--project", dir, "--stack", "dev", "--config", "aws:region=us-east-1"], { cwd: root, encoding: "utf8" });
        expect(run.status, run.stderr).to.equal(1);
        expect(run.stderr).to.equal("");
        expect(run.stdout).to.include("Verdict: FAIL: 8 mandatory violations in dev (1 stack checked, 0 advisory violations); exit 1");
    });

    it("the JSON report names each policy's description once, violations carry what the policy reported", async () => {
        const r = await plan("relative-paths");
        const policies = r.json.policies as Record<string, string>;
        expect(Object.keys(policies).sort()).to.deep.equal([...new Set(r.stacks[0].violations.map((v) => v.policy))].sort());
        for (const v of r.stacks[0].violations) expect(v.message.startsWith(policies[v.policy])).to.equal(false);
        expect(r.out).to.include(policies["s3-bucket-versioning-enabled"]);
    });
});

describe("aws.iam.getPolicyDocument offline (the provider's rules)", () => {
    it("merges source and override documents by Sid, writes single values as strings and &{} as ${}", () => {
        const source = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Sid: "B", Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }] });
        const override = JSON.stringify({ Statement: { Sid: "B", Effect: "Deny", Action: "s3:ListBucket", Resource: "*" } });
        const doc = policyDocument({
            sourcePolicyDocuments: [source], overridePolicyDocuments: [override], policyId: "p1",
            statements: [{ sid: "C", actions: ["s3:PutObject", "s3:DeleteObject"], resources: ["arn:aws:s3:::b/&{aws:username}/*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::1:root"] }] }],
        });
        expect(JSON.parse(String(doc.json))).to.deep.equal({
            Version: "2012-10-17", Id: "p1", Statement: [
                { Sid: "A", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
                { Sid: "B", Effect: "Deny", Action: "s3:ListBucket", Resource: "*" },
                { Sid: "C", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: "arn:aws:s3:::b/${aws:username}/*", Principal: { AWS: "arn:aws:iam::1:root" } },
            ],
        });
        expect(doc.minifiedJson).to.equal(JSON.stringify(JSON.parse(String(doc.json))));
    });
});
