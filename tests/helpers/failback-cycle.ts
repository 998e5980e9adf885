// Test fixture: the whole DR cycle of both stacks, synthesized offline in order (standby, failover, failover with region A
// available, primary recovering, switchover, both back to normal), each stack reading the other's outputs of that step.
import { synthesize } from "../../tools/harness/recorder";
import type { SynthesizedStack } from "./stacks";

/** The failback id the cycle uses: the failback's UTC start. */
export const FAILBACK_ID = "20261204t0930";

export interface CycleStep {
    label: string;
    /** What the operator sets on each stack in this step (on top of the stack files). */
    primaryConfig: Record<string, string>;
    drConfig: Record<string, string>;
    primary: SynthesizedStack;
    dr: SynthesizedStack;
}

const RECOVER = { "vbr:drStack": "dr", "vbr:dbFailbackId": FAILBACK_ID };
const BACK = { "vbr:drState": "failover", "vbr:peerRegionAvailable": "true" };
/**
 * The steps' config, in order, and which stack each step updates (`pulumi up`); a stack not updated keeps what it
 * deployed before (region A is down during the failover; the DR stack is left alone from its replication back to A
 * until it returns to standby, after the switchover).
 */
export const CYCLE: Array<{ label: string; primary: Record<string, string>; dr: Record<string, string>; updates: Array<"primary" | "dr"> }> = [
    { label: "standby", primary: {}, dr: { "vbr:drState": "standby" }, updates: ["primary", "dr"] },
    { label: "failover", primary: {}, dr: { "vbr:drState": "failover" }, updates: ["dr"] },
    { label: "failover, region A available", primary: {}, dr: BACK, updates: ["dr"] },
    { label: "primary recovering", primary: { "vbr:primaryState": "recovering", ...RECOVER }, dr: BACK, updates: ["primary"] },
    { label: "switchover", primary: { "vbr:primaryState": "serving", ...RECOVER }, dr: BACK, updates: ["primary"] },
    { label: "both back to normal", primary: { "vbr:primaryState": "serving", ...RECOVER }, dr: { "vbr:drState": "standby" }, updates: ["dr"] },
];

let cycle: Promise<CycleStep[]> | undefined;

/**
 * The cycle, synthesized once per mocha process: what each stack has deployed after each step. An updated stack reads
 * the other's outputs as deployed (the primary the DR stack's before it; the DR stack the primary's of this step). With
 * `preview`, each stack as a first preview of that step plans it (outputs unknown), reading the other's deployed outputs.
 */
export function failbackCycle(opts: { preview?: boolean } = {}): Promise<CycleStep[]> {
    const run = async (deployed?: CycleStep[]) => {
        const steps: CycleStep[] = [];
        for (const [i, step] of CYCLE.entries()) {
            const before = steps[i - 1];
            const outputsOf = (s: CycleStep | undefined, which: "primary" | "dr") => (deployed ? deployed[steps.indexOf(s!)]?.[which] : s?.[which])?.outputs;
            const primary = step.updates.includes("primary") || !before ? await synthesize({
                projectDir: ".", stack: "primary", overrides: step.primary, preview: opts.preview,
                stackOutputs: before ? { dr: outputsOf(before, "dr")! } : {},
            }) : before.primary;
            const primaryOutputs = deployed ? deployed[i].primary.outputs : primary.outputs;
            const dr = step.updates.includes("dr") || !before
                ? await synthesize({ projectDir: ".", stack: "dr", overrides: step.dr, preview: opts.preview, stackOutputs: { primary: primaryOutputs } })
                : before.dr;
            steps.push({ label: step.label, primaryConfig: step.primary, drConfig: step.dr, primary, dr });
        }
        return steps;
    };
    cycle ??= run();
    return opts.preview ? cycle.then((deployed) => run(deployed)) : cycle;
}
