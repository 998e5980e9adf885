// Cells: pairs of a primary and a DR stack of one program, named `<cell>-primary` and `<cell>-dr` (the first pair
// keeps its names `primary` and `dr`: the cell `default`). The plan groups its report by cell, the drill and the
// failback find a cell's stacks by its name, and the fleet check holds each pair together.

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
