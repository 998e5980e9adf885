// `npm start`: the offline plan. Runs every stack of a Pulumi project under mocks and judges it with the policy pack.
//
// For each stack: synthesize it (real mock values) and again with preview semantics (outputs unknown), evaluate
// the pack on both, print a preview-like tree, the violations by enforcement level and a one-line verdict.
// Exit 0 = no mandatory violation, 1 = at least one, 2 = usage or configuration error (nothing written).
import * as fs from "fs";
import * as path from "path";
import { Command, InvalidArgumentError } from "commander";
import pc from "picocolors";
import type { Policies } from "@pulumi/policy";
import { CliIO, EXIT_USAGE, parseArgs, processIO, runMain } from "./lib/cli";
import { loadProject, Project, ProjectError } from "./harness/project";
import { synthesize, SynthesisError } from "./harness/recorder";
import type { SynthesizedStack } from "./harness/records";
import {
    buildStackReport, mergeViolations, PlanReport, renderMarkdown, renderText, StackExtension,
    StackReport,
} from "./plan/report";
import { BringUpField, bringUpExtension } from "./bringup/bringup-report";
import { renderGantt } from "./bringup/chart";
import { defaultParallel } from "../policies/lib/bringup";

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
    /**
     * `pulumi up --parallel` the bring-up estimate and the RTO policy assume; pin it in CI for a reproducible verdict.
     * @default 4 x the CPUs of this machine (as `pulumi up`)
     */
    parallel?: number;
    /**
     * Write the policy config derived for the checked stack (for `pulumi preview --policy-pack policies
     * --policy-pack-config <file>`); `{stack}` in the name writes one file per stack.
     */
    policyConfigOut?: string;
}

/** What `--policy-config-out` may hold to write one file per checked stack. */
export const STACK_PLACEHOLDER = "{stack}";

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

type PolicyConfig = Record<string, Record<string, unknown>>;

interface Evaluator {
    packName: string;
    /** The pack's config for a stack: from its stack config and the run's --parallel (analyzer POLICY_CONFIG_SOURCES). */
    configFor(stackConfig: Record<string, string>, parallel: number): PolicyConfig;
    evaluate(resources: SynthesizedStack["resources"], stackRegion: string, config: PolicyConfig): Promise<Array<{
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

function positiveInteger(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1, e.g. --parallel 8");
    return n;
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
        .option("--parallel <n>", "`pulumi up --parallel` the bring-up estimate and the RTO policy assume (default: 4 x this machine's CPUs, as pulumi up)", positiveInteger)
        .option("--policy-config-out <file>", "write the policy config derived from the stack's config, for `pulumi preview --policy-pack policies " +
            `--policy-pack-config <file>\` (${STACK_PLACEHOLDER} in the name: one file per stack)`)
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const o = program.opts<{
        stack: string[]; config: string[]; project: string; json?: string; markdown?: string; chart?: string; parallel?: number;
        policyConfigOut?: string;
    }>();
    return {
        project: o.project, stacks: o.stack, config: o.config, json: o.json, markdown: o.markdown, chart: o.chart,
        parallel: o.parallel, policyConfigOut: o.policyConfigOut,
    };
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
    const analyzer = tryRequire(path.join(__dirname, "harness", "analyzer"));
    if (!pack || !analyzer || typeof analyzer.evaluatePolicies !== "function" || !Array.isArray(pack.policies)) {
        io.stderr(`warning: ${!pack ? "policies/pack.ts" : "tools/harness/analyzer.ts"} is not available yet: ` +
            "the stacks are synthesized but not judged by any policy\n");
        return null;
    }
    const evaluatePolicies = analyzer.evaluatePolicies as (p: Policies, r: SynthesizedStack["resources"],
        o: { stackRegion?: string; pack?: { name: string; version: string }; config?: PolicyConfig }) => ReturnType<Evaluator["evaluate"]>;
    const fromStack = typeof analyzer.policyConfigFromStack === "function"
        ? analyzer.policyConfigFromStack as (p: Policies, c: Record<string, string>, s: { parallel?: number }) => PolicyConfig
        : () => ({});
    const policies = pack.policies as Policies;
    // The engine names the pack in its preview-only advisories; without a version, the harness's default applies.
    const identity = typeof pack.packName === "string" && typeof pack.packVersion === "string"
        ? { name: pack.packName, version: pack.packVersion } : undefined;
    return {
        packName: typeof pack.packName === "string" ? pack.packName : "policies",
        configFor: (stackConfig, parallel) => fromStack(policies, stackConfig, { parallel }),
        evaluate: (resources, stackRegion, config) => evaluatePolicies(policies, resources, { stackRegion, pack: identity, config }),
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
        // Render everything, write every file (each to a temp file, then renamed), and only then print: a failure
        // anywhere leaves no output file behind and no report on stdout.
        const text = renderText(report, extensions, io.color ? pc : pc.createColors(false));
        const files: OutputFile[] = [];
        const add = (file: string, content: string) => files.push({ file: path.resolve(io.cwd, file), shown: file, content });
        if (parsed.json) add(parsed.json, JSON.stringify(report, null, 2) + "\n");
        if (parsed.markdown) add(parsed.markdown, renderMarkdown(report, extensions, { jsonArtifact: parsed.json }));
        if (parsed.chart) {
            const dr = report.stacks.find((s) => s.bringUp !== undefined);
            if (dr) add(parsed.chart, renderGantt(dr.bringUp as BringUpField));
            else io.stderr(`warning: no DR stack (vbr:role dr) was checked: ${parsed.chart} not written\n`);
        }
        if (parsed.policyConfigOut) {
            for (const s of report.stacks) add(parsed.policyConfigOut.split(STACK_PLACEHOLDER).join(s.stack), JSON.stringify(s.policyConfig, null, 2) + "\n");
        }
        writeAll(files);
        io.stdout(text);
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

interface OutputFile {
    /** Absolute path. */
    file: string;
    /** As the user gave it, for messages. */
    shown: string;
    content: string;
}

/** Writes every file to a temp file next to it, then renames them all; on a failure removes the temp files. */
function writeAll(files: OutputFile[]): void {
    const temps: string[] = [];
    let current: OutputFile | undefined;
    try {
        for (const f of files) {
            current = f;
            const tmp = path.join(path.dirname(f.file), `.${path.basename(f.file)}.${process.pid}.${temps.length}.tmp`);
            temps.push(tmp);
            fs.writeFileSync(tmp, f.content);
        }
        files.forEach((f, i) => { current = f; fs.renameSync(temps[i], f.file); });
    } catch (err) {
        for (const t of temps) fs.rmSync(t, { force: true });
        throw new UsageError(`cannot write ${current?.shown ?? "the output"}: ${(err as Error).message}`);
    }
}

const statOf = (file: string): fs.Stats | undefined => {
    try {
        return fs.statSync(file);
    } catch {
        return undefined;
    }
};

/**
 * Every output target, checked before anything runs: its directory exists, it is not itself a directory, and no
 * two flags name the same file. Collects every problem.
 */
export function checkOutputTargets(opts: PlanOptions, cwd: string, stacks: string[]): void {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const perStack = opts.policyConfigOut === undefined ? [] : opts.policyConfigOut.includes(STACK_PLACEHOLDER)
        ? stacks.map((s) => opts.policyConfigOut!.split(STACK_PLACEHOLDER).join(s)) : [opts.policyConfigOut];
    const targets: Array<[string, string | undefined, string]> = [
        ["--json", opts.json, "plan.json"], ["--markdown", opts.markdown, "plan.md"], ["--chart", opts.chart, "bringup.svg"],
        ...perStack.map((f): [string, string, string] => ["--policy-config-out", f, "policy-config.json"]),
    ];
    for (const [flag, file, example] of targets) {
        if (file === undefined) continue;
        if (file.trim() === "") { problems.push(`${flag}: the file name is empty`); continue; }
        const abs = path.resolve(cwd, file);
        const dir = statOf(path.dirname(abs));
        if (statOf(abs)?.isDirectory() || /[\\/]$/.test(file)) problems.push(`${flag} ${file} is a directory: give a file name, e.g. ${path.join(file, example)}`);
        else if (!dir) problems.push(`${flag} ${file}: cannot write it: its directory ${path.dirname(file)} does not exist`);
        else if (!dir.isDirectory()) problems.push(`${flag} ${file}: cannot write it: ${path.dirname(file)} is not a directory`);
        else if (seen.has(abs)) problems.push(`${flag} ${file}: ${seen.get(abs)} writes the same file`);
        seen.set(abs, flag);
    }
    if (problems.length > 0) throw new UsageError(problems.join("\n  "));
}

/** Levenshtein distance, case-insensitive: how far a mistyped config key is from a declared one. */
function distance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const row = [i];
        for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        prev = row;
    }
    return prev[y.length];
}

/**
 * `--config` keys in the project's own namespace must be declared in Pulumi.yaml (a typo would otherwise be
 * ignored silently and the run would judge the stack file's value). Other namespaces (`aws:`) are the providers'
 * and pass; a project that declares no config at all is not checked.
 */
export function checkDeclaredKeys(overrides: Record<string, string>, project: Project): void {
    const declared = Object.keys(project.config);
    if (declared.length === 0) return;
    const problems: string[] = [];
    for (const key of Object.keys(overrides)) {
        if (!key.startsWith(`${project.name}:`) || declared.includes(key)) continue;
        const closest = [...declared].sort((a, b) => distance(key, a) - distance(key, b) || a.localeCompare(b))[0];
        problems.push(`--config ${key}: not a config key of project "${project.name}" (not declared in Pulumi.yaml); did you mean ${closest}?`);
    }
    if (problems.length > 0) throw new UsageError(problems.join("\n  "));
}

/** Synthesizes and judges the stacks; builds the report. Throws UsageError/ProjectError/SynthesisError. */
export async function plan(opts: PlanOptions, io: PlanIO, deps: PlanDeps = {}): Promise<{ report: PlanReport; exitCode: number }> {
    const extensions = deps.extensions ?? stackExtensions;
    const projectDir = path.resolve(io.cwd, opts.project);
    if (statOf(projectDir)?.isFile()) {
        throw new UsageError(`--project ${opts.project} is not a directory: give the project directory that holds Pulumi.yaml (e.g. --project ${path.dirname(opts.project)})`);
    }
    const project = loadProject(projectDir);
    const overrides = parseOverrides(opts.config, project.name);
    checkDeclaredKeys(overrides, project);
    if (project.stacks.length === 0) throw new UsageError(`${project.dir} has no stack files (Pulumi.<stack>.yaml)`);
    const unknown = opts.stacks.filter((s) => !project.stacks.includes(s));
    if (unknown.length > 0) {
        throw new UsageError(`no stack file for ${unknown.map((s) => `"${s}" (Pulumi.${s}.yaml)`).join(", ")} in ${project.dir}; stacks: ${project.stacks.join(", ")}`);
    }
    const checked = opts.stacks.length > 0 ? [...new Set(opts.stacks)] : project.stacks;
    if (opts.policyConfigOut && checked.length > 1 && !opts.policyConfigOut.includes(STACK_PLACEHOLDER)) {
        throw new UsageError(`--policy-config-out ${opts.policyConfigOut}: the policy config is per stack and ${checked.length} stacks are checked; ` +
            `limit the run with --stack or put ${STACK_PLACEHOLDER} in the file name (e.g. policy-config.${STACK_PLACEHOLDER}.json)`);
    }
    checkOutputTargets(opts, io.cwd, checked);
    const parallel = opts.parallel ?? defaultParallel();
    if (!Number.isSafeInteger(parallel) || parallel < 1) throw new UsageError(`--parallel ${parallel}: expected a whole number >= 1`);
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
        let policyConfig: PolicyConfig = {};
        try {
            policyConfig = evaluator ? evaluator.configFor(synthesized.config, parallel) : {};
        } catch (err) {
            if ((err as Error).name === "PolicyConfigError") throw new UsageError(`stack "${stack}": ${(err as Error).message}`);
            throw err;
        }
        const violations = evaluator
            ? mergeViolations([
                { run: "synthesized", violations: await evaluator.evaluate(synthesized.resources, region, policyConfig) },
                // The engine's view of a first preview: outputs unknown, so "can't run policy during preview" advisories.
                { run: "preview", violations: await evaluator.evaluate(preview.resources, region, policyConfig) },
            ])
            : [];
        stacks.push(await buildStackReport({
            project: project.name, stack, config: synthesized.config, synthesized, preview, violations,
            projectDir: project.dir, stackOutputs: outputsOf(), parallel, policyConfig,
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
