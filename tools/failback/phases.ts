// The failback's phases, in order (run.ts calls them): each records its failures with its name; none throws.
import { drSourceSuffix } from "../../components/database-dr";
import { restoreStamp } from "../../components/database-instance";
import { replicationRules } from "../../components/document-store";
import { Naming } from "../../policies/model/naming";
import { openStacks } from "../drill/prepare";
import { outputValue } from "../drill/session";
import { awaitRowInReplica, promotedChecks, regionA, regionB, replicaAnswers, seedRow } from "./database";
import { errorText, Failback, FailbackState } from "./session";
import { safeUp } from "./stack-step";

type Db = { arn: string; identifier: string; address: string; port: number };
const modelOf = (f: Failback, state: FailbackState, phase: string) => {
    const p = state.model?.phases.find((x) => x.phase === phase);
    return p ? { p50: p.p50Minutes, p90: p.p90Minutes } : null;
};
/** A stack's serving database identifier for a phase's detail, or that it exports none. */
const dbName = (outputs: FailbackState["primaryOutputs"], stack: string) =>
    outputValue<Db>(outputs, "database")?.identifier ?? `(${stack} exports no database)`;
const wait = (f: Failback) => f.opts.waitTimeoutMs ?? 60 * 60_000;
const naming = (f: Failback) => new Naming(f.opts.drConfig["vbr:environment"] ?? "prod");

export async function prepare(f: Failback, state: FailbackState): Promise<boolean> {
    f.begin("prepare", null, `failback ${f.failbackId}: ${f.opts.drStack} (region B) back to ${f.opts.primaryStack} (region A)`);
    const { opts } = f;
    if (opts.drConfig["vbr:drState"] !== "failover") {
        f.fail("prepare", `${opts.drStack} has vbr:drState=${opts.drConfig["vbr:drState"] ?? "standby"}: a failback starts from a DR stack in failover`);
    }
    try {
        state.model = await f.deps.estimate();
    } catch (err) {
        f.fail("prepare", `failback model: ${errorText(err)}`);
    }
    try {
        const [dr, primary] = await openStacks(opts.projectDir, [opts.drStack, opts.primaryStack], f.deps.pulumiCommand);
        Object.assign(state, { dr: dr.stack, drOutputs: dr.outputs, primary: primary.stack, primaryOutputs: primary.outputs });
    } catch (err) {
        f.fail("prepare", `opening the stacks ${opts.drStack} and ${opts.primaryStack}: ${errorText(err)}`);
    }
    state.oldSource = outputValue<Db>(state.primaryOutputs, "replicationSource")?.identifier;
    if (state.dr && !state.oldSource) f.fail("prepare", `${opts.primaryStack} exports no replicationSource: the DR stack's serving pieces are named after it`);
    // Promoted already (a run that stopped in its last phase): a new failback id would start a second failback instance.
    const previous = opts.primaryConfig["vbr:dbFailbackId"];
    if (previous && opts.primaryConfig["vbr:primaryState"] !== "recovering" && state.oldSource === naming(f).dbIdentifier(`fb${previous}`)) {
        f.fail("prepare", `${opts.primaryStack} already serves from its failback instance ${state.oldSource} (vbr:dbFailbackId ${previous}): only the DR ` +
            "stack's return to standby is left; do it by hand (docs/runbooks.md, \"After a failover: failback\", step 6), not with a new failback");
    }
    return f.end(null, `DR ${opts.drStack} in ${opts.drConfig["vbr:drState"]}; ${state.oldSource ? `the primary replicated from ${state.oldSource}` : "the primary exports no replicationSource"}`);
}

export async function replicateBack(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "replicate-back");
    f.begin("replicate-back", model, `${f.opts.drStack}: vbr:peerRegionAvailable=true (S3 and ECR replication back to ${f.primaryRegion})`);
    const out = await safeUp(f, state, { stack: state.dr!, name: `${f.opts.drStack} replicating back`, set: { "vbr:peerRegionAvailable": "true" }, p90Minutes: model?.p90 });
    if (out) state.drOutputs = out;
    return f.end(model, "S3 rules (RTC 15 min, replica modification sync), ECR replication and alarms in the DR stack");
}

export async function backfill(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "backfill");
    f.begin("backfill", model, "S3 Batch Replication of the objects written in region B before the rules existed");
    const role = outputValue<string>(state.drOutputs, "batchReplicationRoleArn");
    const buckets = outputValue<Record<string, { name: string; arn: string }>>(state.drOutputs, "buckets") ?? {};
    if (!role) f.fail("backfill", `${f.opts.drStack} exports no batchReplicationRoleArn after replicate-back`);
    else {
        const accountId = role.split(":")[4];
        const jobs = await Promise.all(Object.entries(buckets).map(([key, b]) => f.deps.checks.batchReplicate(
            { region: f.region, accountId, bucketArn: b.arn, roleArn: role, token: `vbr-failback-${f.failbackId}-${key}` }, wait(f), f.stop.signal)));
        jobs.forEach((j, i) => {
            const bucket = Object.values(buckets)[i].name;
            state.backfill.push({ bucket, jobId: j.jobId, total: j.total, failed: j.failed });
            f.validation.push({ check: `batch replication of ${bucket}`, ok: j.ok, detail: j.detail });
            if (!j.ok) f.fail("backfill", j.detail);
        });
    }
    return f.end(model, `${state.backfill.length} job(s), ${state.backfill.reduce((t, j) => t + (j.total ?? 0), 0)} object(s)`);
}

export async function recover(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "recover");
    f.begin("recover", model, `${f.opts.primaryStack}: vbr:primaryState=recovering, the failback replica vbr:dbFailbackId=${f.failbackId}`);
    const drStack = f.opts.drStack.split("/").pop()!;
    const out = await safeUp(f, state, {
        stack: state.primary!, name: `${f.opts.primaryStack} recovering`, p90Minutes: model?.p90,
        set: { "vbr:primaryState": "recovering", "vbr:drStack": drStack, "vbr:dbFailbackId": f.failbackId },
    });
    if (out) {
        state.primaryOutputs = out;
        await replicaAnswers(f, state);
    }
    return f.end(model, `replica ${dbName(state.primaryOutputs, f.opts.primaryStack)} of ${dbName(state.drOutputs, f.opts.drStack)}`);
}

export async function stopWrites(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "stop-writes");
    f.begin("stop-writes", model, `region B's service to zero tasks (write downtime starts)`);
    const svc = outputValue<{ cluster: string; name: string }>(state.drOutputs, "service");
    // Everything the canary and the drain need, before the writes stop (a missing output would only stop them for nothing).
    const ready = Boolean(regionB(f, state)) && Boolean(regionA(f, state));
    if (!svc) f.fail("stop-writes", `${f.opts.drStack} exports no service (cluster and name)`);
    else if (ready) {
        state.writer = { region: f.region, cluster: svc.cluster, service: svc.name };
        state.stopRequestedAt = f.now();
        const r = await f.deps.checks.stopWrites(state.writer, wait(f), f.stop.signal);
        state.previousCapacity = r.previous;
        f.validation.push({ check: "region B takes no writes (no task runs)", ok: r.ok, detail: r.detail });
        if (r.ok) state.stoppedAt = r.stoppedAt; else f.fail("stop-writes", r.detail);
    }
    return f.end(model, state.writer ? `${state.writer.cluster}/${state.writer.service}` : "no service");
}

export async function canary(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "canary");
    f.begin("canary", model, "the last writes region B takes: a canary row (vbr-db-check seed, a one-off task in region B) and a canary object");
    const id = f.canaryId;
    await seedRow(f, state);
    const src = outputValue<Record<string, { name: string }>>(state.drOutputs, "buckets")?.documents?.name;
    const dst = outputValue<Record<string, { name: string }>>(state.primaryOutputs, "buckets")?.documents?.name;
    if (!src || !dst) f.fail("canary", "both stacks must export buckets.documents.name");
    else {
        const c = { sourceBucket: src, sourceRegion: f.region, replicaBucket: dst, replicaRegion: f.primaryRegion, key: `failback-canary/${id}.txt` };
        const w = await f.deps.checks.writeCanary(c);
        f.validation.push({ check: "canary object written in region B", ok: w.ok, detail: w.detail });
        if (w.ok && w.writtenAt !== undefined) state.canaryObject = { source: `s3://${src}/${c.key}`, replica: `s3://${dst}/${c.key}`, writtenAt: w.writtenAt };
        else f.fail("canary", w.detail);
    }
    return f.end(model, `row ${id}, object failback-canary/${id}.txt`);
}

/** The canary object as the drill's checks take it. */
const objectCanary = (f: Failback, state: FailbackState) => {
    const o = state.canaryObject!;
    const [sourceBucket, key] = [o.source.slice(5).split("/")[0], o.source.slice(5).split("/").slice(1).join("/")];
    return { sourceBucket, sourceRegion: f.region, replicaBucket: o.replica.slice(5).split("/")[0], replicaRegion: f.primaryRegion, key, writtenAt: o.writtenAt };
};

export async function drain(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "drain");
    f.begin("drain", model, "waiting for replica lag 0 (the canary row in region A's replica: vbr-db-check find) and S3 pending replication 0");
    await awaitRowInReplica(f, state, wait(f));
    if (state.canaryObject) {
        const r = await f.deps.checks.canaryReplicated(objectCanary(f, state), wait(f), f.stop.signal);
        f.validation.push({ check: "the canary object replicated to region A", ok: r.ok, detail: r.detail });
        if (r.ok) state.canaryObject.completedAt = r.completedAt; else f.fail("drain", r.detail);
    }
    const rules = replicationRules(naming(f), f.region, f.primaryRegion).map((r) => ({ region: f.region, sourceBucket: r.source, destinationBucket: r.destination, ruleId: r.ruleId }));
    const drained = await f.deps.checks.replicationDrained(rules, state.stoppedAt ?? f.now(), wait(f), f.stop.signal);
    f.validation.push({ check: "S3 pending replication 0 (OperationsPendingReplication, every rule back to region A)", ok: drained.ok, detail: drained.detail });
    if (drained.ok) state.drainedAt = drained.drainedAt; else f.fail("drain", drained.detail);
    return f.end(model, "nothing region B accepted is left to copy");
}

export async function promote(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "promote");
    f.begin("promote", model, `${f.opts.primaryStack}: vbr:primaryState=serving (promote the failback instance, PRIMARY record back)`);
    state.promoteStarted = true;
    const out = await safeUp(f, state, { stack: state.primary!, name: `${f.opts.primaryStack} serving`, set: { "vbr:primaryState": "serving" }, p90Minutes: model?.p90 });
    state.promoteEnd = f.now();
    if (out) state.primaryOutputs = out;
    return f.end(model, `serving from ${dbName(state.primaryOutputs, f.opts.primaryStack)}`);
}

export async function verify(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "verify");
    f.begin("verify", model, "a write to the promoted database and the canaries in region A (vbr-db-check verify), the endpoint");
    await promotedChecks(f, state);
    if (state.canaryObject) {
        const r = await f.deps.checks.canaryReplicated(objectCanary(f, state), 60_000, f.stop.signal);
        state.canaryObject.presentAfterPromotion = r.ok;
        f.validation.push({ check: "the canary object is in region A's bucket", ok: r.ok, detail: r.detail });
        if (!r.ok) f.fail("verify", `RPO not 0: ${r.detail}`);
    }
    const url = `https://${f.opts.primaryConfig["vbr:domainName"]}/health`;
    const h = await f.deps.checks.endpointHealthy(url, 15 * 60_000, f.stop.signal);
    f.validation.push({ check: "the service answers on its public name", ok: h.ok, detail: h.detail });
    if (!h.ok) f.fail("verify", h.detail);
    return f.end(model, "RPO 0 when both canaries are in region A");
}

/**
 * The DR stack's pieces that leave the program when it returns to standby and follows the failback instance: the
 * backups replication and the serving instance of the old source (replica mode: the promoted replica; restore mode:
 * the failover restore), a corruption restore it served from, and its own trail (protected like a data store: ending it
 * ends a record; retained in AWS, it keeps logging until an operator deletes it). Their URNs, as the engine names them.
 */
export function retiredUrns(f: Failback, oldSource: string): string[] {
    const env = f.opts.drConfig["vbr:environment"] ?? "prod";
    const db = `vbr-${env}-db`;
    const suffix = drSourceSuffix(new Naming(env), oldSource);
    const perSource = (piece: string) => (suffix === undefined ? `${db}-${piece}` : `${db}-${piece}-${suffix}`);
    const stack = f.opts.drStack.split("/").pop()!;
    const urn = (type: string, name: string, parent = "vbr:database:Database") => `urn:pulumi:${stack}::${f.opts.project}::vbr:platform:Platform$${parent}$${type}::${name}`;
    const instance = "aws:rds/instance:Instance";
    const restore = f.opts.drConfig["vbr:dbRestoreTime"];
    return [
        urn("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", perSource("backups")),
        urn(instance, f.opts.drConfig["vbr:drDatabase"] === "restore" ? `${db}-failover` : perSource("replica")),
        ...(restore ? [urn(instance, `${db}-restored-${restoreStamp(restore)}`)] : []),
        urn("aws:cloudtrail/trail:Trail", `vbr-${env}-trail`, "vbr:audit:AuditTrail"),
    ];
}

export async function standby(f: Failback, state: FailbackState): Promise<boolean> {
    const model = modelOf(f, state, "standby");
    f.begin("standby", model, `${f.opts.drStack}: back to standby, replicating from the failback instance`);
    const leaving = retiredUrns(f, state.oldSource!);
    try {
        for (const urn of leaving) {
            await f.deps.unprotect(f.opts.drStack, urn);
            state.unprotected.push(urn);
        }
    } catch (err) {
        f.fail("standby", `pulumi state unprotect: ${errorText(err)}`);
        return f.end(model, "not returned");
    }
    const out = await safeUp(f, state, {
        stack: state.dr!, name: `${f.opts.drStack} standby`, set: { "vbr:drState": "standby" }, p90Minutes: model?.p90,
        remove: ["vbr:peerRegionAvailable", "vbr:dbRestoreTime", "vbr:dbRestoreSource"], mayLeave: new Set(leaving),
    });
    if (out) state.drOutputs = out;
    else {
        // Nothing was applied, or the up failed part-way: keep the stack's config saying what it still is.
        await state.dr!.setAllConfig({ "vbr:drState": { value: "failover" }, "vbr:peerRegionAvailable": { value: "true" } }).catch((err) =>
            f.fail("standby", `could not set vbr:drState back to failover: ${errorText(err)}`));
    }
    return f.end(model, `retired from the program (kept in AWS): ${leaving.map((u) => u.split("::").pop()).join(", ")}`);
}

/**
 * The audit record of the failback's window (DR plan 7.1: verified in every recovery operation): the digest chains of
 * both trails that logged it (the primary's multi-region trail, and the DR stack's own trail from region B, which ran
 * since the failover and is retained in AWS when the DR stack returns to standby) and the audit bucket's replica.
 */
export async function audit(f: Failback): Promise<boolean> {
    f.begin("audit", null, "the audit record of the failback's window: both trails' digest chains and the audit bucket's replica");
    const r = await f.deps.checks.auditRecord({
        environment: f.opts.drConfig["vbr:environment"] ?? "prod", primaryRegion: f.primaryRegion, drRegion: f.region,
        start: f.t0, end: f.now(), trailRegions: [f.primaryRegion, f.region],
    });
    f.validation.push({ check: "audit record: the trails' digest chains (regions A and B) and the audit bucket's replica", ok: r.ok, detail: r.detail });
    if (!r.ok) f.fail("audit", r.detail);
    return f.end(null, r.ok ? "trails unbroken, audit replica complete" : "the audit record does not hold");
}
