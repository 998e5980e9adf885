// The plan's command line: its options, the `--config` overrides, and the error every bad input becomes (exit 2).
import { Command } from "commander";
import { findProjectDir, PROJECT_OPTION_HELP } from "../harness/project";
import { CliIO, parseArgs, positiveInt } from "../lib/cli";

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
    /** Seconds one stack's program may run before the plan stops it (exit 2, naming what was pending). */
    timeout?: number;
    /** `--stack-outputs <org/project/stack>=<file.json>`: another project's stack outputs, for StackReferences. */
    stackOutputs?: string[];
    /** Cells checked at once, each in its own process (tools/plan/jobs.ts). @default 1: every cell in this process */
    jobs?: number;
}

/** The default `--timeout`: generous for a program of thousands of resources, short enough to notice a hang. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** What `--policy-config-out` may hold to write one file per checked stack. */
export const STACK_PLACEHOLDER = "{stack}";

/** A problem with the command line, the project or its config: one message, exit code 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
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

export function readOptions(argv: string[], io: CliIO): PlanOptions | number {
    const program = new Command("plan")
        .description("Offline plan: synthesize every stack under mocks and judge it with the policy pack (no credentials, no CLI).")
        .option("--stack <name>", "check only this stack (repeatable)", collect, [])
        .option("--config <key=value>", "override stack config for this run (repeatable), validated like the stack files", collect, [])
        .option("--project <dir>", PROJECT_OPTION_HELP)
        .option("--json <file>", "also write the machine-readable report")
        .option("--markdown <file>", "also write the report as Markdown for a pull-request comment")
        .option("--chart <file>", "write the DR stack's bring-up estimate as an SVG Gantt chart")
        .option("--parallel <n>", "`pulumi up --parallel` the bring-up estimate and the RTO policy assume (default: 4 x this machine's CPUs, as pulumi up)", positiveInt)
        .option("--timeout <seconds>", `stop a stack's program that has not finished after this long (exit 2, naming what was pending)`, positiveInt, DEFAULT_TIMEOUT_SECONDS)
        .option("--jobs <n>", "check up to n cells at once, each in its own process (default 1: one process)", positiveInt)
        .option("--stack-outputs <name=file>", "answer StackReferences to <org/project/stack> from a JSON file of its outputs (repeatable)", collect, [])
        .option("--policy-config-out <file>", "write the policy config derived from the stack's config, for `pulumi preview --policy-pack policies " +
            `--policy-pack-config <file>\` (${STACK_PLACEHOLDER} in the name: one file per stack)`)
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const o = program.opts<{
        stack: string[]; config: string[]; project?: string; json?: string; markdown?: string; chart?: string; parallel?: number;
        policyConfigOut?: string; timeout: number; stackOutputs: string[]; jobs?: number;
    }>();
    return {
        project: o.project ?? findProjectDir(io.cwd), stacks: o.stack, config: o.config, json: o.json, markdown: o.markdown, chart: o.chart,
        parallel: o.parallel, policyConfigOut: o.policyConfigOut, timeout: o.timeout, stackOutputs: o.stackOutputs, jobs: o.jobs,
    };
}
