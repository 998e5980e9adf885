// A run that cannot finish, found out instead of waited for: the program's event loop ran dry while outputs were
// still pending (a failed apply or an unanswered invoke feeding an export: nothing will ever resolve them), or a
// per-stack time limit passed (an output that never resolves while a timer keeps the process alive).

/** Why a run was stopped. */
export type Stop = { kind: "stalled" } | { kind: "timeout"; seconds: number };

export class StoppedRun extends Error {
    constructor(readonly stop: Stop) {
        super(stop.kind === "timeout" ? `did not finish within ${stop.seconds} s` : "stopped with work still pending");
        this.name = "StoppedRun";
    }
}

export interface Watchdog {
    /** Rejects with a StoppedRun when the run stalls or times out; never resolves. */
    stopped: Promise<never>;
    /** Ends the watch (call when the run is over, either way). */
    end(): void;
}

/**
 * Watches one run. `beforeExit` is how Node says its event loop is empty: with the program awaited in-process,
 * that means the program is waiting for something that nothing can deliver. The timer does not keep the process
 * alive itself (unref), so a stall is still noticed as one.
 */
export function watchdog(timeoutSeconds: number | undefined): Watchdog {
    let fail: (err: StoppedRun) => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => { fail = reject; });
    stopped.catch(() => undefined);
    const onBeforeExit = () => fail(new StoppedRun({ kind: "stalled" }));
    process.on("beforeExit", onBeforeExit);
    const timer = timeoutSeconds !== undefined && timeoutSeconds > 0
        ? setTimeout(() => fail(new StoppedRun({ kind: "timeout", seconds: timeoutSeconds })), timeoutSeconds * 1000)
        : undefined;
    timer?.unref();
    return {
        stopped,
        end: () => {
            process.removeListener("beforeExit", onBeforeExit);
            if (timer) clearTimeout(timer);
        },
    };
}

/**
 * What the SDK was still waiting for, from its own leak bookkeeping (each pending promise's label names the
 * operation and the resource, `resolveURN(resource:c[aws:s3/bucket:Bucket])`): the resources whose outputs never
 * arrived, then any other operation, at most `limit` of them.
 */
export function pendingWork(candidates: Iterable<unknown>, limit = 5): string[] {
    const resources = new Set<string>();
    const other = new Set<string>();
    for (const p of candidates) {
        const label = String((p as { _debugCtx?: unknown })._debugCtx ?? "");
        const m = /resource:([^[\]]*)\[([^\]]+)\]/.exec(label);
        if (m) resources.add(`${m[1]} (${m[2]})`);
        else if (label !== "") other.add(label.replace(/\(.*$/s, ""));
    }
    const lines = [...(resources.size ? [`the outputs of ${[...resources].slice(0, limit).join(", ")}${resources.size > limit ? ` and ${resources.size - limit} more` : ""}`] : []),
        ...[...other].slice(0, limit)];
    return lines;
}
