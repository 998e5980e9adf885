// The typed stack configuration: every key the program reads, validated once, before any resource exists.
//
// Pulumi.yaml declares each key (type, description, default). This module reads the raw values, checks
// their shapes and the rules that tie keys together, and reports every problem at once so a user fixes
// a stack file in one pass. Defaults are not repeated here: the Pulumi CLI applies the ones declared in
// Pulumi.yaml, and the offline plan applies them the same way (tools/lib/project.ts).
import { z } from "zod";
import { DAILY_RETENTION_FLOOR_DAYS, RDS_MAX_BACKUP_RETENTION_DAYS, WEEKLY_RETENTION_FLOOR_DAYS } from "../policies/model/plan";
import { DR_DATABASE_MODES, DR_STATES, DrDatabaseMode, DrState, Role, ROLES, VAULT_LOCK_MODES, VaultLockMode } from "../policies/model/states";

/** AWS commercial regions this program may deploy to. */
export const AWS_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ca-central-1", "ca-west-1", "mx-central-1", "sa-east-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-south-1", "eu-south-2", "eu-north-1",
    "af-south-1", "me-south-1", "me-central-1", "il-central-1",
    "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-7",
] as const;

export type Region = (typeof AWS_REGIONS)[number];

/** Where the program runs: the backend's organization and this project (StackReference names are qualified with them). */
export interface Backend {
    /** `pulumi.getOrganization()`: the Pulumi Cloud organization, or `organization` on a self-managed (DIY) backend. */
    organization: string;
    project: string;
}

/** What a self-managed (S3, file) backend reports as its organization: every stack there is `organization/<project>/<stack>`. */
export const DIY_ORGANIZATION = "organization";

export interface StackConfig {
    /** `aws:region`: where this stack's own resources live. */
    region: Region;
    /** `vbr:role`: `primary` serves traffic; `dr` holds the pilot light in the peer region. */
    role: Role;
    /** `vbr:peerRegion`: the other stack's region, where copies of this stack's data go. */
    peerRegion: Region;
    /** `vbr:drState`: what the DR stack runs; always `standby` on the primary. */
    drState: DrState;
    /** `vbr:drDatabase`: how an active DR stack gets a writable database. */
    drDatabase: DrDatabaseMode;
    /** `vbr:environment`: the name fragment every resource name starts from (`vbr-<environment>-...`). */
    environment: string;
    backupRetentionDays: number;
    weeklyRetentionDays: number;
    dbInstanceClass: string;
    dbAllocatedStorageGiB: number;
    /** `vbr:dbEngineVersion`: the PostgreSQL major version; RDS applies minor upgrades itself. */
    dbEngineVersion: string;
    /**
     * `vbr:primaryStack`, fully qualified (`<org>/<project>/<stack>`): the primary stack the DR stack reads. A bare
     * stack name in the stack file is qualified with the backend's organization and this project.
     */
    primaryStack?: string;
    /** `vbr:rtoObjectiveMinutes`: the failover bring-up objective the RTO policy judges. */
    rtoObjectiveMinutes: number;
    /** `vbr:drillRtoObjectiveMinutes`: a drill's objective (its copy is a restore, with the baseline backup). */
    drillRtoObjectiveMinutes: number;
    rpoObjectiveMinutes: number;
    /** `vbr:domainName`: the public name customers use; failover records live under it. */
    domainName: string;
    hostedZoneId: string;
    appImageTag: string;
    /** `vbr:serviceEnabled`: false only for the primary's first install, before the first image is in ECR. */
    serviceEnabled: boolean;
    serviceDesiredCount: number;
    serviceMaxCount: number;
    availabilityZoneCount: number;
    /**
     * `vbr:dbRestoreTime`: corruption runbook; restore the database to this instant as a new instance named after
     * it (`vbr-<env>-postgres-r<stamp>`), so a later restore time adds an instance and never replaces this one.
     */
    dbRestoreTime?: string;
    /**
     * `vbr:dbRestoreSource`: the RDS instance the corruption restore reads (with vbr:dbRestoreTime only). Unset
     * means the stack's original instance; a second corruption names the restore that serves now, so the writes
     * made since the first restore are kept.
     */
    dbRestoreSource?: string;
    /** `vbr:alertEmail`: optional address subscribed to the incident topic. */
    alertEmail?: string;
    /** `vbr:vaultLockMode`, with its default applied: compliance for `prod`, governance otherwise. */
    vaultLockMode: VaultLockMode;
    /** `vbr:vaultLockGraceDays`: compliance mode's changeableForDays. */
    vaultLockGraceDays: number;
    /**
     * `vbr:drillId`: names this drill's leftovers (the drill copy's final snapshot), so every drill can be torn
     * down without deleting the previous drill's snapshot first. `npm run drill` sets a UTC timestamp id.
     */
    drillId: string;
}

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

/** Every key the program reads, with the namespace it lives in. Pulumi.yaml declares the same set. */
export const CONFIG_KEYS = [
    "aws:region", "vbr:role", "vbr:peerRegion", "vbr:drState", "vbr:drDatabase", "vbr:environment",
    "vbr:backupRetentionDays", "vbr:weeklyRetentionDays", "vbr:dbInstanceClass", "vbr:dbAllocatedStorageGiB",
    "vbr:dbEngineVersion", "vbr:primaryStack", "vbr:rtoObjectiveMinutes", "vbr:drillRtoObjectiveMinutes", "vbr:rpoObjectiveMinutes",
    "vbr:domainName", "vbr:hostedZoneId", "vbr:appImageTag", "vbr:serviceDesiredCount", "vbr:serviceMaxCount",
    "vbr:availabilityZoneCount", "vbr:dbRestoreTime", "vbr:dbRestoreSource", "vbr:alertEmail",
    "vbr:restoredDbBackupsEnabled", "vbr:drillId", "vbr:serviceEnabled", "vbr:vaultLockMode", "vbr:vaultLockGraceDays",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];
export type RawConfig = Partial<Record<string, string>>;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { errorMap: () => ({ message: `must be one of: ${values.join(", ")}` }) });

const integer = (min: number, max: number, why = "") =>
    z.string().trim()
        .regex(/^-?\d+$/, { message: `must be a whole number from ${min} to ${max}` })
        .transform(Number)
        .pipe(z.number().min(min, { message: `must be at least ${min}${why}` }).max(max, { message: `must be at most ${max}` }));

const pattern = (re: RegExp, what: string) => z.string().trim().regex(re, { message: what });

const region = oneOf(AWS_REGIONS as unknown as [Region, ...Region[]]);

/** Shape of each key on its own; the rules that tie keys together follow in `crossChecks`. */
const KEY_SCHEMAS: Record<ConfigKey, { schema: z.ZodTypeAny; required: boolean }> = {
    "aws:region": { schema: region, required: true },
    "vbr:role": { schema: oneOf(ROLES), required: true },
    "vbr:peerRegion": { schema: region, required: true },
    "vbr:drState": { schema: oneOf(DR_STATES), required: true },
    "vbr:drDatabase": { schema: oneOf(DR_DATABASE_MODES), required: true },
    "vbr:environment": {
        // The longest generated name: the load balancer `vbr-<environment>-app-alb-<7 random>`, at most 32 characters (ELB).
        schema: pattern(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/,
            "must be 2-12 lower-case letters, digits or hyphens, starting with a letter (it is part of S3 bucket names, and the " +
            "load balancer's generated name vbr-<environment>-app-alb-<7 random characters> must fit AWS's 32 characters)"),
        required: true,
    },
    "vbr:backupRetentionDays": {
        schema: integer(DAILY_RETENTION_FLOOR_DAYS, 3650, " (the DR plan's 35-day operational retention is a floor)"),
        required: true,
    },
    "vbr:weeklyRetentionDays": {
        schema: integer(WEEKLY_RETENTION_FLOOR_DAYS, 3650, " (the DR plan keeps weekly copies for a year)"),
        required: true,
    },
    "vbr:dbInstanceClass": { schema: pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.r6g.large"), required: true },
    "vbr:dbAllocatedStorageGiB": { schema: integer(20, 65536), required: true },
    "vbr:dbEngineVersion": {
        schema: pattern(/^\d+$/, "must be a PostgreSQL major version such as 16: RDS applies minor upgrades itself (autoMinorVersionUpgrade), " +
            "and a pinned minor such as 16.4 makes every pulumi up after the first automatic upgrade plan a downgrade that RDS refuses " +
            "(hashicorp/terraform-provider-aws#39579); change the major version deliberately"),
        required: true,
    },
    "vbr:primaryStack": {
        schema: pattern(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)?$/,
            "must be the primary's stack name (primary), qualified with this stack's organization and project, or <org>/<project>/<stack>"),
        required: false,
    },
    "vbr:rtoObjectiveMinutes": { schema: integer(5, 240, ""), required: true },
    "vbr:drillRtoObjectiveMinutes": { schema: integer(5, 240, ""), required: true },
    "vbr:rpoObjectiveMinutes": { schema: integer(1, 1440, ""), required: true },
    "vbr:domainName": {
        schema: pattern(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as app.example.com"),
        required: true,
    },
    "vbr:hostedZoneId": { schema: pattern(/^Z[A-Z0-9]{4,32}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"), required: true },
    "vbr:appImageTag": { schema: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image tag (letters, digits, _ . -)"), required: true },
    "vbr:serviceDesiredCount": { schema: integer(1, 100), required: true },
    "vbr:serviceMaxCount": { schema: integer(1, 200), required: true },
    "vbr:availabilityZoneCount": { schema: integer(2, 3, " (the load balancer and Multi-AZ database need two AZs)"), required: true },
    "vbr:dbRestoreTime": {
        schema: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, { message: "must be a UTC instant such as 2026-11-29T13:45:00Z" })
            .refine((s) => !Number.isNaN(Date.parse(s)), { message: "is not a real date and time" }),
        required: false,
    },
    "vbr:dbRestoreSource": {
        // RDS DB instance identifier rules: 1-63 letters, digits, hyphens; a letter first; no "--"; no trailing hyphen.
        schema: pattern(/^(?!.*--)[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
            "must be an RDS DB instance identifier: 1-63 lower-case letters, digits or hyphens, starting with a letter, not ending with a hyphen and without \"--\" (the instance to restore from, e.g. the serving restore vbr-prod-postgres-r20261129t1345)"),
        required: false,
    },
    "vbr:alertEmail": { schema: pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be an e-mail address"), required: false },
    "vbr:restoredDbBackupsEnabled": {
        schema: z.enum(["true", "false"], { errorMap: () => ({ message: "must be true or false" }) }).transform((v) => v === "true"),
        required: false,
    },
    "vbr:serviceEnabled": {
        schema: z.enum(["true", "false"], { errorMap: () => ({ message: "must be true or false" }) }).transform((v) => v === "true"),
        required: false,
    },
    "vbr:vaultLockMode": { schema: oneOf(VAULT_LOCK_MODES), required: false },
    "vbr:vaultLockGraceDays": { schema: integer(3, 36500, " (AWS Backup's minimum changeableForDays)"), required: true },
    "vbr:drillId": {
        // It ends an RDS snapshot identifier (`<db>-final-<drillId>`): RDS allows no trailing hyphen and no "--".
        schema: pattern(/^(?!.*--)[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/,
            "must be 1-20 lower-case letters, digits or hyphens, not starting or ending with a hyphen and without \"--\" (it ends the drill copy's final snapshot identifier), e.g. 20261129t2015"),
        required: true,
    },
};

/**
 * Validates raw configuration (key -> string, as the engine passes it) and returns the typed config.
 * Throws a ConfigError listing every problem when anything is wrong.
 */
export function parseStackConfig(stack: string, raw: RawConfig, backend: Backend = { organization: DIY_ORGANIZATION, project: "vbr" }): StackConfig {
    const problems: ConfigProblem[] = [];
    const values: Partial<Record<ConfigKey, unknown>> = {};
    for (const key of CONFIG_KEYS) {
        const { schema, required } = KEY_SCHEMAS[key];
        const value = raw[key];
        if (value === undefined || value === "") {
            if (required) problems.push({ key, value, message: "is required; set it in Pulumi.<stack>.yaml or with `pulumi config set`" });
            continue;
        }
        const result = schema.safeParse(value);
        if (result.success) values[key] = result.data;
        else problems.push({ key, value, message: result.error.issues[0].message });
    }
    problems.push(...crossChecks(raw, values, backend));
    if (problems.length > 0) throw new ConfigError(stack, problems);

    const v = values as Record<ConfigKey, never>;
    return {
        region: v["aws:region"],
        role: v["vbr:role"],
        peerRegion: v["vbr:peerRegion"],
        drState: v["vbr:drState"],
        drDatabase: v["vbr:drDatabase"],
        environment: v["vbr:environment"],
        backupRetentionDays: v["vbr:backupRetentionDays"],
        weeklyRetentionDays: v["vbr:weeklyRetentionDays"],
        dbInstanceClass: v["vbr:dbInstanceClass"],
        dbAllocatedStorageGiB: v["vbr:dbAllocatedStorageGiB"],
        dbEngineVersion: v["vbr:dbEngineVersion"],
        primaryStack: v["vbr:primaryStack"] === undefined ? undefined : qualifyStack(v["vbr:primaryStack"], backend),
        rtoObjectiveMinutes: v["vbr:rtoObjectiveMinutes"],
        drillRtoObjectiveMinutes: v["vbr:drillRtoObjectiveMinutes"],
        rpoObjectiveMinutes: v["vbr:rpoObjectiveMinutes"],
        domainName: v["vbr:domainName"],
        hostedZoneId: v["vbr:hostedZoneId"],
        appImageTag: v["vbr:appImageTag"],
        serviceEnabled: v["vbr:serviceEnabled"] ?? true,
        serviceDesiredCount: v["vbr:serviceDesiredCount"],
        serviceMaxCount: v["vbr:serviceMaxCount"],
        availabilityZoneCount: v["vbr:availabilityZoneCount"],
        dbRestoreTime: v["vbr:dbRestoreTime"],
        dbRestoreSource: v["vbr:dbRestoreSource"],
        alertEmail: v["vbr:alertEmail"],
        vaultLockMode: v["vbr:vaultLockMode"] ?? defaultVaultLockMode(v["vbr:environment"]),
        vaultLockGraceDays: v["vbr:vaultLockGraceDays"],
        drillId: v["vbr:drillId"],
    };
}

/** A bare stack name, qualified as the engine resolves it: `<organization>/<project>/<stack>`. */
export function qualifyStack(name: string, backend: Backend): string {
    return name.includes("/") ? name : `${backend.organization}/${backend.project}/${name}`;
}

/** Compliance mode protects production's recovery points from an administrator (ransomware); other environments test in governance. */
export function defaultVaultLockMode(environment: string): VaultLockMode {
    return environment === "prod" ? "compliance" : "governance";
}

/** Keys that are still accepted but no longer do anything: set -> a warning that says why. */
const DEPRECATED: Partial<Record<ConfigKey, string>> = {
    "vbr:restoredDbBackupsEnabled": "has no effect any more and can be removed: restores keep automated backups from the start, because RDS takes " +
        "a baseline backup after every restore whatever the program asks (docs/aws-facts.md)",
};

/** One warning per deprecated key that is set. */
export function deprecationWarnings(raw: RawConfig): string[] {
    return Object.entries(DEPRECATED)
        .filter(([key]) => (raw[key] ?? "") !== "")
        .map(([key, why]) => `${key} = ${JSON.stringify(raw[key])} ${why}`);
}

/** Rules that relate keys to each other; only checked for keys whose own shape was valid. */
function crossChecks(raw: RawConfig, v: Partial<Record<ConfigKey, unknown>>, backend: Backend): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const primaryStack = v["vbr:primaryStack"] as string | undefined;
    if (primaryStack?.includes("/") && backend.organization === DIY_ORGANIZATION && !primaryStack.startsWith(`${DIY_ORGANIZATION}/`)) {
        problems.push({
            key: "vbr:primaryStack", value: raw["vbr:primaryStack"],
            message: `names organization "${primaryStack.split("/")[0]}", but this stack runs on a self-managed (DIY) backend, where every stack is ` +
                `${DIY_ORGANIZATION}/<project>/<stack>: set the stack name alone (primary) or ${DIY_ORGANIZATION}/${backend.project}/<stack>`,
        });
    }
    if (v["vbr:role"] === "dr" && v["vbr:serviceEnabled"] === false) {
        problems.push({
            key: "vbr:serviceEnabled", value: raw["vbr:serviceEnabled"],
            message: "applies to the primary's first install only: the DR stack runs no service in standby and must run it in drill and failover",
        });
    }
    const region = v["aws:region"];
    const peer = v["vbr:peerRegion"];
    if (region !== undefined && peer !== undefined && region === peer) {
        problems.push({
            key: "vbr:peerRegion", value: raw["vbr:peerRegion"],
            message: `must differ from aws:region ("${region}"): copies in the same region do not survive a regional outage`,
        });
    }
    const daily = v["vbr:backupRetentionDays"] as number | undefined;
    const weekly = v["vbr:weeklyRetentionDays"] as number | undefined;
    if (daily !== undefined && weekly !== undefined && weekly < daily) {
        problems.push({
            key: "vbr:weeklyRetentionDays", value: raw["vbr:weeklyRetentionDays"],
            message: `must be at least vbr:backupRetentionDays (${daily}): weekly copies outlive daily ones`,
        });
    }
    const role = v["vbr:role"];
    const state = v["vbr:drState"];
    // An empty value counts as unset; a malformed one already has its own problem.
    if (role === "dr" && v["vbr:primaryStack"] === undefined && (raw["vbr:primaryStack"] ?? "") === "") {
        problems.push({
            key: "vbr:primaryStack", value: undefined,
            message: "is required when vbr:role is dr: the DR stack reads the primary's database and secret from it (e.g. acme/vbr/primary)",
        });
    }
    if (role === "primary" && state !== undefined && state !== "standby") {
        problems.push({
            key: "vbr:drState", value: raw["vbr:drState"],
            message: "must be standby when vbr:role is primary: drill and failover apply to the dr stack only",
        });
    }
    const desired = v["vbr:serviceDesiredCount"] as number | undefined;
    const max = v["vbr:serviceMaxCount"] as number | undefined;
    if (desired !== undefined && max !== undefined && max < desired) {
        problems.push({
            key: "vbr:serviceMaxCount", value: raw["vbr:serviceMaxCount"],
            message: `must be at least vbr:serviceDesiredCount (${desired})`,
        });
    }
    const restoreTime = v["vbr:dbRestoreTime"] as string | undefined;
    if (restoreTime !== undefined) {
        const serving = role === "primary" || state === "failover";
        if (!serving) {
            problems.push({
                key: "vbr:dbRestoreTime", value: raw["vbr:dbRestoreTime"],
                message: "applies only to the stack that serves traffic (vbr:role primary, or dr in failover)",
            });
        }
    }
    // Judged on the raw value: a malformed source still says it needs a restore time, in the same pass.
    if ((raw["vbr:dbRestoreSource"] ?? "") !== "" && (raw["vbr:dbRestoreTime"] ?? "") === "") {
        problems.push({
            key: "vbr:dbRestoreSource", value: raw["vbr:dbRestoreSource"],
            message: "is only valid together with vbr:dbRestoreTime: it names the instance a corruption restore reads; set vbr:dbRestoreTime to the last good UTC instant, or remove vbr:dbRestoreSource",
        });
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

/** RDS's own automated-backup retention: the configured days, capped at the RDS maximum. */
export function rdsRetentionDays(cfg: Pick<StackConfig, "backupRetentionDays">): number {
    return Math.min(cfg.backupRetentionDays, RDS_MAX_BACKUP_RETENTION_DAYS);
}

/** Reads every declared key from the engine's configuration and validates it (see parseStackConfig). */
export function loadStackConfig(stack: string, get: (namespace: string, name: string) => string | undefined, backend?: Backend): StackConfig {
    return parseStackConfig(stack, readRawConfig(get), backend);
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
