// The DR bring-up estimate in the offline plan: synthesizes the DR stack in standby and in each active state,
// runs the bring-up model on the difference, and renders the `bringUp` report field (JSON, text, Markdown).
import * as path from "path";
import type { Colors } from "picocolors/types";
import {
    BringUpEstimate, defaultParallel, estimateBringUp, loadProvisioningTimes, ProvisioningTimes, stepsFromDiff, toMinutes,
} from "../../policies/lib/bringup";
import { loadProject } from "../harness/project";
import { stackRunner, Syntheses } from "../harness/syntheses";
import { rtoObjectiveMinutes } from "../harness/policy-config";
import type { SynthesizedStack } from "../harness/records";
import type { StackContext, StackExtension } from "../plan/report";

export type ActiveState = "drill" | "failover";
export type DatabaseMode = "replica" | "restore";

/** One resource in the bring-up timeline (seconds from the start of `pulumi up`). */
export interface TimelineEntry {
    urn: string;
    type: string;
    operation: string;
    /** The data-file entry the estimate came from (what `drill:learn` updates). */
    key: string;
    /** p90 schedule (the one the objective is judged on). */
    start: number;
    finish: number;
    /** p50 schedule. */
    p50Start: number;
    p50Finish: number;
    critical: boolean;
}

export interface BringUpScenario {
    state: ActiveState;
    database: DatabaseMode;
    objectiveMinutes: number;
    p50Minutes: number;
    p90Minutes: number;
    /** The p90 critical path, URNs in order (awsx children by the URN the awsx plugin gives them). */
    criticalPath: string[];
    /**
     * Until DNS serves from the DR region: max(record INSYNC, ECS service behind the record's target steady) plus
     * one TTL (policies/lib/bringup.ts dnsServesAt); null when no record changes.
     */
    dnsServesMinutes: { p50: number; p90: number } | null;
    parallel: number;
    /** Resources created, promoted or restored by the bring-up. */
    resources: number;
    timeline: TimelineEntry[];
}

/** The `bringUp` field of a DR stack: the scenario that matters most, plus every other one estimated. */
export interface BringUpField extends BringUpScenario {
    /** All scenarios estimated for this stack (the headline one first). */
    scenarios: BringUpScenario[];
}

export interface EstimateOptions {
    projectDir: string;
    stack: string;
    /** The stack's full config (defaults, stack file, overrides). */
    config: Record<string, string>;
    /** Outputs of other stacks for StackReferences; missing ones are synthesized on demand. */
    stackOutputs?: Record<string, Record<string, unknown>>;
    parallel?: number;
    times?: ProvisioningTimes;
    /**
     * Synthesizes this stack with a full config (a DR state), sharing syntheses with the caller (the plan passes its
     * own, so the standby it checked is not run again). @default a synthesis of its own per state, referenced stacks
     * synthesized on demand
     */
    synthesize?(config: Record<string, string>): Promise<SynthesizedStack>;
}

/** The estimate's own syntheses when the caller shares none: referenced stacks of the project synthesized on demand. */
function ownSynthesizer(opts: EstimateOptions): (config: Record<string, string>) => Promise<SynthesizedStack> {
    const run = stackRunner(loadProject(opts.projectDir), new Syntheses(), () => ({}), {}, opts.stackOutputs ?? {});
    return (config) => run(opts.stack, config);
}

function scenarioOf(state: ActiveState, database: DatabaseMode, objectiveMinutes: number, e: BringUpEstimate): BringUpScenario {
    const critical = new Set(e.criticalPath.map((s) => s.urn));
    const p50 = new Map(e.p50.steps.map((s) => [s.urn, s]));
    return {
        state, database, objectiveMinutes,
        p50Minutes: toMinutes(e.p50Seconds),
        p90Minutes: toMinutes(e.p90Seconds),
        criticalPath: e.criticalPath.map((s) => s.urn),
        dnsServesMinutes: e.dnsServes ? { p50: toMinutes(e.dnsServes.p50), p90: toMinutes(e.dnsServes.p90) } : null,
        parallel: e.parallel,
        resources: e.steps.length,
        timeline: e.p90.steps.map((s, i) => ({
            urn: s.urn, type: s.type, operation: s.operation, key: e.steps[i].estimate.key, start: s.start, finish: s.finish,
            p50Start: p50.get(s.urn)!.start, p50Finish: p50.get(s.urn)!.finish, critical: critical.has(s.urn),
        })),
    };
}

/**
 * Estimates the bring-up of a DR stack into `state` with `database`: synthesizes standby and the active state
 * with the same config otherwise, and models the resources the active state adds or promotes.
 */
export async function estimateScenario(opts: EstimateOptions, state: ActiveState, database: DatabaseMode): Promise<BringUpScenario> {
    const times = opts.times ?? loadProvisioningTimes();
    const synthesize = opts.synthesize ?? ownSynthesizer(opts);
    const base: Record<string, string> = { ...opts.config, "vbr:drDatabase": database };
    // Config keys that only the serving state accepts (the corruption runbook) must not break standby.
    const standbyConfig: Record<string, string> = { ...base, "vbr:drState": "standby" };
    delete standbyConfig["vbr:dbRestoreTime"];
    delete standbyConfig["vbr:dbRestoreSource"];
    const standby = await synthesize(standbyConfig);
    const active = await synthesize({ ...base, "vbr:drState": state });
    const storage = Number(opts.config["vbr:dbAllocatedStorageGiB"]);
    const steps = stepsFromDiff(standby.resources, active.resources, times,
        Number.isFinite(storage) && storage > 0 ? { allocatedStorageGiB: storage } : {});
    return scenarioOf(state, database, rtoObjectiveMinutes(opts.config, state), estimateBringUp(steps, times, opts.parallel ?? defaultParallel()));
}

/**
 * The `bringUp` field for a DR stack: the headline scenario is the stack's own state when it is drill or
 * failover, else failover (the promise on-call relies on), with the stack's database mode; drill follows.
 */
export async function estimateBringUpField(opts: EstimateOptions): Promise<BringUpField | undefined> {
    if (opts.config["vbr:role"] !== "dr") return undefined;
    const own = opts.config["vbr:drState"];
    const database = (opts.config["vbr:drDatabase"] === "restore" ? "restore" : "replica") as DatabaseMode;
    const headline: ActiveState = own === "drill" ? "drill" : "failover";
    const other: ActiveState = headline === "drill" ? "failover" : "drill";
    const shared = { ...opts, synthesize: opts.synthesize ?? ownSynthesizer(opts) };
    const first = await estimateScenario(shared, headline, database);
    const second = await estimateScenario(shared, other, database);
    return { ...first, scenarios: [first, second] };
}

// ---- rendering ------------------------------------------------------------------------------------------------

const shortType = (type: string) => type.split(":").pop() ?? type;
const shortName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const fmt = (m: number) => m.toFixed(1);

export function verdictOf(s: BringUpScenario): "within" | "over" {
    return s.p90Minutes <= s.objectiveMinutes ? "within" : "over";
}

function headline(s: BringUpScenario): string {
    return `${s.state} with the ${s.database} database: p50 ${fmt(s.p50Minutes)} min, p90 ${fmt(s.p90Minutes)} min, ` +
        `objective ${s.objectiveMinutes} min (${s.resources} resources, parallel ${s.parallel})`;
}

function dnsLine(s: BringUpScenario): string {
    return s.dnsServesMinutes
        ? `DNS serves from the DR region after p50 ${fmt(s.dnsServesMinutes.p50)} min, p90 ${fmt(s.dnsServesMinutes.p90)} min (the later of record INSYNC and the ECS service behind it steady, + TTL)`
        : "No DNS record changes in this bring-up";
}

/** Terminal lines for the plan's text view. */
export function bringUpText(f: BringUpField, c: Colors): string[] {
    const mark = (s: BringUpScenario) => (verdictOf(s) === "within" ? c.green("within objective") : c.red("OVER objective"));
    const out = [c.bold("DR bring-up estimate (standby ->)")];
    for (const s of f.scenarios) out.push(`  ${headline(s)} ${mark(s)}`, `    ${dnsLine(s)}`);
    out.push(`  Critical path (${f.state}, p90):`);
    for (const e of f.timeline.filter((t) => t.critical).sort((a, b) => a.start - b.start)) {
        out.push(`    ${fmt(toMinutes(e.start)).padStart(6)} -> ${fmt(toMinutes(e.finish)).padStart(6)} min  ${e.operation.padEnd(7)} ${shortType(e.type)} ${c.dim(shortName(e.urn))}`);
    }
    return out;
}

/** Markdown lines for the plan's PR comment. */
export function bringUpMarkdown(f: BringUpField): string[] {
    const out = [
        "#### DR bring-up estimate (from standby)",
        "",
        "| Scenario | Database | p50 | p90 | Objective | DNS serves (p90) | |",
        "|---|---|---:|---:|---:|---:|---|",
        ...f.scenarios.map((s) => `| ${s.state} | ${s.database} | ${fmt(s.p50Minutes)} min | ${fmt(s.p90Minutes)} min | ${s.objectiveMinutes} min | ` +
            `${s.dnsServesMinutes ? `${fmt(s.dnsServesMinutes.p90)} min` : "-"} | ${verdictOf(s) === "within" ? "✅" : "❌"} |`),
        "",
        `Critical path (${f.state}, p90):`,
        "",
        ...f.timeline.filter((t) => t.critical).sort((a, b) => a.start - b.start)
            .map((e, i) => `${i + 1}. ${fmt(toMinutes(e.start))} -> ${fmt(toMinutes(e.finish))} min: ${e.operation} \`${shortType(e.type)}\` \`${shortName(e.urn)}\``),
    ];
    return out;
}

/** Where the extension finds the project and the referenced stacks' outputs (the plan fills these in). */
export type BringUpContext = StackContext;

/** The offline plan's `bringUp` report field (registered in tools/plan.ts). */
export function bringUpExtension(opts: { parallel?: number; times?: ProvisioningTimes } = {}): StackExtension<BringUpField | undefined> {
    return {
        field: "bringUp",
        compute: (ctx: BringUpContext) => estimateBringUpField({
            projectDir: ctx.projectDir ?? path.resolve("."), stack: ctx.stack, config: ctx.config,
            // The plan's --parallel, the same the RTO policy is given, so the two verdicts agree.
            stackOutputs: ctx.stackOutputs, parallel: opts.parallel ?? ctx.parallel, times: opts.times,
            // The plan's syntheses: the stack as checked, in standby, is the estimate's starting point.
            synthesize: ctx.synthesize,
        }),
        text: (v, c) => (v ? bringUpText(v, c) : []),
        markdown: (v) => (v ? bringUpMarkdown(v) : []),
    };
}
