// `npm run drill`: a DR drill on the real stacks through the Pulumi Automation API (see tools/drill/run.ts).
// Needs the Pulumi CLI on PATH, AWS credentials for both regions (docs/drill.md "What it needs" lists the IAM actions), both
// stacks deployed, the DR stack in standby, and an app image with the validation command.
// Exit 0 = objectives met and every check passed, 1 = an objective missed or a check/step failed (or a signal stopped
// the drill; the report is still written), 2 = usage error or a missing prerequisite (found before anything is
// written or changed).
import * as path from "path";
import { Command } from "commander";
import { CliIO, parseArgs, positiveInt, processIO, runMain, writableDirectoryProblem } from "./lib/cli";
import { applyCell, pairOptions } from "./lib/cells";
import { failureLine, fileReport } from "./lib/run-report";
import { estimateScenario } from "./bringup/bringup-report";
import { AwsDrillChecks } from "./drill/checks";
import { preflight } from "./drill/preflight";
import { renderDrillMarkdown } from "./drill/report";
import { processInterrupts, runDrill } from "./drill/run";
import { drillIdAt, DrillDeps } from "./drill/session";
import { drillFiles } from "./drill/workspace";
import { PolicyConfigError } from "./harness/policy-config";
import { findProjectDir, loadProject, missingStackFile, ProjectError, stackConfig } from "./harness/project";
import { ConfigError, parseStackConfig, StackConfig } from "../stacks/config";

export type DrillIO = CliIO;

export async function main(argv: string[], io: DrillIO = processIO(), deps: Partial<DrillDeps> = {}): Promise<number> {
    const program = pairOptions(new Command("drill")
        .description("Bring the DR stack from standby to drill, validate it, measure RTO/RPO, return to standby, write the report."),
        { flag: "--stack", help: "the DR stack" }, "drill a cell")
        .option("--keep", "leave the DR stack in drill afterwards (default: return to standby)", false)
        .option("--endpoint <url>", "health URL to probe (default: https://drill.<vbr:domainName>/health)")
        .option("--health-timeout <minutes>", "how long to wait for the endpoint after up", positiveInt, 15)
        .option("--out <dir>", "where to write drill-<stack>-<time>.{json,md}", "drills")
        .option("--resume", "finish an earlier drill that did not: return the stack to standby and delete its canaries", false)
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const o = program.opts<{ project?: string; stack: string; primary?: string; cell?: string; parallel?: number; keep: boolean; endpoint?: string; healthTimeout: number; out: string; resume: boolean }>();
    const refused = applyCell(program, o, "stack", "drills");
    if (refused) { io.stderr(`error: ${refused}\n`); return 2; }
    let config: Record<string, string>;
    let projectDir: string;
    let cfg: StackConfig;
    try {
        const project = loadProject(findProjectDir(io.cwd, o.project));
        projectDir = project.dir;
        // A drill runs the CLI on a stack that exists: its file is where the drill's config changes go.
        if (!project.stacks.includes(o.stack)) throw missingStackFile(project, o.stack);
        config = stackConfig(project, o.stack);
        cfg = parseStackConfig(o.stack, config);
    } catch (err) {
        if (err instanceof ProjectError || err instanceof ConfigError) { io.stderr(`error: ${err.message}\n`); return 2; }
        throw err;
    }
    if (config["vbr:role"] !== "dr") {
        io.stderr(`error: stack "${o.stack}" has vbr:role=${config["vbr:role"] ?? "(not set)"}; a drill runs on the dr stack\n`);
        return 2;
    }
    const primary = o.primary ?? config["vbr:primaryStack"];
    if (!primary) { io.stderr("error: no primary stack: set vbr:primaryStack or pass --primary\n"); return 2; }
    const outDir = path.resolve(io.cwd, o.out);
    if (!o.resume) {
        const notWritable = writableDirectoryProblem(outDir);
        if (notWritable) { io.stderr(`error: --out ${o.out}: ${notWritable}\n`); return 2; }
    }
    const checks = deps.checks ?? new AwsDrillChecks();
    // Prerequisites and guards before anything is written or changed: one message, exit 2.
    const ready = await preflight({ projectDir, stack: o.stack, primaryStack: primary, config, checks, resume: o.resume, pulumiCommand: deps.pulumiCommand });
    if (!ready.ok) { io.stderr(`error: ${ready.message}\n`); return 2; }
    const now = deps.now ?? Date.now;
    const database = config["vbr:drDatabase"] === "restore" ? "restore" : "replica";
    const started = new Date(now()).toISOString().replace(/[:.]/g, "-");
    const drillId = ready.marker?.drillId ?? drillIdAt(now());
    const estimate = (state: "drill" | "failover", db: "replica" | "restore") => () => estimateScenario({ projectDir, stack: o.stack, config, parallel: o.parallel }, state, db);
    let temporary: ReturnType<typeof drillFiles>;
    try {
        temporary = drillFiles(projectDir, o.stack, config, drillId, o.parallel);
    } catch (err) {
        if (!(err instanceof PolicyConfigError)) throw err;
        io.stderr(`error: the policy config derived for the drill is invalid: ${err.problems.join("; ")}\n`);
        return 2;
    }
    io.stdout(`${ready.cliVersion.startsWith("v") ? "pulumi " : ""}${ready.cliVersion}; ${ready.identity}\n`);
    const report = await runDrill({
        projectDir, stack: o.stack, primaryStack: primary, config, parallel: o.parallel, keep: o.keep,
        endpointUrl: o.endpoint, healthTimeoutMs: o.healthTimeout * 60_000,
        reportBase: path.join(outDir, `drill-${o.stack}-${started}`),
        files: temporary,
        drillId, resume: o.resume ? ready.marker : undefined,
    }, {
        checks, now: deps.now, eventTime: deps.eventTime, heartbeat: deps.heartbeat, sleep: deps.sleep,
        onInterrupt: deps.onInterrupt ?? processInterrupts,
        estimate: deps.estimate ?? estimate("drill", database),
        estimateFailover: deps.estimateFailover ?? estimate("failover", "replica"),
        log: deps.log ?? ((line) => io.stdout(`${line}\n`)),
    }, ready);
    if (o.resume) {
        for (const c of report.cleanup) io.stdout(`${c.ok ? "ok" : "FAILED"}: ${c.check}: ${c.detail}\n`);
        io.stdout(`Resume of drill ${drillId}: ${report.failures.length === 0 ? `${o.stack} is back in standby and the canaries are deleted` : `${report.failures.length} failure(s)`}\n`);
        for (const f of report.failures) io.stdout(`${failureLine(f.step, f)}\n`);
        return report.failures.length === 0 ? 0 : 1;
    }
    const minutes = (m: number | null) => (m === null ? "not measured" : `${m} min`);
    return fileReport({
        kind: "drill", base: path.join(outDir, `drill-${o.stack}-${started}`), report, markdown: renderDrillMarkdown(report), cfg, checks, io,
        summary: [
            `RTO ${minutes(report.rto.minutes)} (objective ${report.rto.objectiveMinutes} min), ` +
                `RPO ${minutes(report.rpo.minutes)} (objective ${report.rpo.objectiveMinutes} min), ${report.failures.length} failure(s)`,
            ...report.failures.map((f) => failureLine(f.step, f)),
        ],
    });
}

if (require.main === module) runMain((argv) => main(argv));
