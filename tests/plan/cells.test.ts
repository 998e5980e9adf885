// The fleet: cells found from stack names, held together by the fleet check, the report grouped by cell with the
// DR bring-up estimates side by side (terminal, Markdown, JSON `cells`), and cells checked in parallel processes.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { expect } from "chai";
import { main, PlanIO } from "../../tools/plan";
import { cellOf, cellStacks, fleetProblems, groupByCell } from "../../tools/lib/cells";
import { loadProject, stackConfig } from "../../tools/harness/project";
import { syntheses } from "../helpers/stacks";
import { CellReport, grouped } from "../../tools/plan/cells";

const root = path.join(__dirname, "..", "..");

function memoryIO(): PlanIO & { out: string; err: string } {
    const io = { cwd: root, color: false, out: "", err: "", stdout: (t: string) => { io.out += t; }, stderr: (t: string) => { io.err += t; } };
    return io;
}
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "plan-cells-"));

describe("cells (tools/lib/cells.ts)", () => {
    it("names a stack's cell and a cell's stacks; the first pair is the cell default", () => {
        expect(["primary", "dr", "eu-primary", "eu-dr", "ap-south-dr", "east"].map(cellOf)).to.deep.equal(["default", "default", "eu", "eu", "ap-south", "east"]);
        expect([cellStacks("default"), cellStacks("eu")]).to.deep.equal([{ primary: "primary", dr: "dr" }, { primary: "eu-primary", dr: "eu-dr" }]);
        expect(groupByCell(["primary", "dr", "eu-primary", "eu-dr"])).to.deep.equal([{ cell: "default", stacks: ["primary", "dr"] }, { cell: "eu", stacks: ["eu-primary", "eu-dr"] }]);
    });

    it("groups a report by cell for a project of cells (a pair, or several cells' DR stacks), not for one stack or stacks that are no cell's", () => {
        const cells = (...names: string[]): CellReport[] => groupByCell(names).map((g) => ({
            cell: g.cell, residency: null, mandatory: 0, advisory: 0, bringUp: [], stacks: g.stacks.map((stack) => ({ stack, role: null, region: null, mandatory: 0, advisory: 0 })),
        }));
        expect([cells("primary", "dr"), cells("dr", "eu-dr"), cells("eu-dr"), cells("east", "west"), cells("dev")].map(grouped)).to.deep.equal([true, true, false, false, false]);
    });

    it("the project's stack files form consistent cells", () => {
        const project = loadProject(root);
        expect(fleetProblems(new Map(project.stacks.map((s) => [s, stackConfig(project, s)])))).to.deep.equal([]);
    });

    it("names every way a fleet falls apart: a pair that disagrees, a DR stack reading another cell's primary, two cells sharing names", () => {
        const project = loadProject(root);
        const configs = new Map(project.stacks.map((s) => [s, stackConfig(project, s)]));
        configs.set("eu-dr", { ...configs.get("eu-dr")!, "vbr:environment": "prod", "vbr:peerRegion": "eu-west-3", "vbr:primaryStack": "primary" });
        expect(fleetProblems(configs)).to.deep.equal([
            "cell eu: vbr:environment is \"prod-eu\" in eu-primary but \"prod\" in eu-dr: both stacks of a cell must agree",
            "cell eu: eu-primary (aws:region eu-central-1, vbr:peerRegion eu-west-1) and eu-dr (aws:region eu-west-1, vbr:peerRegion eu-west-3) must each name the other's region as vbr:peerRegion",
            "cell eu: eu-dr reads vbr:primaryStack \"primary\", not its cell's primary \"eu-primary\"",
        ]);
        configs.set("eu-dr", stackConfig(project, "eu-dr"));
        configs.set("eu-primary", { ...configs.get("eu-primary")!, "vbr:environment": "prod" });
        configs.set("eu-dr", { ...configs.get("eu-dr")!, "vbr:environment": "prod" });
        expect(fleetProblems(configs)).to.deep.equal([
            "cells default and eu share vbr:environment \"prod\": every name of a cell derives from it, so two cells would name the same keys, vaults, secrets and databases wherever their regions meet; give each cell its own",
        ]);
    });

    it("a project whose stack files break a cell exits 2 before anything runs, naming the problem", async () => {
        const dir = tmpDir();
        for (const f of ["Pulumi.yaml", "Pulumi.primary.yaml", "Pulumi.dr.yaml", "Pulumi.eu-primary.yaml"]) fs.copyFileSync(path.join(root, f), path.join(dir, f));
        // The program is never run: the fleet check comes first.
        fs.mkdirSync(path.join(dir, "stacks"));
        fs.writeFileSync(path.join(dir, "stacks", "index.ts"), "throw new Error(\"never run\");\n");
        fs.writeFileSync(path.join(dir, "Pulumi.eu-dr.yaml"), fs.readFileSync(path.join(root, "Pulumi.eu-dr.yaml"), "utf8").replace("vbr:environment: prod-eu", "vbr:environment: prod"));
        const io = memoryIO();
        expect(await main(["--project", dir], io, { syntheses })).to.equal(2);
        expect(io.err).to.equal(`error: the stack files of ${dir} do not form consistent cells:\n` +
            "  cell eu: vbr:environment is \"prod-eu\" in eu-primary but \"prod\" in eu-dr: both stacks of a cell must agree\n");
    });
});

describe("offline plan: the report grouped by cell", () => {
    let json: { stacks: Array<{ stack: string }>; cells: unknown[] };
    let io: ReturnType<typeof memoryIO>;
    let markdown: string;
    let dir: string;

    before(async () => {
        dir = tmpDir();
        io = memoryIO();
        expect(await main(["--parallel", "8", "--json", path.join(dir, "plan.json"), "--markdown", path.join(dir, "plan.md")], io, { syntheses }), io.err).to.equal(0);
        json = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8"));
        markdown = fs.readFileSync(path.join(dir, "plan.md"), "utf8");
    });

    const estimates = (stack: string) => [
        { stack, state: "failover", database: "replica", objectiveMinutes: 60, p50Minutes: 13.2, p90Minutes: 26.5, dnsServesP90Minutes: 27 },
        { stack, state: "drill", database: "replica", objectiveMinutes: 240, p50Minutes: 142.2, p90Minutes: 216.5, dnsServesP90Minutes: 217 },
    ];

    it("JSON: a cells field with each cell's zone, stacks, regions, verdict and every bring-up estimate of its DR stack", () => {
        expect(json.cells).to.deep.equal([
            { cell: "default", residency: "us", mandatory: 0, advisory: 0, bringUp: estimates("dr"), stacks: [
                { stack: "primary", role: "primary", region: "us-east-1", mandatory: 0, advisory: 0 }, { stack: "dr", role: "dr", region: "us-west-2", mandatory: 0, advisory: 0 }] },
            { cell: "eu", residency: "eu", mandatory: 0, advisory: 0, bringUp: estimates("eu-dr"), stacks: [
                { stack: "eu-primary", role: "primary", region: "eu-central-1", mandatory: 0, advisory: 0 }, { stack: "eu-dr", role: "dr", region: "eu-west-1", mandatory: 0, advisory: 0 }] },
        ]);
    });

    it("terminal: the estimates side by side, then each cell's verdict over its stacks' lines", () => {
        expect(io.out.slice(io.out.indexOf("DR bring-up by cell"))).to.equal([
            "DR bring-up by cell (minutes, p50 / p90 against the objective)",
            "  Cell     DR stack  Region     failover (replica)  drill",
            "  default  dr        us-west-2  13.2 / 26.5 <= 60   142.2 / 216.5 <= 240",
            "  eu       eu-dr     eu-west-1  13.2 / 26.5 <= 60   142.2 / 216.5 <= 240",
            "",
            "Cell default PASS (primary us-east-1, dr us-west-2; zone us)",
            "PASS primary: 161 resources (18 components), 0 mandatory, 0 advisory violations",
            "PASS dr: 102 resources (18 components), 0 mandatory, 0 advisory violations",
            "Cell eu PASS (eu-primary eu-central-1, eu-dr eu-west-1; zone eu)",
            "PASS eu-primary: 161 resources (18 components), 0 mandatory, 0 advisory violations",
            "PASS eu-dr: 102 resources (18 components), 0 mandatory, 0 advisory violations",
            "",
            "Wrote 2 files:",
            `  ${path.join(dir, "plan.json")}`,
            `  ${path.join(dir, "plan.md")}`,
            "Verdict: PASS: no mandatory violation in 4 stacks (0 advisory violations); exit 0",
            "",
        ].join("\n"));
    });

    it("Markdown: a Cells section with each cell's verdict and the estimates side by side", () => {
        const cells = markdown.slice(markdown.indexOf("### Cells"), markdown.indexOf("### `primary`"));
        expect(cells).to.equal([
            "### Cells", "",
            "| Cell | Zone | Stacks | Mandatory | Advisory |", "|---|---|---|---:|---:|",
            "| ✅ default | us | ✅ `primary` us-east-1, ✅ `dr` us-west-2 | 0 | 0 |",
            "| ✅ eu | eu | ✅ `eu-primary` eu-central-1, ✅ `eu-dr` eu-west-1 | 0 | 0 |",
            "", "DR bring-up by cell (minutes, p50 / p90 against the objective):", "",
            "| Cell | DR stack | Region | failover (replica) | drill |", "|---|---|---|---|---|",
            "| default | `dr` | us-west-2 | 13.2 / 26.5 <= 60 | 142.2 / 216.5 <= 240 |",
            "| eu | `eu-dr` | eu-west-1 | 13.2 / 26.5 <= 60 | 142.2 / 216.5 <= 240 |",
            "", "",
        ].join("\n"));
    });

    it("one cell's stacks alone are not grouped (nothing to group)", async () => {
        const one = memoryIO();
        expect(await main(["--stack", "eu-dr", "--parallel", "8"], one, { syntheses }), one.err).to.equal(0);
        expect(one.out).to.not.include("Cell eu").and.not.include("DR bring-up by cell");
        expect(one.out).to.match(/\nPASS eu-dr: 102 resources \(18 components\), 0 mandatory, 0 advisory violations\n\nNo file written [^\n]*\nVerdict: PASS: no mandatory violation in 1 stack \(0 advisory violations\); exit 0\n$/);
    });

    it("--jobs 2 checks the cells in two processes: the same report as one process", function () {
        this.timeout(300000);
        const dir = tmpDir();
        const file = path.join(dir, "jobs.json");
        const run = spawnSync(process.execPath, ["--max-semi-space-size=64", "-r", "./tools/register.js", "tools/plan.ts", "--jobs", "2", "--parallel", "8", "--json", file], { cwd: root, encoding: "utf8" });
        expect(run.status, run.stderr).to.equal(0);
        const parallel = JSON.parse(fs.readFileSync(file, "utf8"));
        expect(parallel.cells).to.deep.equal(json.cells);
        expect(parallel.stacks).to.deep.equal(json.stacks);
        expect(run.stdout).to.include("Cell eu PASS (eu-primary eu-central-1, eu-dr eu-west-1; zone eu)");
    });

    it("--jobs 2 passes a cell's configuration error on: exit 2 with the stack's message", function () {
        this.timeout(300000);
        const run = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", "--jobs", "2", "--config", "vbr:peerRegion=us-east-1"], { cwd: root, encoding: "utf8" });
        expect(run.status).to.equal(2);
        expect(run.stderr).to.match(/^error: stack "(primary|dr|eu-primary|eu-dr)": /m);
        expect(run.stderr).to.match(/vbr:peerRegion = "us-east-1"/);
    });
});
