// Step 4, validate (only a drill environment that came up, and not after a signal): the drill endpoint healthy over
// HTTPS (RTO ends here), the database secret read from its replica in the DR region, the drill copy writable with
// those credentials (PGUSER/PGPASSWORD override them), the canary's replication completed and its replica present, and
// the audit record of the drill's window: the trail's digest chain unbroken and the audit bucket's replica complete.
import { Drill, DrillState, OutputMap, outputValue } from "./session";

const arnRegion = (arn: string) => arn.split(":")[3];

/**
 * The ARN of the database secret's replica in the DR region: the DR stack's own `secretArn` output, else the
 * primary's with the region swapped (a Secrets Manager replica keeps the ARN except for the region).
 */
export function drSecretArn(drOutputs: OutputMap | undefined, primaryOutputs: OutputMap | undefined, region: string, peerRegion: string): string | undefined {
    const own = outputValue<string>(drOutputs, "secretArn");
    if (typeof own === "string" && own !== "") return own;
    const primary = outputValue<string>(primaryOutputs, "secretArn");
    if (typeof primary !== "string" || arnRegion(primary) !== peerRegion) return undefined;
    return primary.split(":").map((part, i) => (i === 3 ? region : part)).join(":");
}

export async function validate(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps } = d;
    d.step = "validate";
    const url = opts.endpointUrl ?? `https://drill.${d.cfg["vbr:domainName"]}/health`;
    const health = await deps.checks.endpointHealthy(url, opts.healthTimeoutMs ?? 15 * 60_000, d.stopChecks.signal);
    d.validation.push({ check: "endpoint healthy over HTTPS", ok: health.ok, detail: health.detail });
    if (health.ok) state.healthyAt = health.healthyAt; else d.fail("validate", health.detail);

    const credentials = await readCredentials(d, state);
    const db = outputValue<{ address: string; port: number }>(state.upOutputs, "database");
    if (!db?.address) {
        d.fail("validate", `the ${opts.stack} stack exports no database address after the drill up`);
    } else if (!credentials) {
        const detail = "not checked: no credentials (the secret could not be read and PGUSER/PGPASSWORD are not set)";
        d.validation.push({ check: "database writable (drill copy)", ok: false, detail });
        d.fail("validate", `database writable (drill copy) ${detail}`);
    } else {
        const w = await deps.checks.databaseWritable({ host: db.address, port: Number(db.port ?? 5432), user: credentials.user, password: credentials.password });
        const detail = `${w.detail} (credentials: ${credentials.source})`;
        d.validation.push({ check: "database writable (drill copy)", ok: w.ok, detail });
        if (!w.ok) d.fail("validate", detail);
    }

    if (state.canaryPending) {
        state.canaryResult = await state.canaryPending;
        d.validation.push({ check: "canary replicated to the DR bucket", ok: state.canaryResult.ok, detail: state.canaryResult.detail });
        if (!state.canaryResult.ok) d.fail("validate", state.canaryResult.detail);
    }

    const audit = await deps.checks.auditRecord({ environment: d.cfg["vbr:environment"] ?? "prod", primaryRegion: d.peerRegion, drRegion: d.region, start: d.t0, end: d.now() });
    d.validation.push({ check: "audit record: trail digest chain and audit bucket replica", ok: audit.ok, detail: audit.detail });
    if (!audit.ok) d.fail("validate", audit.detail);
}

/** The credentials come from the secret's replica in this region: reading it proves the replication too. */
async function readCredentials(d: Drill, state: DrillState): Promise<{ user: string; password: string; source: string } | undefined> {
    const { opts, deps, region } = d;
    let credentials: { user: string; password: string; source: string } | undefined;
    const secretArn = drSecretArn(state.upOutputs, state.primaryOutputs, region, d.peerRegion);
    if (secretArn === undefined) {
        d.fail("validate", `neither ${opts.stack} nor ${opts.primaryStack} exports secretArn (the database secret); cannot prove its replication`);
    } else if (arnRegion(secretArn) !== region) {
        d.fail("validate", `the database secret ${secretArn} is not in the DR region ${region}: reading it would not prove replication`);
    } else {
        const read = await deps.checks.databaseCredentials(secretArn, region);
        d.validation.push({ check: "database secret replicated to the DR region", ok: read.ok, detail: read.detail });
        if (read.ok && read.credentials) {
            credentials = { user: read.credentials.username, password: read.credentials.password, source: `the secret's replica in ${region}` };
        } else {
            d.fail("validate", read.detail);
        }
    }
    const env = deps.env ?? process.env;
    if (env.PGUSER && env.PGPASSWORD) credentials = { user: env.PGUSER, password: env.PGPASSWORD, source: "PGUSER/PGPASSWORD (override)" };
    return credentials;
}
