// What `npm start` is doing while it works: one status line on stderr, only on a terminal (a log file or a pipe gets
// the report alone), rewritten at each step and every second, and erased before the report is printed.
import type { CliIO } from "../lib/cli";

export interface Progress {
    step(what: string): void;
    end(): void;
}

/** Where the status line goes: only when `terminal` is true (stderr is a TTY), cut to `columns` so it never wraps. */
export interface ProgressIO extends CliIO {
    /** stderr is a terminal. @default false */
    terminal?: boolean;
    /** The terminal's width (0 or unset: 80). @default 80 */
    columns?: number;
}

const CLEAR_LINE = "\r\x1b[2K";

export function planProgress(io: ProgressIO, intervalMs = 1000, now: () => number = Date.now): Progress {
    if (!io.terminal) return { step: () => undefined, end: () => undefined };
    const start = now();
    const width = Math.max(20, (io.columns || 80) - 1);
    let current = "";
    const show = () => {
        const line = `plan: ${current} (${Math.round((now() - start) / 1000)} s)`;
        io.stderr(CLEAR_LINE + (line.length > width ? `${line.slice(0, width - 3)}...` : line));
    };
    const timer = setInterval(show, intervalMs);
    timer.unref();
    return {
        step: (what) => { current = what; show(); },
        end: () => { clearInterval(timer); io.stderr(CLEAR_LINE); },
    };
}
