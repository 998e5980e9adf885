// Cells: pairs of a primary and a DR stack of one program, named `<cell>-primary` and `<cell>-dr` (the first pair
// keeps its names `primary` and `dr`: the cell `default`). The plan groups its report by cell, the drill and the
// failback find a cell's stacks by its name, and the fleet check holds each pair together.
import type { Command } from "commander";
import { PROJECT_OPTION_HELP } from "../harness/project";
import { positiveInt } from "./cli";

/** The cell of the stacks `primary` and `dr`, which predate cells and keep their names. */
export const DEFAULT_CELL = "default";

const PAIR = /^(?:(.+)-)?(primary|dr)$/;

/** A stack's cell: `eu` for `eu-primary` and `eu-dr`, `default` for `primary` and `dr`; any other stack is a cell of its own. */
export function cellOf(stack: string): string {
    const m = PAIR.exec(stack);
    return m ? m[1] ?? DEFAULT_CELL : stack;
}

/** The two stacks of a cell. */
export function cellStacks(cell: string): { primary: string; dr: string } {
    return cell === DEFAULT_CELL ? { primary: "primary", dr: "dr" } : { primary: `${cell}-primary`, dr: `${cell}-dr` };
}

/** A cell name that `--cell` accepts: what precedes `-primary` in a stack name. */
export const CELL_NAME = /^[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*$/;

export interface CellGroup {
    cell: string;
    /** Its stacks, in the order given. */
    stacks: string[];
}

/** The stacks grouped by cell, cells in the order their first stack comes. */
export function groupByCell(stacks: readonly string[]): CellGroup[] {
    const groups = new Map<string, string[]>();
    for (const s of stacks) {
        const c = cellOf(s);
        groups.set(c, [...(groups.get(c) ?? []), s]);
    }
    return [...groups].map(([cell, members]) => ({ cell, stacks: members }));
}

/** What ties a cell's two stacks together and keeps cells apart, from each stack's configuration (this project's keys). */
export function fleetProblems(configs: ReadonlyMap<string, Record<string, string>>, qualify: (name: string) => string = (n) => n): string[] {
    const problems: string[] = [];
    const env = (stack: string) => configs.get(stack)?.["vbr:environment"];
    const seen = new Map<string, string>();
    for (const { cell } of groupByCell([...configs.keys()])) {
        const { primary, dr } = cellStacks(cell);
        const p = configs.get(primary), d = configs.get(dr);
        if (p?.["vbr:role"] === undefined && d?.["vbr:role"] === undefined) continue;
        const e = env(primary) ?? env(dr);
        if (e !== undefined) {
            const other = seen.get(e);
            if (other !== undefined && other !== cell) {
                problems.push(`cells ${other} and ${cell} share vbr:environment "${e}": every name of a cell derives from it, so two cells would name the same ` +
                    "keys, vaults, secrets and databases wherever their regions meet; give each cell its own");
            }
            seen.set(e, cell);
        }
        if (!p || !d) continue;
        const same = (key: string) => {
            if (p[key] !== d[key]) problems.push(`cell ${cell}: ${key} is ${JSON.stringify(p[key])} in ${primary} but ${JSON.stringify(d[key])} in ${dr}: both stacks of a cell must agree`);
        };
        same("vbr:environment");
        same("vbr:residency");
        if (p["vbr:peerRegion"] !== d["aws:region"] || d["vbr:peerRegion"] !== p["aws:region"]) {
            problems.push(`cell ${cell}: ${primary} (aws:region ${p["aws:region"]}, vbr:peerRegion ${p["vbr:peerRegion"]}) and ${dr} (aws:region ${d["aws:region"]}, ` +
                `vbr:peerRegion ${d["vbr:peerRegion"]}) must each name the other's region as vbr:peerRegion`);
        }
        const reads = d["vbr:primaryStack"];
        if (reads !== undefined && qualify(reads) !== qualify(primary)) {
            problems.push(`cell ${cell}: ${dr} reads vbr:primaryStack ${JSON.stringify(reads)}, not its cell's primary ${JSON.stringify(primary)}`);
        }
    }
    return problems;
}

/** The options of a runner that works on one cell's pair of stacks (`npm run drill`, `npm run failback`), as parsed. */
export interface PairOptions { project?: string; primary?: string; cell?: string; parallel?: number }

/**
 * Adds the options every pair runner takes, in this order: `--project`, its DR-stack flag (`dr.flag`, default `dr`),
 * `--primary`, `--cell` and `--parallel`. The runner adds its own after them.
 */
export function pairOptions(program: Command, dr: { flag: "--stack" | "--dr"; help: string }, cellHelp: string): Command {
    return program
        .option("--project <dir>", PROJECT_OPTION_HELP)
        .option(`${dr.flag} <name>`, dr.help, "dr")
        .option("--primary <name>", "the primary stack (default: the DR stack's vbr:primaryStack)")
        .option("--cell <name>", `${cellHelp}: its DR stack <cell>-dr and its primary <cell>-primary (default: the stacks dr and primary)`)
        .option("--parallel <n>", "pulumi up --parallel (default: the CLI's, 4 x CPUs)", positiveInt);
}

/**
 * Applies `--cell` to a pair runner's parsed options: its DR stack (`o[drKey]`) and `--primary` become the cell's. Returns
 * why it cannot be used as given: a name that is no cell's, or the runner's own stack flags naming other stacks.
 */
export function applyCell<K extends "stack" | "dr">(program: Command, o: PairOptions & Record<K, string>, drKey: K, verb: string): string | undefined {
    const cell = o.cell;
    if (cell === undefined) return undefined;
    if (!CELL_NAME.test(cell)) return `--cell ${JSON.stringify(cell)}: a cell's name is what precedes -primary and -dr in its stack names (e.g. eu for eu-primary and eu-dr; ${DEFAULT_CELL} for primary and dr)`;
    const want = cellStacks(cell);
    const dr = program.getOptionValueSource(drKey) === "cli" ? o[drKey] : undefined;
    if (dr !== undefined && dr !== want.dr) return `--cell ${cell} ${verb} ${want.dr}; --${drKey} ${dr} names another stack: give one of them`;
    if (o.primary !== undefined && o.primary !== want.primary) return `--cell ${cell} reads ${want.primary}; --primary ${o.primary} names another stack: give one of them`;
    Object.assign(o, { [drKey]: want.dr, primary: want.primary });
    return undefined;
}
