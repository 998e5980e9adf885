// Step 4, validate (only a drill environment that came up, and not after a signal): the drill endpoint healthy over
// HTTPS (the RTO ends here); the database secret replicated to the DR region (described, never read); and the drill
// copy checked from inside the VPC by the DR stack's validation task (`vbr-db-check verify`: IAM authentication as
// vbr_validator, TLS verified against the RDS CA bundle), which writes a probe row and reads the canary row back; and the
// audit record of the drill's window: the trail's digest chain unbroken and the audit bucket's replica complete.
import type { OneOffTask } from "../../components/service-validation";
import { VALIDATION_COMMAND } from "../../components/service-validation";
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

    const primarySecret = outputValue<string>(state.primaryOutputs, "secretArn");
    const replicaSecret = drSecretArn(state.upOutputs, state.primaryOutputs, d.region, d.peerRegion);
    if (!primarySecret || !replicaSecret) {
        d.fail("validate", `neither ${opts.stack} nor ${opts.primaryStack} exports secretArn (the database secret); cannot prove its replication`);
    } else {
        const r = await deps.checks.secretReplicated(primarySecret, replicaSecret, d.region);
        d.validation.push({ check: "database secret replicated to the DR region", ok: r.ok, detail: r.detail });
        if (!r.ok) d.fail("validate", r.detail);
    }

    await checkDatabase(d, state);

    const audit = await deps.checks.auditRecord({ environment: d.cfg["vbr:environment"] ?? "prod", primaryRegion: d.peerRegion, drRegion: d.region, start: d.t0, end: d.now() });
    d.validation.push({ check: "audit record: trail digest chain and audit bucket replica", ok: audit.ok, detail: audit.detail });
    if (!audit.ok) d.fail("validate", audit.detail);
}

/** The drill copy, checked from inside the VPC by the validation task: a probe row written, the canary row read back. */
async function checkDatabase(d: Drill, state: DrillState): Promise<void> {
    const { opts, deps } = d;
    const task = outputValue<{ validation?: OneOffTask }>(state.upOutputs, "tasks")?.validation;
    if (!task) return d.fail("validate", `the ${opts.stack} stack exports no tasks.validation after the drill up: the database cannot be checked`);
    const run = await deps.checks.runTask({
        region: d.region, task, command: [VALIDATION_COMMAND, "verify"], environment: { VBR_CANARY_ID: d.drillId }, signal: d.stopChecks.signal,
    });
    const out = run.output?.mode === "verify" ? run.output : undefined;
    if (out) state.dbCheck = out;
    const found = out?.canaryWrittenAt ? `canary row ${d.drillId} present (written ${out.canaryWrittenAt})` : `canary row ${d.drillId} MISSING`;
    const detail = out ? `probe row ${out.probeId === undefined ? "written (its id not reported)" : `${out.probeId} written`}; ${found}; newest canary ${out.newestCanaryId ?? "none"}` +
        `${out.newestCanaryWrittenAt ? ` (${out.newestCanaryWrittenAt})` : ""}. ${run.detail}` : `${run.detail}${run.ok ? ", but its log has no verify result line" : ""}`;
    const ok = run.ok && out !== undefined && Boolean(out.canaryWrittenAt);
    d.validation.push({ check: "drill copy: write and canary read back from inside the VPC (validation task)", ok, detail });
    if (!ok) d.fail("validate", detail);
}
