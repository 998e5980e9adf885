// The offline plan CLI: exit codes, the JSON report, --project on the fixture, each bad-input case, and the
// engine's evaluation semantics (unknown in preview -> advisory; stack policies following propertyDependencies).
//
// Most cases call `main` in-process with test policies; one case spawns `npm start` as CI does.
// What this cannot prove: that AWS accepts the requests, or what awsx creates inside its remote components.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { expect } from "chai";
import type { Policies, PolicyResource } from "@pulumi/policy";
import { main, PlanIO } from "../../tools/plan";
import { GITHUB_COMMENT_LIMIT, PlanReport, renderMarkdown, reportResource, StackReport } from "../../tools/plan/report";
import { REDACTED } from "../../tools/harness/recorder";
import { primaryStack, syntheses } from "../helpers/stacks";
import { missedTargets, startCommand } from "../../tools/bench";

const root = path.join(__dirname, "..", "..");
const fixture = path.join(__dirname, "..", "fixtures", "offline-project");
// Engine URNs: children of the stack carry no `pulumi:pulumi:Stack$` prefix.
const EAST = "urn:pulumi:east::fixture::";
const WEST = "urn:pulumi:west::fixture::";

const regionOf = (r: PolicyResource): unknown => r.props.region ?? r.provider?.props.region;

/** Two policies shaped like the real pack's: one reads a computed value, one follows a property dependency. */
const testPolicies: Policies = [
    {
        name: "s3-replication-destination-arn", description: "Replication destinations are bucket ARNs.",
        enforcementLevel: "advisory",
        validateResource: (args, report) => {
            if (args.type !== "aws:s3/bucketReplicationConfig:BucketReplicationConfig") return;
            // Unknown during a first preview: the proxy throws and the engine reports an advisory instead.
            const dest = args.props.rules[0].destination.bucket as string;
            if (!dest.startsWith("arn:aws:s3:::")) report(`destination ${dest} is not a bucket ARN`);
        },
    },
    {
        name: "s3-replication-cross-region", description: "Replication must leave the source bucket's region.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            for (const r of args.resources.filter((x) => x.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
                // Known even in preview: the destination is the resource the rules input came from.
                for (const dest of r.propertyDependencies.rules ?? []) {
                    if (regionOf(dest) === regionOf(r)) report(`${r.name} replicates to ${dest.name} in its own region ${regionOf(r)}`, r.urn);
                }
            }
        },
    },
];
const pack = { packName: "test-pack", packVersion: "1.2.3", policies: testPolicies };

function memoryIO(): PlanIO & { out: string; err: string } {
    const io = { cwd: root, color: false, out: "", err: "", stdout: (t: string) => { io.out += t; }, stderr: (t: string) => { io.err += t; } };
    return io;
}

function tmpFile(name: string): string {
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-")), name);
}


/** `text` as a literal inside a RegExp. */
const reEscape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
describe("offline plan (tools/plan.ts)", () => {
    describe("on the fixture project (--project)", () => {
        let io: ReturnType<typeof memoryIO>;
        let code: number;
        let json: string;
        let markdown: string;

        before(async () => {
            io = memoryIO();
            json = tmpFile("plan.json");
            markdown = tmpFile("plan.md");
            code = await main(["--project", fixture, "--json", json, "--markdown", markdown], io, { pack, extensions: [], syntheses });
        });

        it("exits 1 because the west stack replicates within its own region (mandatory)", () => {
            expect(code, io.err).to.equal(1);
        });

        it("writes the JSON report with its exact schema (a contract CI and scripts read)", () => {
            const report = JSON.parse(fs.readFileSync(json, "utf8"));
            expect(report.project).to.equal("fixture");
            expect(report.stacks.map((s: { stack: string }) => s.stack)).to.deep.equal(["east", "west"]);
            const east = report.stacks[0];
            expect(east.resources.find((r: { name: string }) => r.name === "replica")).to.deep.equal({
                urn: `${EAST}aws:s3/bucket:Bucket::replica`, type: "aws:s3/bucket:Bucket", name: "replica",
                parent: `${EAST}pulumi:pulumi:Stack::fixture-east`, custom: true, region: "us-west-2", protect: true, retainOnDelete: false,
                dependencies: [], inputs: { bucket: "fixture-replica" },
            });
            expect(east.summary).to.deep.equal({ resources: 8, components: 2, mandatory: 0, advisory: 1 });
        });

        it("reports an unknown value in preview as the engine's advisory, found by the preview run only", () => {
            const report = JSON.parse(fs.readFileSync(json, "utf8"));
            expect(report.stacks[0].violations).to.have.length(1);
            const v = report.stacks[0].violations[0];
            expect(v).to.deep.include({
                policy: "s3-replication-destination-arn", enforcementLevel: "advisory",
                urn: `${EAST}aws:s3/bucketReplicationConfig:BucketReplicationConfig::store-replication`, foundIn: ["preview"],
            });
            // The pack as the engine names it: the given pack's name and version, not the harness's placeholder.
            expect(v.message).to.equal("can't run policy 's3-replication-destination-arn' from policy pack 'test-pack@v1.2.3' during preview: string value at .rules.0.destination.bucket can't be known during preview");
        });

        it("lets a stack policy follow propertyDependencies to the destination's provider region, in both runs", () => {
            const report = JSON.parse(fs.readFileSync(json, "utf8"));
            const west = report.stacks[1];
            const mandatory = west.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory");
            expect(mandatory).to.have.length(1);
            expect(mandatory[0]).to.deep.include({
                policy: "s3-replication-cross-region",
                urn: `${WEST}aws:s3/bucketReplicationConfig:BucketReplicationConfig::store-replication`,
                foundIn: ["synthesized", "preview"],
            });
            expect(mandatory[0].message).to.include("store-replication replicates to replica in its own region us-west-2");
            // east replicates us-east-1 -> us-west-2 (the provider's region): no mandatory violation there.
            expect(report.stacks[0].summary.mandatory).to.equal(0);
        });

        it("prints the tree with regions, the violations by level and one summary line per stack", () => {
            expect(io.out).to.include("Stack fixture/east");
            expect(io.out).to.match(/└─ store-bucket {2}aws:s3\/bucket:Bucket {2}us-east-1 {2}\[protected, retained\]/);
            expect(io.out).to.include("Mandatory violations (1)");
            expect(io.out).to.include("PASS east: 8 resources (2 components), 0 mandatory, 1 advisory violation");
            expect(io.out).to.include("FAIL west: 9 resources (2 components), 1 mandatory, 1 advisory violation");
            expect(io.out).not.to.match(/\x1b\[/); // no colour off a terminal
        });

        it("writes a Markdown report for the PR comment", () => {
            const text = fs.readFileSync(markdown, "utf8");
            expect(text).to.match(/^## Offline plan: `fixture` ❌ mandatory policy violations/);
            expect(text).to.include("| ❌ `west` | 9 | 2 | 1 | 1 |");
            expect(text).to.include("| 🔴 mandatory | `s3-replication-cross-region` | `store-replication` |");
        });

        it("checks only the stacks named with --stack, still resolving the reference (exit 0)", async () => {
            const one = memoryIO();
            const file = tmpFile("east.json");
            expect(await main(["--project", fixture, "--stack", "east", "--json", file], one, { pack, extensions: [], syntheses })).to.equal(0);
            expect(JSON.parse(fs.readFileSync(file, "utf8")).stacks.map((s: { stack: string }) => s.stack)).to.deep.equal(["east"]);
        });

        it("runs any Pulumi program: a TypeScript one with an async entry, a JavaScript one (exit 0)", async () => {
            for (const [dir, stack] of [["async-project", "asyncfix/dev"], ["js-function-project", "jsfix/dev"]]) {
                const one = memoryIO();
                expect(await main(["--project", path.join(fixture, "..", dir)], one, { pack, extensions: [], syntheses }), one.err).to.equal(0);
                expect(one.out).to.include(`Stack ${stack}`);
                expect(one.out).to.match(/PASS dev: 2 resources/);
            }
        });

        it("adds extension fields per stack without touching the core fields", async () => {
            const file = tmpFile("ext.json");
            const ext = { field: "bringUp", compute: () => ({ p90Minutes: 42 }), text: () => ["bring-up: 42 min"] };
            const one = memoryIO();
            await main(["--project", fixture, "--stack", "east", "--json", file], one, { pack, extensions: [ext], syntheses });
            expect(JSON.parse(fs.readFileSync(file, "utf8")).stacks[0].bringUp).to.deep.equal({ p90Minutes: 42 });
            expect(one.out).to.include("bring-up: 42 min");
        });
    });

    describe("on a JavaScript project (--project, main: index.js)", () => {
        const jsFixture = path.join(__dirname, "..", "fixtures", "js-project");

        it("runs the CommonJS program and records its resources", async () => {
            const io = memoryIO();
            const file = tmpFile("js.json");
            expect(await main(["--project", jsFixture, "--json", file], io, { pack, extensions: [], syntheses }), io.err).to.equal(0);
            const [dev] = JSON.parse(fs.readFileSync(file, "utf8")).stacks;
            expect(dev.resources.map((r: { name: string }) => r.name)).to.deep.equal(["jsfixture-dev", "store", "store-bucket"]);
            expect(io.out).to.include("PASS dev: 3 resources (2 components), 0 mandatory, 0 advisory violations");
        });

        it("names the JavaScript line and column the program threw from (the file is run as written)", async () => {
            const io = memoryIO();
            expect(await main(["--project", jsFixture, "--config", "mode=throw"], io, { pack, extensions: [], syntheses })).to.equal(2);
            expect(io.err).to.include(`stack "dev": the program failed while constructing resources: js fixture program failed on purpose (at index.js:7:40)`);
        });
    });

    describe("on this project with the real pack", () => {
        it("judges every stack of both cells, synthesized and in a first preview, with zero violations (bucket policies are known in preview)", async () => {
            const io = memoryIO();
            const file = tmpFile("project.json");
            expect(await main(["--json", file], io, { extensions: [], syntheses }), io.err).to.equal(0);
            const report = JSON.parse(fs.readFileSync(file, "utf8"));
            expect(report.stacks.map((s: { stack: string; violations: unknown[] }) => [s.stack, s.violations])).to.deep.equal([["primary", []], ["dr", []], ["eu-primary", []], ["eu-dr", []]]);
            expect(io.out).to.include("PASS primary: ").and.include("PASS dr: ").and.include("PASS eu-primary: ").and.include("PASS eu-dr: ").and.not.include("can't run policy");
        });

        it("checks the DR stack alone in drill, whose outputs depend on the primary's: the reference is resolved, no hang", async () => {
            // The first attempt meets an unresolved StackReference whose outputs the stack exports; it must fail fast
            // (and the primary be synthesized) instead of waiting forever for the reference's outputs.
            const io = memoryIO();
            const file = tmpFile("drill.json");
            expect(await main(["--stack", "dr", "--config", "vbr:drState=drill", "--json", file], io, { extensions: [], syntheses }), io.err).to.equal(0);
            const [dr] = JSON.parse(fs.readFileSync(file, "utf8")).stacks;
            expect(dr.violations).to.deep.equal([]);
        });

        it("the JSON report carries each resource's inputs, secret values redacted", async () => {
            const primary = await primaryStack();
            const byName = (type: string, name: string) => reportResource(primary.resources.find((r) => r.type === type && r.name === name)!);
            const db = byName("aws:rds/instance:Instance", "vbr-prod-db-postgres");
            expect(db.inputs).to.deep.include({ engineVersion: "16", applyImmediately: true, password: REDACTED, username: "vbr_admin" });
            expect(byName("aws:secretsmanager/secretVersion:SecretVersion", "vbr-prod-db-credentials").inputs.secretString).to.equal(REDACTED);
            // The recorder still hands policies the real value: only reports redact.
            const recorded = primary.resources.find((r) => r.name === "vbr-prod-db-credentials" && r.type === "aws:secretsmanager/secretVersion:SecretVersion")!;
            expect(JSON.parse(String(recorded.inputs.secretString))).to.have.keys(["username", "password"]);
            // Inputs without secrets are the recorded object itself.
            const key = primary.resources.find((r) => r.type === "aws:kms/key:Key")!;
            expect(reportResource(key).inputs).to.equal(key.inputs);
        });
    });

    describe("bad input: exit 2, a message naming what was wrong, nothing written", () => {
        const cases: Array<[string, string[], RegExp]> = [
            ["an unknown flag", ["--stakc", "east"], /unknown option '--stakc'/],
            ["a missing project directory", ["--project", "/nonexistent/dir"], /project directory \/nonexistent\/dir does not exist/],
            ["a stack with no stack file", ["--project", fixture, "--stack", "prod"], /no stack file for "prod" \(Pulumi\.prod\.yaml\).*stacks: east, west/],
            ["a malformed --config", ["--project", fixture, "--config", "fixture:mode"], /--config "fixture:mode" is malformed: expected <key>=<value>/],
            ["a program that throws", ["--project", fixture, "--stack", "east", "--config", "mode=throw"],
                /stack "east": the program failed while constructing resources: fixture program failed on purpose \(at index\.ts:8:\d+\)/],
            ["a config that fails validation", ["--project", fixture, "--stack", "east", "--config", "fixture:mode=bogus"],
                /stack "east": Invalid configuration: fixture:mode = "bogus": must be one of ok, throw, invalid/],
            ["a --config key of the project's namespace that Pulumi.yaml does not declare", ["--stack", "dr", "--config", "vbr:drStat=failover"],
                /--config vbr:drStat: not a config key of project "vbr" \(not declared in Pulumi\.yaml\); did you mean vbr:drState\?/],
            ["an undeclared key given without its namespace", ["--project", fixture, "--config", "mod=ok"],
                /--config fixture:mod: not a config key of project "fixture" .*did you mean fixture:mode\?/],
            ["--project naming a file", ["--project", "package.json"], /--project package\.json is not a directory: give the project directory that holds Pulumi\.yaml/],
            ["--parallel that is not a whole number >= 1", ["--project", fixture, "--parallel", "0"], /option '--parallel <n>' argument '0' is invalid\. expected a whole number >= 1/],
            ["--timeout that is not a whole number >= 1", ["--project", fixture, "--timeout", "1.5"], /option '--timeout <seconds>' argument '1\.5' is invalid\. expected a whole number >= 1/],
            ["--stack-outputs naming a file that does not exist", ["--project", fixture, "--stack-outputs", "acme/net/prod=/nonexistent/out.json"],
                /--stack-outputs acme\/net\/prod=\/nonexistent\/out\.json: cannot read it as JSON: ENOENT/],
            ["another runtime", ["--project", path.join(fixture, "..", "patterns", "yaml-runtime")], /runtime "yaml" is not supported: the offline plan runs Node\.js programs \(runtime: nodejs\)/],
            ["--policy-config-out for several stacks without {stack}", ["--project", fixture, "--policy-config-out", tmpFile("cfg.json")],
                /--policy-config-out .*cfg\.json: the policy config is per stack and 2 stacks are checked; limit the run with --stack or put \{stack\} in the file name/],
            // The temp directory itself (TMPDIR may move it from /tmp).
            ["--markdown naming a directory", ["--project", fixture, "--markdown", os.tmpdir()],
                new RegExp(`--markdown ${reEscape(os.tmpdir())} is a directory: give a file name, e\\.g\\. ${reEscape(path.join(os.tmpdir(), "plan.md"))}`)],
            ["--chart in a directory that does not exist", ["--project", fixture, "--chart", "/nonexistent/dir/c.svg"],
                /--chart \/nonexistent\/dir\/c\.svg: cannot write it: its directory \/nonexistent\/dir does not exist/],
        ];
        for (const [what, args, message] of cases) {
            it(what, async () => {
                const io = memoryIO();
                const file = tmpFile("never.json");
                const code = await main([...args, "--json", file], io, { pack, extensions: [], syntheses });
                expect(code, io.err).to.equal(2);
                expect(io.err).to.match(message);
                expect(io.err.split("\n").length).to.be.below(8);
                expect(io.err).not.to.match(/^\s+at /m); // no stack trace
                expect(io.out).to.equal("");
                expect(fs.existsSync(file)).to.equal(false);
            });
        }

        it("--json naming a directory: exit 2 before anything runs, nothing printed (was: the report, then EISDIR)", async () => {
            const io = memoryIO();
            const code = await main(["--project", fixture, "--stack", "east", "--json", os.tmpdir()], io, { pack, extensions: [], syntheses });
            expect(code, io.err).to.equal(2);
            expect(io.err).to.equal(`error: --json ${os.tmpdir()} is a directory: give a file name, e.g. ${path.join(os.tmpdir(), "plan.json")}\n`);
            expect(io.out).to.equal("");
        });

        it("--json ok.json --markdown <directory>: exit 2 and ok.json is not written either", async () => {
            const io = memoryIO();
            const ok = tmpFile("ok.json");
            const code = await main(["--project", fixture, "--stack", "east", "--json", ok, "--markdown", os.tmpdir()], io, { pack, extensions: [], syntheses });
            expect(code, io.err).to.equal(2);
            expect(io.err).to.include(`--markdown ${os.tmpdir()} is a directory`);
            expect(fs.existsSync(ok)).to.equal(false);
            expect(io.out).to.equal("");
        });

        it("a write that fails after validation (the directory vanished) leaves no file and no temp file behind", async () => {
            const io = memoryIO();
            const ok = tmpFile("ok.json");
            const gone = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-gone-")), "sub");
            fs.mkdirSync(gone);
            // The extension runs after validation and before the writes: it removes the Markdown target's directory.
            const ext = { field: "x", compute: () => { fs.rmSync(gone, { recursive: true }); return 1; } };
            const code = await main(["--project", fixture, "--stack", "east", "--json", ok, "--markdown", path.join(gone, "plan.md")], io, { pack, extensions: [ext], syntheses });
            expect(code, io.err).to.equal(2);
            expect(io.err).to.match(/^error: cannot write .*plan\.md: ENOENT/);
            expect(fs.readdirSync(path.dirname(ok))).to.deep.equal([]);
            expect(io.out).to.equal("");
        });

        it("two flags naming the same file", async () => {
            const io = memoryIO();
            const file = tmpFile("same.out");
            expect(await main(["--project", fixture, "--json", file, "--markdown", file], io, { pack, extensions: [], syntheses })).to.equal(2);
            expect(io.err).to.include(`--markdown ${file}: --json writes the same file`);
            expect(fs.existsSync(file)).to.equal(false);
        });

        it("keys of other namespaces (aws:) are the providers' and pass the declared-key check", async () => {
            const io = memoryIO();
            expect(await main(["--project", fixture, "--stack", "east", "--config", "aws:skipMetadataApiCheck=true"], io, { pack, extensions: [], syntheses }), io.err).to.equal(0);
        });

        it("validates --config on the real project through the stack config path (vbr:peerRegion = aws:region)", async () => {
            const io = memoryIO();
            const code = await main(["--stack", "primary", "--config", "vbr:peerRegion=us-east-1"], io, { pack, extensions: [], syntheses });
            expect(code).to.equal(2);
            expect(io.err).to.include(`vbr:peerRegion = "us-east-1": must differ from aws:region ("us-east-1")`);
        });
    });

    describe("the RTO policy judges each stack by its own config (vbr:rtoObjectiveMinutes, --parallel)", function () {
        this.timeout(120000);
        const RTO = "dr-bringup-rto-objective";

        it("--stack dr --config vbr:drState=failover --config vbr:rtoObjectiveMinutes=20 exits 1 naming the critical path", async () => {
            const io = memoryIO();
            const md = tmpFile("rto.md");
            const code = await main(["--stack", "dr", "--config", "vbr:drState=failover", "--config", "vbr:rtoObjectiveMinutes=20", "--markdown", md], io, { syntheses });
            expect(code, io.err).to.equal(1);
            // Off a terminal no progress line; the files written and the verdict come last.
            expect(io.err).to.equal("");
            expect(io.out.trimEnd().split("\n").slice(-3)).to.deep.equal([
                "Wrote 1 file:", `  ${md}`, "Verdict: FAIL: 1 mandatory violation in dr (1 stack checked, 0 advisory violations); exit 1",
            ]);
            // The Markdown cell names the critical path's resources and links to the full message, whose URNs are intact.
            const comment = fs.readFileSync(md, "utf8");
            const row = comment.split("\n").find((l) => l.includes(`\`${RTO}\``))!;
            expect(row).to.include("Critical path (p90, 26.5 min):<br>  vbr-prod-db-replica (promote, 0 min -&gt; 15 min)<br>  -&gt; vbr-prod-app-task (create, 15 min -&gt; 15.2 min)");
            expect(row).not.to.include("urn:pulumi:");
            expect(row).to.match(/<br>\[Full message with the 5 URNs\]\(#plan-dr-violation-1\) \| synthesized, preview \|$/);
            expect(comment).to.include(`<a id="plan-dr-violation-1"></a>\`${RTO}\` on \`(stack)\`, the full message:\n\n\`\`\`\nThe DR stack's estimated p90`);
            expect(comment).to.include("\n  urn:pulumi:dr::vbr::vbr:platform:Platform$vbr:database:Database$aws:rds/instance:Instance::vbr-prod-db-replica (promote, 0 min -> 15 min)\n");
            expect(io.out).to.include("Mandatory violations (1)").and.include(`✖ ${RTO} (stack)`);
            expect(io.out).to.match(/above the objective of 20 min, with 40 resources created or promoted at parallelism \d+\. Critical path \(p90, 26\.5 min\):/);
            expect(io.out).to.include("urn:pulumi:dr::vbr::vbr:platform:Platform$vbr:database:Database$aws:rds/instance:Instance::vbr-prod-db-replica (promote, 0 min -> 15 min)");
            expect(io.out).to.include("-> urn:pulumi:dr::vbr::vbr:platform:Platform$vbr:service:Service$aws:ecs/service:Service::vbr-prod-app-service (create,");
            expect(io.out).to.include("OVER objective");
            expect(io.out).to.match(/^FAIL dr: \d+ resources \(\d+ components\), 1 mandatory, 0 advisory violations$/m);
        });

        it("--parallel is the one the estimate and the policy use; --policy-config-out writes what the CLI needs", async () => {
            const io = memoryIO();
            const json = tmpFile("rto.json");
            const cfg = tmpFile("policy-config.json");
            const code = await main(["--stack", "dr", "--config", "vbr:drState=failover", "--config", "vbr:rtoObjectiveMinutes=20", "--config", "vbr:dbAllocatedStorageGiB=300",
                "--parallel", "3", "--json", json, "--policy-config-out", cfg], io, { syntheses });
            expect(code, io.err).to.equal(1);
            const expected = { [RTO]: { objectiveMinutes: 20, allocatedStorageGiB: 300, parallel: 3 }, "data-residency-copy-links": { zone: "us" } };
            expect(JSON.parse(fs.readFileSync(cfg, "utf8"))).to.deep.equal(expected);
            const [dr] = JSON.parse(fs.readFileSync(json, "utf8")).stacks;
            expect(dr.policyConfig).to.deep.equal(expected);
            expect([dr.bringUp.parallel, dr.bringUp.objectiveMinutes]).to.deep.equal([3, 20]);
            expect(dr.violations.map((v: { policy: string; message: string }) => [v.policy, /at parallelism (\d+)\./.exec(v.message)?.[1]])).to.deep.equal([[RTO, "3"]]);
        });

        it("passes the same stack at the default objective (60 min), and writes one policy config per stack with {stack}", async () => {
            const io = memoryIO();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cfg-"));
            const code = await main(["--config", "vbr:drState=standby", "--parallel", "8", "--policy-config-out", path.join(dir, "policy-config.{stack}.json")], io, { syntheses });
            expect(code, io.err).to.equal(0);
            expect(fs.readdirSync(dir).sort()).to.deep.equal(["policy-config.dr.json", "policy-config.eu-dr.json", "policy-config.eu-primary.json", "policy-config.primary.json"]);
            expect(JSON.parse(fs.readFileSync(path.join(dir, "policy-config.dr.json"), "utf8")))
                .to.deep.equal({ [RTO]: { objectiveMinutes: 60, allocatedStorageGiB: 100, parallel: 8 }, "data-residency-copy-links": { zone: "us" } });
            expect(JSON.parse(fs.readFileSync(path.join(dir, "policy-config.eu-dr.json"), "utf8")))
                .to.deep.equal({ [RTO]: { objectiveMinutes: 60, allocatedStorageGiB: 100, parallel: 8 }, "data-residency-copy-links": { zone: "eu" } });
        });

        it("--project on another project: no stack key maps, only the run's --parallel reaches the pack", async () => {
            const io = memoryIO();
            const cfg = tmpFile("fixture-config.json");
            const code = await main(["--project", fixture, "--stack", "east", "--parallel", "5", "--policy-config-out", cfg], io, { extensions: [], syntheses });
            expect([0, 1], io.err).to.include(code);
            expect(JSON.parse(fs.readFileSync(cfg, "utf8"))).to.deep.equal({ [RTO]: { parallel: 5 } });
        });
    });

    describe("Markdown report (PR comment)", () => {
        const stack = (name: string, messages: string[]): StackReport => ({
            stack: name, resources: [], policyConfig: {}, diagnostics: [], limitations: [],
            violations: messages.map((message, i) => ({ policy: "s3-bucket-encryption-cmk", enforcementLevel: "mandatory" as const,
                urn: `urn:pulumi:dr::vbr::aws:s3/bucket:Bucket::b|${i}`, message, foundIn: ["synthesized" as const] })),
            summary: { resources: 0, components: 0, mandatory: messages.length, advisory: 0 },
        });
        const report = (messages: string[]): PlanReport => ({ project: "vbr", policyPack: "vbr-dr", stacks: [stack("dr", messages)] });

        it("escapes <, > and | in cell text, so GitHub shows \"<data key ARN>\" instead of dropping it as a tag", () => {
            const text = renderMarkdown(report(["Encrypt with the CMK: set kmsMasterKeyId = <data key ARN> | not AES256\nthen re-run"]), []);
            expect(text).to.include("| Encrypt with the CMK: set kmsMasterKeyId = &lt;data key ARN&gt; \\| not AES256<br>then re-run |");
            // Code spans show their text literally: only the cell-ending | is escaped there.
            expect(text).to.include("| `b\\|0` |");
        });

        it("stays within GitHub's 65,536-character limit, closes what it cut and points at the JSON artifact", () => {
            const long = Array.from({ length: 400 }, (_, i) => `violation ${i}: ${"x".repeat(300)}`);
            const full = renderMarkdown(report(long), [], { maxLength: 10_000_000 });
            expect(full.length).to.be.above(GITHUB_COMMENT_LIMIT);
            const text = renderMarkdown(report(long), [], { jsonArtifact: "offline-plan.json" });
            expect(text.length).to.be.at.most(GITHUB_COMMENT_LIMIT);
            expect(text.length).to.be.above(GITHUB_COMMENT_LIMIT - 400);
            expect(text.trimEnd().split("\n").pop()).to.equal(
                "> ⚠️ This comment was truncated to GitHub's 65,536-character limit. The full report is in the JSON artifact `offline-plan.json`.");
            expect(full.startsWith(text.slice(0, text.indexOf("\n\n> ⚠️")))).to.equal(true);
        });

        it("closes a code fence and <details> the cut falls into", () => {
            const r = report([]);
            r.stacks[0].resources = Array.from({ length: 50 }, (_, i) => ({
                urn: `urn:pulumi:dr::vbr::aws:s3/bucket:Bucket::b${i}`, type: "aws:s3/bucket:Bucket", name: `b${i}`, parent: null,
                custom: true, region: "us-west-2", protect: false, retainOnDelete: false, dependencies: [], inputs: {},
            }));
            const text = renderMarkdown(r, [], { maxLength: 1200 });
            expect(text.length).to.be.at.most(1200);
            expect(text.split("\n").filter((l) => l.startsWith("```")).length % 2).to.equal(0);
            expect(text.split("<details>").length).to.equal(text.split("</details>").length);
            expect(text).to.include("Run `npm start -- --json <file>` for the full report.");
        });

        it("leaves a report under the limit untouched (no note)", () => {
            expect(renderMarkdown(report(["short"]), [])).not.to.include("truncated");
        });
    });

    describe("`npm run bench` targets (exit 1 when one is missed)", () => {
        const ok = { bareSeconds: 0.6, bothStacks: { seconds: 1.8, exitCode: 0 }, primary: { seconds: 1.2, exitCode: 1 }, largestSeconds: 8.95, growthRatio: 1.2, scale: { exitCode: 1, signal: null, maxRssMB: 990 } };
        it("passes figures that meet every target, at the bounds", () => {
            expect(missedTargets(ok)).to.deep.equal([]);
        });
        it("names each missed target with the figure", () => {
            expect(missedTargets({ bareSeconds: 0.6, bothStacks: { seconds: 1.81, exitCode: 2 }, primary: { seconds: 1.25, exitCode: 0 }, largestSeconds: 9, growthRatio: 1.21, scale: { exitCode: null, signal: "SIGABRT", maxRssMB: null } })).to.deep.equal([
                "npm start (both stacks) exited 2 (usage or configuration error): no verdict to time",
                "npm start (both stacks): 3.02 x the bare SDK load (target <= 3)",
                "npm start (--stack primary): 2.08 x the bare SDK load (target <= 2)",
                "5,000 resources took 9.0 s (target <= 8.95 s)",
                "per-resource time 5,000 / 1,000 = 1.21 (target <= 1.2)",
                "12,000 resources did not complete within --max-old-space-size=1024 (SIGABRT)",
            ]);
            expect(missedTargets({ ...ok, scale: { exitCode: 2, signal: null, maxRssMB: 300 } })).to.deep.equal([
                "12,000 resources did not complete within --max-old-space-size=1024 (exit 2)",
            ]);
        });
        it("times the command `npm start` runs, from package.json", () => {
            expect(startCommand()).to.deep.equal(["node", "--max-semi-space-size=64", "-r", "./tools/register.js", "tools/plan.ts"]);
        });
    });

    describe("as a process (`npm start`)", function () {
        this.timeout(60000);
        it("exits 2 for a stack with no file and writes nothing; exits 0/1 with a JSON report otherwise", () => {
            const file = tmpFile("cli.json");
            const bad = spawnSync("npm", ["start", "--silent", "--", "--project", fixture, "--stack", "nope", "--json", file], { cwd: root, encoding: "utf8" });
            expect(bad.status).to.equal(2);
            expect(bad.stderr).to.include(`no stack file for "nope"`);
            expect(fs.existsSync(file)).to.equal(false);
            const ok = spawnSync("npm", ["start", "--silent", "--", "--project", fixture, "--stack", "east", "--json", file], { cwd: root, encoding: "utf8" });
            expect([0, 1], ok.stderr).to.include(ok.status);
            const report = JSON.parse(fs.readFileSync(file, "utf8"));
            expect(report.project).to.equal("fixture");
            expect(Object.keys(report.stacks[0])).to.include.members(["stack", "resources", "violations"]);
            expect(ok.stdout).to.match(/(PASS|FAIL) east: 8 resources \(2 components\)/);
        });
    });
});
