// Policy config as the CLI handles it: each value checked against its policy's JSON schema, defaults filled in;
// and the config this project derives from a stack's config where no CLI is there to pass it (the offline plan).
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import type { Policies, PolicyConfigSchema } from "@pulumi/policy";
import { RTO_OBJECTIVE_MINUTES } from "../../policies/model/plan";

/** A config that the engine would refuse (below a floor, wrong type, unknown key). Lists every problem. */
export class PolicyConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid policy pack config:\n  - ${problems.join("\n  - ")}`);
        this.name = "PolicyConfigError";
    }
}

/** The levels a config's `enforcementLevel` may set. */
export type EngineLevel = "advisory" | "mandatory" | "remediate" | "disabled";

type JsonSchema = Record<string, unknown>;

/** Unknown keywords (annotations a pack may add) are ignored, as the CLI's validator does. Made on first use. */
let ajv: Ajv | undefined;
const validators = new WeakMap<JsonSchema, ValidateFunction>();

function problemOf(error: ErrorObject): string {
    const v = error.data;
    switch (error.keyword) {
        case "minimum": return `${v} is below the minimum ${error.params.limit}`;
        case "maximum": return `${v} is above the maximum ${error.params.limit}`;
        case "exclusiveMinimum": return `${v} must be greater than ${error.params.limit}`;
        case "exclusiveMaximum": return `${v} must be less than ${error.params.limit}`;
        case "enum": return `${JSON.stringify(v)} is not one of ${JSON.stringify(error.params.allowedValues)}`;
        default: return `${JSON.stringify(v)} ${error.message}`;
    }
}

/** What is wrong with a config value for its property's JSON schema, one line each; a wrong type is said alone. */
function schemaProblems(where: string, schema: JsonSchema, v: unknown): string[] {
    let validate = validators.get(schema);
    if (!validate) validators.set(schema, (validate = (ajv ??= new Ajv({ allErrors: true, strict: false, verbose: true })).compile(schema)));
    if (validate(v)) return [];
    const errors = validate.errors ?? [];
    if (errors.some((e) => e.keyword === "type" && e.instancePath === "")) return [`${where}: ${JSON.stringify(v)} is not of type ${JSON.stringify(schema.type)}`];
    return errors.map((e) => `${where}${e.instancePath.replace(/\//g, ".")}: ${problemOf(e)}`);
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
            problems.push(...schemaProblems(`${p.name}.${k}`, s, v));
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

/** This project's mapping: the RTO policy judges by the stack's objective and storage, at the plan's parallelism; the residency policy by the stack's zone. */
export const POLICY_CONFIG_SOURCES: readonly PolicyConfigSource[] = [
    // A drill restores its own copy from backups (with RDS's baseline backup): it is judged against its own objective.
    { policy: "dr-bringup-rto-objective", property: "objectiveMinutes", stackKey: "vbr:drillRtoObjectiveMinutes", when: { stackKey: "vbr:drState", equals: "drill" } },
    { policy: "dr-bringup-rto-objective", property: "objectiveMinutes", stackKey: "vbr:rtoObjectiveMinutes" },
    { policy: "dr-bringup-rto-objective", property: "allocatedStorageGiB", stackKey: "vbr:dbAllocatedStorageGiB" },
    { policy: "dr-bringup-rto-objective", property: "parallel", setting: "parallel" },
    // Every copy stays in the zone the stack's own configuration names.
    { policy: "data-residency-copy-links", property: "zone", stackKey: "vbr:residency" },
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
