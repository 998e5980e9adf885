// The typed stack configuration: every key the program reads, validated once, before any resource exists.
//
// One zod schema (CONFIG_SCHEMA) holds each key's shape and default; the types derive from it. Pulumi.yaml declares
// the same keys with the same types and defaults for the CLI (a test holds the two together). Every problem, of a
// key's shape or of the rules that tie keys together, is reported at once, so a user fixes a stack file in one pass.
import { z } from "zod";
import {
    DAILY_RETENTION_FLOOR_DAYS, DR_PLAN_RTO_MINUTES, RPO_OBJECTIVE_MINUTES, RTO_OBJECTIVE_MINUTES, VAULT_LOCK_GRACE_DAYS,
    WEEKLY_RETENTION_FLOOR_DAYS,
} from "../policies/model/plan";
import { restoreFollowsFailback } from "../components/database-failback";
import { AWS_REGIONS, MIN_PEER_DISTANCE_KM, RESIDENCY_ZONES } from "../policies/model/regions";
import { DR_DATABASE_MODES, DR_STATES, PRIMARY_STATES, ROLES, VAULT_LOCK_MODES, VaultLockMode } from "../policies/model/states";
import { residencyChecks } from "./residency";

/** AWS commercial regions this program may deploy to: the residency table's (policies/data/regions.json). */
export { AWS_REGIONS };

/** Where the program runs: the backend's organization and this project (StackReference names are qualified with them). */
export interface Backend {
    /** `pulumi.getOrganization()`: the Pulumi Cloud organization, or `organization` on a self-managed (DIY) backend. */
    organization: string;
    project: string;
}

/** What a self-managed (S3, file) backend reports as its organization: every stack there is `organization/<project>/<stack>`. */
export const DIY_ORGANIZATION = "organization";

/** One thing wrong with the configuration: the key, the bad value, and what is allowed. */
export interface ConfigProblem {
    key: string;
    value: string | undefined;
    message: string;
}

export class ConfigError extends Error {
    constructor(readonly stack: string, readonly problems: ConfigProblem[]) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
    }
}

export function formatProblems(stack: string, problems: ConfigProblem[], heading?: string): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p) => `  ${p.key} = ${p.value === undefined ? "(not set)" : JSON.stringify(p.value)}: ${p.message}`);
    return [heading ?? `Invalid configuration for stack "${stack}" (${problems.length} ${noun}):`, ...lines].join("\n");
}

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { errorMap: () => ({ message: `must be one of: ${values.join(", ")}` }) });

/** A whole number: the engine passes config values as strings, so a string of digits is read as one. */
const integer = (min: number, max: number, why = "") => {
    const shape = `must be a whole number from ${min} to ${max}`;
    return z.preprocess((v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v),
        z.number({ invalid_type_error: shape }).int(shape).min(min, { message: `must be at least ${min}${why}` }).max(max, { message: `must be at most ${max}` }));
};

/** `true` or `false`, as the engine passes them. */
const boolean = () => z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean({ invalid_type_error: "must be true or false" }));

const pattern = (re: RegExp, what: string) => z.string().trim().regex(re, { message: what });

/** Another stack of the pair: a bare stack name (qualified with this stack's organization and project) or `<org>/<project>/<stack>`. */
const stackName = (which: string, example: string) => pattern(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)?$/,
    `must be the ${which}'s stack name (${example}), qualified with this stack's organization and project, or <org>/<project>/<stack>`);

/** The failback id: the failback's UTC start to the minute, as `npm run failback` sets it (restoreStamp's form). */
const FAILBACK_ID = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})$/;

/**
 * Every key the program reads, by its name in the key (`vbr:peerRegion` is `peerRegion`), in the order problems are
 * reported. Unset (absent or empty) is allowed only for `.optional()` keys; a `.default()` applies to an absent key, as
 * the CLI applies Pulumi.yaml's, or to an empty one too when it wraps `.optional()`. The provider's key: PROVIDER_KEYS.
 */
export const CONFIG_SCHEMA = z.object({
    /** Where this stack's own resources live. */
    region: oneOf(AWS_REGIONS),
    role: oneOf(ROLES),
    /** The other stack's region, where copies of this stack's data go. */
    peerRegion: oneOf(AWS_REGIONS),
    /** The residency zone the customer's data must stay in (policies/data/regions.json): this region and the peer lie in it. */
    residency: oneOf(RESIDENCY_ZONES),
    /** The least great-circle distance between this region and the peer (geographically distant). */
    minPeerDistanceKm: integer(100, 20000, " (AWS keeps a region's Availability Zones within 100 km of each other: a closer peer could share their disasters)").default(MIN_PEER_DISTANCE_KM),
    /** What the DR stack runs; always `standby` on the primary. */
    drState: oneOf(DR_STATES).default("standby"),
    /** How an active DR stack gets a writable database. */
    drDatabase: oneOf(DR_DATABASE_MODES).default("replica"),
    /** The name fragment every resource name starts from (`vbr-<environment>-...`). */
    environment: pattern(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/,
        // The longest generated name: the load balancer `vbr-<environment>-app-alb-<7 random>`, at most 32 characters (ELB).
        "must be 2-12 lower-case letters, digits or hyphens, starting with a letter (it is part of S3 bucket names, and the " +
        "load balancer's generated name vbr-<environment>-app-alb-<7 random characters> must fit AWS's 32 characters)").default("prod"),
    backupRetentionDays: integer(DAILY_RETENTION_FLOOR_DAYS, 3650, " (the DR plan's 35-day operational retention is a floor)").default(DAILY_RETENTION_FLOOR_DAYS),
    weeklyRetentionDays: integer(WEEKLY_RETENTION_FLOOR_DAYS, 3650, " (the DR plan keeps weekly copies for a year)").default(WEEKLY_RETENTION_FLOOR_DAYS),
    dbInstanceClass: pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.r6g.large").default("db.r6g.large"),
    dbAllocatedStorageGiB: integer(20, 65536).default(100),
    /** The PostgreSQL major version; RDS applies minor upgrades itself. */
    dbEngineVersion: pattern(/^\d+$/, "must be a PostgreSQL major version such as 16: RDS applies minor upgrades itself (autoMinorVersionUpgrade), " +
        "and a pinned minor such as 16.4 makes every pulumi up after the first automatic upgrade plan a downgrade that RDS refuses " +
        "(hashicorp/terraform-provider-aws#39579); change the major version deliberately").default("16"),
    /** The primary stack the DR stack reads (required on `dr`): a bare stack name is qualified with the backend's organization and this project. */
    primaryStack: stackName("primary", "primary").optional(),
    /** What the primary does: serve, or recover from the DR stack's serving data after a failover (the failback). */
    primaryState: oneOf(PRIMARY_STATES).default("serving"),
    /** The DR stack the recovering primary copies its database from (primary only; required in `recovering`). */
    drStack: stackName("DR stack", "dr").optional(),
    /**
     * Names the primary's failback instance (`vbr-<env>-postgres-fb<id>`): the failback's UTC start, which also orders
     * it against corruption restores. Kept set while that instance serves, like vbr:dbRestoreTime.
     */
    dbFailbackId: z.string().trim().regex(FAILBACK_ID, {
        message: "must be the failback's UTC start as yyyymmddthhmm, e.g. 20261204t0930 (npm run failback sets it): it names the failback instance " +
            "vbr-<environment>-postgres-fb<id> and orders it against corruption restores",
    }).refine((s) => !Number.isNaN(Date.parse(s.replace(FAILBACK_ID, "$1-$2-$3T$4:$5:00Z"))), { message: "is not a real date and time" }).optional(),
    /**
     * The DR stack in failover: region A answers again, so the serving DR stack owns the copy links back to it (S3 and
     * ECR replication). False while region A is down: then nothing in the DR stack calls region A's API.
     */
    peerRegionAvailable: boolean().optional().default(false),
    /** The failover bring-up objective the RTO policy judges. */
    rtoObjectiveMinutes: integer(5, DR_PLAN_RTO_MINUTES).default(RTO_OBJECTIVE_MINUTES),
    /** A drill's objective (its copy is a restore, with the baseline backup). */
    drillRtoObjectiveMinutes: integer(5, DR_PLAN_RTO_MINUTES).default(DR_PLAN_RTO_MINUTES),
    rpoObjectiveMinutes: integer(1, 1440).default(RPO_OBJECTIVE_MINUTES),
    /** The public name customers use; failover records live under it. */
    domainName: pattern(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as app.example.com"),
    hostedZoneId: pattern(/^Z[A-Z0-9]{4,32}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
    appImageTag: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image tag (letters, digits, _ . -)").default("stable"),
    serviceDesiredCount: integer(1, 100).default(3),
    serviceMaxCount: integer(1, 200).default(12),
    availabilityZoneCount: integer(2, 3, " (the load balancer and Multi-AZ database need two AZs)").default(3),
    /**
     * Corruption runbook: restore the database to this instant as a new instance named after it
     * (`vbr-<env>-postgres-r<stamp>`), so a later restore time adds an instance and never replaces this one.
     */
    dbRestoreTime: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, { message: "must be a UTC instant such as 2026-11-29T13:45:00Z" })
        .refine((s) => !Number.isNaN(Date.parse(s)), { message: "is not a real date and time" }).optional(),
    /**
     * The instance the corruption restore reads (with dbRestoreTime only); unset means the stack's original one. A second
     * corruption names the restore that serves now, so the writes made since the first restore are kept.
     */
    dbRestoreSource: pattern(/^(?!.*--)[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/, // RDS DB instance identifier rules
        "must be an RDS DB instance identifier: 1-63 lower-case letters, digits or hyphens, starting with a letter, not ending with a hyphen and without \"--\" (the instance to restore from, e.g. the serving restore vbr-prod-postgres-r20261129t1345)").optional(),
    /** Optional address subscribed to the incident topic. */
    alertEmail: pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an e-mail address").optional(),
    /** Deprecated: no effect (DEPRECATED). */
    restoredDbBackupsEnabled: boolean().optional(),
    /**
     * Names this drill's leftovers (the drill copy's final snapshot `<db>-final-<drillId>`), so every drill can be torn
     * down without deleting the previous drill's snapshot first; RDS allows no trailing hyphen and no "--" there.
     */
    drillId: pattern(/^(?!.*--)[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/,
        "must be 1-20 lower-case letters, digits or hyphens, not starting or ending with a hyphen and without \"--\" (it ends the drill copy's final snapshot identifier), e.g. 20261129t2015").default("manual"),
    /** False only for the primary's first install, before the first image is in ECR. */
    serviceEnabled: boolean().optional().default(true),
    /** Unset: compliance for `prod`, governance otherwise (defaultVaultLockMode). */
    vaultLockMode: oneOf(VAULT_LOCK_MODES).optional(),
    /** Compliance mode's changeableForDays. */
    vaultLockGraceDays: integer(3, 36500, " (AWS Backup's minimum changeableForDays)").default(VAULT_LOCK_GRACE_DAYS),
    /**
     * Object Lock mode of the audit record: the CloudTrail log bucket's default retention and the DR event records the
     * runners write. Unset: compliance for `prod`, governance otherwise (the vault lock's rule, defaultVaultLockMode).
     */
    auditLockMode: oneOf(VAULT_LOCK_MODES).optional(),
});

export type ConfigField = keyof typeof CONFIG_SCHEMA.shape;
/** Every key's value once parsed. */
export type ConfigValues = z.output<typeof CONFIG_SCHEMA>;

/** The keys of another namespace than the project's: the AWS provider's region. */
const PROVIDER_KEYS: Partial<Record<ConfigField, string>> = { region: "aws" };
const FIELDS = Object.keys(CONFIG_SCHEMA.shape) as ConfigField[];

/** The fully qualified key of a field: `vbr:peerRegion`, `aws:region`. */
export const configKey = (field: ConfigField): string => `${PROVIDER_KEYS[field] ?? "vbr"}:${field}`;

/** Every key the program reads, with the namespace it lives in. Pulumi.yaml declares the same set (but `aws:region`). */
export const CONFIG_KEYS: readonly string[] = FIELDS.map(configKey);
export type RawConfig = Partial<Record<string, string>>;

type Settings = Omit<ConfigValues, "role" | "primaryStack" | "drStack" | "vaultLockMode" | "auditLockMode" | "restoredDbBackupsEnabled"> & {
    /** With its default applied: compliance for `prod`, governance otherwise. */
    vaultLockMode: VaultLockMode;
    /** With its default applied: compliance for `prod`, governance otherwise. */
    auditLockMode: VaultLockMode;
};
/**
 * The validated configuration of a stack: `dr` carries the fully qualified `<org>/<project>/<stack>` of the primary it
 * reads; the primary may name its DR stack the same way (read while it recovers).
 */
export type StackConfig = (Settings & { role: "primary"; primaryStack?: undefined; drStack?: string })
    | (Settings & { role: "dr"; primaryStack: string; drStack?: undefined });

const REQUIRED = "is required; set it in Pulumi.<stack>.yaml or with `pulumi config set`";

/** Whether a key may be left unset (absent or empty), and whether it may be absent (a default applies). */
function unsetAllowed(schema: z.ZodTypeAny, value: string | undefined): boolean {
    if (schema instanceof z.ZodOptional) return true;
    if (!(schema instanceof z.ZodDefault)) return false;
    return value === undefined || schema.removeDefault() instanceof z.ZodOptional;
}

/**
 * Validates raw configuration (key -> string, as the engine passes it) and returns the typed config.
 * Throws a ConfigError listing every problem when anything is wrong.
 */
export function parseStackConfig(stack: string, raw: RawConfig, backend: Backend = { organization: DIY_ORGANIZATION, project: "vbr" }): StackConfig {
    const problems: ConfigProblem[] = [];
    const values: Partial<ConfigValues> = {};
    for (const field of FIELDS) {
        const key = configKey(field);
        const schema: z.ZodTypeAny = CONFIG_SCHEMA.shape[field];
        const value = raw[key];
        const unset = value === undefined || value === "";
        if (unset && !unsetAllowed(schema, value)) {
            problems.push({ key, value, message: REQUIRED });
            continue;
        }
        const result = schema.safeParse(unset ? undefined : value);
        if (!result.success) problems.push({ key, value, message: result.error.issues[0].message });
        else if (result.data !== undefined) (values as Record<string, unknown>)[field] = result.data;
    }
    problems.push(...crossChecks(raw, values, backend));
    if (problems.length > 0) throw new ConfigError(stack, problems);

    // Every key parsed: the required ones have values, and crossChecks guarantees primaryStack on `dr`.
    const { role, primaryStack, drStack, vaultLockMode, auditLockMode, restoredDbBackupsEnabled: _deprecated, ...settings } = values as ConfigValues;
    const lockDefault = defaultVaultLockMode(settings.environment);
    const common = { ...settings, vaultLockMode: vaultLockMode ?? lockDefault, auditLockMode: auditLockMode ?? lockDefault };
    return role === "dr" ? { ...common, role, primaryStack: qualifyStack(primaryStack as string, backend) }
        : { ...common, role, drStack: drStack === undefined ? undefined : qualifyStack(drStack, backend) };
}

/** A bare stack name, qualified as the engine resolves it: `<organization>/<project>/<stack>`. */
export function qualifyStack(name: string, backend: Backend): string {
    return name.includes("/") ? name : `${backend.organization}/${backend.project}/${name}`;
}

/**
 * Compliance mode protects production's recovery points and audit record from an administrator (ransomware, or someone
 * covering their tracks); other environments test in governance. The default of vbr:vaultLockMode and vbr:auditLockMode.
 */
export function defaultVaultLockMode(environment: string): VaultLockMode {
    return environment === "prod" ? "compliance" : "governance";
}

/** Keys that are still accepted but no longer do anything: set -> a warning that says why. */
const DEPRECATED: Partial<Record<ConfigField, string>> = {
    restoredDbBackupsEnabled: "has no effect any more and can be removed: restores keep automated backups from the start, because RDS takes " +
        "a baseline backup after every restore whatever the program asks (docs/aws-facts.md)",
};

/** One warning per deprecated key that is set. */
export function deprecationWarnings(raw: RawConfig): string[] {
    return Object.entries(DEPRECATED)
        .map(([field, why]) => [configKey(field as ConfigField), why])
        .filter(([key]) => (raw[key] ?? "") !== "")
        .map(([key, why]) => `${key} = ${JSON.stringify(raw[key])} ${why}`);
}

/** Rules that relate keys to each other; only checked for keys whose own shape was valid. */
function crossChecks(raw: RawConfig, v: Partial<ConfigValues>, backend: Backend): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const problem = (key: string, message: string) => problems.push({ key, value: raw[key], message });
    for (const [key, name, bare] of [["vbr:primaryStack", v.primaryStack, "primary"], ["vbr:drStack", v.drStack, "dr"]] as const) {
        if (name?.includes("/") && backend.organization === DIY_ORGANIZATION && !name.startsWith(`${DIY_ORGANIZATION}/`)) {
            problem(key, `names organization "${name.split("/")[0]}", but this stack runs on a self-managed (DIY) backend, where every stack is ` +
                `${DIY_ORGANIZATION}/<project>/<stack>: set the stack name alone (${bare}) or ${DIY_ORGANIZATION}/${backend.project}/<stack>`);
        }
    }
    if (v.role === "dr" && v.serviceEnabled === false) {
        problem("vbr:serviceEnabled", "applies to the primary's first install only: the DR stack runs no service in standby and must run it in drill and failover");
    }
    if (v.region !== undefined && v.peerRegion !== undefined && v.region === v.peerRegion) {
        problem("vbr:peerRegion", `must differ from aws:region ("${v.region}"): copies in the same region do not survive a regional outage`);
    } else {
        problems.push(...residencyChecks(raw, v));
    }
    if (v.backupRetentionDays !== undefined && v.weeklyRetentionDays !== undefined && v.weeklyRetentionDays < v.backupRetentionDays) {
        problem("vbr:weeklyRetentionDays", `must be at least vbr:backupRetentionDays (${v.backupRetentionDays}): weekly copies outlive daily ones`);
    }
    // An empty value counts as unset; a malformed one already has its own problem.
    if (v.role === "dr" && v.primaryStack === undefined && (raw["vbr:primaryStack"] ?? "") === "") {
        problems.push({
            key: "vbr:primaryStack", value: undefined,
            message: "is required when vbr:role is dr: the DR stack reads the primary's database and secret from it (e.g. acme/vbr/primary)",
        });
    }
    if (v.role === "primary" && v.drState !== undefined && v.drState !== "standby") {
        problem("vbr:drState", "must be standby when vbr:role is primary: drill and failover apply to the dr stack only");
    }
    if (v.serviceDesiredCount !== undefined && v.serviceMaxCount !== undefined && v.serviceMaxCount < v.serviceDesiredCount) {
        problem("vbr:serviceMaxCount", `must be at least vbr:serviceDesiredCount (${v.serviceDesiredCount})`);
    }
    if (v.dbRestoreTime !== undefined && !(v.role === "primary" || v.drState === "failover")) {
        problem("vbr:dbRestoreTime", "applies only to the stack that serves traffic (vbr:role primary, or dr in failover)");
    }
    // Judged on the raw value: a malformed source still says it needs a restore time, in the same pass.
    if ((raw["vbr:dbRestoreSource"] ?? "") !== "" && (raw["vbr:dbRestoreTime"] ?? "") === "") {
        problem("vbr:dbRestoreSource", "is only valid together with vbr:dbRestoreTime: it names the instance a corruption restore reads; " +
            "set vbr:dbRestoreTime to the last good UTC instant, or remove vbr:dbRestoreSource");
    }
    problems.push(...failbackChecks(raw, v));
    return problems;
}

/** The failback's keys: each only where it means something, and what `recovering` needs. */
function failbackChecks(raw: RawConfig, v: Partial<ConfigValues>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const problem = (key: string, message: string) => problems.push({ key, value: raw[key], message });
    const set = (key: string) => (raw[key] ?? "") !== "";
    if (v.role === "dr") {
        if (v.primaryState !== undefined && v.primaryState !== "serving") {
            problem("vbr:primaryState", "applies to the primary only (vbr:role primary): the DR stack's states are vbr:drState");
        }
        if (set("vbr:drStack")) problem("vbr:drStack", "applies to the primary only: the DR stack reads the primary through vbr:primaryStack");
        if (set("vbr:dbFailbackId")) problem("vbr:dbFailbackId", "applies to the primary only: it names the primary's failback instance");
    }
    if (v.peerRegionAvailable === true && !(v.role === "dr" && v.drState === "failover")) {
        problem("vbr:peerRegionAvailable", "applies only to the dr stack in failover (vbr:drState failover): it says the primary's region answers " +
            "again, so the serving DR stack replicates back to it; remove it otherwise");
    }
    if (v.role === "primary" && v.primaryState === "recovering") {
        if (v.drStack === undefined && !set("vbr:drStack")) {
            problems.push({ key: "vbr:drStack", value: undefined, message: "is required when vbr:primaryState is recovering: the primary's new database " +
                "replicates from the DR stack's serving instance, read through it (e.g. dr)" });
        }
        if (v.dbFailbackId === undefined && !set("vbr:dbFailbackId")) {
            problems.push({ key: "vbr:dbFailbackId", value: undefined, message: "is required when vbr:primaryState is recovering: it names the " +
                "failback instance vbr-<environment>-postgres-fb<id> (the failback's UTC start, e.g. 20261204t0930)" });
        }
        if (v.dbRestoreTime !== undefined && v.dbFailbackId !== undefined && restoreFollowsFailback(v.dbRestoreTime, v.dbFailbackId)) {
            problem("vbr:dbRestoreTime", `is later than the failback ${v.dbFailbackId}: a corruption restore of the failback instance can only ` +
                "serve once it is promoted (vbr:primaryState serving); while recovering, keep the restore time the primary had before the failover");
        }
    }
    return problems;
}

/** RFC 2606 / RFC 6761 names reserved for documentation and tests: a domain under them is never a real service. */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/;

/**
 * Values the shipped stack files hold until an operator sets real ones: AWS's documentation convention for ids
 * (`...EXAMPLE`) and reserved example domains. The program refuses them in a real preview or update.
 */
export function placeholderProblems(cfg: Pick<StackConfig, "hostedZoneId" | "domainName">, stack: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (/EXAMPLE/i.test(cfg.hostedZoneId)) {
        problems.push({
            key: "vbr:hostedZoneId", value: cfg.hostedZoneId,
            message: `is the stack file's placeholder: set the Route 53 hosted zone that holds vbr:domainName (pulumi config set vbr:hostedZoneId <id> -s ${stack}; ` +
                "aws route53 list-hosted-zones-by-name --dns-name <zone> shows it)",
        });
    }
    if (RESERVED_DOMAIN.test(cfg.domainName)) {
        problems.push({
            key: "vbr:domainName", value: cfg.domainName,
            message: `is a reserved example name: set the service's public name (pulumi config set vbr:domainName app.<your domain> -s ${stack}); ` +
                "both stacks of a pair use the same name",
        });
    }
    return problems;
}

/**
 * The placeholder rule: a real engine (pulumi preview, up) refuses placeholders before any resource is registered;
 * under the SDK's mock monitor (the offline plan, unit tests) no AWS account is touched, so they are accepted and
 * the returned warning says so. Returns undefined when there is nothing to say.
 */
export function checkPlaceholders(cfg: Pick<StackConfig, "hostedZoneId" | "domainName">, stack: string, realEngine: boolean): string | undefined {
    const problems = placeholderProblems(cfg, stack);
    if (problems.length === 0) return undefined;
    if (realEngine) throw new ConfigError(stack, problems);
    return formatProblems(stack, problems,
        `stack "${stack}" still holds the stack files' placeholders (accepted offline; pulumi preview and up refuse them until set):`);
}

/** Every declared key's raw value from the engine's configuration. */
export function readRawConfig(get: (namespace: string, name: string) => string | undefined): RawConfig {
    const raw: RawConfig = {};
    for (const key of CONFIG_KEYS) {
        const [namespace, name] = key.split(":");
        raw[key] = get(namespace, name);
    }
    return raw;
}
