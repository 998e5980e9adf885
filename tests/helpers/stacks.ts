// Test fixture: this project's stacks synthesized offline once per mocha process and shared by every spec that
// only reads them (the recorder, tools/harness/recorder.ts, runs the real program under the SDK's mock monitor).
// The plan tests pass `syntheses` to the plan, so its runs on this project reuse the same recordings.
import * as path from "path";
import type { Synthesis } from "../../tools/harness/recorder";
import { Syntheses } from "../../tools/harness/syntheses";
import { cellStacks } from "../../tools/lib/cells";
import { DR_PLAN_RTO_MINUTES } from "../../policies/model/plan";

/** A recording with the program's diagnostics (warnings it logged). */
export type SynthesizedStack = Synthesis;

export const DR_STATES = ["standby", "drill", "failover"] as const;
export const DB_MODES = ["replica", "restore"] as const;
export type DrState = (typeof DR_STATES)[number];
export type DbMode = (typeof DB_MODES)[number];

/** Every synthesis of this mocha process, memoized by stack, config, mode and referenced outputs. */
export const syntheses = new Syntheses();
const ROOT = path.resolve(__dirname, "..", "..");

/** The primary stack as its stack file says, with optional config overrides. */
export function primaryStack(overrides: Record<string, string> = {}): Promise<SynthesizedStack> {
    return syntheses.run({ projectDir: ROOT, stack: "primary", overrides });
}

/**
 * The DR stack in a state and database mode, reading the outputs of the primary synthesized with `primaryOverrides`
 * (by default the primary's own stack file).
 */
export async function drStack(state: DrState, mode: DbMode = "replica", overrides: Record<string, string> = {},
    primaryOverrides: Record<string, string> = {}): Promise<SynthesizedStack> {
    const primary = await primaryStack(primaryOverrides);
    return syntheses.run({ projectDir: ROOT, stack: "dr", overrides: { "vbr:drState": state, "vbr:drDatabase": mode, ...overrides }, stackOutputs: { primary: primary.outputs } });
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

/**
 * Every stack and state of a cell (tools/lib/cells.ts): its primary, then its DR stack in each state for each database
 * mode, reading the primary's outputs. A restore-mode failover is held to the DR plan's 4-hour objective, as its stack
 * file would set it (every restore waits for RDS's baseline backup).
 */
export async function cellStackStates(cell: string, preview = false): Promise<Array<{ label: string; stack: SynthesizedStack }>> {
    const { primary, dr } = cellStacks(cell);
    const p = await syntheses.run({ projectDir: ROOT, stack: primary });
    const out = [{ label: primary, stack: preview ? await syntheses.run({ projectDir: ROOT, stack: primary, preview }) : p }];
    for (const mode of DB_MODES) {
        for (const state of DR_STATES) {
            const rto: Record<string, string> = state === "failover" && mode === "restore" ? { "vbr:rtoObjectiveMinutes": String(DR_PLAN_RTO_MINUTES) } : {};
            const overrides = { "vbr:drState": state, "vbr:drDatabase": mode, ...rto };
            out.push({ label: `${dr} ${state} (${mode})`, stack: await syntheses.run({ projectDir: ROOT, stack: dr, overrides, preview, stackOutputs: { [primary]: p.outputs } }) });
        }
    }
    return out;
}
