// Cells in parallel: the SDK's runtime state is process-wide (one synthesis at a time per process), so the plan
// checks cells side by side in `--jobs` child processes, each given an equal share of the cells, and merges their
// reports in cell order. A cell is the unit: its DR stack reads its primary, and both are synthesized in the same
// process. Each process loads the program's modules once (about a second), which is why a process takes a share
// of cells rather than one each.
import { fork } from "child_process";
import * as path from "path";
import type { CliIO } from "../lib/cli";
import { CellGroup } from "../lib/cells";
import { PlanOptions, UsageError } from "./options";
import type { PlanReport } from "./report";

/** What a worker sends back for its cell. */
export type WorkerAnswer =
    | { ok: true; report: PlanReport; descriptions: Record<string, string> }
    | { ok: false; message: string };

/** What a worker is asked: the plan's options limited to one cell's stacks, and where to run. */
export interface WorkerRequest { opts: PlanOptions; cwd: string }

const WORKER = path.join(__dirname, "worker.ts");

function runCells(opts: PlanOptions, cells: CellGroup[], io: CliIO): Promise<WorkerAnswer> {
    return new Promise((resolve, reject) => {
        // The same Node flags as this process: the TypeScript hook and the young generation's size.
        const child = fork(WORKER, [], { cwd: io.cwd, execArgv: process.execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"] });
        let answer: WorkerAnswer | undefined;
        child.stderr?.on("data", (d: Buffer) => io.stderr(d.toString()));
        child.on("message", (m) => { answer = m as WorkerAnswer; });
        child.on("error", reject);
        child.on("exit", (code, signal) => {
            if (answer) resolve(answer);
            else reject(new Error(`the plan's process for cells ${cells.map((c) => c.cell).join(", ")} ended (${signal ?? `exit ${code}`}) without a report`));
        });
        const request: WorkerRequest = {
            // Files are written once, by this process, from the merged report.
            opts: { ...opts, stacks: cells.flatMap((c) => c.stacks), json: undefined, markdown: undefined, chart: undefined, policyConfigOut: undefined, jobs: 1 },
            cwd: io.cwd,
        };
        child.send(request);
    });
}

/** Checks the cells in `jobs` processes, cell i in process i mod jobs; one merged report, cells in the order given. */
export async function planCells(opts: PlanOptions, cells: CellGroup[], jobs: number, io: CliIO): Promise<{ report: PlanReport; descriptions: Record<string, string> }> {
    const shares = Array.from({ length: Math.min(jobs, cells.length) }, (_, j) => cells.filter((_, i) => i % jobs === j));
    const answers = await Promise.all(shares.map((share) => runCells(opts, share, io)));
    const failed = answers.find((a): a is Extract<WorkerAnswer, { ok: false }> => !a.ok);
    if (failed) throw new UsageError(failed.message);
    const done = (answers as Array<Extract<WorkerAnswer, { ok: true }>>).map((a) => a.report);
    const stacks = new Map(done.flatMap((r) => r.stacks).map((s) => [s.stack, s]));
    const cellReports = new Map(done.flatMap((r) => r.cells ?? []).map((c) => [c.cell, c]));
    // Within a cell, the order its process reported (the primary before the DR stack that reads it).
    const ordered = cells.flatMap((c) => (cellReports.get(c.cell)?.stacks ?? []).map((s) => stacks.get(s.stack)!));
    return {
        report: { ...done[0], stacks: ordered, cells: cells.map((c) => cellReports.get(c.cell)!) },
        descriptions: Object.assign({}, ...(answers as Array<Extract<WorkerAnswer, { ok: true }>>).map((a) => a.descriptions)),
    };
}
