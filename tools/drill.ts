// `npm run drill`: a DR drill on the real stacks through the Pulumi Automation API (see tools/drill/run.ts).
// Needs the Pulumi CLI on PATH, AWS credentials for both regions (incl. secretsmanager:GetSecretValue and kms:Decrypt on
// the DR replica of the database secret), both stacks deployed; PGUSER/PGPASSWORD override the secret's credentials.
// Exit 0 = objectives met and every check passed, 1 = an objective missed or a check/step failed (or a signal stopped
// the drill; the report is still written), 2 = usage error (found before any stack is touched).
import * as fs from "fs";
import * as path from "path";
import { Command, InvalidArgumentError } from "commander";
import { CliIO, parseArgs, processIO, runMain } from "./lib/cli";
import { estimateScenario } from "./bringup/bringup-report";
import { AwsDrillChecks } from "./drill/checks";
import { writeDrillReport } from "./drill/report";
import { processInterrupts, runDrill } from "./drill/run";
import type { DrillDeps } from "./drill/session";
import { loadProject, missingStackFile, ProjectError, stackConfig } from "./harness/project";

export type DrillIO = CliIO;

const positiveInt = (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("must be a whole number >= 1");
    return Number(v);
};

/**
 * Why `dir` cannot hold the report, or undefined when it can: creates it if missing, then proves it writable with a
 * scratch file (permission bits alone say nothing for root or a read-only mount). Checked before the drill touches
 * any stack, so a drill never runs for 30 minutes and then loses its report.
 */
export function writableDirectoryProblem(dir: string): string | undefined {
    try {
        fs.mkdirSync(dir, { recursive: true });
        if (!fs.statSync(dir).isDirectory()) return "not a directory";
        const probe = path.join(dir, `.drill-write-probe-${process.pid}`);
        fs.writeFileSync(probe, "");
        fs.rmSync(probe);
        return undefined;
    } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return `not a writable directory (${e.code ?? e.message})`;
    }
}

export async function main(argv: string[], io: DrillIO = processIO(), deps: Partial<DrillDeps> = {}): Promise<number> {
    const program = new Command("drill")
        .description("Bring the DR stack from standby to drill, validate it, measure RTO/RPO, return to standby, write the report.")
        .option("--project <dir>", "the Pulumi project directory", ".")
        .option("--stack <name>", "the DR stack", "dr")
        .option("--primary <name>", "the primary stack (default: the DR stack's vbr:primaryStack)")
        .option("--parallel <n>", "pulumi up --parallel (default: the CLI's, 4 x CPUs)", positiveInt)
        .option("--keep", "leave the DR stack in drill afterwards (default: return to standby)", false)
        .option("--endpoint <url>", "health URL to probe (default: https://drill.<vbr:domainName>/health)")
        .option("--health-timeout <minutes>", "how long to wait for the endpoint after up", positiveInt, 15)
        .option("--out <dir>", "where to write drill-<stack>-<time>.{json,md}", "drills")
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const o = program.opts<{ project: string; stack: string; primary?: string; parallel?: number; keep: boolean; endpoint?: string; healthTimeout: number; out: string }>();
    let config: Record<string, string>;
    let projectDir: string;
    try {
        const project = loadProject(path.resolve(io.cwd, o.project));
        projectDir = project.dir;
        // A drill runs the CLI on a stack that exists: its file is where the drill's config changes go.
        if (!project.stacks.includes(o.stack)) throw missingStackFile(project, o.stack);
        config = stackConfig(project, o.stack);
    } catch (err) {
        if (err instanceof ProjectError) { io.stderr(`error: ${err.message}\n`); return 2; }
        throw err;
    }
    if (config["vbr:role"] !== "dr") {
        io.stderr(`error: stack "${o.stack}" has vbr:role=${config["vbr:role"] ?? "(not set)"}; a drill runs on the dr stack\n`);
        return 2;
    }
    const primary = o.primary ?? config["vbr:primaryStack"];
    if (!primary) { io.stderr("error: no primary stack: set vbr:primaryStack or pass --primary\n"); return 2; }
    const outDir = path.resolve(io.cwd, o.out);
    const notWritable = writableDirectoryProblem(outDir);
    if (notWritable) { io.stderr(`error: --out ${o.out}: ${notWritable}\n`); return 2; }
    const database = config["vbr:drDatabase"] === "restore" ? "restore" : "replica";
    const started = new Date((deps.now ?? Date.now)()).toISOString().replace(/[:.]/g, "-");
    const report = await runDrill({
        projectDir, stack: o.stack, primaryStack: primary, config, parallel: o.parallel, keep: o.keep,
        endpointUrl: o.endpoint, healthTimeoutMs: o.healthTimeout * 60_000,
        reportBase: path.join(outDir, `drill-${o.stack}-${started}`),
    }, {
        checks: deps.checks ?? new AwsDrillChecks(),
        now: deps.now, eventTime: deps.eventTime, env: deps.env, heartbeat: deps.heartbeat,
        onInterrupt: deps.onInterrupt ?? processInterrupts,
        estimate: deps.estimate ?? (() => estimateScenario({ projectDir, stack: o.stack, config, parallel: o.parallel }, "drill", database)),
        log: deps.log ?? ((line) => io.stdout(`${line}\n`)),
    });
    const files = writeDrillReport(report, path.join(outDir, `drill-${o.stack}-${started}`));
    io.stdout(`RTO ${report.rto.minutes ?? "not measured"} min (objective ${report.rto.objectiveMinutes}), ` +
        `RPO ${report.rpo.minutes ?? "not measured"} min (objective ${report.rpo.objectiveMinutes}), ${report.failures.length} failure(s)\n`);
    for (const f of report.failures) io.stdout(`  [${f.step}] ${f.urn ? `${f.urn}: ` : ""}${f.message}\n`);
    io.stdout(`Report: ${path.relative(io.cwd, files.markdown)} and ${path.relative(io.cwd, files.json)}\n`);
    return report.exitCode;
}

if (require.main === module) runMain((argv) => main(argv));
