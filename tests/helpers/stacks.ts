// Test fixture: this project's stacks synthesized offline once per mocha process and shared by every spec that
// only reads them (the recorder, tools/harness/recorder.ts, runs the real program under the SDK's mock monitor).
import { synthesize } from "../../tools/harness/recorder";

/** A recording with the program's diagnostics (warnings it logged). */
export type SynthesizedStack = Awaited<ReturnType<typeof synthesize>>;

export const DR_STATES = ["standby", "drill", "failover"] as const;
export const DB_MODES = ["replica", "restore"] as const;
export type DrState = (typeof DR_STATES)[number];
export type DbMode = (typeof DB_MODES)[number];

const cache = new Map<string, Promise<SynthesizedStack>>();
/** The SDK's runtime state is process-wide: one synthesis at a time. */
let queue: Promise<unknown> = Promise.resolve();

/** Memoized by stack and overrides: the same arguments give the same recording. */
function memo(key: string, run: () => Promise<SynthesizedStack>): Promise<SynthesizedStack> {
    let found = cache.get(key);
    if (!found) {
        found = queue.then(run, run);
        queue = found.catch(() => undefined);
        cache.set(key, found);
    }
    return found;
}

/** The primary stack as its stack file says, with optional config overrides. */
export function primaryStack(overrides: Record<string, string> = {}): Promise<SynthesizedStack> {
    return memo(`primary ${JSON.stringify(overrides)}`, () => synthesize({ projectDir: ".", stack: "primary", overrides }));
}

/**
 * The DR stack in a state and database mode, reading the outputs of the primary synthesized with `primaryOverrides`
 * (by default the primary's own stack file).
 */
export function drStack(state: DrState, mode: DbMode = "replica", overrides: Record<string, string> = {},
    primaryOverrides: Record<string, string> = {}): Promise<SynthesizedStack> {
    const all = { "vbr:drState": state, "vbr:drDatabase": mode, ...overrides };
    // The primary is memoized before the DR run is queued, so the DR run never waits on a run queued behind it.
    return primaryStack(primaryOverrides).then((primary) => memo(`dr ${JSON.stringify(all)} from ${JSON.stringify(primaryOverrides)}`,
        () => synthesize({ projectDir: ".", stack: "dr", overrides: all, stackOutputs: { primary: primary.outputs } })));
}

/**
 * Every stack and state the project plans: the primary, then DR in each state for each database mode. `overrides`
 * apply to both stacks (e.g. another vbr:environment).
 */
export async function everyStackState(overrides: Record<string, string> = {}): Promise<Array<{ label: string; stack: SynthesizedStack }>> {
    const out = [{ label: "primary", stack: await primaryStack(overrides) }];
    for (const mode of DB_MODES) {
        for (const state of DR_STATES) out.push({ label: `dr ${state} (${mode})`, stack: await drStack(state, mode, overrides, overrides) });
    }
    return out;
}
