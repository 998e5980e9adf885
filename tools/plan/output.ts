// The plan's output files: every target checked before anything runs, all written or none.
import * as fs from "fs";
import * as path from "path";
import { PlanOptions, STACK_PLACEHOLDER, UsageError } from "./options";

export interface OutputFile {
    /** Absolute path. */
    file: string;
    /** As the user gave it, for messages. */
    shown: string;
    content: string;
}

/** Writes every file to a temp file next to it, then renames them all; on a failure removes the temp files. */
export function writeAll(files: OutputFile[]): void {
    const temps: string[] = [];
    let current: OutputFile | undefined;
    try {
        for (const f of files) {
            current = f;
            const tmp = path.join(path.dirname(f.file), `.${path.basename(f.file)}.${process.pid}.${temps.length}.tmp`);
            temps.push(tmp);
            fs.writeFileSync(tmp, f.content);
        }
        files.forEach((f, i) => { current = f; fs.renameSync(temps[i], f.file); });
    } catch (err) {
        for (const t of temps) fs.rmSync(t, { force: true });
        throw new UsageError(`cannot write ${current?.shown ?? "the output"}: ${(err as Error).message}`);
    }
}

export const statOf = (file: string): fs.Stats | undefined => {
    try {
        return fs.statSync(file);
    } catch {
        return undefined;
    }
};

/**
 * Every output target, checked before anything runs: its directory exists, it is not itself a directory, and no
 * two flags name the same file. Collects every problem.
 */
export function checkOutputTargets(opts: PlanOptions, cwd: string, stacks: string[]): void {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const perStack = opts.policyConfigOut === undefined ? [] : opts.policyConfigOut.includes(STACK_PLACEHOLDER)
        ? stacks.map((s) => opts.policyConfigOut!.split(STACK_PLACEHOLDER).join(s)) : [opts.policyConfigOut];
    const targets: Array<[string, string | undefined, string]> = [
        ["--json", opts.json, "plan.json"], ["--markdown", opts.markdown, "plan.md"], ["--chart", opts.chart, "bringup.svg"],
        ...perStack.map((f): [string, string, string] => ["--policy-config-out", f, "policy-config.json"]),
    ];
    for (const [flag, file, example] of targets) {
        if (file === undefined) continue;
        if (file.trim() === "") { problems.push(`${flag}: the file name is empty`); continue; }
        const abs = path.resolve(cwd, file);
        const dir = statOf(path.dirname(abs));
        if (statOf(abs)?.isDirectory() || /[\\/]$/.test(file)) problems.push(`${flag} ${file} is a directory: give a file name, e.g. ${path.join(file, example)}`);
        else if (!dir) problems.push(`${flag} ${file}: cannot write it: its directory ${path.dirname(file)} does not exist`);
        else if (!dir.isDirectory()) problems.push(`${flag} ${file}: cannot write it: ${path.dirname(file)} is not a directory`);
        else if (seen.has(abs)) problems.push(`${flag} ${file}: ${seen.get(abs)} writes the same file`);
        seen.set(abs, flag);
    }
    if (problems.length > 0) throw new UsageError(problems.join("\n  "));
}
