// Scheduling: Pulumi's step executor, simulated. A step starts when all its dependencies inside the step set are done
// (pre-existing resources are done at t = 0), at most `parallel` at once, first come first served (ties in
// registration order). The critical path follows, from the last step to finish, whatever made each step start when
// it did: its last dependency, or the step whose completion freed a slot.
import * as os from "os";
import type { Quantile } from "./durations";
import type { BringUpStep, Operation } from "./graph";

/** `pulumi up`'s default parallelism: 4 x the CPUs of the machine running it (docs/aws-facts.md). */
export function defaultParallel(): number {
    return 4 * Math.max(1, os.cpus().length);
}

export interface ScheduledStep {
    urn: string;
    type: string;
    operation: Operation;
    start: number;
    finish: number;
    /** What made this step start when it did: its last dependency, or the step that freed a slot; null at t = 0. */
    waitedFor: string | null;
    waitedBecause: "dependency" | "slot" | null;
}

export interface Schedule {
    quantile: Quantile;
    parallel: number;
    /** Seconds from the first start to the last finish. */
    total: number;
    /** In registration order. */
    steps: ScheduledStep[];
    /** From the first step to the last one to finish, each the reason the next one started when it did. */
    criticalPath: ScheduledStep[];
}

/**
 * Simulates Pulumi's step executor with every step at quantile `q`. Deterministic: events at the same instant
 * are handled in registration order, and ready steps wait first come first served (ties in registration order).
 */
export function simulate(steps: BringUpStep[], q: Quantile, parallel: number = defaultParallel()): Schedule {
    if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`parallel must be a whole number >= 1, got ${parallel}`);
    const n = steps.length;
    const index = new Map(steps.map((s, i) => [s.urn, i]));
    if (index.size !== n) throw new Error("bring-up steps must have unique URNs");
    const depIdx = steps.map((s) => [...new Set(s.dependencies.map((d) => index.get(d)).filter((i): i is number => i !== undefined))]);
    const dependents: number[][] = steps.map(() => []);
    depIdx.forEach((ds, i) => ds.forEach((d) => dependents[d].push(i)));
    const pending = depIdx.map((ds) => ds.length);
    const start = new Array<number>(n).fill(NaN);
    const finish = new Array<number>(n).fill(NaN);
    const waitedFor: (number | null)[] = new Array(n).fill(null);
    const waitedBecause: ScheduledStep["waitedBecause"][] = new Array(n).fill(null);
    const duration = (i: number) => Math.max(0, steps[i].estimate[q]);

    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (pending[i] === 0) queue.push(i);
    let running: number[] = [];
    let now = 0;
    let freedBy: number | null = null;
    let done = 0;
    while (done < n) {
        while (running.length < parallel && queue.length > 0) {
            const i = queue.shift()!;
            start[i] = now;
            finish[i] = now + duration(i);
            // Latest-finishing dependency (lowest index on ties); if it finished before now, a slot held the step back.
            let last: number | null = null;
            for (const d of depIdx[i]) if (last === null || finish[d] > finish[last] || (finish[d] === finish[last] && d < last)) last = d;
            if (last !== null && finish[last] === now) { waitedFor[i] = last; waitedBecause[i] = "dependency"; }
            else if (now > 0) { waitedFor[i] = freedBy; waitedBecause[i] = "slot"; }
            running.push(i);
        }
        if (running.length === 0) {
            const stuck = steps.filter((_, i) => Number.isNaN(start[i])).map((s) => s.urn);
            throw new Error(`bring-up steps have a dependency cycle: ${stuck.join(", ")}`);
        }
        now = Math.min(...running.map((i) => finish[i]));
        const finished = running.filter((i) => finish[i] === now).sort((a, b) => a - b);
        running = running.filter((i) => finish[i] !== now);
        freedBy = finished[0];
        const ready: number[] = [];
        for (const i of finished) {
            done++;
            for (const d of dependents[i]) if (--pending[d] === 0) ready.push(d);
        }
        queue.push(...ready.sort((a, b) => a - b));
    }

    const scheduled: ScheduledStep[] = steps.map((s, i) => ({
        urn: s.urn, type: s.type, operation: s.operation, start: start[i], finish: finish[i],
        waitedFor: waitedFor[i] === null ? null : steps[waitedFor[i]!].urn, waitedBecause: waitedBecause[i],
    }));
    let total = 0;
    let lastIdx: number | null = null;
    for (let i = 0; i < n; i++) if (lastIdx === null || finish[i] > total) { total = finish[i]; lastIdx = i; }
    const path: ScheduledStep[] = [];
    for (let i = lastIdx; i !== null; i = waitedFor[i]) path.unshift(scheduled[i]);
    return { quantile: q, parallel, total, steps: scheduled, criticalPath: path };
}
