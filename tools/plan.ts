// `npm start`: the offline plan. Runs every stack of a Pulumi project under mocks and judges it with the policy pack.
//
// For each stack: synthesize it (real mock values) and again with preview semantics (outputs unknown), evaluate
// the pack on both, print a preview-like tree, the violations by enforcement level and a one-line verdict.
// Exit 0 = no mandatory violation, 1 = at least one, 2 = usage or configuration error (nothing written).
import * as path from "path";
import pc from "picocolors";
import { BringUpField } from "./bringup/bringup-report";
import { renderGantt } from "./bringup/chart";
import { ProjectError } from "./harness/project";
import { SynthesisError } from "./harness/recorder";
import { EXIT_USAGE, processIO, runMain } from "./lib/cli";
import { readOptions, STACK_PLACEHOLDER, UsageError } from "./plan/options";
import { closingLines } from "./plan/closing";
import { OutputFile, writeAll } from "./plan/output";
import { jsonReport, renderMarkdown, renderText } from "./plan/report";
import { plan, PlanDeps, PlanIO, stackExtensions } from "./plan/run";

export { EXIT_MANDATORY, EXIT_OK, plan, PlanDeps, PlanIO } from "./plan/run";
export { EXIT_USAGE };

/** Runs the plan; returns the exit code. Never throws for user errors. */
export async function main(argv: string[], io: PlanIO = planIO(), deps: PlanDeps = {}): Promise<number> {
    const extensions = deps.extensions ?? stackExtensions;
    const parsed = readOptions(argv, io);
    if (typeof parsed === "number") {
        if (parsed === EXIT_USAGE) io.stderr("Run `npm start -- --help` for usage.\n");
        return parsed;
    }
    try {
        const { report, exitCode, descriptions } = await plan(parsed, io, deps);
        // Render everything, write every file (each to a temp file, then renamed), and only then print: a failure
        // anywhere leaves no output file behind and no report on stdout.
        const colors = io.color ? pc : pc.createColors(false);
        const text = renderText(report, extensions, colors);
        const files: OutputFile[] = [];
        const add = (file: string, content: string) => files.push({ file: path.resolve(io.cwd, file), shown: file, content });
        if (parsed.json) add(parsed.json, JSON.stringify(jsonReport(report, descriptions), null, 2) + "\n");
        if (parsed.markdown) add(parsed.markdown, renderMarkdown(report, extensions, { jsonArtifact: parsed.json }));
        if (parsed.chart) {
            const dr = report.stacks.find((s) => s.bringUp !== undefined);
            if (dr) add(parsed.chart, renderGantt(dr.bringUp as BringUpField));
            else io.stderr(`warning: no DR stack (vbr:role dr) was checked: ${parsed.chart} not written\n`);
        }
        if (parsed.policyConfigOut) {
            for (const s of report.stacks) add(parsed.policyConfigOut.split(STACK_PLACEHOLDER).join(s.stack), JSON.stringify(s.policyConfig, null, 2) + "\n");
        }
        writeAll(files);
        io.stdout(text + closingLines(report, files, io.cwd, exitCode, colors));
        return exitCode;
    } catch (err) {
        if (err instanceof UsageError || err instanceof ProjectError || err instanceof SynthesisError) {
            io.stderr(`error: ${err.message}\n`);
            return EXIT_USAGE;
        }
        const e = err as Error;
        io.stderr(`error: the offline plan failed unexpectedly: ${e?.message ?? String(err)}\n`);
        return EXIT_USAGE;
    }
}

function planIO(): PlanIO {
    return {
        ...processIO(), color: process.stdout.isTTY === true && !("NO_COLOR" in process.env),
        terminal: process.stderr.isTTY === true, columns: process.stderr.columns,
    };
}

if (require.main === module) runMain((argv) => main(argv));
