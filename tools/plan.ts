// `npm start`: the offline plan. Runs every stack of a Pulumi project under mocks and judges it with the policy pack.
//
// For each stack: synthesize it (real mock values) and again with preview semantics (outputs unknown), evaluate
// the pack on both, print a preview-like tree, the violations by enforcement level and a one-line verdict.
// Exit 0 = no mandatory violation, 1 = at least one, 2 = usage or configuration error (nothing written).
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import pc from "picocolors";
import type { Policies } from "@pulumi/policy";
import { CliIO, EXIT_USAGE, parseArgs, processIO, runMain } from "./lib/cli";
import { loadProject, Project, ProjectError } from "./lib/project";
import { synthesize, SynthesisError } from "./lib/recorder";
import type { SynthesizedStack } from "./lib/records";
import {
    buildStackReport, mergeViolations, PlanReport, renderMarkdown, renderText, StackExtension,
    StackReport,
} from "./lib/report";
import { BringUpField, bringUpExtension } from "./lib/bringup-report";
import { renderGantt } from "./lib/chart";

export const EXIT_OK = 0;
export const EXIT_MANDATORY = 1;
export { EXIT_USAGE };

/** Where the CLI reads and writes; tests pass their own to run `main` in-process. */
export interface PlanIO extends CliIO {
    /** Colour the terminal view (only on a TTY). */
    color: boolean;
}

export interface PlanOptions {
    project: string;
    stacks: string[];
    /** Raw `--config` arguments, `key=value`. */
    config: string[];
    json?: string;
    markdown?: string;
    /** SVG Gantt of the first DR stack's bring-up estimate. */
    chart?: string;
}

/**
 * Per-stack report fields added by other tools (the bring-up estimate registers `bringUp` here). Each one
 * computes its value from the synthesized stack and may print itself; see StackExtension.
 */
export const stackExtensions: StackExtension[] = [bringUpExtension() as StackExtension];

/** A problem with the command line, the project or its config: one message, exit code 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

interface Evaluator {
    packName: string;
    evaluate(resources: SynthesizedStack["resources"], stackRegion: string): Promise<Array<{
        policy: string; enforcementLevel: "mandatory" | "advisory"; urn: string | null; message: string;
    }>>;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `key=value`, the key qualified with the project name when it has no namespace (as `pulumi config set`). */
export function parseOverrides(pairs: string[], projectName: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        const key = eq > 0 ? pair.slice(0, eq).trim() : "";
        if (eq <= 0 || !/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/.test(key)) {
            throw new UsageError(`--config ${JSON.stringify(pair)} is malformed: expected <key>=<value>, e.g. --config vbr:drState=drill`);
        }
        out[key.includes(":") ? key : `${projectName}:${key}`] = pair.slice(eq + 1);
    }
    return out;
}

function readOptions(argv: string[], io: PlanIO): PlanOptions | number {
    const program = new Command("plan")
        .description("Offline plan: synthesize every stack under mocks and judge it with the policy pack (no credentials, no CLI).")
        .option("--stack <name>", "check only this stack (repeatable)", collect, [])
        .option("--config <key=value>", "override stack config for this run (repeatable), validated like the stack files", collect, [])
        .option("--project <dir>", "the Pulumi project directory", ".")
        .option("--json <file>", "also write the machine-readable report")
        .option("--markdown <file>", "also write the report as Markdown for a pull-request comment")
        .option("--chart <file>", "write the DR stack's bring-up estimate as an SVG Gantt chart")
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const o = program.opts<{ stack: string[]; config: string[]; project: string; json?: string; markdown?: string; chart?: string }>();
    return { project: o.project, stacks: o.stack, config: o.config, json: o.json, markdown: o.markdown, chart: o.chart };
}

/** The policy pack and the analyzer harness, loaded lazily so the plan works before either exists. */
function loadEvaluator(io: PlanIO, given?: PlanDeps["pack"]): Evaluator | null {
    const tryRequire = (file: string): Record<string, unknown> | null => {
        try {
            return require(file);
        } catch (err) {
            const e = err as NodeJS.ErrnoException;
            if (e.code === "MODULE_NOT_FOUND" && e.message.includes(path.basename(file))) return null;
            throw new UsageError(`cannot load ${path.relative(process.cwd(), file) || file}: ${e.message.split("\n")[0]}`);
        }
    };
    const pack = given ?? tryRequire(path.join(__dirname, "..", "policies", "pack"));
    const analyzer = tryRequire(path.join(__dirname, "lib", "analyzer"));
    if (!pack || !analyzer || typeof analyzer.evaluatePolicies !== "function" || !Array.isArray(pack.policies)) {
        io.stderr(`warning: ${!pack ? "policies/pack.ts" : "tools/lib/analyzer.ts"} is not available yet: ` +
            "the stacks are synthesized but not judged by any policy\n");
        return null;
    }
    const evaluatePolicies = analyzer.evaluatePolicies as (p: Policies, r: SynthesizedStack["resources"],
        o: { stackRegion?: string; pack?: { name: string; version: string } }) => ReturnType<Evaluator["evaluate"]>;
    const policies = pack.policies as Policies;
    // The engine names the pack in its preview-only advisories; without a version, the harness's default applies.
    const identity = typeof pack.packName === "string" && typeof pack.packVersion === "string"
        ? { name: pack.packName, version: pack.packVersion } : undefined;
    return {
        packName: typeof pack.packName === "string" ? pack.packName : "policies",
        evaluate: (resources, stackRegion) => evaluatePolicies(policies, resources, { stackRegion, pack: identity }),
    };
}

/** The stack of this project a StackReference name points at (`org/project/stack`, `project/stack`, `stack`). */
function referencedStack(reference: string, project: Project): string | undefined {
    const parts = reference.split("/");
    const stack = parts[parts.length - 1];
    const sameProject = parts.length === 1 || parts[parts.length - 2] === project.name;
    return sameProject && project.stacks.includes(stack) ? stack : undefined;
}

/** What `main` judges with; tests pass their own policies. @default the pack in policies/pack.ts */
export interface PlanDeps {
    extensions?: StackExtension[];
    pack?: { packName: string; packVersion?: string; policies: Policies };
}

/** Runs the plan; returns the exit code. Never throws for user errors. */
export async function main(argv: string[], io: PlanIO = planIO(), deps: PlanDeps = {}): Promise<number> {
    const extensions = deps.extensions ?? stackExtensions;
    const parsed = readOptions(argv, io);
    if (typeof parsed === "number") {
        if (parsed === EXIT_USAGE) io.stderr("Run `npm start -- --help` for usage.\n");
        return parsed;
    }
    try {
        const { report, exitCode } = await plan(parsed, io, deps);
        io.stdout(renderText(report, extensions, io.color ? pc : pc.createColors(false)));
        if (parsed.json) fs.writeFileSync(path.resolve(io.cwd, parsed.json), JSON.stringify(report, null, 2) + "\n");
        if (parsed.markdown) fs.writeFileSync(path.resolve(io.cwd, parsed.markdown), renderMarkdown(report, extensions));
        if (parsed.chart) {
            const dr = report.stacks.find((s) => s.bringUp !== undefined);
            if (dr) fs.writeFileSync(path.resolve(io.cwd, parsed.chart), renderGantt(dr.bringUp as BringUpField));
            else io.stderr(`warning: no DR stack (vbr:role dr) was checked: ${parsed.chart} not written\n`);
        }
        return exitCode;
    } catch (err) {
        if (err instanceof UsageError || err instanceof ProjectError || err instanceof SynthesisError) {
            io.stderr(`error: ${err.message}\n`);
            return EXIT_USAGE;
        }
        const e = err as Error;
        io.stderr(`error: the offline plan failed unexpectedly: ${e?.message ?? String(err)}\n`);
        return EXIT_USAGE;
    }
}

/** Synthesizes and judges the stacks; builds the report. Throws UsageError/ProjectError/SynthesisError. */
export async function plan(opts: PlanOptions, io: PlanIO, deps: PlanDeps = {}): Promise<{ report: PlanReport; exitCode: number }> {
    const extensions = deps.extensions ?? stackExtensions;
    const project = loadProject(path.resolve(io.cwd, opts.project));
    const overrides = parseOverrides(opts.config, project.name);
    if (project.stacks.length === 0) throw new UsageError(`${project.dir} has no stack files (Pulumi.<stack>.yaml)`);
    const unknown = opts.stacks.filter((s) => !project.stacks.includes(s));
    if (unknown.length > 0) {
        throw new UsageError(`no stack file for ${unknown.map((s) => `"${s}" (Pulumi.${s}.yaml)`).join(", ")} in ${project.dir}; stacks: ${project.stacks.join(", ")}`);
    }
    for (const file of [opts.json, opts.markdown, opts.chart]) {
        if (file && !fs.existsSync(path.dirname(path.resolve(io.cwd, file)))) throw new UsageError(`cannot write ${file}: its directory does not exist`);
    }
    const checked = opts.stacks.length > 0 ? [...new Set(opts.stacks)] : project.stacks;
    const evaluator = loadEvaluator(io, deps.pack);
    const many = checked.length > 1 && Object.keys(overrides).length > 0;

    // Referenced stacks first, as the CLI reads their state: synthesize on demand when a reference misses.
    // Overrides apply to checked stacks; a stack synthesized only to answer a reference uses its own file.
    const real = new Map<string, SynthesizedStack>();
    const outputsOf = () => Object.fromEntries([...real].map(([k, v]) => [k, v.outputs]));
    const synth = async (stack: string, chain: string[]): Promise<SynthesizedStack> => {
        const done = real.get(stack);
        if (done) return done;
        for (;;) {
            try {
                const s = await synthesize({
                    projectDir: project.dir, stack, overrides: checked.includes(stack) ? overrides : {}, stackOutputs: outputsOf(),
                });
                real.set(stack, s);
                return s;
            } catch (err) {
                const target = err instanceof SynthesisError && err.reference ? referencedStack(err.reference, project) : undefined;
                if (target && !real.has(target) && !chain.includes(target) && target !== stack) {
                    await synth(target, [...chain, stack]);
                    continue;
                }
                if (err instanceof SynthesisError) {
                    const hint = many ? " (--config applies to every checked stack; limit the run with --stack)" : "";
                    throw new SynthesisError(stack, `stack "${stack}": ${err.message}${hint}`, err.cause, err.reference);
                }
                throw err;
            }
        }
    };

    for (const stack of checked) await synth(stack, []);
    // Report in synthesis order: a referenced stack before the stacks that read it.
    const order = [...real.keys()].filter((s) => checked.includes(s));
    const stacks: StackReport[] = [];
    for (const stack of order) {
        const synthesized = real.get(stack)!;
        const preview = await synthesize({ projectDir: project.dir, stack, overrides, preview: true, stackOutputs: outputsOf() })
            .catch((err: unknown) => {
                throw err instanceof SynthesisError ? new SynthesisError(stack, `stack "${stack}" (preview): ${err.message}`, err.cause) : err;
            });
        const region = synthesized.config["aws:region"] ?? "us-east-1";
        const violations = evaluator
            ? mergeViolations([
                { run: "synthesized", violations: await evaluator.evaluate(synthesized.resources, region) },
                // The engine's view of a first preview: outputs unknown, so "can't run policy during preview" advisories.
                { run: "preview", violations: await evaluator.evaluate(preview.resources, region) },
            ])
            : [];
        stacks.push(await buildStackReport({
            project: project.name, stack, config: synthesized.config, synthesized, preview, violations,
            projectDir: project.dir, stackOutputs: outputsOf(),
        }, extensions));
    }
    const report: PlanReport = { project: project.name, stacks, policyPack: evaluator?.packName ?? null };
    const mandatory = stacks.some((s) => s.summary.mandatory > 0);
    return { report, exitCode: mandatory ? EXIT_MANDATORY : EXIT_OK };
}

function planIO(): PlanIO {
    return { ...processIO(), color: process.stdout.isTTY === true && !("NO_COLOR" in process.env) };
}

if (require.main === module) runMain((argv) => main(argv));
