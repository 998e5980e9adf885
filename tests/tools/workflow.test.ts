// The pull-request workflow: parses as YAML and runs the offline plan the way the README says.
// What this cannot prove: that GitHub accepts the workflow (actionlint / a real run does that).
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { parse } from "yaml";

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; id?: string }
interface Job { steps: Step[]; strategy?: { matrix: Record<string, unknown> }; env?: Record<string, string> }

const dir = path.join(__dirname, "..", "..", ".github", "workflows");

describe("GitHub Actions workflows", () => {
    it("every workflow file parses as a YAML mapping with jobs", () => {
        const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
        expect(files).to.include("policy.yml");
        for (const f of files) {
            const doc = parse(fs.readFileSync(path.join(dir, f), "utf8"));
            expect(doc, f).to.be.an("object");
            expect(Object.keys(doc.jobs ?? {}), f).not.to.be.empty;
        }
    });

    describe("policy.yml", () => {
        const wf = parse(fs.readFileSync(path.join(dir, "policy.yml"), "utf8"));
        const plan: Job = wf.jobs["offline-plan"];
        const preview: Job = wf.jobs["pulumi-preview"];
        const runs = (job: Job) => job.steps.map((s) => s.run ?? "");

        it("runs on pull requests", () => {
            expect(wf.on).to.have.property("pull_request");
        });

        it("installs with npm ci, runs the offline plan with --markdown, and keeps its exit code", () => {
            const r = runs(plan);
            const ci = r.findIndex((x) => x.trim() === "npm ci");
            // --parallel pinned: the RTO verdict must not depend on the CI machine's CPU count.
            const start = r.findIndex((x) => x.includes("npm start -- --parallel 8 --markdown plan.md"));
            expect(ci).to.be.greaterThan(-1);
            expect(start).to.be.greaterThan(ci);
            expect(r[start]).to.include(`echo "exit=$?" >> "$GITHUB_OUTPUT"`);
            expect(plan.steps[start].id).to.equal("plan");
        });

        it("uploads and posts the Markdown report, then fails the check when the plan did not exit 0", () => {
            const upload = plan.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
            expect(String(upload?.with?.path)).to.include("plan.md");
            expect(runs(plan).some((x) => x.includes("gh pr comment") && x.includes("--body-file plan.md"))).to.equal(true);
            const last = plan.steps[plan.steps.length - 1];
            expect(last.if).to.equal("steps.plan.outputs.exit != '0' || steps.active.outputs.exit != '0'");
            expect(last.run).to.match(/exit 1\s*$/);
        });

        it("judges the DR stack in failover (both database modes) and in a restore drill, where the RTO policy bites", () => {
            const step = plan.steps.find((s) => s.id === "active");
            expect(step?.run).to.include("npm start -- --parallel 8 --stack dr $flags");
            for (const scenario of ["vbr:drState=failover vbr:drDatabase=replica", "vbr:drState=failover vbr:drDatabase=restore", "vbr:drState=drill vbr:drDatabase=restore"]) {
                expect(step?.run).to.include(`"${scenario}"`);
            }
            expect(step?.run).to.include(`echo "exit=$worst" >> "$GITHUB_OUTPUT"`);
        });

        it("runs pulumi preview --policy-pack policies per stack, only when credentials are configured", () => {
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
