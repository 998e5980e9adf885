// What every command-line entry point shares: where it writes, and commander wired to return exit codes.
import * as fs from "fs";
import * as path from "path";
import { Command, CommanderError, InvalidArgumentError } from "commander";

/** Where a command reads and writes; tests pass their own to run `main` in-process. */
export interface CliIO {
    cwd: string;
    stdout(text: string): void;
    stderr(text: string): void;
}

export const EXIT_USAGE = 2;

export function processIO(): CliIO {
    return { cwd: userCwd(), stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
}

/**
 * The directory the user ran the command from, which the tools resolve every path the user gives against. npm runs a
 * package's scripts from the package root whatever the user's directory, and keeps that directory in INIT_CWD; it is
 * trusted only when this process IS the npm script (its command names this entry file), not a process such a script
 * started with a working directory of its own (the bench's runs, a test's child process).
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), entry = require.main?.filename): string {
    const init = env.INIT_CWD;
    if (!init || !path.isAbsolute(init) || !entry) return cwd;
    const words = (env.npm_lifecycle_script ?? "").split(/\s+/).filter((w) => w !== "");
    return words.some((w) => path.resolve(cwd, w) === entry) ? init : cwd;
}

/**
 * Parses `argv` with `program`, its help and errors written to `io`. Returns undefined to go on, or the exit
 * code to stop with: 0 after --help, EXIT_USAGE after a usage error (commander has printed it).
 */
export function parseArgs(program: Command, argv: string[], io: CliIO): number | undefined {
    program.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
    try {
        program.parse(argv, { from: "user" });
        return undefined;
    } catch (err) {
        if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
        throw err;
    }
}

/** What runMain needs of the process; tests pass their own. */
export interface MainProcess {
    argv: string[];
    env: Record<string, string | undefined>;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    exit(code: number): void;
}

/**
 * Runs `main` and exits with its code once stdout has drained. An error `main` did not handle (a bug, an
 * unexpected SDK failure) prints one line and exits EXIT_USAGE; the stack trace only when DEBUG is set.
 */
export function runMain(main: (argv: string[]) => Promise<number>, proc: MainProcess = process): Promise<void> {
    const exit = (code: number) => new Promise<void>((resolve) => proc.stdout.write("", () => { proc.exit(code); resolve(); }));
    return main(proc.argv.slice(2)).then(exit, (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        const line = e.message.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? e.name;
        proc.stderr.write(`error: ${line}\n`);
        if (proc.env.DEBUG) proc.stderr.write(`${e.stack ?? e.message}\n`);
        return exit(EXIT_USAGE);
    });
}

/** Commander's parser for a count (`--parallel`, `--timeout`, ...): a whole number >= 1, or commander's usage error naming the flag. */
export function positiveInt(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1, e.g. 8");
    return n;
}

/**
 * Why `dir` cannot hold a report, or undefined when it can: an existing directory, or one that can be created in
 * its nearest existing ancestor, proven writable with a scratch file (permission bits alone say nothing for root or
 * a read-only mount). Creates nothing: checked before a run starts, so a drill or a failback never runs for hours
 * and then loses its report, and a run refused at its start leaves nothing behind.
 */
export function writableDirectoryProblem(dir: string): string | undefined {
    try {
        let existing = path.resolve(dir);
        while (!fs.existsSync(existing)) existing = path.dirname(existing);
        if (!fs.statSync(existing).isDirectory()) return existing === path.resolve(dir) ? "not a directory" : `not a writable directory (${existing} is a file)`;
        const probe = path.join(existing, `.write-probe-${process.pid}`);
        fs.writeFileSync(probe, "");
        fs.rmSync(probe);
        return undefined;
    } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return `not a writable directory (${e.code ?? e.message})`;
    }
}
