// `npm run failback`: back from the DR stack in failover to the primary, with an RPO of zero (see tools/failback/run.ts).
// Needs the Pulumi CLI on PATH logged in to the state backend, AWS credentials for both regions (docs/failback.md),
// both stacks deployed, the DR stack in failover, region A answering again, and the app image's validation command (the
// databases are checked from inside their VPCs by one-off ECS tasks; this machine never connects to them).
// Exit 0 = every phase passed, RPO 0 was proven, the audit record held and the report is on record; 1 = a phase failed, a
// canary is missing in region A, the audit record is broken, the report could not be recorded, or a signal stopped it
// (the report is still written); 2 = usage error (found before any stack is touched).
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { Command } from "commander";
import { estimateFailback } from "./bringup/failback-estimate";
import { AwsFailbackChecks } from "./failback/checks";
import { renderFailbackMarkdown } from "./failback/report";
import { runFailback } from "./failback/run";
import type { FailbackDeps } from "./failback/session";
import { findProjectDir, loadProject, missingStackFile, ProjectError, stackConfig } from "./harness/project";
import { CliIO, parseArgs, positiveInt, processIO, runMain, writableDirectoryProblem } from "./lib/cli";
import { applyCell, pairOptions } from "./lib/cells";
import { failureLine, fileReport } from "./lib/run-report";
import { ConfigError, parseStackConfig, StackConfig } from "../stacks/config";

/** `pulumi state unprotect` through the CLI the Automation API uses (the first `pulumi` on PATH), in the project. */
function unprotectWith(projectDir: string): FailbackDeps["unprotect"] {
    return async (stack, urn) => {
        await promisify(execFile)("pulumi", ["state", "unprotect", "--stack", stack, "--yes", "--non-interactive", urn], { cwd: projectDir });
    };
}

/** SIGINT and SIGTERM of this process; returns the function that stops listening. */
function processSignals(handler: (signal: string) => void): () => void {
    const on = (signal: NodeJS.Signals) => handler(signal);
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
    return () => { process.off("SIGINT", on); process.off("SIGTERM", on); };
}

export async function main(argv: string[], io: CliIO = processIO(), deps: Partial<FailbackDeps> = {}): Promise<number> {
    const program = pairOptions(new Command("failback")
        .description("Fail back from the DR stack in failover to the primary with RPO 0: replicate back, recover, switch over, DR back to standby; write the report."),
        { flag: "--dr", help: "the DR stack (in failover)" }, "fail back a cell")
        .option("--wait-timeout <minutes>", "how long each wait may take (batch jobs, stopping region B, replica lag, S3 backlog)", positiveInt, 60)
        .option("--out <dir>", "where to write failback-<dr>-<time>.{json,md}", "failbacks")
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const o = program.opts<{ project?: string; dr: string; primary?: string; cell?: string; parallel?: number; waitTimeout: number; out: string }>();
    const refused = applyCell(program, o, "dr", "fails back from");
    if (refused) { io.stderr(`error: ${refused}\n`); return 2; }
    let project: ReturnType<typeof loadProject>;
    let drConfig: Record<string, string>;
    let primaryConfig: Record<string, string>;
    let cfg: StackConfig;
    const primary = () => o.primary ?? (drConfig["vbr:primaryStack"] ?? "").split("/").pop() ?? "";
    try {
        project = loadProject(findProjectDir(io.cwd, o.project));
        // Both stacks' files hold their roles and regions: a stack without one is a typo or the wrong project.
        if (!project.stacks.includes(o.dr)) throw missingStackFile(project, o.dr);
        drConfig = stackConfig(project, o.dr);
        if (drConfig["vbr:role"] !== "dr") { io.stderr(`error: --dr ${o.dr} has vbr:role=${drConfig["vbr:role"] ?? "(not set)"}; it must be the dr stack\n`); return 2; }
        // The DR stack's settings name the audit record and its retention (the report goes on record there).
        cfg = parseStackConfig(o.dr, drConfig);
        if (!primary()) { io.stderr("error: no primary stack: set vbr:primaryStack on the DR stack or pass --primary\n"); return 2; }
        if (!project.stacks.includes(primary())) throw missingStackFile(project, primary());
        primaryConfig = stackConfig(project, primary());
        if (primaryConfig["vbr:role"] !== "primary") { io.stderr(`error: --primary ${primary()} has vbr:role=${primaryConfig["vbr:role"] ?? "(not set)"}; it must be the primary stack\n`); return 2; }
    } catch (err) {
        if (err instanceof ProjectError || err instanceof ConfigError) { io.stderr(`error: ${err.message}\n`); return 2; }
        throw err;
    }
    const outDir = path.resolve(io.cwd, o.out);
    const notWritable = writableDirectoryProblem(outDir);
    if (notWritable) { io.stderr(`error: --out ${o.out}: ${notWritable}\n`); return 2; }
    const started = new Date((deps.now ?? Date.now)()).toISOString().replace(/[:.]/g, "-");
    const base = path.join(outDir, `failback-${o.dr}-${started}`);
    const checks = deps.checks ?? new AwsFailbackChecks();
    const report = await runFailback({
        projectDir: project.dir, project: project.name, primaryStack: primary(), drStack: o.dr, primaryConfig, drConfig,
        parallel: o.parallel, waitTimeoutMs: o.waitTimeout * 60_000, reportBase: base,
    }, {
        checks, now: deps.now, eventTime: deps.eventTime, sleep: deps.sleep, pulumiCommand: deps.pulumiCommand,
        estimate: deps.estimate ?? (() => estimateFailback({ projectDir: project.dir, stack: o.dr, config: drConfig, parallel: o.parallel })),
        unprotect: deps.unprotect ?? unprotectWith(project.dir),
        onInterrupt: deps.onInterrupt ?? processSignals,
        log: deps.log ?? ((line) => io.stdout(`${line}\n`)),
    });
    const { minutes, modelP90Minutes } = report.writeDowntime;
    return fileReport({
        kind: "failback", base, report, markdown: renderFailbackMarkdown(report), cfg, checks, io,
        summary: [
            `RPO ${report.rpo.zero ? "0" : "NOT proven 0"}, write downtime ${minutes === null ? "not measured" : `${minutes} min`} ` +
                `(${modelP90Minutes === null ? "no model estimate" : `model p90 ${modelP90Minutes}`}), ${report.failures.length} failure(s)`,
            ...report.failures.map((f) => failureLine(f.phase, f)),
            ...report.nextSteps.map((s) => `  ${s}`),
        ],
    });
}

if (require.main === module) runMain((argv) => main(argv));
