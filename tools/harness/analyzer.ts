// Runs CrossGuard policies offline through @pulumi/policy's own analyzer handlers, fed real protobuf requests
// (their property values as the handlers read them: see struct()).
//
// The engine talks to a policy pack over gRPC: one `Analyze` request per resource (inputs, options, provider)
// and one `AnalyzeStack` request with every resource (outputs, parent, dependencies, propertyDependencies).
// This module builds those requests from recorded resources and calls the pack's handlers directly, so the
// policies see exactly what they see under `pulumi preview --policy-pack`: the unknown-checking proxy,
// `notApplicable`, the provider's inputs (region), and resolved property dependencies. What it cannot
// reproduce: the CLI's own behaviour around the pack (installing it, stack tags, remediation).
import * as struct_pb from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer_pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { Policies, Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as policyLib from "@pulumi/policy/policy";
import * as policyServer from "@pulumi/policy/server";
import { version as AWS_VERSION } from "@pulumi/aws/package.json";
import { packName, packVersion, policies as packPolicies } from "../../policies/pack";
import { EngineLevel, resolvePolicyConfig } from "./policy-config";
import { RecordedResource, UNKNOWN } from "./records";

export { RecordedResource, UNKNOWN } from "./records";

export type EnforcementLevel = "mandatory" | "advisory";

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the violation is about; null for a stack policy that reports no URN. */
    urn: string | null;
    /** The engine's message: the policy description, a newline, then what the policy reported. */
    message: string;
}

export interface NotApplicable {
    policy: string;
    /** The resource for a resource policy; null for a stack policy. */
    urn: string | null;
    reason: string;
}

export interface EvaluateOptions {
    /** Per-policy config, as in `pulumi policy enable --config`; `enforcementLevel` overrides the policy's level. */
    config?: Record<string, Record<string, unknown>>;
    /** The stack's `aws:region`: the region of the default aws provider. @default "us-east-1" */
    stackRegion?: string;
    /**
     * The pack the engine names in its diagnostics ("... from policy pack '<name>@v<version>' ..."): the name given
     * to `new PolicyPack` and the version from the pack's package.json.
     * @default - this project's pack (policies/pack.ts `packName`, policies/package.json `version`) when every
     * policy belongs to it, else `vbr-dr-harness` 0.0.0
     */
    pack?: PackIdentity;
}

export interface PackIdentity {
    name: string;
    version: string;
}

export interface AnalysisResult {
    violations: Violation[];
    notApplicable: NotApplicable[];
}

// ---- the pack's handlers (@pulumi/policy/server ships without typings for them) ---------------------------

type Callback<T> = (err: Error | null | undefined, resp?: T) => void;
type Handler<Req, Resp> = (call: { request: Req }, callback: Callback<Resp>) => Promise<void>;

interface PolicyServer {
    makeAnalyzeRpcFun(packName: string, packVersion: string, packLevel: EngineLevel, policies: Policies):
        Handler<analyzer_pb.AnalyzeRequest, analyzer_pb.AnalyzeResponse>;
    makeAnalyzeStackRpcFun(packName: string, packVersion: string, packLevel: EngineLevel, policies: Policies):
        Handler<analyzer_pb.AnalyzeStackRequest, analyzer_pb.AnalyzeResponse>;
}

const server = policyServer as unknown as PolicyServer;
/** The pack library's own test of what its Analyze handler runs (not in its typings). */
const policyModule = policyLib as unknown as { isResourcePolicy(p: Policy): boolean };

/** The identity of a list of policies that is not (a subset of) this project's pack, e.g. a test's own policy. */
export const HARNESS_PACK: PackIdentity = { name: "vbr-dr-harness", version: "0.0.0" };
/** `new PolicyPack` defaults the pack's level to advisory; a policy without its own level gets that. */
const PACK_DEFAULT_LEVEL: EngineLevel = "advisory";

/** The identity the engine would report for these policies: this project's pack when every one belongs to it. */
export function packIdentityOf(policies: Policies): PackIdentity {
    const fromRealPack = policies.length > 0 && policies.every((p) => packPolicies.includes(p));
    return fromRealPack ? { name: packName, version: packVersion } : HARNESS_PACK;
}

function call<Req, Resp>(handler: Handler<Req, Resp>, request: Req): Promise<Resp> {
    return new Promise((resolve, reject) => {
        void handler({ request }, (err, resp) => (err ? reject(err) : resolve(resp as Resp)));
    });
}

/**
 * The policy as the engine would run it after `configure`: `getConfig()` returns the resolved config (through a
 * protobuf Struct round trip, as the engine sends it), and a config `enforcementLevel` replaces the policy's.
 * The `__pulumiType` tag is kept so the handlers' fast not-applicable path still works.
 */
function configured(p: Policy, level: EngineLevel | undefined, values: Record<string, unknown>): Policy {
    const wire = struct_pb.Struct.fromJavaScript(values as Record<string, struct_pb.JavaScriptValue>).toJavaScript();
    const getConfig = <T extends object>(): T => ({ ...wire }) as T;
    const tag = <F extends object>(orig: F, fn: F): F => {
        const t = (orig as { __pulumiType?: string }).__pulumiType;
        if (t) (fn as { __pulumiType?: string }).__pulumiType = t;
        return fn;
    };
    const enforcementLevel = level ?? p.enforcementLevel;
    if ("validateStack" in p && p.validateStack) {
        const sp = p as StackValidationPolicy;
        const v = sp.validateStack;
        return { ...sp, enforcementLevel, validateStack: tag(v, (args, report) => v({ ...args, getConfig }, report)) } as StackValidationPolicy;
    }
    const rp = p as ResourceValidationPolicy;
    const wrap = (v: NonNullable<ResourceValidationPolicy["validateResource"]> extends infer T ? T extends Array<infer U> ? U : T : never) =>
        tag(v, ((args, report) => v({ ...args, getConfig }, report)) as typeof v);
    const vr = rp.validateResource;
    const validateResource = vr === undefined ? undefined : Array.isArray(vr) ? vr.map(wrap) : wrap(vr);
    return { ...rp, enforcementLevel, validateResource } as ResourceValidationPolicy;
}

// ---- requests --------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * A recorded value as the engine marshals it: undefined members are dropped (the engine treats them as absent),
 * and the UNKNOWN sentinel stays the string the proxy recognises as "unknown during preview".
 */
function toWire(v: unknown): Json | undefined {
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return undefined;
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (typeof v === "bigint") return Number(v);
    if (Array.isArray(v)) return v.map((e) => toWire(e) ?? null);
    const out: { [k: string]: Json } = {};
    for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
        const w = toWire(e);
        if (w !== undefined) out[k] = w;
    }
    return out;
}

/**
 * The Struct the engine would send, as the pack's handlers read it: they only call `toJavaScript()` (then copy the
 * value into each policy's own objects), so it answers with the normalized JSON value a Struct built from it
 * returns, without building and walking a protobuf tree once per policy per resource.
 */
function struct(props: Record<string, unknown>): struct_pb.Struct {
    const wire = (toWire(props) ?? {}) as Record<string, struct_pb.JavaScriptValue>;
    const s = new struct_pb.Struct();
    s.toJavaScript = () => wire;
    return s;
}

interface ProviderInfo { urn: string; type: string; name: string; inputs: Record<string, unknown> }

/** Splits a provider reference `<urn>::<id>`; the URN itself contains `::`, the id never does. */
export function parseProviderRef(ref: string): { urn: string; id: string } {
    const i = ref.lastIndexOf("::");
    return i < 0 ? { urn: ref, id: "" } : { urn: ref.slice(0, i), id: ref.slice(i + 2) };
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> its parts (type may contain `$` for parent chains). */
function urnParts(urn: string): { stack: string; project: string; type: string; name: string } {
    const [head, project = "", qualifiedType = "", ...rest] = urn.split("::");
    const stack = head.replace(/^urn:pulumi:/, "");
    const type = qualifiedType.split("$").pop() ?? qualifiedType;
    return { stack, project, type, name: rest.join("::") };
}

function providerResolver(resources: RecordedResource[], stackRegion: string): (r: RecordedResource) => ProviderInfo | undefined {
    const byUrn = new Map(resources.map((r) => [r.urn, r] as const));
    // One ProviderInfo per provider, so its request is built once (providerOf).
    const known = new Map<string, ProviderInfo>();
    const once = (info: ProviderInfo): ProviderInfo => {
        const seen = known.get(info.urn);
        if (seen) return seen;
        known.set(info.urn, info);
        return info;
    };
    return (r) => {
        if (r.provider) {
            const { urn } = parseProviderRef(r.provider);
            if (known.has(urn)) return known.get(urn);
            const p = byUrn.get(urn);
            const parts = urnParts(urn);
            // A default provider the recorder did not record is the engine's default: the stack's config.
            const inputs = p ? p.inputs : parts.type === "pulumi:providers:aws" ? { region: stackRegion } : {};
            return once({ urn, type: p?.type ?? parts.type, name: p?.name ?? parts.name, inputs });
        }
        if (!r.custom || r.type.startsWith("pulumi:providers:")) return undefined;
        const pkg = r.type.split(":")[0];
        if (pkg === "pulumi") return undefined; // StackReference and other builtins have no provider plugin
        const { stack, project } = urnParts(r.urn);
        const version = pkg === "aws" ? AWS_VERSION : "0.0.0";
        const name = `default_${version.replace(/\./g, "_")}`;
        const type = `pulumi:providers:${pkg}`;
        return once({
            urn: `urn:pulumi:${stack}::${project}::${type}::${name}`, type, name,
            // The default aws provider reads `aws:region` from the stack's config.
            inputs: pkg === "aws" ? { region: stackRegion } : {},
        });
    };
}

function optionsOf(r: RecordedResource): analyzer_pb.AnalyzerResourceOptions {
    const o = new analyzer_pb.AnalyzerResourceOptions();
    o.setProtect(r.protect);
    if (r.parent) o.setParent(r.parent);
    o.setCustomtimeouts(new analyzer_pb.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

/** One request object per provider: every resource of a provider sends the same one. */
const providerRequests = new WeakMap<ProviderInfo, analyzer_pb.AnalyzerProviderResource>();

function providerOf(p: ProviderInfo | undefined): analyzer_pb.AnalyzerProviderResource | undefined {
    if (!p) return undefined;
    const cached = providerRequests.get(p);
    if (cached) return cached;
    const pr = new analyzer_pb.AnalyzerProviderResource();
    pr.setType(p.type);
    pr.setName(p.name);
    pr.setUrn(p.urn);
    pr.setProperties(struct(p.inputs));
    providerRequests.set(p, pr);
    return pr;
}

function analyzeRequest(r: RecordedResource, provider: ProviderInfo | undefined): analyzer_pb.AnalyzeRequest {
    const req = new analyzer_pb.AnalyzeRequest();
    req.setType(r.type);
    req.setUrn(r.urn);
    req.setName(r.name);
    req.setProperties(struct(r.inputs));
    req.setOptions(optionsOf(r));
    const p = providerOf(provider);
    if (p) req.setProvider(p);
    return req;
}

function stackRequest(resources: RecordedResource[], providerFor: (r: RecordedResource) => ProviderInfo | undefined): analyzer_pb.AnalyzeStackRequest {
    const req = new analyzer_pb.AnalyzeStackRequest();
    req.setResourcesList(resources.map((r) => {
        const ar = new analyzer_pb.AnalyzerResource();
        ar.setType(r.type);
        ar.setUrn(r.urn);
        ar.setName(r.name);
        // The engine sends the resources' outputs after the step; a provider echoes its inputs in its state.
        ar.setProperties(struct({ ...r.inputs, ...r.outputs }));
        ar.setOptions(optionsOf(r));
        const p = providerOf(providerFor(r));
        if (p) ar.setProvider(p);
        if (r.parent) ar.setParent(r.parent);
        ar.setDependenciesList(r.dependencies);
        const deps = ar.getPropertydependenciesMap();
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
            const d = new analyzer_pb.AnalyzerPropertyDependencies();
            d.setUrnsList(urns);
            deps.set(k, d);
        }
        return ar;
    }));
    return req;
}

function levelOf(l: analyzer_pb.EnforcementLevel): EnforcementLevel {
    return l === analyzer_pb.EnforcementLevel.ADVISORY ? "advisory" : "mandatory";
}

function collect(resp: analyzer_pb.AnalyzeResponse, urn: string | null, out: AnalysisResult): void {
    for (const d of resp.getDiagnosticsList()) {
        out.violations.push({ policy: d.getPolicyname(), enforcementLevel: levelOf(d.getEnforcementlevel()), urn: d.getUrn() || urn, message: d.getMessage() });
    }
    for (const n of resp.getNotApplicableList()) {
        out.notApplicable.push({ policy: n.getPolicyName(), urn, reason: n.getReason() });
    }
}

/**
 * Runs every policy over the resources as the engine does in a preview: `Analyze` per resource, then one
 * `AnalyzeStack`. Returns violations (including the engine's "can't run policy during preview" advisories)
 * and the not-applicable answers.
 */
export async function analyze(policies: Policies, resources: RecordedResource[], opts: EvaluateOptions = {}): Promise<AnalysisResult> {
    const resolved = resolvePolicyConfig(policies, opts.config);
    const pack = policies.map((p) => {
        const c = resolved.get(p.name)!;
        return configured(p, c.level, c.values);
    });
    const { name, version } = opts.pack ?? packIdentityOf(policies);
    const analyzeFn = server.makeAnalyzeRpcFun(name, version, PACK_DEFAULT_LEVEL, pack);
    const analyzeStackFn = server.makeAnalyzeStackRpcFun(name, version, PACK_DEFAULT_LEVEL, pack);
    const providerFor = providerResolver(resources, opts.stackRegion ?? "us-east-1");
    const out: AnalysisResult = { violations: [], notApplicable: [] };
    // Without a resource policy (this pack has only stack policies) every Analyze answer is empty: the handler
    // skips each policy. Asking anyway costs a request per resource.
    if (pack.some((p) => policyModule.isResourcePolicy(p))) {
        for (const r of resources) {
            collect(await call(analyzeFn, analyzeRequest(r, providerFor(r))), r.urn, out);
        }
    }
    collect(await call(analyzeStackFn, stackRequest(resources, providerFor)), null, out);
    return out;
}

/** The violations `pulumi preview --policy-pack` would report for these resources. */
export async function evaluatePolicies(policies: Policies, resources: RecordedResource[], opts: EvaluateOptions = {}): Promise<Violation[]> {
    return (await analyze(policies, resources, opts)).violations;
}

/** Convenience: `UNKNOWN` is what a recorded input holds when its value is computed during preview. */
export const isUnknown = (v: unknown): boolean => v === UNKNOWN;
