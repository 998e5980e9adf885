// The plan's last lines on stdout: every file it wrote, then the verdict of the whole run, so a user who reads only
// the end of 300 lines knows the outcome and where the reports are.
import * as path from "path";
import type { Colors } from "picocolors/types";
import type { OutputFile } from "./output";
import type { PlanReport } from "./report";

/** A written file as the user can open it: relative to the directory they ran the command from, else absolute. */
export function shownPath(file: string, cwd: string): string {
    const relative = path.relative(cwd, file);
    return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The files written (or that none was, and which flags write one), then one verdict line with the exit code. */
export function closingLines(report: PlanReport, written: OutputFile[], cwd: string, exitCode: number, c: Colors): string {
    const out = [""];
    if (written.length === 0) out.push(c.dim("No file written (--json, --markdown, --chart and --policy-config-out write the reports)."));
    else out.push(`Wrote ${plural(written.length, "file")}:`, ...written.map((f) => `  ${shownPath(f.file, cwd)}`));
    const failed = report.stacks.filter((s) => s.summary.mandatory > 0);
    const mandatory = failed.reduce((n, s) => n + s.summary.mandatory, 0);
    const advisory = report.stacks.reduce((n, s) => n + s.summary.advisory, 0);
    const stacks = plural(report.stacks.length, "stack");
    out.push(failed.length > 0
        ? `${c.red(c.bold("Verdict: FAIL"))}: ${plural(mandatory, "mandatory violation")} in ${failed.map((s) => s.stack).join(", ")} ` +
            `(${stacks} checked, ${plural(advisory, "advisory violation")}); exit ${exitCode}`
        : `${c.green(c.bold("Verdict: PASS"))}: no mandatory violation in ${stacks} (${plural(advisory, "advisory violation")}); exit ${exitCode}`);
    return out.join("\n") + "\n";
}
