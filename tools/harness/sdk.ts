// The SDK as the recorder drives it: its modules (the program's own copy), the gRPC request shapes the mock
// monitor sees, and what the recorder changes in the process while a program runs (each returns its undo).
import type * as pulumiSdk from "@pulumi/pulumi";
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type { Diagnostic } from "./records";

export type SdkModules = {
    pulumi: typeof pulumiSdk;
    mocksModule: { MockMonitor: new (mocks: pulumiSdk.runtime.Mocks) => MockMonitorLike };
    settings: {
        setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
        waitForRPCs(): Promise<void>;
    };
    state: { getStore(): Record<string, unknown> };
    debuggable: { debugPromiseLeaks: boolean; debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
    callbacks: { CallbackServer: { prototype: object } };
    resproto: typeof resproto;
    rpc: { transferProperties: (onto: object, label: string, props: Record<string, unknown>) => unknown };
};

export interface Struct { toJavaScript(): Record<string, unknown> }
export interface RegisterRequest {
    getType(): string; getName(): string; getParent(): string; getCustom(): boolean; getRemote(): boolean;
    getProvider(): string; getProvidersMap(): { forEach(cb: (v: string, k: string) => void): void };
    getProtect(): boolean; getRetainondelete(): boolean; getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getObject(): Struct | undefined;
}
export interface ReadRequest {
    getType(): string; getName(): string; getParent(): string; getProvider(): string;
    getDependenciesList(): string[]; getProperties(): Struct | undefined;
}
export type Callback = (err: unknown, resp: unknown) => void;
export interface MockMonitorLike {
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
        debuggable: from("@pulumi/pulumi/runtime/debuggable"),
        callbacks: from("@pulumi/pulumi/runtime/callbacks"),
        rpc: from("@pulumi/pulumi/runtime/rpc"),
        resproto: from("@pulumi/pulumi/proto/resource_pb"),
    };
}

/**
 * The SDK formats a stack trace for every promise and registration, and the TypeScript hook maps every frame: that was most of
 * the synthesis time. Those errors have no message and nothing reads their frames, so they format to "Error";
 * errors with a message (the program's own) keep the source-mapped format, pointing at TypeScript lines.
 */
export function cheapAnonymousStackTraces(): () => void {
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
 * The SDK wraps every internal promise to find leaks at exit, capturing `new Error().stack` for each: a third of
 * the synthesis time. The same bookkeeping without the stack (which only PULUMI_DEBUG_PROMISE_LEAKS prints): each
 * pending promise stays in the runtime's leak candidates with its label, which is what a hung run reports. The
 * promises of output properties (lazyOutputProperties) are not tracked: see there.
 */
export function cheapPromiseBookkeeping(sdk: SdkModules): () => void {
    const mod = sdk.debuggable;
    if (mod.debugPromiseLeaks) return () => undefined;
    const original = mod.debuggablePromise;
    mod.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
        if (untracked) return p;
        const pending = sdk.state.getStore().leakCandidates as Set<Promise<unknown>>;
        (p as Promise<T> & { _debugCtx?: unknown })._debugCtx = ctx;
        pending.add(p);
        return p.then((value) => { pending.delete(p); return value; }, (err: unknown) => {
            pending.delete(p);
            if (err !== null && typeof err === "object") (err as { promise?: unknown }).promise = p;
            throw err;
        });
    };
    return () => { mod.debuggablePromise = original; };
}

/** True while the SDK builds an output property's promises (lazyOutputProperties): cheapPromiseBookkeeping skips them. */
let untracked = false;

type Resolver = (v: unknown, isKnown: boolean, isSecret: boolean, deps?: unknown[], err?: Error) => void;

/**
 * A resource's output properties as the SDK makes them, each when the program first reads it. The SDK gives every
 * output property of a custom resource (a Bucket has about forty) an Output at construction: four promises, their
 * Promise.all chains, a Proxy and a dozen closures, 5 KB, held until the registration is answered. A program that
 * constructs its resources in one loop holds all of them at once, 80 KB a resource, while it reads three or four
 * (`bucket.id`, `key.arn`). Here each property is an accessor until read: the first read builds the SDK's own
 * Output (the SDK's transferProperties, for that property) and replays the answer if it already came; a property
 * never read keeps only the answer. `Object.keys`, `in` and `hasOwnProperty` see every property as before.
 *
 * Their promises are not in the leak candidates: a property settles with the same answer as the resource's URN
 * and id, whose promises are tracked under the same `resource:<name>[<type>]` label, so a hung run names the same
 * resources.
 */
export function lazyOutputProperties(sdk: SdkModules): () => void {
    const rpc = sdk.rpc;
    const transfer = rpc.transferProperties;
    const materialize = (onto: object, label: string, key: string): Resolver => {
        untracked = true;
        try {
            // The label only names the (untracked) promises.
            return (transfer(onto, label, { [key]: undefined }) as Record<string, Resolver>)[key];
        } finally {
            untracked = false;
        }
    };
    rpc.transferProperties = (onto, label, props) => {
        const resolvers: Record<string, Resolver> = {};
        for (const k of Object.keys(props)) {
            // As the SDK: id and urn are the resource's own, and a property is given once.
            if (k === "id" || k === "urn") continue;
            if (Object.prototype.hasOwnProperty.call(onto, k)) throw new Error(`Property '${k}' is already initialized on target '${label}`);
            let live: Resolver | undefined;
            /** The answers given before the property was read, replayed in order when it is. */
            let answers: Parameters<Resolver>[] | undefined;
            Object.defineProperty(onto, k, {
                enumerable: true, configurable: true,
                get() {
                    delete (onto as Record<string, unknown>)[k];
                    live = materialize(onto, label, k);
                    for (const a of answers ?? []) live(...a);
                    answers = undefined;
                    return (onto as Record<string, unknown>)[k];
                },
                set(value: unknown) { Object.defineProperty(onto, k, { value, writable: true, enumerable: true, configurable: true }); },
            });
            resolvers[k] = (...a) => {
                if (live) live(...a);
                else (answers ??= []).push(a);
            };
        }
        return resolvers;
    };
    return () => { rpc.transferProperties = transfer; };
}

/**
 * Under plain node (the recorder used as a library), compile the program's TypeScript with the hook `npm start`
 * and mocha use (tools/register.js: swc, transpile only, CommonJS, errors mapped to TypeScript lines).
 */
export function ensureTypeScript(): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    if ((require.extensions as any)[".ts"]) return;
    require("../register.js");
}

/**
 * Collects the SDK's console fallback for `pulumi.log.*` (no engine is attached under mocks), and the packages
 * its function serializer could not put in a function's code archive (`Could not include required dependency`,
 * printed once per package and function: a project that was never `npm install`ed), into `excluded`.
 */
export function captureLogs(into: Diagnostic[], excluded: Set<string> = new Set()): () => void {
    const original = { log: console.log, warn: console.warn, error: console.error };
    const grab = (fallback: (...a: unknown[]) => void) => (...args: unknown[]) => {
        const text = args.map(String).join(" ");
        const m = /^(info|warning|error): \[runtime\] ([\s\S]*)$/.exec(text);
        const dependency = /^Could not include required dependency '([^']+)' in '[^']*'\.$/.exec(text);
        if (m) into.push({ severity: m[1] as Diagnostic["severity"], message: m[2] });
        else if (dependency) excluded.add(dependency[1]);
        else fallback(...args);
    };
    console.log = grab(original.log);
    console.warn = grab(original.warn);
    console.error = grab(original.error);
    return () => Object.assign(console, original);
}
