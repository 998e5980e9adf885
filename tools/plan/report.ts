// The offline plan's report: one shape for the JSON file, the Markdown PR comment and the terminal view.
//
// The JSON field names are a contract (CI and scripts read them): never rename or remove one. New
// per-stack fields (the bring-up estimate, ...) come in as StackExtensions: each computes its field from the
// stack's synthesized resources and may render itself in text and Markdown; nothing else here changes.
import pc from "picocolors";
import type { Colors } from "picocolors/types";
import { RecordedResource, SynthesizedStack, UNKNOWN } from "../harness/records";
import type { Diagnostic } from "../harness/recorder";
import { violationTable } from "./markdown-violations";
import { CellReport, cellsMarkdown, cellsText, grouped } from "./cells";

export type EnforcementLevel = "mandatory" | "advisory";
/** Which evaluation found a violation: the synthesized stack (values known) or the preview (outputs unknown). */
export type Run = "synthesized" | "preview";

export interface ReportResource {
    urn: string; type: string; name: string; parent: string | null; custom: boolean; region: string | null;
    protect: boolean; retainOnDelete: boolean; dependencies: string[];
    /** Extra: the inputs the engine would be sent, secret values replaced by "[secret]". */
    inputs: Record<string, unknown>;
}

export interface ReportViolation {
    policy: string; enforcementLevel: EnforcementLevel; urn: string | null; message: string;
    /** Extra: the runs that reported it. `["preview"]` alone marks a "can't run during preview" advisory. */
    foundIn: Run[];
}

export interface StackSummary { resources: number; components: number; mandatory: number; advisory: number }

export interface StackReport {
    stack: string;
    resources: ReportResource[];
    violations: ReportViolation[];
    /** Extra fields below; extensions add theirs next to them. */
    summary: StackSummary;
    diagnostics: Diagnostic[];
    /**
     * The policy config the pack was given for this stack (derived from its stack config and the run's
     * --parallel; tools/harness/analyzer.ts POLICY_CONFIG_SOURCES), what `--policy-config-out` writes for the CLI.
     */
    policyConfig: Record<string, Record<string, unknown>>;
    /**
     * What this run could not see or had to assume, one line each: invokes it could not answer, remote components
     * whose children it cannot see, values unknown even with the mocks' outputs, the config's notices. A PASS is a
     * PASS of what is outside this list.
     */
    limitations: string[];
    [field: string]: unknown;
}

export interface PlanReport {
    project: string;
    stacks: StackReport[];
    /** Extra: the policy pack that judged the stacks, or null when none could be loaded. */
    policyPack: string | null;
    /** Each reported policy's description, once (the JSON file's violations carry only what the policy reported). */
    policies?: Record<string, string>;
    /** Extra: the stacks grouped by cell, with their bring-up estimates side by side (tools/plan/cells.ts). */
    cells?: CellReport[];
}

/** What an extension sees for one stack. */
export interface StackContext {
    project: string;
    stack: string;
    config: Record<string, string>;
    synthesized: SynthesizedStack;
    preview: SynthesizedStack;
    violations: ReportViolation[];
    /** The project directory and the referenced stacks' outputs, for extensions that synthesize other states. */
    projectDir?: string;
    stackOutputs?: Record<string, Record<string, unknown>>;
    /** `pulumi up --parallel` the run assumes (the plan's --parallel), for extensions that model a deployment. */
    parallel?: number;
    /** The policy config the pack was evaluated with. @default {} */
    policyConfig?: Record<string, Record<string, unknown>>;
    /**
     * This stack with another full config (another DR state), synthesized once per run and shared. @default - the
     * extension synthesizes it itself
     */
    synthesize?(config: Record<string, string>): Promise<SynthesizedStack>;
}

/** A per-stack report field computed from the synthesized stack (e.g. `bringUp`). */
export interface StackExtension<T = unknown> {
    /** The JSON field name; must not collide with the fields above. */
    field: string;
    compute(ctx: StackContext): T | Promise<T>;
    /** Lines printed after the stack's violations in the terminal view. */
    text?(value: T, c: Colors): string[];
    /** Markdown lines appended to the stack's section. */
    markdown?(value: T): string[];
}

const RESERVED = new Set(["stack", "resources", "violations", "summary", "diagnostics", "policyConfig", "limitations"]);

export function reportResource(r: RecordedResource): ReportResource {
    return {
        urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom, region: r.region,
        protect: r.protect, retainOnDelete: r.retainOnDelete, dependencies: r.dependencies,
        inputs: r.reportInputs ?? r.inputs,
    };
}

/** The engine's message for a policy that read an unknown value during preview. */
export const isPreviewAdvisory = (message: string): boolean => /can't run .* during preview/.test(message);

/**
 * Both runs' violations, deduplicated by (policy, urn, message), each marked with the runs that found it.
 * Mandatory first, then advisory; within a level, by policy then URN, so reports diff cleanly.
 */
export function mergeViolations(runs: Array<{ run: Run; violations: Array<Omit<ReportViolation, "foundIn">> }>): ReportViolation[] {
    const byKey = new Map<string, ReportViolation>();
    for (const { run, violations } of runs) {
        for (const v of violations) {
            const key = `${v.policy}\u0000${v.urn ?? ""}\u0000${v.message}`;
            const seen = byKey.get(key);
            if (seen) { if (!seen.foundIn.includes(run)) seen.foundIn.push(run); }
            else byKey.set(key, { policy: v.policy, enforcementLevel: v.enforcementLevel, urn: v.urn, message: v.message, foundIn: [run] });
        }
    }
    const rank = (v: ReportViolation) => (v.enforcementLevel === "mandatory" ? 0 : 1);
    return [...byKey.values()].sort((a, b) => rank(a) - rank(b) || a.policy.localeCompare(b.policy) || (a.urn ?? "").localeCompare(b.urn ?? ""));
}

type RunNotes = SynthesizedStack & { unanswered?: string[]; notices?: string[] };

/** The run's limitations (StackReport.limitations), from both passes. */
export function limitationsOf(real: RunNotes, preview: RunNotes): string[] {
    const out = [...(real.notices ?? [])];
    for (const token of new Set([...(real.unanswered ?? []), ...(preview.unanswered ?? [])])) {
        out.push(`invoke ${token}: no offline answer, the program got an empty result`);
    }
    for (const r of real.resources.filter((x) => x.remote)) {
        out.push(`${r.name} (${r.type}) is a remote component: its provider plugin creates its children, which do not run offline; only its inputs are judged`);
    }
    const unknown: string[] = [];
    const walk = (v: unknown, at: string): void => {
        if (v === UNKNOWN) unknown.push(at);
        else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    for (const r of real.resources) walk(r.inputs, r.name);
    if (unknown.length > 0) {
        out.push(`${unknown.length} input value${unknown.length === 1 ? " is" : "s are"} unknown even with the mocks' outputs (an output the mocks do not model), ` +
            `judged as in a preview: ${unknown.slice(0, 3).join(", ")}${unknown.length > 3 ? ", ..." : ""}`);
    }
    return out;
}

/**
 * The report as the JSON file holds it: each policy's description once (`policies`), each violation's message
 * only what the policy reported (the engine's message is the description, a newline, then that).
 */
export function jsonReport(report: PlanReport, descriptions: Record<string, string>): PlanReport {
    const used: Record<string, string> = {};
    const stacks = report.stacks.map((s) => ({
        ...s,
        violations: s.violations.map((v) => {
            const d = descriptions[v.policy];
            if (d === undefined || !v.message.startsWith(`${d}\n`)) return v;
            used[v.policy] = d;
            return { ...v, message: v.message.slice(d.length + 1) };
        }),
    }));
    return { ...report, stacks, policies: used };
}

export async function buildStackReport(ctx: StackContext, extensions: StackExtension[]): Promise<StackReport> {
    const resources = ctx.synthesized.resources.map(reportResource);
    const summary: StackSummary = {
        resources: resources.length,
        components: resources.filter((r) => !r.custom).length,
        mandatory: ctx.violations.filter((v) => v.enforcementLevel === "mandatory").length,
        advisory: ctx.violations.filter((v) => v.enforcementLevel === "advisory").length,
    };
    const report: StackReport = {
        stack: ctx.stack, resources, violations: ctx.violations, summary,
        diagnostics: (ctx.synthesized as SynthesizedStack & { diagnostics?: Diagnostic[] }).diagnostics ?? [],
        policyConfig: ctx.policyConfig ?? {},
        limitations: limitationsOf(ctx.synthesized, ctx.preview),
    };
    for (const ext of extensions) {
        if (RESERVED.has(ext.field)) throw new Error(`report extension field "${ext.field}" collides with a core field`);
        report[ext.field] = await ext.compute(ctx);
    }
    return report;
}

// ---- rendering ------------------------------------------------------------------------------------------------

/** The name shown for a URN: its resource name (the part after the last `::`). */
export const urnName = (urn: string | null): string => (urn === null ? "(stack)" : urn.slice(urn.lastIndexOf("::") + 2));

/** A preview-like tree: the stack, components with their children indented, type and region per line. */
export function treeLines(resources: ReportResource[], c: Colors): string[] {
    const children = new Map<string | null, ReportResource[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const parent = r.parent !== null && urns.has(r.parent) ? r.parent : null;
        let list = children.get(parent);
        if (!list) children.set(parent, (list = []));
        list.push(r);
    }
    const lines: string[] = [];
    const walk = (parent: string | null, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const branch = parent === null ? "" : last ? "└─ " : "├─ ";
            const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retained" : ""].filter(Boolean).join(", ");
            const label = r.custom ? r.name : c.bold(r.name);
            lines.push(`${c.green("+")} ${prefix}${branch}${label}  ${c.dim(r.type)}` +
                `${r.region ? `  ${c.cyan(r.region)}` : ""}${flags ? `  ${c.yellow(`[${flags}]`)}` : ""}`);
            walk(r.urn, parent === null ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk(null, "");
    return lines;
}

function violationLines(violations: ReportViolation[], c: Colors): string[] {
    const lines: string[] = [];
    for (const level of ["mandatory", "advisory"] as const) {
        const list = violations.filter((v) => v.enforcementLevel === level);
        if (list.length === 0) continue;
        const head = level === "mandatory" ? c.red(c.bold(`Mandatory violations (${list.length})`)) : c.yellow(c.bold(`Advisory violations (${list.length})`));
        lines.push("", head);
        for (const v of list) {
            const where = v.foundIn.length === 2 ? "" : c.dim(` [${v.foundIn[0]} only]`);
            lines.push(`  ${level === "mandatory" ? c.red("✖") : c.yellow("!")} ${c.bold(v.policy)} ${c.dim(urnName(v.urn))}${where}`);
            for (const l of v.message.split("\n")) lines.push(`      ${l}`);
        }
    }
    return lines;
}

export function summaryLine(s: StackReport, c: Colors): string {
    const { resources, components, mandatory, advisory } = s.summary;
    const verdict = mandatory > 0 ? c.red("FAIL") : c.green("PASS");
    return `${verdict} ${c.bold(s.stack)}: ${resources} resources (${components} components), ` +
        `${mandatory} mandatory, ${advisory} advisory violation${advisory === 1 ? "" : "s"}`;
}

export function renderText(report: PlanReport, extensions: StackExtension[], c: Colors): string {
    const out: string[] = [];
    for (const s of report.stacks) {
        out.push(c.bold(`Stack ${report.project}/${s.stack}`), ...treeLines(s.resources, c));
        for (const d of s.diagnostics) out.push(`  ${d.severity === "error" ? c.red(d.severity) : c.yellow(d.severity)}: ${d.message}`);
        if (s.limitations.length > 0) out.push("", c.bold("Not seen offline (this run's limitations)"), ...s.limitations.map((l) => `  - ${l}`));
        out.push(...violationLines(s.violations, c));
        for (const ext of extensions) if (ext.text && s[ext.field] !== undefined) out.push("", ...ext.text(s[ext.field], c));
        out.push("");
    }
    if (report.policyPack === null) out.push(c.yellow("warning: no policy pack could be loaded; resources were not judged"));
    if (grouped(report.cells)) out.push(...cellsText(report.cells, report.stacks, c));
    else out.push(...report.stacks.map((s) => summaryLine(s, c)));
    return out.join("\n") + "\n";
}

/**
 * Text for a Markdown table cell: HTML-escaped, so GitHub shows `<data key ARN>` instead of dropping it as a tag,
 * `|` escaped so it does not end the cell, line breaks as `<br>`.
 */
export const mdCell = (s: string): string => s
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");

/**
 * A code span inside a table cell: its text shows literally (no HTML escaping), but `|` still ends the cell
 * unless escaped, a backtick would end the span, and a line break the row.
 */
export const mdCode = (s: string): string => `\`${s.replace(/`/g, "'").replace(/\|/g, "\\|").replace(/\r?\n/g, " ")}\``;

/** GitHub refuses an issue or pull-request comment longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
    /** Cut the comment to this many characters. @default GITHUB_COMMENT_LIMIT */
    maxLength?: number;
    /** Where the full report is (the --json file, uploaded as a CI artifact), named in the truncation note. */
    jsonArtifact?: string;
}

/**
 * Cuts Markdown lines to `max` characters at a line boundary, closes a code fence or `<details>` left open, and
 * ends with `note`. Returns the text unchanged when it fits.
 */
export function capMarkdown(lines: string[], max: number, note: string): string {
    const full = lines.join("\n") + "\n";
    if (full.length <= max) return full;
    const kept: string[] = [];
    let size = 0;
    let fence = false;
    let details = 0;
    const closing = () => [...(fence ? ["```"] : []), ...Array<string>(details).fill("</details>")];
    const tail = (): string[] => [...closing(), "", note];
    const cost = (extra: string[]) => extra.reduce((n, l) => n + l.length + 1, 0);
    for (const line of lines) {
        const nextFence: boolean = line.startsWith("```") ? !fence : fence;
        const nextDetails: number = details + (line.startsWith("<details>") ? 1 : 0) - (line.startsWith("</details>") ? 1 : 0);
        const before = { fence, details };
        fence = nextFence;
        details = nextDetails;
        if (size + line.length + 1 + cost(tail()) > max) {
            fence = before.fence;
            details = before.details;
            break;
        }
        kept.push(line);
        size += line.length + 1;
    }
    return [...kept, ...tail()].join("\n") + "\n";
}

/** A PR comment: verdict table, violations per stack, the resource tree folded away; at most GitHub's limit. */
export function renderMarkdown(report: PlanReport, extensions: StackExtension[], opts: MarkdownOptions = {}): string {
    const plain = identityColors();
    const failed = report.stacks.some((s) => s.summary.mandatory > 0);
    const out: string[] = [
        `## Offline plan: \`${report.project}\` ${failed ? "❌ mandatory policy violations" : "✅ no mandatory violations"}`,
        "",
        `Policy pack: ${report.policyPack ? `\`${report.policyPack}\`` : "_none loaded_"}. Checked offline under mocks: ` +
            "provider-side validation and the children of remote components (awsx) are not visible.",
        "",
        "| Stack | Resources | Components | Mandatory | Advisory |",
        "|---|---:|---:|---:|---:|",
        ...report.stacks.map((s) => `| ${s.summary.mandatory ? "❌" : "✅"} \`${s.stack}\` | ${s.summary.resources} | ${s.summary.components} | ${s.summary.mandatory} | ${s.summary.advisory} |`),
        ...(grouped(report.cells) ? ["", "### Cells", "", ...cellsMarkdown(report.cells)] : []),
    ];
    for (const s of report.stacks) {
        out.push("", `### \`${s.stack}\``);
        if (s.violations.length > 0) {
            const table = violationTable(s.stack, s.violations);
            out.push("", ...table.rows, ...table.details);
        } else {
            out.push("", "No policy violations.");
        }
        if (s.limitations.length > 0) out.push("", "Not seen offline:", "", ...s.limitations.map((l) => `- ${mdCell(l)}`));
        for (const ext of extensions) if (ext.markdown && s[ext.field] !== undefined) out.push("", ...ext.markdown(s[ext.field]));
        out.push("", `<details><summary>${s.summary.resources} resources</summary>`, "", "```", ...treeLines(s.resources, plain), "```", "", "</details>");
    }
    const note = `> ⚠️ This comment was truncated to GitHub's ${(opts.maxLength ?? GITHUB_COMMENT_LIMIT).toLocaleString("en-US")}-character limit. ` +
        (opts.jsonArtifact
            ? `The full report is in the JSON artifact \`${opts.jsonArtifact.replace(/`/g, "'")}\`.`
            : "Run `npm start -- --json <file>` for the full report.");
    return capMarkdown(out, opts.maxLength ?? GITHUB_COMMENT_LIMIT, note);
}

/** Colours off: every formatter returns its input. */
export function identityColors(): Colors {
    return pc.createColors(false);
}
