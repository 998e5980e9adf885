// Runs a Pulumi program in-process under the SDK's mock monitor and records every registration as the engine sees it.
//
// The program is the real one (its Pulumi.yaml entry point, its stack config), so what is recorded is what
// `pulumi preview` would send to the engine: type, name, URN, parent, provider reference, protect and
// retainOnDelete, dependencies, property dependencies and the serialized inputs. Outputs come from AwsMocks
// (realistic ids and ARNs); with `preview: true` created resources return no computed outputs, so the SDK marks
// them unknown and inputs built from them carry the engine's UNKNOWN sentinel, as in a first `pulumi preview`.
//
// What this cannot see: provider-side validation (no AWS call is made) and the children of remote components
// (awsx's plugin is not running), exactly as in unit tests with mocks.
import * as path from "path";
import type * as pulumiSdk from "@pulumi/pulumi";
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { specialOutputValueSig, specialResourceSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { AwsMocks } from "./mocks";
import { isProgramFile, lentPackagesNotice, prepareLoader, runProgram, sourcePosition } from "./program";
import { OfflineTransforms } from "./transforms";
import { pendingWork, StoppedRun, watchdog } from "./watchdog";
import { loadProject, ProjectError, projectStackName, stackConfigDetails } from "./project";
import { Diagnostic, RecordedResource, SynthesizedStack, UNKNOWN } from "./records";
import {
    Callback, captureLogs, cheapAnonymousStackTraces, cheapPromiseBookkeeping, lazyOutputProperties, loadSdk, ReadRequest, RegisterRequest,
    SdkModules, Struct,
} from "./sdk";

export { Diagnostic, RecordedResource, SynthesizedStack, UNKNOWN } from "./records";

export interface SynthesizeOptions {
    /** The project directory (holds Pulumi.yaml and the stack files). */
    projectDir: string;
    stack: string;
    /** `--config key=value` overrides, applied over the stack file. */
    overrides?: Record<string, string>;
    /** Preview semantics: outputs of created resources are unknown. */
    preview?: boolean;
    /** Outputs of already synthesized stacks, keyed by stack name (`primary`) or fully qualified name. */
    stackOutputs?: Record<string, Record<string, unknown>>;
    /** Stop the run after this many seconds, naming what was still pending. @default no limit */
    timeoutSeconds?: number;
    /**
     * What `pulumi.getOrganization()` answers. @default "organization", what a self-managed (DIY) backend reports:
     * with no backend at all, the offline plan behaves like the simplest one
     */
    organization?: string;
}

/** A synthesized stack with what the run saw on the way: the program's log messages and the StackReferences it read. */
export interface Synthesis extends SynthesizedStack {
    diagnostics: Diagnostic[];
    /** The outputs each StackReference was answered with, by the name the program gave. */
    references: Record<string, Record<string, unknown>>;
    /** Invokes the mocks had no answer for (the program got `{}`), by token. */
    unanswered: string[];
    /** What the run's config could not be as in a real preview (no stack file, encrypted values), one line each. */
    notices: string[];
}

/** The program could not be run to completion: it threw, failed validation, or a reference did not resolve. */
export class SynthesisError extends Error {
    /**
     * @param reference the StackReference name that could not be resolved, when that is what failed: the CLI
     * synthesizes the referenced stack and retries.
     */
    constructor(readonly stack: string, message: string, readonly cause?: unknown, readonly reference?: string) {
        super(message);
        this.name = "SynthesisError";
    }
}

/** What a secret value becomes in reports (`redactSecrets`). */
export const REDACTED = "[secret]";

/**
 * A serialized property value as plain JSON the way an analyzer sees it: secrets unwrapped (or, with
 * `redactSecrets`, replaced by REDACTED, for reports), resource references replaced by their id (custom) or URN
 * (component), unknowns kept as the UNKNOWN sentinel.
 */
export function plainValue(v: unknown, redactSecrets = false): unknown {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => plainValue(x, redactSecrets));
    const obj = v as Record<string, unknown>;
    const sig = obj[specialSigKey];
    if (sig === specialSecretSig) return redactSecrets ? REDACTED : plainValue(obj.value);
    if (sig === specialResourceSig) return typeof obj.id === "string" && obj.id !== "" ? obj.id : obj.urn;
    if (sig === specialOutputValueSig) {
        if (redactSecrets && obj.secret === true) return REDACTED;
        return "value" in obj ? plainValue(obj.value, redactSecrets) : UNKNOWN;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) {
        if (x !== undefined) out[k] = plainValue(x, redactSecrets);
    }
    return out;
}

/**
 * A request's or response's properties are read twice (by the recorder and by the SDK's mock monitor or resource
 * code), and each read walks the protobuf tree again: walk it once. Both readers only read the value.
 */
function readOnce(s: Struct | undefined): Struct | undefined {
    if (s) {
        const value = s.toJavaScript();
        s.toJavaScript = () => value;
    }
    return s;
}

/** True when a serialized value holds a secret anywhere. */
function holdsSecret(v: unknown): boolean {
    if (v === null || typeof v !== "object") return false;
    if (Array.isArray(v)) return v.some(holdsSecret);
    const obj = v as Record<string, unknown>;
    if (obj[specialSigKey] === specialSecretSig || (obj[specialSigKey] === specialOutputValueSig && obj.secret === true)) return true;
    return Object.values(obj).some(holdsSecret);
}

/**
 * Resolves a StackReference name against known stack outputs: the exact name, else a known name that is the
 * reference's tail (`network/prod` answers `organization/network/prod`), else `<org>/<project>/<stack>` or
 * `<project>/<stack>` of this project by its bare stack name.
 */
export function resolveStackReference(name: string, project: string, known: Record<string, Record<string, unknown>>): Record<string, unknown> | undefined {
    const has = (k: string) => Object.prototype.hasOwnProperty.call(known, k);
    if (has(name)) return known[name];
    const parts = name.split("/");
    for (let i = 1; i < parts.length - 1; i++) {
        const tail = parts.slice(i).join("/");
        if (tail.includes("/") && has(tail)) return known[tail];
    }
    const stack = projectStackName(name, project);
    return stack !== undefined && has(stack) ? known[stack] : undefined;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The URN the engine gives a registration: the parent's qualified type (its whole ancestor chain) + `$` + the type,
 * except under the root stack, whose type is never a prefix; providers alike. The SDK's MockMonitor.newUrn chains
 * only the parent's own type (`Platform$Keys$Key` becomes `Keys$Key`), and prefixes the stack's type.
 */
export function engineUrn(stack: string, project: string, parent: string | null, type: string, name: string): string {
    let qualifiedType = type;
    if (parent) {
        // urn:pulumi:<stack>::<project>::<qualified type>::<name>; only the name may contain `::`.
        const parentType = parent.split("::")[2] ?? "";
        if (parentType !== "" && parentType !== ROOT_STACK_TYPE) qualifiedType = `${parentType}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** Runs one stack of a project under mocks and returns what the engine would have been sent. */
export async function synthesize(opts: SynthesizeOptions): Promise<Synthesis> {
    const project = loadProject(opts.projectDir);
    const { config, secretKeys, notices } = stackConfigDetails(project, opts.stack, opts.overrides ?? {});
    const preview = opts.preview === true;
    const stackRegion = config["aws:region"] ?? "";
    const known = opts.stackOutputs ?? {};
    const sdk = loadSdk(project.dir);
    const { pulumi } = sdk;

    const resources: RecordedResource[] = [];
    const byUrn = new Map<string, RecordedResource>();
    const errors: unknown[] = [];
    const diagnostics: Diagnostic[] = [];
    const references: Record<string, Record<string, unknown>> = {};

    // A reference that does not resolve leaves every Output built from it pending forever: a program whose stack
    // outputs depend on it (the DR stack in drill/failover) would never finish. Fail the run as soon as it happens.
    let referenceFailed: (err: SynthesisError) => void = () => undefined;
    const referenceFailure = new Promise<never>((_, reject) => { referenceFailed = reject; });
    referenceFailure.catch(() => undefined);

    const awsMocks = new AwsMocks({ region: stackRegion });
    const mocks: pulumiSdk.runtime.Mocks = {
        newResource(args) {
            if (args.type === "pulumi:pulumi:StackReference") {
                const name = String((args.inputs as Record<string, unknown>).name ?? args.name);
                const outputs = resolveStackReference(name, project.name, known);
                if (outputs === undefined) {
                    const names = Object.keys(known);
                    const err = new SynthesisError(opts.stack, `StackReference "${name}" cannot be resolved offline: ` +
                        `no synthesized stack of project "${project.name}" and no --stack-outputs has that name` +
                        (names.length ? ` (known: ${names.join(", ")})` : "") +
                        `; give its outputs with --stack-outputs ${name.split("/").length === 3 ? name : `<org>/<project>/<stack>`}=<file.json>`, undefined, name);
                    referenceFailed(err);
                    throw err;
                }
                references[name] = outputs;
                return { id: name, state: { name, outputs, secretOutputNames: [] } };
            }
            // A first preview: the engine echoes inputs as the planned state; everything computed is unknown.
            if (preview) return { id: undefined, state: args.inputs };
            return awsMocks.newResource(args);
        },
        call(args) {
            return awsMocks.call(args);
        },
    };

    const transforms = new OfflineTransforms(sdk);

    /** Registrations the monitor has been sent and not answered yet. */
    let answering = 0;

    // The SDK's own mock monitor, with every registration recorded on the way through.
    class RecordingMonitor extends sdk.mocksModule.MockMonitor {
        /** URNs as the engine builds them (see engineUrn), not the SDK mock's one-level chain. */
        newUrn(parent: string, type: string, name: string): string {
            return engineUrn(opts.stack, project.name, parent || null, type, name);
        }

        async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
            let recorded: RecordedResource | undefined;
            try {
                const transformed = transforms.apply(req as unknown as resproto.RegisterResourceRequest);
                if (transformed) await transformed;
                readOnce(req.getObject());
                recorded = record(req);
            } catch (err) {
                errors.push(err);
            }
            // The engine answers over gRPC, after the program's pending work; answering on the next macrotask keeps
            // the recorded order that of the program's registrations, not of how many awaits each one's inputs took.
            answering++;
            await new Promise((resolve) => setImmediate(resolve));
            return super.registerResource(req, (err, resp) => {
                answering--;
                if (err) errors.push(err);
                else if (recorded && resp) {
                    const r = resp as { getUrn(): string; getObject(): Struct | undefined };
                    recorded.urn = r.getUrn();
                    recorded.outputs = plainValue(readOnce(r.getObject())?.toJavaScript() ?? {}) as Record<string, unknown>;
                    byUrn.set(recorded.urn, recorded);
                    resources.push(recorded);
                    transforms.registered(recorded.urn, req as unknown as resproto.RegisterResourceRequest);
                }
                callback(err, resp);
            });
        }

        /** Reads (StackReference, `get` functions): recorded like the engine's read steps. */
        async readResource(req: ReadRequest, callback: Callback): Promise<void> {
            const inputs = plainValue(req.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>;
            const recorded: RecordedResource = {
                urn: "", type: req.getType(), name: req.getName(), parent: req.getParent() || null,
                custom: true, remote: false, provider: req.getProvider() || null,
                region: regionOf(req.getType(), inputs, req.getProvider() || null),
                protect: false, retainOnDelete: false, dependencies: req.getDependenciesList(),
                propertyDependencies: {}, inputs, outputs: {},
            };
            return super.readResource(req, (err, resp) => {
                if (err) errors.push(err);
                else if (resp) {
                    const r = resp as { getUrn(): string; getProperties(): Struct | undefined };
                    recorded.urn = r.getUrn();
                    recorded.outputs = plainValue(r.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>;
                    byUrn.set(recorded.urn, recorded);
                    resources.push(recorded);
                }
                callback(err, resp);
            });
        }

        registerResourceOutputs(req: { getUrn(): string; getOutputs(): Struct | undefined }, callback: Callback): void {
            // A resource this run never recorded is an earlier run's: the SDK registers a stack's outputs even when
            // its program threw (Stack.initialize's finally), once the stack's URN resolves, which can be after that
            // run ended and the next one's monitor took over. Answered and ignored: it is no error of this run.
            const r = byUrn.get(req.getUrn());
            if (!r) return callback(null, {});
            r.outputs = plainValue(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
            super.registerResourceOutputs(req, callback);
        }
    }

    function record(req: RegisterRequest): RecordedResource {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => { propertyDependencies[key] = deps.getUrnsList(); });
        const type = req.getType();
        const serialized = req.getObject()?.toJavaScript() ?? {};
        const inputs = plainValue(serialized) as Record<string, unknown>;
        const provider = req.getProvider() || null;
        let awsProvider = provider;
        if (!awsProvider) req.getProvidersMap().forEach((ref, pkg) => { if (pkg === "aws") awsProvider = ref; });
        return {
            urn: "", type, name: req.getName(), parent: req.getParent() || null,
            custom: req.getCustom(), remote: req.getRemote(), provider,
            region: regionOf(type, inputs, awsProvider),
            protect: req.getProtect(), retainOnDelete: req.getRetainondelete(),
            dependencies: req.getDependenciesList(), propertyDependencies, inputs, outputs: {},
            ...(holdsSecret(serialized) ? { reportInputs: plainValue(serialized, true) as Record<string, unknown> } : {}),
        };
    }

    /**
     * The effective region: the `region` input, else the provider's region, else the stack's `aws:region`.
     * Providers are found by URN, since their ids are unknown during a preview.
     */
    function regionOf(type: string, inputs: Record<string, unknown>, providerRef: string | null): string | null {
        const pkg = type.split(":")[0];
        const regional = pkg === "aws" || pkg === "awsx" || type === "pulumi:providers:aws";
        if (!regional) return null;
        const own = inputs.region;
        if (typeof own === "string" && own !== "" && own !== UNKNOWN) return own;
        if (type !== "pulumi:providers:aws" && providerRef) {
            const providerUrn = providerRef.slice(0, providerRef.lastIndexOf("::"));
            const p = byUrn.get(providerUrn);
            if (p && p.type === "pulumi:providers:aws") return p.region;
        }
        return stackRegion || null;
    }

    // Config as the language host passes it (PULUMI_CONFIG), then the monitor, as `pulumi.runtime.setMocks` does.
    pulumi.runtime.setAllConfig(config, secretKeys);
    // Both passes run as a preview does (`isDryRun()`): an output the mocks do not answer is unknown, as in the
    // engine's preview, not undefined.
    const monitor = new RecordingMonitor(mocks);
    sdk.settings.setMockOptions(monitor, project.name, opts.stack, true, opts.organization ?? "organization");
    Object.assign(sdk.state.getStore(), {
        supportsSecrets: true, supportsResourceReferences: true, supportsOutputValues: false,
        supportsDeletedWith: true, supportsReplaceWith: true, supportsAliasSpecs: true, supportsTransforms: true,
        supportsParameterization: true, supportsResourceHooks: true, supportsErrorHooks: true, callbacks: transforms.server,
    });

    // Rejections the program leaves behind (failed registrations) belong to this run, not to the host process.
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const onRejection = (reason: unknown) => { errors.push(reason); };
    process.on("unhandledRejection", onRejection);
    const unpackaged = new Set<string>();
    const restoreConsole = captureLogs(diagnostics, unpackaged);
    const restoreTraces = cheapAnonymousStackTraces();
    const restorePromises = cheapPromiseBookkeeping(sdk);
    const restoreOutputs = lazyOutputProperties(sdk);

    let outputs: Record<string, unknown> = {};
    let programError: unknown;
    let pending: string[] = [];
    const guard = watchdog(opts.timeoutSeconds);
    // The CLI runs the program in its project directory: relative paths (`./www`, `fs.readFileSync("policy.json")`)
    // are the project's.
    const restoreLoader = prepareLoader(project);
    const cwd = process.cwd();
    process.chdir(project.dir);
    try {
        try {
            await Promise.race([referenceFailure, guard.stopped, pulumi.runtime.runInPulumiStack(() => runProgram(project))]);
            if (programError === undefined) await Promise.race([sdk.settings.waitForRPCs(), guard.stopped]);
        } catch (err) {
            programError = err;
        }
        if (programError !== undefined) {
            // What is still pending never completes: do not wait for it, and do not let the SDK report it as leaked at
            // exit (the next run resets the runtime's state anyway). Registrations the monitor was sent are answered
            // first, so none reaches the next run's monitor.
            pending = pendingWork(sdk.state.getStore().leakCandidates as Set<unknown>);
            sdk.state.getStore().leakCandidates = new Set();
            while (answering > 0) await new Promise((resolve) => setImmediate(resolve));
        }
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        process.chdir(cwd);
        restoreLoader();
        guard.end();
        releaseRun(sdk, monitor);
        restoreOutputs();
        restorePromises();
        restoreTraces();
        restoreConsole();
        process.removeListener("unhandledRejection", onRejection);
        for (const l of saved) process.on("unhandledRejection", l as (...args: unknown[]) => void);
    }

    const failure = programError ?? errors[0];
    if (failure !== undefined) {
        const err = toSynthesisError(opts.stack, project.dir, failure, errors, pending);
        // An invoke answered with nothing is the likeliest cause of a failure that follows it: name it.
        if (awsMocks.unanswered.size === 0 || err.reference !== undefined) throw err;
        throw new SynthesisError(err.stack, `${err.message} (invokes the offline plan cannot answer: ${[...awsMocks.unanswered].join(", ")})`, err.cause);
    }

    const lent = lentPackagesNotice(project);
    if (lent) notices.push(lent);
    if (unpackaged.size > 0) {
        notices.push(`functions serialized from the program (e.g. aws.lambda.CallbackFunction) are packaged without ${[...unpackaged].sort().join(", ")}, ` +
            "which the project has not installed");
    }
    const stackResource = resources.find((r) => r.type === "pulumi:pulumi:Stack" && r.parent === null);
    outputs = stackResource ? stackResource.outputs : {};
    return { project: project.name, stack: opts.stack, config, resources, outputs, diagnostics, references, unanswered: [...awsMocks.unanswered], notices };
}

/**
 * What the SDK keeps of a finished run until the next one starts: the stack resource (the runtime's and
 * `globalThis.stackResource`), whose children hold every resource object of the program with its Outputs, and the
 * mock monitor's copy of every registered state. The recorded resources are all a run is wanted for: keeping the
 * rest cost 14 KB a resource while the plan judged and reported (and while an estimate's run was not the last).
 */
export function releaseRun(sdk: Pick<SdkModules, "state">, monitor: object): void {
    sdk.state.getStore().stackResource = undefined;
    (globalThis as { stackResource?: unknown }).stackResource = undefined;
    // The SDK's MockMonitor keeps them in `resources` (urn -> { urn, id, state }).
    (monitor as { resources?: Map<string, unknown> }).resources?.clear();
}

/** A clean, one-screen error: the program's own message (RunError and config errors carry it all). */
function toSynthesisError(stack: string, projectDir: string, failure: unknown, all: unknown[], pending: string[]): SynthesisError {
    // A reference that did not resolve makes the program fail later with a vaguer error: report the cause.
    const root = [failure, ...all].find((e) => e instanceof SynthesisError);
    if (root instanceof SynthesisError) return root;
    if (failure instanceof StoppedRun) {
        // The error that left an output pending (a failed apply, an invoke, a missing stack output) says more than
        // the stall itself: report it first, with what was left waiting.
        const cause = all.find((e) => !(e instanceof StoppedRun));
        const waiting = pending.length > 0 ? `; still pending: ${pending.join("; ")}`
            : "; nothing of Pulumi's was pending: the program waits on a promise or timer of its own";
        const what = failure.stop.kind === "timeout"
            ? `the program ${failure.message} (--timeout)`
            : "the program stopped with outputs that can never resolve";
        if (cause !== undefined) return new SynthesisError(stack, `${describeFailure(cause, projectDir)}; ${what}${waiting}`, cause);
        return new SynthesisError(stack, `${what}${waiting}`, failure);
    }
    if (failure instanceof ProjectError) return new SynthesisError(stack, failure.message, failure);
    return new SynthesisError(stack, describeFailure(failure, projectDir), failure);
}

function describeFailure(failure: unknown, projectDir: string): string {
    const err = failure as Error;
    const message = err instanceof Error ? err.message : String(err);
    const isRunError = err instanceof Error && (err.name === "RunError" || err.constructor?.name === "RunError");
    if (isRunError || err instanceof ProjectError) return message;
    const where = err instanceof Error ? programFrame(err, projectDir) : undefined;
    // A package the program imports is missing (program.ts's message): that says it all.
    if (/^the program imports "/.test(message)) return `${message}${where ? ` (at ${where})` : ""}`;
    return `the program failed while constructing resources: ${message}${where ? ` (at ${where})` : ""}`;
}

/** The first stack frame inside the program (not the SDK), as `file:line:column` relative to the project. */
function programFrame(err: Error, projectDir: string): string | undefined {
    for (const line of (err.stack ?? "").split("\n").slice(1)) {
        const m = /\(?([^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
        if (!m) continue;
        const at = sourcePosition(m[1], Number(m[2]), Number(m[3]));
        if (isProgramFile(at.file, projectDir)) return `${path.relative(projectDir, at.file)}:${at.line}:${at.column}`;
    }
    return undefined;
}

