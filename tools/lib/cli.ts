// What every command-line entry point shares: where it writes, and commander wired to return exit codes.
import { Command, CommanderError } from "commander";

/** Where a command reads and writes; tests pass their own to run `main` in-process. */
export interface CliIO {
    cwd: string;
    stdout(text: string): void;
    stderr(text: string): void;
}

export const EXIT_USAGE = 2;

export function processIO(): CliIO {
    return { cwd: process.cwd(), stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
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
