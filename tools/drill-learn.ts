// `npm run drill:learn -- <report.json>`: merge a drill report's measured durations into the bring-up model's data file.
// The merge rule is documented on mergeMeasurements (tools/drill/learn.ts).
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { CliIO, parseArgs, processIO, runMain } from "./lib/cli";
import { loadProvisioningTimes, PROVISIONING_TIMES_FILE } from "../policies/lib/bringup";
import { mergeMeasurements } from "./drill/learn";
import type { DrillReport } from "./drill/report";

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
    const program = new Command("drill:learn")
        .description("Merge a drill report's measured per-type durations into policies/data/provisioning-times.json")
        .argument("<report>", "the drill report (JSON) written by npm run drill")
        .option("--times <file>", "the data file to update", PROVISIONING_TIMES_FILE)
        .option("--dry-run", "print the changes without writing", false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const file = path.resolve(io.cwd, program.args[0]);
    const o = program.opts<{ times: string; dryRun: boolean }>();
    let report: DrillReport;
    try {
        report = JSON.parse(fs.readFileSync(file, "utf8")) as DrillReport;
        if (!Array.isArray(report.resources) || typeof report.start !== "string") throw new Error("not a drill report (no resources/start)");
    } catch (err) {
        io.stderr(`error: ${program.args[0]}: ${(err as Error).message}\n`);
        return 2;
    }
    const timesFile = path.resolve(io.cwd, o.times);
    const { times, changes, drill, alreadyMerged } = mergeMeasurements(loadProvisioningTimes(timesFile), report);
    if (alreadyMerged) {
        io.stdout(`drill ${drill} is already merged into ${path.relative(io.cwd, timesFile) || timesFile}: nothing changed\n`);
        return 0;
    }
    for (const c of changes) io.stdout(`${c}\n`);
    if (changes.length === 0) io.stdout("nothing to merge: no resource finished with a model estimate\n");
    else if (!o.dryRun) {
        fs.writeFileSync(timesFile, JSON.stringify(times, null, 2) + "\n");
        io.stdout(`updated ${path.relative(io.cwd, timesFile) || timesFile}\n`);
    }
    return 0;
}

if (require.main === module) runMain((argv) => main(argv));
