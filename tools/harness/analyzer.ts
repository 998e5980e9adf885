// Runs CrossGuard policies offline through @pulumi/policy's own analyzer handlers, fed real protobuf requests.
//
// The engine talks to a policy pack over gRPC: one `Analyze` request per resource (inputs, options, provider)
// and one `AnalyzeStack` request with every resource (outputs, parent, dependencies, propertyDependencies).
// This module builds those requests from recorded resources and calls the pack's handlers directly, so the
// policies see exactly what they see under `pulumi preview --policy-pack`: the unknown-checking proxy,
// `notApplicable`, the provider's inputs (region), and resolved property dependencies. What it cannot
// reproduce: the CLI's own behaviour around the pack (installing it, stack tags, remediation).
import * as struct_pb from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer_pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { Policies, Policy, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RecordedResource, UNKNOWN } from "./records";
import { RTO_OBJECTIVE_MINUTES } from "../../policies/model/plan";

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

/** A config that the engine would refuse (below a floor, wrong type, unknown key). Lists every problem. */
export class PolicyConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid policy pack config:\n  - ${problems.join("\n  - ")}`);
        this.name = "PolicyConfigError";
    }
}

// ---- the pack's handlers (server.js ships without typings for them) --------------------------------------

type Callback<T> = (err: Error | null | undefined, resp?: T) => void;
type Handler<Req, Resp> = (call: { request: Req }, callback: Callback<Resp>) => Promise<void>;
type EngineLevel = "advisory" | "mandatory" | "remediate" | "disabled";

interface PolicyServer {
    makeAnalyzeRpcFun(packName: string, packVersion: string, packLevel: EngineLevel, policies: Policies):
        Handler<analyzer_pb.AnalyzeRequest, analyzer_pb.AnalyzeResponse>;
    makeAnalyzeStackRpcFun(packName: string, packVersion: string, packLevel: EngineLevel, policies: Policies):
        Handler<analyzer_pb.AnalyzeStackRequest, analyzer_pb.AnalyzeResponse>;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
const server: PolicyServer = require("@pulumi/policy/server");

/** The identity of a list of policies that is not (a subset of) this project's pack, e.g. a test's own policy. */
export const HARNESS_PACK: PackIdentity = { name: "vbr-dr-harness", version: "0.0.0" };
/** `new PolicyPack` defaults the pack's level to advisory; a policy without its own level gets that. */
const PACK_DEFAULT_LEVEL: EngineLevel = "advisory";

/**
 * The identity the engine would report for these policies. The real pack is loaded lazily, so the harness
 * itself does not depend on it (the offline plan must work before the pack exists).
 */
export function packIdentityOf(policies: Policies): PackIdentity {
    let real: { packName?: unknown; packVersion?: unknown; policies?: unknown };
    try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        real = require("../../policies/pack");
    } catch {
        return HARNESS_PACK;
    }
    const own = Array.isArray(real.policies) ? (real.policies as Policies) : [];
    const fromRealPack = policies.length > 0 && policies.every((p) => own.includes(p));
    return fromRealPack && typeof real.packName === "string" && typeof real.packVersion === "string"
        ? { name: real.packName, version: real.packVersion }
        : HARNESS_PACK;
}

function call<Req, Resp>(handler: Handler<Req, Resp>, request: Req): Promise<Resp> {
    return new Promise((resolve, reject) => {
        void handler({ request }, (err, resp) => (err ? reject(err) : resolve(resp as Resp)));
    });
}

// ---- config: the CLI validates it against each policy's schema and fills in defaults -------------------

type JsonSchema = Record<string, unknown>;

function typeMatches(type: unknown, v: unknown): boolean {
    const types = Array.isArray(type) ? type : [type];
    return types.some((t) => {
        switch (t) {
            case "integer": return typeof v === "number" && Number.isInteger(v);
            case "number": return typeof v === "number" && Number.isFinite(v);
            case "string": return typeof v === "string";
            case "boolean": return typeof v === "boolean";
            case "array": return Array.isArray(v);
            case "object": return typeof v === "object" && v !== null && !Array.isArray(v);
            case "null": return v === null;
            default: return true;
        }
    });
}

/** The subset of JSON Schema the pack's config uses: type, minimum/maximum (and exclusive), enum. */
function checkValue(where: string, schema: JsonSchema, v: unknown, problems: string[]): void {
    if (schema.type !== undefined && !typeMatches(schema.type, v)) {
        problems.push(`${where}: ${JSON.stringify(v)} is not of type ${JSON.stringify(schema.type)}`);
        return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
        problems.push(`${where}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    if (typeof v === "number") {
        const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
        if (typeof minimum === "number" && v < minimum) problems.push(`${where}: ${v} is below the minimum ${minimum}`);
        if (typeof maximum === "number" && v > maximum) problems.push(`${where}: ${v} is above the maximum ${maximum}`);
        if (typeof exclusiveMinimum === "number" && v <= exclusiveMinimum) problems.push(`${where}: ${v} must be greater than ${exclusiveMinimum}`);
        if (typeof exclusiveMaximum === "number" && v >= exclusiveMaximum) problems.push(`${where}: ${v} must be less than ${exclusiveMaximum}`);
    }
}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * The config each policy receives from `getConfig()`: schema defaults overlaid with the given values, after
 * checking the values against the schema. Throws PolicyConfigError listing every problem.
 */
export function resolvePolicyConfig(policies: Policies, config: Record<string, Record<string, unknown>> = {}):
    Map<string, { level?: EngineLevel; values: Record<string, unknown> }> {
    const problems: string[] = [];
    const byName = new Map(policies.map((p) => [p.name, p] as const));
    for (const name of Object.keys(config)) {
        if (!byName.has(name)) problems.push(`${name}: no such policy in the pack`);
    }
    const resolved = new Map<string, { level?: EngineLevel; values: Record<string, unknown> }>();
    for (const p of policies) {
        const given = config[p.name] ?? {};
        const schema: PolicyConfigSchema | undefined = p.configSchema;
        const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
        const values: Record<string, unknown> = {};
        let level: EngineLevel | undefined;
        for (const [k, v] of Object.entries(given)) {
            if (k === "enforcementLevel") {
                if (typeof v !== "string" || !LEVELS.includes(v)) problems.push(`${p.name}.enforcementLevel: ${JSON.stringify(v)} is not one of ${LEVELS.join(", ")}`);
                else level = v as EngineLevel;
                continue;
            }
            const s = props[k];
            if (!s) {
                problems.push(`${p.name}.${k}: not in the policy's config schema (known: ${Object.keys(props).join(", ") || "none"})`);
                continue;
            }
            checkValue(`${p.name}.${k}`, s, v, problems);
            values[k] = v;
        }
        for (const [k, s] of Object.entries(props)) {
            if (values[k] === undefined && s.default !== undefined) values[k] = s.default;
        }
        for (const k of schema?.required ?? []) {
            if (values[k] === undefined) problems.push(`${p.name}.${k}: required`);
        }
        resolved.set(p.name, { level, values });
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return resolved;
}

// ---- policy config derived from the stack's config ----------------------------------------------------

/**
 * Where a policy config value comes from when no CLI is there to be told (`--policy-pack-config`): a stack config
 * key, or a setting of the offline plan run. The offline plan applies these per stack, and prints the result for
 * the real CLI (`npm start -- --policy-config-out <file>`), so the pack judges a stack by the stack's own
 * objective. An entry applies only when the pack has the policy with that property in its config schema and, for
 * a stack key, when the stack's config has the key: another project's stacks are unaffected.
 */
export interface PolicyConfigSource {
    policy: string;
    property: string;
    /** A fully qualified stack config key (defaults from Pulumi.yaml count). */
    stackKey?: string;
    /** A setting of the run: the offline plan's `--parallel`. */
    setting?: keyof PolicyConfigSettings;
    /** Only when this stack config key has this value. The first source that applies to a property wins. */
    when?: { stackKey: string; equals: string };
}

export interface PolicyConfigSettings {
    /** `pulumi up --parallel` the bring-up model assumes. */
    parallel?: number;
}

/** This project's mapping: the RTO policy judges by the stack's objective and storage, at the plan's parallelism. */
export const POLICY_CONFIG_SOURCES: readonly PolicyConfigSource[] = [
    // A drill restores its own copy from backups (with RDS's baseline backup): it is judged against its own objective.
    { policy: "dr-bringup-rto-objective", property: "objectiveMinutes", stackKey: "vbr:drillRtoObjectiveMinutes", when: { stackKey: "vbr:drState", equals: "drill" } },
    { policy: "dr-bringup-rto-objective", property: "objectiveMinutes", stackKey: "vbr:rtoObjectiveMinutes" },
    { policy: "dr-bringup-rto-objective", property: "allocatedStorageGiB", stackKey: "vbr:dbAllocatedStorageGiB" },
    { policy: "dr-bringup-rto-objective", property: "parallel", setting: "parallel" },
];

const applies = (src: PolicyConfigSource, stackConfig: Record<string, string>): boolean =>
    src.when === undefined || stackConfig[src.when.stackKey] === src.when.equals;

/**
 * The stack config key a policy property is read from for this stack config (the first source that applies and
 * is set), e.g. the RTO objective's key for a stack in `drill`.
 */
export function stackKeyFor(policy: string, property: string, stackConfig: Record<string, string>,
    sources: readonly PolicyConfigSource[] = POLICY_CONFIG_SOURCES): string | undefined {
    return sources.find((s) => s.policy === policy && s.property === property && s.stackKey !== undefined && applies(s, stackConfig) &&
        Object.prototype.hasOwnProperty.call(stackConfig, s.stackKey))?.stackKey;
}

/** The RTO objective a DR stack in `state` is judged against, from its stack config (the pack's default otherwise). */
export function rtoObjectiveMinutes(stackConfig: Record<string, string>, state: string | undefined = stackConfig["vbr:drState"]): number {
    const config = state === undefined ? stackConfig : { ...stackConfig, "vbr:drState": state };
    const key = stackKeyFor("dr-bringup-rto-objective", "objectiveMinutes", config);
    const value = key === undefined ? NaN : Number(config[key]);
    return Number.isFinite(value) ? value : RTO_OBJECTIVE_MINUTES;
}

/** A stack config value (always a string, as in PULUMI_CONFIG) as the schema's type wants it. */
function fromConfigString(raw: string, schema: JsonSchema): unknown {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.includes("string")) return raw;
    if (types.includes("integer") || types.includes("number")) {
        const n = raw.trim() === "" ? NaN : Number(raw);
        return Number.isFinite(n) ? n : raw;
    }
    if (types.includes("boolean")) return raw === "true" ? true : raw === "false" ? false : raw;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/**
 * The per-policy config (`{ policy: { property: value } }`) the stack's config and the run's settings give this
 * pack; schema defaults are not included (the engine and resolvePolicyConfig add them). Throws PolicyConfigError,
 * naming the stack key, when a derived value breaks the policy's schema (e.g. above its maximum).
 */
export function policyConfigFromStack(policies: Policies, stackConfig: Record<string, string>,
    settings: PolicyConfigSettings = {}, sources: readonly PolicyConfigSource[] = POLICY_CONFIG_SOURCES):
    Record<string, Record<string, unknown>> {
    const byName = new Map(policies.map((p) => [p.name, p] as const));
    const config: Record<string, Record<string, unknown>> = {};
    const origin = new Map<string, string>();
    for (const src of sources) {
        const schema = (byName.get(src.policy)?.configSchema?.properties ?? {}) as Record<string, JsonSchema>;
        const prop = schema[src.property];
        if (!prop || config[src.policy]?.[src.property] !== undefined || !applies(src, stackConfig)) continue;
        let value: unknown;
        if (src.stackKey !== undefined) {
            if (!Object.prototype.hasOwnProperty.call(stackConfig, src.stackKey)) continue;
            value = fromConfigString(stackConfig[src.stackKey], prop);
            origin.set(`${src.policy}.${src.property}`, `stack config ${src.stackKey} = ${JSON.stringify(stackConfig[src.stackKey])}`);
        } else if (src.setting !== undefined) {
            value = settings[src.setting];
            if (value === undefined) continue;
            origin.set(`${src.policy}.${src.property}`, `--${src.setting} ${String(value)}`);
        } else {
            continue;
        }
        (config[src.policy] ??= {})[src.property] = value;
    }
    try {
        resolvePolicyConfig(policies, config);
    } catch (err) {
        if (!(err instanceof PolicyConfigError)) throw err;
        throw new PolicyConfigError(err.problems.map((p) => {
            const where = p.slice(0, p.indexOf(":"));
            return origin.has(where) ? `${p} (from ${origin.get(where)})` : p;
        }));
    }
    return config;
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

function struct(props: Record<string, unknown>): struct_pb.Struct {
    return struct_pb.Struct.fromJavaScript((toWire(props) ?? {}) as Record<string, struct_pb.JavaScriptValue>);
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

// eslint-disable-next-line @typescript-eslint/no-var-requires
const AWS_VERSION: string = require("@pulumi/aws/package.json").version;

function providerResolver(resources: RecordedResource[], stackRegion: string): (r: RecordedResource) => ProviderInfo | undefined {
    const byUrn = new Map(resources.map((r) => [r.urn, r] as const));
    return (r) => {
        if (r.provider) {
            const { urn } = parseProviderRef(r.provider);
            const p = byUrn.get(urn);
            const parts = urnParts(urn);
            // A default provider the recorder did not record is the engine's default: the stack's config.
            const inputs = p ? p.inputs : parts.type === "pulumi:providers:aws" ? { region: stackRegion } : {};
            return { urn, type: p?.type ?? parts.type, name: p?.name ?? parts.name, inputs };
        }
        if (!r.custom || r.type.startsWith("pulumi:providers:")) return undefined;
        const pkg = r.type.split(":")[0];
        if (pkg === "pulumi") return undefined; // StackReference and other builtins have no provider plugin
        const { stack, project } = urnParts(r.urn);
        const version = pkg === "aws" ? AWS_VERSION : "0.0.0";
        const name = `default_${version.replace(/\./g, "_")}`;
        const type = `pulumi:providers:${pkg}`;
        return {
            urn: `urn:pulumi:${stack}::${project}::${type}::${name}`, type, name,
            // The default aws provider reads `aws:region` from the stack's config.
            inputs: pkg === "aws" ? { region: stackRegion } : {},
        };
    };
}

function optionsOf(r: RecordedResource): analyzer_pb.AnalyzerResourceOptions {
    const o = new analyzer_pb.AnalyzerResourceOptions();
    o.setProtect(r.protect);
    if (r.parent) o.setParent(r.parent);
    o.setCustomtimeouts(new analyzer_pb.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

function providerOf(p: ProviderInfo | undefined): analyzer_pb.AnalyzerProviderResource | undefined {
    if (!p) return undefined;
    const pr = new analyzer_pb.AnalyzerProviderResource();
    pr.setType(p.type);
    pr.setName(p.name);
    pr.setUrn(p.urn);
    pr.setProperties(struct(p.inputs));
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
    for (const r of resources) {
        collect(await call(analyzeFn, analyzeRequest(r, providerFor(r))), r.urn, out);
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
