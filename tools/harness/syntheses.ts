// One synthesis per project, stack, config, mode and referenced stacks' outputs, shared by every consumer: the
// plan's report and preview, the bring-up estimates, the RTO policy, `npm run mutations` and the tests (which pass
// one process-wide instance to the plan). A synthesis is a pure function of those inputs, and the most expensive
// step of every tool here; running the program again for the same answer only costs time.
import { loadProject, Project, projectStackName, stackConfig } from "./project";
import { resolveStackReference, synthesize, SynthesisError, Synthesis, SynthesizeOptions } from "./recorder";

interface Entry {
    key: string;
    /** The outputs each StackReference of the run was answered with, serialized: a later run must see the same. */
    references: Record<string, string>;
    result: Synthesis;
}

const sortedJson = (o: Record<string, string>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));

export class Syntheses {
    private readonly entries: Entry[] = [];
    private readonly projects = new Map<string, Project>();
    /** The SDK's runtime state is process-wide: one synthesis at a time. */
    private queue: Promise<unknown> = Promise.resolve();

    /** Runs (or reuses) one synthesis. Callers share the result: treat it as read-only (copy before editing). */
    run(opts: SynthesizeOptions): Promise<Synthesis> {
        const next = this.queue.then(() => this.runNow(opts));
        this.queue = next.catch(() => undefined);
        return next;
    }

    private project(dir: string): Project {
        let p = this.projects.get(dir);
        if (!p) this.projects.set(dir, (p = loadProject(dir)));
        return p;
    }

    private async runNow(opts: SynthesizeOptions): Promise<Synthesis> {
        const project = this.project(opts.projectDir);
        const config = stackConfig(project, opts.stack, opts.overrides ?? {});
        const key = JSON.stringify([project.dir, opts.stack, opts.preview === true, opts.organization ?? "", sortedJson(config)]);
        const known = opts.stackOutputs ?? {};
        const hit = this.entries.find((e) => e.key === key && Object.entries(e.references).every(([name, outputs]) =>
            JSON.stringify(resolveStackReference(name, project.name, known) ?? null) === outputs));
        if (hit) return hit.result;
        const result = await synthesize({ ...opts, projectDir: project.dir });
        const references = Object.fromEntries(Object.entries(result.references).map(([name, outputs]) => [name, JSON.stringify(outputs)]));
        this.entries.push({ key, references, result });
        return result;
    }
}

/** The stack of this project a StackReference name points at (`org/project/stack`, `project/stack`, `stack`). */
export function referencedStack(reference: string, project: Project): string | undefined {
    const stack = projectStackName(reference, project.name);
    return stack !== undefined && project.stacks.includes(stack) ? stack : undefined;
}

export interface StackRunner {
    /**
     * Synthesizes `stack` with `overrides`. A StackReference to another stack of the project that has not been
     * synthesized yet is answered by synthesizing that stack first (with `overridesFor(it)`), as the CLI reads
     * the referenced stack's state; its outputs then answer every later reference.
     */
    (stack: string, overrides: Record<string, string>, preview?: boolean): Promise<Synthesis>;
    /** Outputs of every stack synthesized (not in preview) so far, by stack name, in synthesis order. */
    outputs: Map<string, Record<string, unknown>>;
}

export function stackRunner(project: Project, syntheses: Syntheses, overridesFor: (stack: string) => Record<string, string>,
    base: Omit<SynthesizeOptions, "projectDir" | "stack" | "overrides" | "preview" | "stackOutputs"> = {},
    given: Record<string, Record<string, unknown>> = {}): StackRunner {
    const outputs = new Map<string, Record<string, unknown>>();
    const known = () => ({ ...given, ...Object.fromEntries(outputs) });
    const run = async (stack: string, overrides: Record<string, string>, preview = false, chain: string[] = []): Promise<Synthesis> => {
        for (;;) {
            try {
                const s = await syntheses.run({ ...base, projectDir: project.dir, stack, overrides, preview, stackOutputs: known() });
                if (!preview && !outputs.has(stack)) outputs.set(stack, s.outputs);
                return s;
            } catch (err) {
                const target = err instanceof SynthesisError && err.reference ? referencedStack(err.reference, project) : undefined;
                if (target && !outputs.has(target) && !chain.includes(target) && target !== stack) {
                    await run(target, overridesFor(target), false, [...chain, stack]).catch((cause: unknown) => {
                        if (!(cause instanceof SynthesisError) || cause.stack !== target) throw cause;
                        throw new SynthesisError(stack, `the stack it references, "${target}" (StackReference "${(err as SynthesisError).reference}"), failed: ${cause.message}`, cause.cause);
                    });
                    continue;
                }
                throw err;
            }
        }
    };
    return Object.assign((stack: string, overrides: Record<string, string>, preview?: boolean) => run(stack, overrides, preview), { outputs });
}
