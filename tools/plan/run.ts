// The offline plan itself: synthesize every checked stack (referenced stacks first), judge each with the pack in
// both runs (values known, and a first preview's unknowns), and build the report.
import * as fs from "fs";
import * as path from "path";
import type { Policies } from "@pulumi/policy";
import { packName, packVersion, policies as packPolicies } from "../../policies/pack";
import { defaultParallel } from "../../policies/lib/bringup";
import { bringUpExtension } from "../bringup/bringup-report";
import { failbackExtension } from "../bringup/failback-estimate";
import { evaluatePolicies } from "../harness/analyzer";
import { PolicyConfigError, policyConfigFromStack } from "../harness/policy-config";
import { loadProject, Project, projectStackName, stackConfig } from "../harness/project";
import { fleetProblems, groupByCell } from "../lib/cells";
import { planCells } from "./jobs";
import { cellReports } from "./cells";
import { SynthesisError } from "../harness/recorder";
import { stackRunner, Syntheses } from "../harness/syntheses";
import type { SynthesizedStack } from "../harness/records";
import { coverageExtension } from "./coverage";
import { checkDeclaredKeys } from "./keys";
import { DEFAULT_TIMEOUT_SECONDS, PlanOptions, parseOverrides, STACK_PLACEHOLDER, UsageError } from "./options";
import { checkOutputTargets, statOf } from "./output";
import { planProgress, ProgressIO } from "./progress";
import { buildStackReport, mergeViolations, PlanReport, StackExtension, StackReport } from "./report";

export const EXIT_OK = 0;
export const EXIT_MANDATORY = 1;

/** Where the CLI reads and writes; tests pass their own to run `main` in-process. */
export interface PlanIO extends ProgressIO {
    /** Colour the terminal view (only on a TTY). */
    color: boolean;
}

/**
 * Per-stack report fields added by other tools (the bring-up estimate registers `bringUp` here, the failback estimate
 * `failback` for a DR stack in failover). Each one computes its value from the synthesized stack and may print itself;
 * see StackExtension.
 */
export const stackExtensions: StackExtension[] = [bringUpExtension() as StackExtension, failbackExtension() as StackExtension, coverageExtension() as StackExtension];

type PolicyConfig = Record<string, Record<string, unknown>>;

interface Evaluator {
    packName: string;
    /** Each policy's description, by name. */
    descriptions: Record<string, string>;
    /** The pack's config for a stack: from its stack config and the run's --parallel (analyzer POLICY_CONFIG_SOURCES). */
    configFor(stackConfig: Record<string, string>, parallel: number): PolicyConfig;
    evaluate(resources: SynthesizedStack["resources"], stackRegion: string, config: PolicyConfig): Promise<Array<{
        policy: string; enforcementLevel: "mandatory" | "advisory"; urn: string | null; message: string;
    }>>;
}

/** The pack (this project's, or the one a test passes) and the analyzer harness. */
function packEvaluator(given?: PlanDeps["pack"]): Evaluator {
    const pack = given ?? { packName, packVersion, policies: packPolicies };
    // The engine names the pack in its preview-only advisories; without a version, the harness's default applies.
    const identity = pack.packVersion !== undefined ? { name: pack.packName, version: pack.packVersion } : undefined;
    return {
        packName: pack.packName,
        descriptions: Object.fromEntries(pack.policies.map((p) => [p.name, p.description ?? ""])),
        configFor: (stackConfig, parallel) => policyConfigFromStack(pack.policies, stackConfig, { parallel }),
        evaluate: (resources, stackRegion, config) => evaluatePolicies(pack.policies, resources, { stackRegion, pack: identity, config }),
    };
}

/**
 * `--stack-outputs <name>=<file.json>`: the outputs of a stack the CLI would read from the backend (another
 * project's), as a JSON object. The name is the StackReference's: `<org>/<project>/<stack>`, as a program builds
 * it (offline, `pulumi.getOrganization()` is "organization"), or `<project>/<stack>`.
 */
export function readStackOutputs(pairs: string[], cwd: string): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    const problems: string[] = [];
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        const name = eq > 0 ? pair.slice(0, eq).trim() : "";
        const file = pair.slice(eq + 1);
        if (eq <= 0 || !/^[^/=\s]+(\/[^/=\s]+){1,2}$/.test(name) || file === "") {
            problems.push(`--stack-outputs ${JSON.stringify(pair)} is malformed: expected <org>/<project>/<stack>=<file.json>, e.g. --stack-outputs organization/network/prod=network-prod.json`);
            continue;
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(fs.readFileSync(path.resolve(cwd, file), "utf8"));
        } catch (err) {
            problems.push(`--stack-outputs ${name}=${file}: cannot read it as JSON: ${(err as Error).message.split("\n")[0]}`);
            continue;
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            problems.push(`--stack-outputs ${name}=${file}: expected a JSON object of the stack's outputs ({"vpcId": "vpc-0123", ...})`);
            continue;
        }
        out[name] = parsed as Record<string, unknown>;
    }
    if (problems.length > 0) throw new UsageError(problems.join("\n  "));
    return out;
}

/**
 * The cells of the project's stack files hold together (tools/lib/cells.ts fleetProblems): each pair agrees on its
 * environment, zone and regions, and no two cells share an environment. Judged on the files, whatever --config says.
 */
function checkFleet(project: Project): void {
    const configs = new Map(project.stacks.map((s) => [s, stackConfig(project, s)]));
    const problems = fleetProblems(configs, (name) => projectStackName(name, project.name) ?? name);
    if (problems.length > 0) throw new UsageError(`the stack files of ${project.dir} do not form consistent cells:\n  ${problems.join("\n  ")}`);
}

/** What `main` judges with; tests pass their own policies. @default the pack in policies/pack.ts */
export interface PlanDeps {
    extensions?: StackExtension[];
    pack?: { packName: string; packVersion?: string; policies: Policies };
    /** Syntheses to reuse and add to; tests share one per process. @default a new one per run */
    syntheses?: Syntheses;
}

/** Synthesizes and judges the stacks; builds the report. Throws UsageError/ProjectError/SynthesisError. */
export async function plan(opts: PlanOptions, io: PlanIO, deps: PlanDeps = {}): Promise<{ report: PlanReport; exitCode: number; descriptions: Record<string, string> }> {
    const extensions = deps.extensions ?? stackExtensions;
    const projectDir = path.resolve(io.cwd, opts.project);
    if (statOf(projectDir)?.isFile()) {
        throw new UsageError(`--project ${opts.project} is not a directory: give the project directory that holds Pulumi.yaml (e.g. --project ${path.dirname(opts.project)})`);
    }
    const project = loadProject(projectDir);
    const overrides = parseOverrides(opts.config, project.name);
    checkDeclaredKeys(overrides, project);
    if (project.stacks.length === 0 && opts.stacks.length === 0) {
        throw new UsageError(`${project.stackDir} has no stack files (Pulumi.<stack>.yaml): name the stack to check, e.g. --stack dev --config aws:region=us-east-1`);
    }
    // A stack without a file runs on Pulumi.yaml's defaults and --config, as a stack `pulumi stack init` made. Without
    // any --config, in a project that has stack files, a name without a file is likelier a typo: refuse it.
    const unknown = opts.stacks.filter((s) => !project.stacks.includes(s));
    if (unknown.length > 0 && project.stacks.length > 0 && Object.keys(overrides).length === 0) {
        throw new UsageError(`no stack file for ${unknown.map((s) => `"${s}" (Pulumi.${s}.yaml)`).join(", ")} in ${project.stackDir}; stacks: ` +
            `${project.stacks.join(", ")} (a stack without a file needs its config on the command line: --config <key>=<value>)`);
    }
    checkFleet(project);
    const checked = opts.stacks.length > 0 ? [...new Set(opts.stacks)] : project.stacks;
    if (opts.policyConfigOut && checked.length > 1 && !opts.policyConfigOut.includes(STACK_PLACEHOLDER)) {
        throw new UsageError(`--policy-config-out ${opts.policyConfigOut}: the policy config is per stack and ${checked.length} stacks are checked; ` +
            `limit the run with --stack or put ${STACK_PLACEHOLDER} in the file name (e.g. policy-config.${STACK_PLACEHOLDER}.json)`);
    }
    checkOutputTargets(opts, io.cwd, checked);
    const parallel = opts.parallel ?? defaultParallel();
    if (!Number.isSafeInteger(parallel) || parallel < 1) throw new UsageError(`--parallel ${parallel}: expected a whole number >= 1`);
    // Cells side by side in processes of their own: only with this project's pack and extensions (a process cannot be sent others).
    const cells = groupByCell(checked);
    const jobs = Math.min(opts.jobs ?? 1, cells.length);
    if (jobs > 1 && deps.pack === undefined && deps.extensions === undefined) {
        const { report, descriptions } = await planCells({ ...opts, parallel }, cells, jobs, io);
        return { report, exitCode: report.stacks.some((s) => s.summary.mandatory > 0) ? EXIT_MANDATORY : EXIT_OK, descriptions };
    }
    const evaluator = packEvaluator(deps.pack);
    const many = checked.length > 1 && Object.keys(overrides).length > 0;

    // Referenced stacks first, as the CLI reads their state: synthesize on demand when a reference misses.
    // Overrides apply to checked stacks; a stack synthesized only to answer a reference uses its own file.
    const overridesFor = (stack: string) => (checked.includes(stack) ? overrides : {});
    const given = readStackOutputs(opts.stackOutputs ?? [], io.cwd);
    const run = stackRunner(project, deps.syntheses ?? new Syntheses(), overridesFor, { timeoutSeconds: opts.timeout ?? DEFAULT_TIMEOUT_SECONDS }, given);
    const failed = (stack: string, what: string) => (err: unknown): never => {
        if (!(err instanceof SynthesisError)) throw err;
        const hint = many ? " (--config applies to every checked stack; limit the run with --stack)" : "";
        throw new SynthesisError(stack, `stack "${stack}"${what}: ${err.message}${hint}`, err.cause, err.reference);
    };
    const synthesized = new Map<string, SynthesizedStack>();
    const shown = planProgress(io);
    try {
        for (const stack of checked) {
            shown.step(`stack "${stack}": synthesizing`);
            synthesized.set(stack, await run(stack, overrides).catch(failed(stack, "")));
        }
        // Report in synthesis order: a referenced stack before the stacks that read it.
        const order = [...run.outputs.keys()].filter((s) => checked.includes(s));
        const stacks: StackReport[] = [];
        for (const stack of order) {
            const real = synthesized.get(stack)!;
            shown.step(`stack "${stack}": synthesizing a first preview (${real.resources.length} resources synthesized)`);
            const preview = await run(stack, overrides, true).catch(failed(stack, " (preview)"));
            const region = real.config["aws:region"] ?? "us-east-1";
            let policyConfig: PolicyConfig;
            try {
                policyConfig = evaluator.configFor(real.config, parallel);
            } catch (err) {
                if (err instanceof PolicyConfigError) throw new UsageError(`stack "${stack}": ${err.message}`);
                throw err;
            }
            shown.step(`stack "${stack}": judging ${real.resources.length} resources with the policy pack, twice`);
            const violations = mergeViolations([
                { run: "synthesized", violations: await evaluator.evaluate(real.resources, region, policyConfig) },
                // The engine's view of a first preview: outputs unknown, so "can't run policy during preview" advisories.
                { run: "preview", violations: await evaluator.evaluate(preview.resources, region, policyConfig) },
            ]);
            shown.step(`stack "${stack}": the report${extensions.length ? " and its estimates" : ""}`);
            stacks.push(await buildStackReport({
                project: project.name, stack, config: real.config, synthesized: real, preview, violations,
                projectDir: project.dir, stackOutputs: Object.fromEntries(run.outputs), parallel, policyConfig,
                // Other states of this stack (the bring-up estimate's), through the same shared syntheses.
                synthesize: (config) => run(stack, config).catch(failed(stack, "")),
            }, extensions));
        }
        const configs = new Map(stacks.map((s) => [s.stack, synthesized.get(s.stack)!.config]));
        const report: PlanReport = { project: project.name, stacks, policyPack: evaluator.packName, cells: cellReports(stacks, configs) };
        const mandatory = stacks.some((s) => s.summary.mandatory > 0);
        return { report, exitCode: mandatory ? EXIT_MANDATORY : EXIT_OK, descriptions: evaluator.descriptions };
    } finally {
        shown.end();
    }
}
