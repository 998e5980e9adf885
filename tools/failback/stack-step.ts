// One Pulumi step of a failback: set the stack's config, preview, refuse the up when the preview deletes or replaces a
// data-bearing resource the runbook does not retire, then `pulumi up`, timing every resource and watching it too.
import type { Stack } from "@pulumi/pulumi/automation";
import { dataStep, everyHeartbeat, EventTimer } from "../drill/events";
import type { OutputMap } from "../drill/session";
import { errorText, Failback, FailbackState } from "./session";

export interface StackStep {
    stack: Stack;
    name: string;
    set?: Record<string, string>;
    remove?: string[];
    /** URNs that may leave the program: protected and retained pieces the runbook unprotected on purpose. */
    mayLeave?: Set<string>;
    /** The model's p90 for this up, in minutes: the progress line's objective. */
    p90Minutes?: number;
}

/** Runs one step; returns the stack's outputs after the up, or undefined when it failed or was refused. */
export async function safeUp(f: Failback, state: FailbackState, step: StackStep): Promise<OutputMap | undefined> {
    const { deps, opts } = f;
    const { stack } = step;
    const phase = f.phase;
    let doing = "config";
    try {
        if (step.set && Object.keys(step.set).length > 0) {
            await stack.setAllConfig(Object.fromEntries(Object.entries(step.set).map(([k, v]) => [k, { value: v }])));
        }
        if (step.remove && step.remove.length > 0) await stack.removeAllConfig(step.remove);
        doing = "preview";
        const unsafe: string[] = [];
        await stack.preview({ parallel: opts.parallel, signal: f.stop.signal, onEvent: (e) => {
            const d = dataStep(e.resourcePreEvent?.metadata);
            if (!d || state.planned.some((p) => p.urn === d.urn && p.phase === phase)) return;
            const leaves = d.op === "delete" && (step.mayLeave?.has(d.urn) ?? false);
            state.planned.push({ phase, urn: d.urn, type: d.type, op: d.op, note: leaves ? "leaves the program (unprotected on purpose; retainOnDelete keeps it in AWS)" : d.note });
            if (!leaves) unsafe.push(d.urn);
        } });
        if (unsafe.length > 0) {
            for (const urn of unsafe) f.fail(phase, `the preview of ${step.name} would delete or replace this data-bearing resource: pulumi up was not run`, urn);
            return undefined;
        }
        if (f.stop.signal.aborted) { f.fail(phase, `pulumi up (${step.name}) not started: interrupted by ${f.interrupted}`); return undefined; }
        doing = "up";
        const timer = new EventTimer(0, f.now(), (step.p90Minutes ?? 60) * 60_000, new Map(), deps.log);
        const stopHeartbeat = everyHeartbeat(() => timer.progress(f.now()));
        try {
            const res = await stack.up({ parallel: opts.parallel, signal: f.stop.signal, onEvent: (e) => {
                timer.handle(e, (deps.eventTime ?? f.now)(e));
                const d = dataStep(e.resourcePreEvent?.metadata);
                if (d && !(d.op === "delete" && step.mayLeave?.has(d.urn))) state.unsafe.push(d.urn);
            } });
            return res.outputs;
        } finally {
            stopHeartbeat();
            timer.finish();
            state.resources.push(...timer.measured.map((m) => ({ ...m, phase })));
            for (const m of timer.measured.filter((x) => x.status === "failed")) f.fail(phase, `${m.op} ${m.type} failed: ${timer.errors.get(m.urn) ?? "see the engine log"}`, m.urn);
        }
    } catch (err) {
        f.fail(phase, `pulumi ${doing} (${step.name}) failed: ${errorText(err)}`);
        return undefined;
    }
}
