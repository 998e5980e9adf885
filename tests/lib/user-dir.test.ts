// Paths the user gives are resolved against the directory they ran the command from, although npm runs every script
// from the package root (it keeps the user's directory in INIT_CWD): `npm start -- --project .` in
// stacks/state-backend plans that project, `--json plan.json` lands where the user is, and without `--project` a tool
// works on the nearest project from there upward, as the Pulumi CLI does. The commands run through npm itself, as a
// user runs them; the tools that reach AWS or the Pulumi CLI stop at their first check, which names the directory.
// bench and mutations take no path from the user: they always work on this repository.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findProjectDir } from "../../tools/harness/project";
import { userCwd } from "../../tools/lib/cli";

const ROOT = path.join(__dirname, "..", "..");
const STATE = path.join(ROOT, "stacks", "state-backend");
const PLAN_SCRIPT = "node --max-semi-space-size=64 -r ./tools/register.js tools/plan.ts";

/** `npm [--prefix ROOT] <args>` from `cwd`, with the environment a user's shell has (no npm script around it). */
function npm(cwd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "INIT_CWD" && !k.startsWith("npm_")));
    const r = spawnSync("npm", ["--prefix", ROOT, ...args], { cwd, env, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("paths from the directory the user ran the command from", function () {
    this.timeout(120_000);

    it("userCwd: INIT_CWD when this process is the npm script itself, else the working directory", () => {
        const plan = path.join(ROOT, "tools", "plan.ts");
        const env = { INIT_CWD: STATE, npm_lifecycle_script: PLAN_SCRIPT };
        expect(userCwd(env, ROOT, plan)).to.equal(STATE);
        // A process the script started (the bench's runs of the plan, a test's child): its own working directory.
        expect(userCwd({ ...env, npm_lifecycle_script: "node -r ./tools/register.js tools/bench.ts" }, ROOT, plan)).to.equal(ROOT);
        expect(userCwd({ npm_lifecycle_script: PLAN_SCRIPT }, ROOT, plan)).to.equal(ROOT);
        expect(userCwd({ ...env, INIT_CWD: "stacks" }, ROOT, plan)).to.equal(ROOT);
        expect(userCwd(env, ROOT, undefined)).to.equal(ROOT);
    });

    it("findProjectDir: --project against the user's directory; without it, the nearest Pulumi.yaml upward", () => {
        expect(findProjectDir(STATE, ".")).to.equal(STATE);
        expect(findProjectDir(STATE, "../..")).to.equal(ROOT);
        expect(findProjectDir(STATE)).to.equal(STATE);
        expect(findProjectDir(path.join(ROOT, "tests", "lib"))).to.equal(ROOT);
        const lone = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-no-project-"));
        try {
            expect(findProjectDir(lone)).to.equal(lone);
        } finally {
            fs.rmSync(lone, { recursive: true, force: true });
        }
    });

    it("npm start -- --project . from stacks/state-backend plans the state backend, not the root project", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-user-dir-"));
        try {
            const dot = npm(STATE, ["start", "--silent", "--", "--project", ".", "--json", path.join(out, "dot.json")]);
            expect(dot.code, dot.stderr).to.equal(0);
            expect(JSON.parse(fs.readFileSync(path.join(out, "dot.json"), "utf8")).project).to.equal("vbr-state");
            expect(dot.stdout).to.match(/^PASS state: /m);
            // No --project: the nearest project upward, from tests/lib the root project.
            const up = npm(path.join(ROOT, "tests", "lib"), ["start", "--silent", "--", "--stack", "primary"]);
            expect(up.code, up.stderr).to.equal(0);
            expect(up.stdout).to.match(/^PASS primary: /m);
            // A relative output path lands in the user's directory, and the run names it last but one, before the verdict.
            const rel = npm(out, ["start", "--silent", "--", "--project", STATE, "--json", "plan.json"]);
            expect(rel.code, rel.stderr).to.equal(0);
            expect(JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")).project).to.equal("vbr-state");
            expect(rel.stdout.trimEnd().split("\n").slice(-3)).to.deep.equal([
                "Wrote 1 file:", "  plan.json", "Verdict: PASS: no mandatory violation in 1 stack (0 advisory violations); exit 0",
            ]);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("drill, failback, verify and drill:learn resolve --project and their files against the user's directory", () => {
        const missing = (stack: string) => `error: stack "${stack}" has no stack file Pulumi.${stack}.yaml in ${STATE} (stacks: state)\n`;
        for (const [script, stack] of [["drill", "dr"], ["failback", "dr"], ["verify", "primary"]]) {
            const r = npm(STATE, ["run", "--silent", script, "--", "--project", "."]);
            expect([script, r.code, r.stderr]).to.deep.equal([script, 2, missing(stack)]);
        }
        const learn = npm(STATE, ["run", "--silent", "drill:learn", "--", "drills/none.json"]);
        expect(learn.code).to.equal(2);
        expect(learn.stderr).to.include(`open '${path.join(STATE, "drills", "none.json")}'`);
    });
});
