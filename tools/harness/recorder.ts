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
import { specialOutputValueSig, specialResourceSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { AwsMocks } from "./mocks";
import { loadProject, ProjectError, stackConfig } from "./project";
import { RecordedResource, SynthesizedStack, UNKNOWN } from "./records";

export { RecordedResource, SynthesizedStack, UNKNOWN } from "./records";

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
    /**
     * What `pulumi.getOrganization()` answers. @default "organization", what a self-managed (DIY) backend reports:
     * with no backend at all, the offline plan behaves like the simplest one
     */
    organization?: string;
}

/** A log message the program wrote (`pulumi.log.warn` ...), as the CLI would print it under the resource tree. */
export interface Diagnostic {
    severity: "info" | "warning" | "error";
    message: string;
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

/** True when a serialized value holds a secret anywhere. */
function holdsSecret(v: unknown): boolean {
    if (v === null || typeof v !== "object") return false;
    if (Array.isArray(v)) return v.some(holdsSecret);
    const obj = v as Record<string, unknown>;
    if (obj[specialSigKey] === specialSecretSig || (obj[specialSigKey] === specialOutputValueSig && obj.secret === true)) return true;
    return Object.values(obj).some(holdsSecret);
}

export type SdkModules = {
    pulumi: typeof pulumiSdk;
    mocksModule: { MockMonitor: new (mocks: pulumiSdk.runtime.Mocks) => MockMonitorLike };
    settings: {
        setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
        waitForRPCs(): Promise<void>;
    };
    state: { getStore(): Record<string, unknown> };
};

interface Struct { toJavaScript(): Record<string, unknown> }
interface RegisterRequest {
    getType(): string; getName(): string; getParent(): string; getCustom(): boolean; getRemote(): boolean;
    getProvider(): string; getProvidersMap(): { forEach(cb: (v: string, k: string) => void): void };
    getProtect(): boolean; getRetainondelete(): boolean; getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getObject(): Struct | undefined;
}
interface ReadRequest {
    getType(): string; getName(): string; getParent(): string; getProvider(): string;
    getDependenciesList(): string[]; getProperties(): Struct | undefined;
}
type Callback = (err: unknown, resp: unknown) => void;
interface MockMonitorLike {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, cb: Callback): Promise<void>;
    readResource(req: ReadRequest, cb: Callback): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): Struct | undefined }, cb: Callback): void;
}

/**
 * Loads the SDK the program itself will load: resolved from the project directory upward, so a project with its
 * own node_modules is driven through its own copy (the runtime state lives on a process-wide global anyway).
 */
export function loadSdk(projectDir: string): SdkModules {
    const from = (m: string) => require(require.resolve(m, { paths: [projectDir, __dirname] }));
    return {
        pulumi: from("@pulumi/pulumi"),
        mocksModule: from("@pulumi/pulumi/runtime/mocks"),
        settings: from("@pulumi/pulumi/runtime/settings"),
        state: from("@pulumi/pulumi/runtime/state"),
    };
}

/** Files of the program loaded by earlier runs; cleared so each stack runs the program afresh. */
const programModules = new Set<string>();

function isProgramFile(file: string, projectDir: string): boolean {
    return file.startsWith(projectDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);
}

/**
 * Resolves a StackReference name against synthesized stacks: exact key, else `<org>/<project>/<stack>` or
 * `<project>/<stack>` of this project, else a bare stack name.
 */
export function resolveStackReference(name: string, project: string, known: Record<string, Record<string, unknown>>): Record<string, unknown> | undefined {
    if (Object.prototype.hasOwnProperty.call(known, name)) return known[name];
    const parts = name.split("/");
    const stack = parts[parts.length - 1];
    const sameProject = parts.length === 1 || parts[parts.length - 2] === project;
    return sameProject && Object.prototype.hasOwnProperty.call(known, stack) ? known[stack] : undefined;
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
export async function synthesize(opts: SynthesizeOptions): Promise<SynthesizedStack & { diagnostics: Diagnostic[] }> {
    const project = loadProject(opts.projectDir);
    const config = stackConfig(project, opts.stack, opts.overrides ?? {});
    const preview = opts.preview === true;
    const stackRegion = config["aws:region"] ?? "";
    const known = opts.stackOutputs ?? {};
    const sdk = loadSdk(project.dir);
    const { pulumi } = sdk;

    const resources: RecordedResource[] = [];
    const byUrn = new Map<string, RecordedResource>();
    const errors: unknown[] = [];
    const diagnostics: Diagnostic[] = [];

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
                        `no synthesized stack of project "${project.name}" has that name` +
                        (names.length ? ` (synthesized: ${names.join(", ")})` : " (none synthesized yet)"), undefined, name);
                    referenceFailed(err);
                    throw err;
                }
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
                    recorded.outputs = plainValue(r.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
                    byUrn.set(recorded.urn, recorded);
                    resources.push(recorded);
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
            const r = byUrn.get(req.getUrn());
            if (r) r.outputs = plainValue(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
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
    pulumi.runtime.setAllConfig(config, []);
    sdk.settings.setMockOptions(new RecordingMonitor(mocks), project.name, opts.stack, preview, opts.organization ?? "organization");
    Object.assign(sdk.state.getStore(), {
        supportsSecrets: true, supportsResourceReferences: true, supportsOutputValues: false,
        supportsDeletedWith: true, supportsReplaceWith: true, supportsAliasSpecs: true, supportsTransforms: false,
        supportsParameterization: true, supportsResourceHooks: true, supportsErrorHooks: true,
    });

    ensureTypeScript();
    for (const file of programModules) delete require.cache[file];
    delete require.cache[project.main];

    // Rejections the program leaves behind (failed registrations) belong to this run, not to the host process.
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const onRejection = (reason: unknown) => { errors.push(reason); };
    process.on("unhandledRejection", onRejection);
    const restoreConsole = captureLogs(diagnostics);
    const restoreTraces = cheapAnonymousStackTraces();

    let outputs: Record<string, unknown> = {};
    let programError: unknown;
    try {
        const before = new Set(Object.keys(require.cache));
        try {
            await Promise.race([referenceFailure, pulumi.runtime.runInPulumiStack(async () => {
                try {
                    // eslint-disable-next-line @typescript-eslint/no-require-imports
                    const mod = require(project.main);
                    // The language host's rule: a module that exports a function (`export =`, or a default export)
                    // is that function, and what it returns are the stack's outputs.
                    const program = typeof mod === "function" ? mod : typeof mod?.default === "function" ? mod.default : undefined;
                    return program ? await program() : mod;
                } finally {
                    for (const file of Object.keys(require.cache)) {
                        if (!before.has(file) && isProgramFile(file, project.dir)) programModules.add(file);
                    }
                }
            })]);
        } catch (err) {
            programError = err;
        }
        if (programError instanceof SynthesisError && programError.reference !== undefined) {
            // Registrations waiting on the reference never complete: do not wait for them, and do not let the SDK
            // report them as leaked at exit (the next run resets the runtime's state anyway). The ones the monitor was
            // sent are answered first, so none reaches the next run's monitor.
            sdk.state.getStore().leakCandidates = new Set();
            while (answering > 0) await new Promise((resolve) => setImmediate(resolve));
        } else {
            await sdk.settings.waitForRPCs();
        }
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        restoreTraces();
        restoreConsole();
        process.removeListener("unhandledRejection", onRejection);
        for (const l of saved) process.on("unhandledRejection", l as (...args: unknown[]) => void);
    }

    const failure = programError ?? errors[0];
    if (failure !== undefined) throw toSynthesisError(opts.stack, project.dir, failure, errors);

    const stackResource = resources.find((r) => r.type === "pulumi:pulumi:Stack" && r.parent === null);
    outputs = stackResource ? stackResource.outputs : {};
    return { project: project.name, stack: opts.stack, config, resources, outputs, diagnostics };
}

/** A clean, one-screen error: the program's own message (RunError and config errors carry it all). */
function toSynthesisError(stack: string, projectDir: string, failure: unknown, all: unknown[]): SynthesisError {
    // A reference that did not resolve makes the program fail later with a vaguer error: report the cause.
    const root = [failure, ...all].find((e) => e instanceof SynthesisError);
    if (root instanceof SynthesisError) return root;
    const err = failure as Error;
    if (err instanceof ProjectError) return new SynthesisError(stack, err.message, err);
    const message = err instanceof Error ? err.message : String(err);
    const isRunError = err instanceof Error && (err.name === "RunError" || err.constructor?.name === "RunError");
    if (isRunError) return new SynthesisError(stack, message, err);
    const where = err instanceof Error ? programFrame(err, projectDir) : undefined;
    return new SynthesisError(stack, `the program failed while constructing resources: ${message}${where ? ` (at ${where})` : ""}`, err);
}

/** The first stack frame inside the program (not the SDK), as `file:line:column` relative to the project. */
function programFrame(err: Error, projectDir: string): string | undefined {
    for (const line of (err.stack ?? "").split("\n").slice(1)) {
        const m = /\(?([^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
        if (m && isProgramFile(m[1], projectDir)) return `${path.relative(projectDir, m[1])}:${m[2]}:${m[3]}`;
    }
    return undefined;
}

/**
 * The SDK formats a stack trace for every promise and registration, and the TypeScript hook maps every frame: that was most of
 * the synthesis time. Those errors have no message and nothing reads their frames, so they format to "Error";
 * errors with a message (the program's own) keep the source-mapped format, pointing at TypeScript lines.
 */
function cheapAnonymousStackTraces(): () => void {
    const original = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    // Capturing frames costs per frame: a few are enough to name the program line that threw.
    Error.stackTraceLimit = 6;
    Error.prepareStackTrace = (err: Error, frames: NodeJS.CallSite[]) => {
        if (err && err.message === "" && err.name === "Error") return "Error";
        if (original) return original(err, frames);
        return [`${err.name}: ${err.message}`, ...frames.map((f) => `    at ${f.toString()}`)].join("\n");
    };
    return () => { Error.prepareStackTrace = original; Error.stackTraceLimit = limit; };
}

/**
 * Under plain node, compile the program's TypeScript on the fly with the hook `npm start` and mocha use
 * (@swc-node/register: transpile only, CommonJS), reading tsconfig.json from the working directory as
 * `node -r @swc-node/register` does. Source maps are forced on so errors point at TypeScript lines.
 */
function ensureTypeScript(): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    if ((require.extensions as any)[".ts"]) return;
    const { register } = require("@swc-node/register/register");
    const { readDefaultTsConfig } = require("@swc-node/register/read-default-tsconfig");
    register({ ...readDefaultTsConfig(), sourceMap: true });
}

/** Collects the SDK's console fallback for `pulumi.log.*` (no engine is attached under mocks). */
function captureLogs(into: Diagnostic[]): () => void {
    const original = { log: console.log, warn: console.warn, error: console.error };
    const grab = (fallback: (...a: unknown[]) => void) => (...args: unknown[]) => {
        const text = args.map(String).join(" ");
        const m = /^(info|warning|error): \[runtime\] ([\s\S]*)$/.exec(text);
        if (m) into.push({ severity: m[1] as Diagnostic["severity"], message: m[2] });
        else fallback(...args);
    };
    console.log = grab(original.log);
    console.warn = grab(original.warn);
    console.error = grab(original.error);
    return () => Object.assign(console, original);
}
