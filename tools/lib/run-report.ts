// What the drill and the failback runners share at their end: the report's two files, its common Markdown sections,
// the summary on the terminal and the report's place on record in the audit bucket. One copy of each, so the two
// reports read alike and a change to how a report goes on record reaches both.
import * as fs from "fs";
import * as path from "path";
import type { CheckResult, DrillChecks } from "../drill/checks";
import type { StackConfig } from "../../stacks/config";
import { auditLock } from "../../stacks/platform-args";
import { auditTargets } from "../verify/audit";
import type { CliIO } from "./cli";

/** A step's or phase's failure, as both reports keep it. */
export interface RunFailure { urn?: string | null; message: string }

/** The Markdown list of checks: one line each, passed or failed. */
export function checkLines(checks: ReadonlyArray<{ check: string } & CheckResult>): string[] {
    return checks.map((v) => `- ${v.ok ? "✅" : "❌"} ${v.check}: ${v.detail}`);
}

/** The Markdown "Failures" section: each failure under the step or phase it happened in, or "None.". */
export function failuresSection(failures: ReadonlyArray<RunFailure & { where: string }>): string[] {
    return ["## Failures", "", ...(failures.length ? failures.map((f) => `- **${f.where}**${f.urn ? ` \`${f.urn}\`` : ""}: ${f.message}`) : ["None."]), ""];
}

/** A failure on the terminal, indented under the run's summary line. */
export function failureLine(where: string, f: RunFailure): string {
    return `  [${where}] ${f.urn ? `${f.urn}: ` : ""}${f.message}`;
}

/** Writes `<base>.json` and `<base>.md`, creating the directory (already proven writable before the run started). */
export function writeReportFiles(base: string, report: unknown, markdown: string): { json: string; markdown: string } {
    fs.mkdirSync(path.dirname(path.resolve(base)), { recursive: true });
    const files = { json: `${base}.json`, markdown: `${base}.md` };
    fs.writeFileSync(files.json, JSON.stringify(report, null, 2) + "\n");
    fs.writeFileSync(files.markdown, markdown);
    return files;
}

export interface FinishedRun {
    kind: "drill" | "failback";
    /** Where the report's files go, without the extension. */
    base: string;
    report: { start: string; exitCode: number };
    markdown: string;
    /** Printed before the report's paths: the run's figures, its failures, its next steps. */
    summary: string[];
    /** The stack whose settings name the audit record and its retention (the DR stack). */
    cfg: StackConfig;
    checks: Pick<DrillChecks, "recordReport">;
    io: CliIO;
}

/**
 * Writes the report's files, prints the summary and their paths, then puts the report on record in the audit bucket
 * under Object Lock. A run that is not on record fails: the exit code is at least 1 when the record could not be written.
 */
export async function fileReport(r: FinishedRun): Promise<number> {
    const files = writeReportFiles(r.base, r.report, r.markdown);
    for (const line of r.summary) r.io.stdout(`${line}\n`);
    r.io.stdout(`Report: ${path.relative(r.io.cwd, files.markdown)} and ${path.relative(r.io.cwd, files.json)}\n`);
    const recorded = await r.checks.recordReport(
        { kind: r.kind, id: path.basename(files.json, ".json"), at: Date.parse(r.report.start), json: r.report, markdown: r.markdown },
        { targets: auditTargets(r.cfg.environment, r.cfg.peerRegion, r.cfg.region), lock: auditLock(r.cfg) });
    r.io.stdout(`Record: ${recorded.detail}\n`);
    return recorded.ok ? r.report.exitCode : Math.max(r.report.exitCode, 1);
}
