// The GitHub workflows and the Dependabot config: they parse as YAML, pin every action to a commit, trigger on
// pull requests and pushes to main, ask each job's permissions explicitly, run the tests and the offline plan
// the way the README says, and Dependabot covers every manifest.
// What this cannot prove: that GitHub accepts the files, that a SHA is the release its comment names (the pins
// were checked against each action's repository when written; Dependabot keeps them), or that a job passes
// there (actionlint / a real run does that).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { expect } from "chai";
import { load as parse } from "js-yaml";

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; id?: string }
interface Job {
    steps: Step[];
    uses?: string;
    if?: string;
    permissions?: Record<string, string>;
    strategy?: { matrix: Record<string, unknown> };
    env?: Record<string, string>;
}
interface Workflow { on: Record<string, { branches?: string[] } | null>; permissions?: unknown; concurrency?: { group: string; "cancel-in-progress": unknown }; jobs: Record<string, Job> }

const root = path.join(__dirname, "..", "..");
const dir = path.join(root, ".github", "workflows");
const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
const load = (f: string): Workflow => parse(text(f)) as Workflow;

// `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`, as a step (`- uses:`) or a job (`uses:`) line. The full version in
// the comment is what Dependabot rewrites when it moves the SHA. Local actions (`./...`) have nothing to pin.
const USES_LINE = /^\s*(?:-\s+)?uses\s*:/;
const PINNED = /^\s*(?:-\s+)?uses: ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.\/-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/;
const LOCAL = /^\s*(?:-\s+)?uses: \.\//;

/** The `uses:` lines of a workflow's text that are neither pinned as above nor local. */
function unpinned(source: string): string[] {
    return source.split("\n").filter((l) => USES_LINE.test(l) && !PINNED.test(l.trimEnd()) && !LOCAL.test(l)).map((l) => l.trim());
}

/** Every `uses` value the YAML holds (steps and reusable-workflow jobs), comments stripped by the parser. */
function usesValues(wf: Workflow): string[] {
    return Object.values(wf.jobs).flatMap((j) => [...(j.uses ? [j.uses] : []), ...(j.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : []))]);
}

const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "");

describe("GitHub Actions workflows", () => {
    it("every workflow file parses as a YAML mapping with jobs", () => {
        expect(files).to.include.members(["policy.yml", "test.yml"]);
        for (const f of files) {
            const doc = load(f);
            expect(doc, f).to.be.an("object");
            expect(Object.keys(doc.jobs ?? {}), f).not.to.be.empty;
        }
    });

    describe("action pins", () => {
        it("the pin check rejects a tag, a branch, a short SHA, a missing or partial version comment", () => {
            const sha = "11d5960a326750d5838078e36cf38b85af677262";
            const bad = [
                "      - uses: actions/checkout@v4",
                "      - uses: actions/checkout@main",
                `      - uses: actions/checkout@${sha.slice(0, 7)} # v4.4.0`,
                `      - uses: actions/checkout@${sha}`,
                `      - uses: actions/checkout@${sha} # v4`,
                `      - uses: actions/checkout@${sha} # 4.4.0`,
                `      - uses: actions/checkout@${sha.toUpperCase()} # v4.4.0`,
                `        uses: actions/checkout@${sha}1 # v4.4.0`,
                `    uses: owner/repo/.github/workflows/x.yml@v1`,
            ];
            expect(unpinned(bad.join("\n"))).to.deep.equal(bad.map((l) => l.trim()));
            const good = [`      - uses: actions/checkout@${sha} # v4.4.0`, `        uses: pulumi/actions@${sha} # v6.6.1  `, "      - uses: ./.github/actions/local"];
            expect(unpinned(good.join("\n"))).to.deep.equal([]);
        });

        for (const f of files) {
            it(`${f}: every uses: is pinned to a 40-hex commit SHA with its release in a # vX.Y.Z comment`, () => {
                const source = text(f);
                expect(unpinned(source), f).to.deep.equal([]);
                // Each parsed `uses` is a bare SHA pin, and there are as many as pinned lines: no `uses` hides in a
                // form the line check cannot see (flow style, a quoted key, a second line).
                const values = usesValues(load(f));
                expect(values, f).not.to.be.empty;
                for (const v of values) if (!v.startsWith("./")) expect(v, f).to.match(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.\/-]+@[0-9a-f]{40}$/);
                expect(source.split("\n").filter((l) => USES_LINE.test(l)).length, f).to.equal(values.length);
            });
        }

        it("an action is pinned to the same commit and version in every workflow", () => {
            const seen = new Map<string, string>();
            for (const f of files) {
                for (const line of text(f).split("\n")) {
                    const m = PINNED.exec(line.trimEnd());
                    if (!m) continue;
                    const pin = `${m[2]} # ${m[3]}`;
                    expect(seen.get(m[1]) ?? pin, `${f}: ${m[1]}`).to.equal(pin);
                    seen.set(m[1], pin);
                }
            }
            expect([...seen.keys()].sort()).to.deep.equal([
                "actions/checkout", "actions/setup-node", "actions/setup-python", "actions/upload-artifact",
                "aws-actions/configure-aws-credentials", "pulumi/actions",
            ]);
        });
    });

    for (const f of files) {
        describe(`${f}: triggers, permissions, concurrency, Node`, () => {
            const wf = load(f);

            it("runs on pull requests and on pushes to main", () => {
                expect(wf.on, f).to.have.property("pull_request");
                expect(wf.on.push?.branches, f).to.deep.equal(["main"]);
            });

            it("grants nothing workflow-wide; each job has its own permissions block, least privilege", () => {
                expect(wf.permissions, f).to.deep.equal({});
                for (const [name, job] of Object.entries(wf.jobs)) {
                    expect(job.permissions, `${f}: job ${name} has no permissions block`).to.be.an("object");
                    // pull-requests: write only where a PR comment is posted; id-token: write only where AWS OIDC is used.
                    const comments = runs(job).some((r) => r.includes("gh pr comment"));
                    const oidc = (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
                    const expected: Record<string, string> = { contents: "read" };
                    if (comments) expected["pull-requests"] = "write";
                    if (oidc) expected["id-token"] = "write";
                    expect(job.permissions, `${f}: job ${name}`).to.deep.equal(expected);
                }
            });

            it("cancels a pull request's superseded run, never a run on main", () => {
                const name = path.basename(f, path.extname(f));
                expect(wf.concurrency?.group, f).to.equal(`${name}-\${{ github.event_name == 'pull_request' && github.event.pull_request.number || github.sha }}`);
                expect(wf.concurrency?.["cancel-in-progress"], f).to.equal("${{ github.event_name == 'pull_request' }}");
            });

            it("sets up the Node major of package.json's engines, with the npm cache keyed on package-lock.json", () => {
                const engines: string = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).engines.node;
                const major = Number(/^>=(\d+)$/.exec(engines)?.[1]);
                expect(major).to.equal(20);
                const setups = Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).filter((s) => s.uses?.startsWith("actions/setup-node@")));
                expect(setups, f).not.to.be.empty;
                for (const s of setups) expect(s.with, f).to.deep.equal({ "node-version": major, cache: "npm", "cache-dependency-path": "package-lock.json" });
            });
        });
    }

    describe("test.yml", () => {
        const wf = load("test.yml");
        const test: Job = wf.jobs.test;
        const at = (pred: (s: Step) => boolean) => test.steps.findIndex(pred);

        it("checks out, sets up Node, then runs npm ci and npm test, each as its own step", () => {
            const ci = at((s) => s.run?.trim() === "npm ci");
            const npmTest = at((s) => s.run?.trim() === "npm test");
            expect(at((s) => !!s.uses?.startsWith("actions/checkout@"))).to.equal(0);
            expect(at((s) => !!s.uses?.startsWith("actions/setup-node@"))).to.equal(1);
            expect(ci).to.equal(2);
            expect(npmTest).to.equal(3);
            expect(test.steps[ci].if).to.equal(undefined);
            expect(test.steps[npmTest].if).to.equal(undefined);
        });

        it("installs moto's server and runs npm run test:aws after npm test, only when package.json has that script", () => {
            const check = at((s) => s.id === "aws");
            const python = at((s) => !!s.uses?.startsWith("actions/setup-python@"));
            const moto = at((s) => s.run?.trim() === "python3 -m pip install 'moto[server]'");
            const aws = at((s) => s.run?.trim() === "npm run test:aws");
            expect([check, python, moto, aws].every((i) => i > at((s) => s.run?.trim() === "npm test"))).to.equal(true);
            expect(check).to.be.lessThan(python);
            expect(python).to.be.lessThan(moto);
            expect(moto).to.be.lessThan(aws);
            expect(test.steps[check].if).to.equal(undefined);
            for (const i of [python, moto, aws]) expect(test.steps[i].if, test.steps[i].name ?? test.steps[i].uses).to.equal("steps.aws.outputs.present == 'true'");
        });

        it("the script check says present=true with a test:aws script and present=false without one (run as GitHub runs it)", function () {
            this.timeout(20000);
            const check = test.steps.find((s) => s.id === "aws")!;
            const present = (pkg: unknown): string => {
                const d = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-aws-"));
                fs.writeFileSync(path.join(d, "package.json"), JSON.stringify(pkg));
                const out = path.join(d, "github-output");
                fs.writeFileSync(out, "");
                // A run step's default shell on ubuntu runners: bash -e.
                execFileSync("bash", ["-e", "-c", check.run!], { cwd: d, env: { ...process.env, GITHUB_OUTPUT: out }, stdio: ["ignore", "ignore", "pipe"] });
                return fs.readFileSync(out, "utf8");
            };
            expect(present({ scripts: { test: "mocha", "test:aws": "node x.js" } })).to.equal("present=true\n");
            expect(present({ scripts: { test: "mocha", "test:awsx": "node x.js" } })).to.equal("present=false\n");
            expect(present({ name: "no-scripts" })).to.equal("present=false\n");
        });
    });

    describe("policy.yml", () => {
        const wf = load("policy.yml");
        const plan: Job = wf.jobs["offline-plan"];
        const preview: Job = wf.jobs["pulumi-preview"];

        it("installs with npm ci, runs the offline plan with --markdown, and keeps its exit code", () => {
            const r = runs(plan);
            const ci = r.findIndex((x) => x.trim() === "npm ci");
            // --parallel pinned: the RTO verdict must not depend on the CI machine's CPU count.
            const start = r.findIndex((x) => x.includes("npm start -- --parallel 8 --markdown plan.md"));
            expect(ci).to.be.greaterThan(-1);
            expect(start).to.be.greaterThan(ci);
            expect(r[start]).to.include(`echo "exit=$?" >> "$GITHUB_OUTPUT"`);
            expect(plan.steps[start].id).to.equal("plan");
            expect(plan.if).to.equal(undefined);
        });

        it("uploads and posts the Markdown report (the comment on pull requests only), then fails the check when the plan did not exit 0", () => {
            const upload = plan.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
            expect(String(upload?.with?.path)).to.include("plan.md");
            const comment = plan.steps.find((s) => s.run?.includes("gh pr comment"));
            expect(comment?.run).to.include("--body-file plan.md");
            expect(comment?.if).to.equal("always() && github.event_name == 'pull_request' && hashFiles('plan.md') != ''");
            const last = plan.steps[plan.steps.length - 1];
            expect(last.if).to.equal("steps.plan.outputs.exit != '0' || steps.active.outputs.exit != '0'");
            expect(last.run).to.match(/exit 1\s*$/);
        });

        it("judges every cell's DR stack (from the fleet report's cells) in failover (both database modes) and in a restore drill, where the RTO policy bites", () => {
            const step = plan.steps.find((s) => s.id === "active");
            expect(plan.steps.indexOf(step!)).to.be.greaterThan(plan.steps.findIndex((s) => s.id === "plan"));
            expect(step?.run).to.include(`drs=$(jq -r '[.cells[].stacks[] | select(.role == "dr") | "--stack " + .stack] | join(" ")' plan.json 2>/dev/null)`);
            expect(step?.run).to.include("npm start -- --parallel 8 $drs $flags");
            for (const scenario of ["vbr:drState=failover vbr:drDatabase=replica", "vbr:drState=failover vbr:drDatabase=restore vbr:rtoObjectiveMinutes=240", "vbr:drState=drill vbr:drDatabase=restore"]) {
                expect(step?.run).to.include(`"${scenario}"`);
            }
            expect(step?.run).to.include(`echo "exit=$worst" >> "$GITHUB_OUTPUT"`);
        });

        it("the active-state selector picks every cell's DR stack from a fleet report", function () {
            // jq as the workflow runs it, on the JSON report of this project (skipped where jq is not installed).
            const jq = (() => { try { execFileSync("jq", ["--version"]); return true; } catch { return false; } })();
            if (!jq) this.skip();
            const step = plan.steps.find((s) => s.id === "active")!;
            const filter = /jq -r '([^']+)' plan\.json/.exec(step.run!)![1];
            const report = { cells: [
                { cell: "default", stacks: [{ stack: "primary", role: "primary" }, { stack: "dr", role: "dr" }] },
                { cell: "eu", stacks: [{ stack: "eu-primary", role: "primary" }, { stack: "eu-dr", role: "dr" }] },
            ] };
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wf-")), "plan.json");
            fs.writeFileSync(file, JSON.stringify(report));
            expect(execFileSync("jq", ["-r", filter, file], { encoding: "utf8" }).trim()).to.equal("--stack dr --stack eu-dr");
        });

        it("runs pulumi preview --policy-pack policies per stack, on pull requests only, only when credentials are configured", () => {
            expect(preview.if).to.equal("github.event_name == 'pull_request'");
            expect(preview.strategy?.matrix.stack).to.deep.equal(["primary", "dr"]);
            expect(preview.env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            const step = preview.steps.find((s) => s.run?.includes("pulumi preview"));
            expect(step?.run).to.include("--policy-pack policies --policy-pack-config policy-config.json");
            const config = preview.steps.find((s) => s.run?.includes("--policy-config-out policy-config.json"));
            expect(config?.run).to.include('--stack "${{ matrix.stack }}"');
            expect(preview.steps.indexOf(config!)).to.be.lessThan(preview.steps.indexOf(step!));
            expect(step?.run).to.include("${{ matrix.stack }}");
            for (const s of preview.steps.slice(1)) expect(s.if, s.name ?? s.uses).to.equal("steps.creds.outputs.available == 'true'");
        });
    });
});

describe("Dependabot", () => {
    interface Update { "package-ecosystem": string; directory?: string; directories?: string[]; schedule: { interval: string }; groups?: Record<string, unknown> }
    const config = parse(fs.readFileSync(path.join(root, ".github", "dependabot.yml"), "utf8")) as { version: number; updates: Update[] };
    const dirs = (u: Update) => [...(u.directory ? [u.directory] : []), ...(u.directories ?? [])].sort();

    it("updates the GitHub actions and npm, once each, weekly, grouped", () => {
        expect(config.version).to.equal(2);
        expect(config.updates.map((u) => u["package-ecosystem"]).sort()).to.deep.equal(["github-actions", "npm"]);
        for (const u of config.updates) {
            expect(u.schedule.interval, u["package-ecosystem"]).to.equal("weekly");
            expect(Object.keys(u.groups ?? {}), u["package-ecosystem"]).not.to.be.empty;
        }
    });

    it("covers the workflows (directory /) and both npm manifests: the root and the policy pack's workspace", () => {
        const by = (eco: string) => config.updates.find((u) => u["package-ecosystem"] === eco)!;
        expect(dirs(by("github-actions"))).to.deep.equal(["/"]);
        expect(dirs(by("npm"))).to.deep.equal(["/", "/policies"]);
        // The directories are the real manifests: the pack is a workspace with its own package.json.
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        expect(pkg.workspaces).to.deep.equal(["policies"]);
        expect(fs.existsSync(path.join(root, "policies", "package.json"))).to.equal(true);
    });
});
