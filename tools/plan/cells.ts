// The fleet view of the offline plan: the checked stacks grouped by cell (tools/lib/cells.ts), each cell's verdict,
// zone and regions, and the DR stacks' bring-up estimates side by side (the JSON report's `cells` field, a block of
// the terminal view and of the Markdown comment).
import type { Colors } from "picocolors/types";
import { cellOf, groupByCell } from "../lib/cells";
import type { BringUpField } from "../bringup/bringup-report";
import { mdCode, StackReport, summaryLine } from "./report";

export interface CellStack { stack: string; role: string | null; region: string | null; mandatory: number; advisory: number }

export interface CellEstimate {
    stack: string; state: string; database: string; objectiveMinutes: number; p50Minutes: number; p90Minutes: number;
    /** Until DNS serves from the DR region (p90), null when no record changes. */
    dnsServesP90Minutes: number | null;
}

/** One cell in the JSON report. */
export interface CellReport {
    cell: string;
    /** The cell's vbr:residency (null for stacks without it). */
    residency: string | null;
    stacks: CellStack[];
    mandatory: number;
    advisory: number;
    /** Every bring-up scenario of the cell's DR stacks. */
    bringUp: CellEstimate[];
}

/** The cells of a plan's stacks, in report order; `configs` holds each stack's config as synthesized. */
export function cellReports(stacks: StackReport[], configs: ReadonlyMap<string, Record<string, string>>): CellReport[] {
    const byName = new Map(stacks.map((s) => [s.stack, s]));
    return groupByCell(stacks.map((s) => s.stack)).map(({ cell, stacks: names }) => {
        const members = names.map((n) => byName.get(n)!);
        const config = (n: string) => configs.get(n) ?? {};
        return {
            cell,
            residency: names.map((n) => config(n)["vbr:residency"]).find((z) => z !== undefined) ?? null,
            stacks: members.map((s) => ({
                stack: s.stack, role: config(s.stack)["vbr:role"] ?? null, region: config(s.stack)["aws:region"] ?? null,
                mandatory: s.summary.mandatory, advisory: s.summary.advisory,
            })),
            mandatory: members.reduce((n, s) => n + s.summary.mandatory, 0),
            advisory: members.reduce((n, s) => n + s.summary.advisory, 0),
            bringUp: members.flatMap((s) => ((s.bringUp as BringUpField | undefined)?.scenarios ?? []).map((b) => ({
                stack: s.stack, state: b.state, database: b.database, objectiveMinutes: b.objectiveMinutes, p50Minutes: b.p50Minutes, p90Minutes: b.p90Minutes,
                dnsServesP90Minutes: b.dnsServesMinutes?.p90 ?? null,
            }))),
        };
    });
}

/**
 * Grouping says something in a project of cells: some cell holds more than one stack, or several cells' stacks are
 * checked (the DR stacks of every cell in one state); not for one stack, nor for stacks that are no cell's.
 */
export const grouped = (cells: CellReport[] | undefined): cells is CellReport[] => (cells ?? []).some((c) => c.stacks.length > 1) ||
    ((cells ?? []).length > 1 && (cells ?? []).every((c) => c.stacks.every((s) => cellOf(s.stack) === c.cell && s.stack !== c.cell)));

const scenario = (e: CellEstimate) => (e.state === "drill" ? "drill" : `${e.state} (${e.database})`);
const estimate = (e: CellEstimate) => `${e.p50Minutes.toFixed(1)} / ${e.p90Minutes.toFixed(1)} ${e.p90Minutes <= e.objectiveMinutes ? "<=" : "OVER"} ${e.objectiveMinutes}`;
const where = (c: CellReport) => c.stacks.map((s) => `${s.stack}${s.region ? ` ${s.region}` : ""}`).join(", ") + (c.residency ? `; zone ${c.residency}` : "");

/** The scenario columns: every scenario any cell estimated, in first-seen order. */
function columns(cells: CellReport[]): string[] {
    return [...new Set(cells.flatMap((c) => c.bringUp.map(scenario)))];
}

/** Each cell's DR bring-up estimates side by side: one row per DR stack, one column per scenario. */
function estimateRows(cells: CellReport[]): Array<{ cell: string; stack: string; region: string; values: string[] }> {
    const cols = columns(cells);
    return cells.flatMap((c) => [...new Set(c.bringUp.map((e) => e.stack))].map((stack) => ({
        cell: c.cell, stack, region: c.stacks.find((s) => s.stack === stack)?.region ?? "",
        values: cols.map((col) => { const e = c.bringUp.find((x) => x.stack === stack && scenario(x) === col); return e ? estimate(e) : "-"; }),
    })));
}

/** The terminal view: the bring-up table, then each cell's header and its stacks' verdict lines. */
export function cellsText(cells: CellReport[], stacks: StackReport[], c: Colors): string[] {
    const out: string[] = [];
    const rows = estimateRows(cells);
    if (rows.length > 0) {
        const head = ["Cell", "DR stack", "Region", ...columns(cells)];
        const table = [head, ...rows.map((r) => [r.cell, r.stack, r.region, ...r.values])];
        const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
        const line = (row: string[]) => row.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
        out.push(c.bold("DR bring-up by cell (minutes, p50 / p90 against the objective)"), `  ${c.dim(line(head))}`, ...table.slice(1).map((row) => `  ${line(row)}`), "");
    }
    const byName = new Map(stacks.map((s) => [s.stack, s]));
    for (const cell of cells) {
        const verdict = cell.mandatory > 0 ? c.red("FAIL") : c.green("PASS");
        out.push(`${c.bold(`Cell ${cell.cell}`)} ${verdict} (${where(cell)})`);
        for (const s of cell.stacks) out.push(summaryLine(byName.get(s.stack)!, c));
    }
    return out;
}

/** The Markdown comment's cell block: each cell's verdict, zone and stacks, then the estimates side by side. */
export function cellsMarkdown(cells: CellReport[]): string[] {
    const out = ["| Cell | Zone | Stacks | Mandatory | Advisory |", "|---|---|---|---:|---:|"];
    for (const cell of cells) {
        const stacks = cell.stacks.map((s) => `${s.mandatory ? "❌" : "✅"} ${mdCode(s.stack)}${s.region ? ` ${s.region}` : ""}`).join(", ");
        out.push(`| ${cell.mandatory ? "❌" : "✅"} ${cell.cell} | ${cell.residency ?? ""} | ${stacks} | ${cell.mandatory} | ${cell.advisory} |`);
    }
    const rows = estimateRows(cells);
    if (rows.length > 0) {
        const cols = columns(cells);
        out.push("", "DR bring-up by cell (minutes, p50 / p90 against the objective):", "",
            `| Cell | DR stack | Region | ${cols.join(" | ")} |`, `|---|---|---|${cols.map(() => "---").join("|")}|`,
            ...rows.map((r) => `| ${r.cell} | ${mdCode(r.stack)} | ${r.region} | ${r.values.join(" | ")} |`));
    }
    return out;
}
