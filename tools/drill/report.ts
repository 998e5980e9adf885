// The drill's report: what it measured and found, the lessons a person should read first, and its two renderings
// (JSON and Markdown).
import type { CheckResult } from "./checks";
import { checkLines, failuresSection } from "../lib/run-report";
import { shortName } from "./events";
import type { Drill, DrillState } from "./session";

export type DrillStep = "prepare" | "canary" | "up" | "validate" | "standby" | "cleanup" | "report";

/** What a failover would do in the stack's database mode (a drill always restores its own copy). */
export interface FailoverEstimate {
    mode: "replica" | "restore";
    /** replica: the model's promotion step. */
    promotion: { p50Minutes: number; p90Minutes: number } | null;
    /** replica: the model's whole failover bring-up. */
    bringUp?: { p50Minutes: number; p90Minutes: number } | null;
    /** replica: CloudWatch ReplicaLag, the maximum over the last 5 minutes at the drill's start. */
    replicaLagSeconds: number | null;
    detail: string;
}

export interface MeasuredResource {
    urn: string;
    type: string;
    op: string;
    status: "ok" | "failed" | "in-flight";
    /** Measured seconds from resourcePre to resOutputs / resOpFailed. */
    seconds: number | null;
    /** The model's estimate for this resource (null when the model has no step for it). */
    estimate: { key: string; p50: number; p90: number } | null;
}

export interface DrillFailure {
    step: DrillStep;
    /** The resource the failure is about, if any. */
    urn: string | null;
    message: string;
}

export interface DrillReport {
    scenario: {
        stack: string; state: "drill"; database: string; parallel: number | null; keep: boolean;
        /** The `vbr:drillId` this drill set: the drill copy's final snapshot is `<db identifier>-final-<drillId>`. */
        drillId: string;
        /** True when the drill id's final snapshot already existed: the drill was refused before touching the stack. */
        drillIdExists: boolean;
    };
    start: string;
    end: string;
    /** The signal (SIGINT/SIGTERM) that stopped the drill, if one did. */
    interrupted: string | null;
    /** The DR stack's model estimate for this scenario. */
    model: { p50Minutes: number; p90Minutes: number; criticalPath: string[] } | null;
    resources: MeasuredResource[];
    upSeconds: number | null;
    rto: { minutes: number | null; objectiveMinutes: number; met: boolean; measuredFrom: string; measuredTo: string };
    rpo: {
        minutes: number | null; objectiveMinutes: number; met: boolean; database: number | null; documents: number | null;
        /** The replicated backups' LatestRestorableTime read at the drill's start (ISO): a metadata cross-check. */
        databaseLatestRestorableTime: string | null;
        /** The canary row: seeded in the primary, restorable in the DR region, read back from the drill copy. */
        databaseCanary: {
            id: string; writtenAt: string; restorableAt: string | null; copyTakenAt: string | null;
            presentInCopy: boolean | null; newestInCopy: string | null;
        } | null;
        /** How each part is measured (RPO_METHOD). */
        method: { database: string; documents: string };
    };
    /** What a failover would do in this stack's database mode. */
    failover: FailoverEstimate | null;
    /** The canary written at the start: when S3 reported its replication COMPLETED (the documents RPO's basis). */
    canary: { source: string; replica: string; writtenAt: string; replicationStatus: string | null; replicationCompletedAt: string | null } | null;
    validation: Array<{ check: string } & CheckResult>;
    dataSafety: {
        ok: boolean;
        /** Data-bearing deletes/replaces the drill's preview showed (any one stops the drill's up). */
        upPlanned: Array<{ urn: string; type: string; op: string; note: string }>;
        /** Data-bearing deletes/replaces the standby preview showed (the drill copy's delete is expected). */
        planned: Array<{ urn: string; type: string; op: string; note: string }>;
        deleted: Array<{ urn: string; type: string; note: string }>;
        detail: string;
    };
    /** The canaries' deletion at the end. */
    cleanup: Array<{ check: string } & CheckResult>;
    failures: DrillFailure[];
    lessonsLearned: string[];
    exitCode: number;
}

/** How each part of the RPO is measured (also in the report, so a reader knows what the numbers mean). */
export const RPO_METHOD = {
    database: "age of the newest canary row the drill copy holds, at the moment the copy was taken: when the drill's " +
        "pulumi up asked RDS for the restore (the engine's event for the drill copy) minus the write time of the newest " +
        "canary row the validation task read back from the copy. The drill seeds a row in the primary before it starts " +
        "(a one-off task on the primary's app task definition) and waits until the DR region's replicated backups can " +
        "restore to it (polled every 30 s, at most the RPO objective): the copy restores to the latest restorable time, so " +
        "it must hold that row, and the validation task proves it does. The figure is an upper bound, over by at most the " +
        "poll interval plus the time from the wait's end to the restore request (a newer heartbeat row tightens it); the " +
        "write time is the database's clock, the restore request the runner's. Not restorable within the objective: RPO missed.",
    documents: "replication lag of a canary object written to the primary's documents bucket before the drill: the " +
        "time its source object's ReplicationStatus was first seen COMPLETED (HeadObject polled every 5 s from the write on, " +
        "at most 15 min) minus the write time; the replica's presence in the DR bucket is confirmed. S3 keeps the source's " +
        "Last-Modified on the replica, so the replica's timestamps cannot measure the lag.",
} as const;

/** Observations a person should read first; the team adds its own under the same heading. */
export function lessons(r: DrillReport): string[] {
    const out: string[] = [];
    const slow = r.resources.filter((m) => m.estimate && m.seconds !== null && m.seconds > m.estimate.p90)
        .sort((a, b) => (b.seconds! - b.estimate!.p90) - (a.seconds! - a.estimate!.p90));
    for (const m of slow.slice(0, 5)) {
        out.push(`${m.type} ${shortName(m.urn)} took ${(m.seconds! / 60).toFixed(1)} min, above the model's p90 of ${(m.estimate!.p90 / 60).toFixed(1)} min: run drill:learn and check why.`);
    }
    const unmodelled = r.resources.filter((m) => m.estimate === null && m.op === "create");
    if (unmodelled.length > 0) out.push(`${unmodelled.length} created resource(s) were not in the model's step set (check their vbr:standby tags): ${unmodelled.slice(0, 5).map((m) => shortName(m.urn)).join(", ")}.`);
    if (r.model && r.upSeconds !== null && r.upSeconds / 60 > r.model.p90Minutes) out.push(`pulumi up took ${(r.upSeconds / 60).toFixed(1)} min, above the model's p90 of ${r.model.p90Minutes} min.`);
    if (r.failures.length === 0 && out.length === 0) out.push("No deviation from the model above its p90.");
    return out;
}

// ---- rendering ---------------------------------------------------------------------------------------------------

/**
 * Seconds as minutes, or what is true when there is no figure (`absent`: "not finished", "not in the model"): a report
 * read months later by an auditor must not leave a dash or "unknown" to interpret.
 */
export const minutesOf = (seconds: number | null | undefined, absent: string): string =>
    (seconds === null || seconds === undefined ? absent : `${(seconds / 60).toFixed(1)} min`);

/** Why a step's figure is missing: the drill stopped before it (a signal, or the first failure). */
function stoppedBefore(r: DrillReport): string {
    if (r.interrupted) return `the drill was interrupted by ${r.interrupted}`;
    const first = r.failures[0];
    return first ? `the drill stopped in ${first.step}: see Failures` : "the drill stopped before it";
}

function rtoText(r: DrillReport): string {
    if (r.rto.minutes !== null) return `${r.rto.minutes.toFixed(1)} min`;
    if (r.upSeconds === null) return `not measured (pulumi up was not run: ${stoppedBefore(r)})`;
    return r.interrupted ? `not measured (interrupted by ${r.interrupted} before the endpoint answered)` : "not measured (the drill endpoint never answered healthy: see Validation)";
}

function rpoPartText(r: DrillReport, part: "database" | "documents"): string {
    const minutes = r.rpo[part];
    if (minutes !== null) return `${minutes.toFixed(1)} min`;
    if (part === "documents") return r.canary ? "not measured: the canary object's replication did not complete" : "not measured: no canary object was written";
    const c = r.rpo.databaseCanary;
    if (!c) return "not measured: no canary row was seeded";
    if (c.presentInCopy === null) return "not measured: the drill copy was not read";
    return c.presentInCopy ? "not measured: the drill copy's request time was not seen" : "not measured: the canary row is missing from the copy";
}

export function renderDrillMarkdown(r: DrillReport): string {
    const out = [
        `# DR drill report: ${r.scenario.stack} -> ${r.scenario.state} (a restore of its own database copy; failover mode: ${r.scenario.database}) ${r.exitCode === 0 ? "✅ passed" : "❌ failed"}`,
        "",
        `- Drill id (vbr:drillId): ${r.scenario.drillId}${r.scenario.drillIdExists ? " (ALREADY EXISTS: its final snapshot was found; the drill was refused)" : ""}`,
        `- Start: ${r.start}`,
        `- End: ${r.end}`,
        ...(r.interrupted ? [`- Interrupted by ${r.interrupted}: the drill's up was stopped and validation skipped`] : []),
        `- RTO (${r.rto.measuredFrom} -> ${r.rto.measuredTo}): **${rtoText(r)}** against ${r.rto.objectiveMinutes} min ${r.rto.met ? "✅" : "❌"}`,
        `- RPO (age of the newest data the DR copy holds): **${r.rpo.minutes === null ? "not measured" : `${r.rpo.minutes.toFixed(1)} min`}** against ${r.rpo.objectiveMinutes} min ${r.rpo.met ? "✅" : "❌"} ` +
            `(database ${rpoPartText(r, "database")}; documents ${rpoPartText(r, "documents")})`,
        `  - Database: ${canaryRowText(r)} (${r.rpo.databaseLatestRestorableTime
            ? `replicated backups restorable to ${r.rpo.databaseLatestRestorableTime} at the start`
            : `the replicated backups' latest restorable time was not read: ${stoppedBefore(r)}`}). ${r.rpo.method.database}`,
        `  - Documents: canary ${r.canary ? `${r.canary.source} written ${r.canary.writtenAt}, replication ${r.canary.replicationCompletedAt ? `completed by ${r.canary.replicationCompletedAt}` : r.canary.replicationStatus ? `not completed (${r.canary.replicationStatus})` : "not checked (no replication result came back)"}` : `not written (${stoppedBefore(r)})`}. ${r.rpo.method.documents}`,
        `- Model: ${r.model ? `p50 ${r.model.p50Minutes} min, p90 ${r.model.p90Minutes} min` : "the bring-up model gave no estimate for this stack"}; ` +
            `${r.upSeconds !== null ? `pulumi up took ${minutesOf(r.upSeconds, "")}` : `pulumi up was not run (${stoppedBefore(r)})`}`,
        "",
        "## What a failover would do",
        "",
        r.failover ? r.failover.detail : "Not estimated (the drill stopped before).",
        "",
        "## Resources (measured vs model)",
        "",
        "| Resource | Type | Op | Status | Measured | Model p50 | Model p90 |",
        "|---|---|---|---|---:|---:|---:|",
        ...(r.resources.length ? [] : [`| (none: ${r.upSeconds === null ? "pulumi up was not run" : "pulumi up changed no resource"}) | | | | | | |`]),
        ...r.resources.map((m) => `| \`${shortName(m.urn)}\` | \`${m.type}\` | ${m.op} | ${m.status} | ${minutesOf(m.seconds, "not finished")} | ` +
            `${minutesOf(m.estimate?.p50, "not in the model")} | ${minutesOf(m.estimate?.p90, "not in the model")} |`),
        "",
        "## Validation",
        "",
        ...(r.validation.length ? checkLines(r.validation) : [`No check ran (${stoppedBefore(r)}).`]),
        "",
        "## Data safety",
        "",
        `${r.dataSafety.ok ? "✅" : "❌"} ${r.dataSafety.detail}`,
        ...r.dataSafety.upPlanned.map((d) => `- drill preview ${d.op}: \`${d.urn}\` (${d.type}): ${d.note}`),
        ...r.dataSafety.planned.map((d) => `- previewed ${d.op}: \`${d.urn}\` (${d.type}): ${d.note}`),
        ...r.dataSafety.deleted.map((d) => `- \`${d.urn}\` (${d.type}): ${d.note}`),
        "",
        "## Canaries deleted",
        "",
        ...(r.cleanup.length ? checkLines(r.cleanup) : ["None written."]),
        "",
        ...failuresSection(r.failures.map((f) => ({ ...f, where: f.step }))),
        "## Lessons learned",
        "",
        ...r.lessonsLearned.map((l) => `- ${l}`),
        "- _(add the team's observations here)_",
        "",
    ];
    return out.join("\n");
}

function canaryRowText(r: DrillReport): string {
    const c = r.rpo.databaseCanary;
    if (!c) return "no canary row seeded";
    const restorable = c.restorableAt ? `restorable in the DR region by ${c.restorableAt}` : "NOT restorable in the DR region in time";
    const copy = c.presentInCopy === null ? "the copy was not read" : c.presentInCopy ? `present in the copy${c.copyTakenAt ? ` taken ${c.copyTakenAt}` : ""}` : "MISSING from the copy";
    return `canary row ${c.id} written ${c.writtenAt}, ${restorable}, ${copy}${c.newestInCopy ? `; newest canary in the copy written ${c.newestInCopy}` : ""}`;
}

const minutes = (ms: number) => Math.round(ms / 6000) / 10;
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The report of a drill that has ended: its measurements against the objectives, and its verdict. */
export function drillReport(d: Drill, state: DrillState): DrillReport {
    const { opts, t0 } = d;
    const { canary, canaryResult, canaryRow, dbCheck } = state;
    const unsafe = [...new Set(state.unsafe)];
    for (const urn of unsafe) d.fail("standby", "a data-bearing resource was deleted or replaced by the drill's updates", urn);

    const rtoMs = state.healthyAt !== undefined && state.upStart !== null ? state.healthyAt - state.upStart : null;
    const copyTakenAt = state.timer.drillCopyStartedAt ?? state.upStart;
    const newest = dbCheck?.newestCanaryWrittenAt ? Date.parse(dbCheck.newestCanaryWrittenAt) : NaN;
    const dbRpoMs = copyTakenAt !== null && Number.isFinite(newest) ? Math.max(0, copyTakenAt - newest) : null;
    const docsRpoMs = canary && canaryResult?.ok && canaryResult.completedAt !== undefined ? Math.max(0, canaryResult.completedAt - canary.writtenAt) : null;
    const rpoParts = [dbRpoMs, docsRpoMs].filter((x): x is number => x !== null);
    const rpoMs = rpoParts.length ? Math.max(...rpoParts) : null;
    const rowLate = canaryRow !== undefined && state.canaryRowRestorableAt === undefined;
    const rtoMet = rtoMs !== null && rtoMs <= d.rtoObjective * 60_000;
    // Both parts measured: a drill that read no canary back proved nothing about the database's RPO.
    const rpoMet = !rowLate && dbRpoMs !== null && docsRpoMs !== null && rpoMs! <= d.rpoObjective * 60_000;
    if (rowLate && !d.interrupted) {
        d.fail("validate", `RPO missed: the canary row written ${new Date(canaryRow.writtenAt).toISOString()} was not restorable in ${d.region} within the objective of ${d.rpoObjective} min`);
    }
    if (d.interrupted) d.fail(d.interruptedIn, `drill interrupted by ${d.interrupted}`);
    const end = d.now();
    const model = state.model;
    const report: DrillReport = {
        scenario: {
            stack: opts.stack, state: "drill", database: d.cfg["vbr:drDatabase"] ?? "replica", parallel: opts.parallel ?? null, keep: opts.keep,
            drillId: d.drillId, drillIdExists: state.drillIdExists,
        },
        start: new Date(t0).toISOString(),
        end: new Date(end).toISOString(),
        interrupted: d.interrupted,
        model: model ? { p50Minutes: model.p50Minutes, p90Minutes: model.p90Minutes, criticalPath: model.criticalPath } : null,
        resources: state.timer.measured,
        upSeconds: state.upEnd !== null && state.upStart !== null ? (state.upEnd - state.upStart) / 1000 : null,
        rto: {
            minutes: rtoMs === null ? null : minutes(rtoMs), objectiveMinutes: d.rtoObjective, met: rtoMet,
            measuredFrom: "start of the drill's pulumi up", measuredTo: "drill endpoint healthy over HTTPS",
        },
        rpo: {
            minutes: rpoMs === null ? null : minutes(rpoMs), objectiveMinutes: d.rpoObjective, met: rpoMet,
            database: dbRpoMs === null ? null : minutes(dbRpoMs), documents: docsRpoMs === null ? null : minutes(docsRpoMs),
            databaseLatestRestorableTime: iso(state.dbLatestRestorable),
            databaseCanary: canaryRow
                ? {
                    id: canaryRow.id, writtenAt: new Date(canaryRow.writtenAt).toISOString(), restorableAt: iso(state.canaryRowRestorableAt),
                    copyTakenAt: iso(copyTakenAt), presentInCopy: dbCheck ? Boolean(dbCheck.canaryWrittenAt) : null,
                    newestInCopy: dbCheck?.newestCanaryWrittenAt ?? null,
                }
                : null,
            method: RPO_METHOD,
        },
        failover: state.failover ?? null,
        canary: canary
            ? {
                source: `s3://${canary.sourceBucket}/${canary.key}`, replica: `s3://${canary.replicaBucket}/${canary.key}`,
                writtenAt: new Date(canary.writtenAt).toISOString(), replicationStatus: canaryResult?.status ?? null,
                replicationCompletedAt: canaryResult?.ok ? iso(canaryResult.completedAt) : null,
            }
            : null,
        validation: d.validation,
        dataSafety: {
            ok: unsafe.length === 0 && !state.refused && state.upPlanned.length === 0,
            upPlanned: state.upPlanned,
            planned: state.planned,
            deleted: state.deleted,
            detail: dataSafetyDetail(opts.keep, state, unsafe),
        },
        cleanup: state.cleanup,
        failures: d.failures,
        lessonsLearned: [],
        exitCode: 0,
    };
    if (rtoMs !== null && !rtoMet) d.fail("validate", `RTO ${minutes(rtoMs)} min missed the objective of ${d.rtoObjective} min`);
    if (rpoMs !== null && !rowLate && rpoMs > d.rpoObjective * 60_000) d.fail("validate", `RPO ${minutes(rpoMs)} min missed the objective of ${d.rpoObjective} min`);
    report.lessonsLearned = lessons(report);
    report.exitCode = d.failures.length > 0 || !rtoMet || !rpoMet ? 1 : 0;
    return report;
}

function dataSafetyDetail(keep: boolean, state: DrillState, unsafe: string[]): string {
    if (state.upPlanned.length > 0) return "The drill's preview would delete or replace data-bearing resources: its up was not run; nothing was changed.";
    if (!state.touched) return "The drill did not change the stack; nothing to return to standby.";
    if (keep) return "--keep: the stack stays in drill (npm run drill -- --resume returns it to standby); nothing was deleted";
    if (state.refused) return "The standby preview would delete or replace data-bearing resources other than the drill copy: the standby up was not run; the stack stays in drill.";
    if (unsafe.length > 0) return `${unsafe.length} data-bearing resource(s) deleted or replaced: ${unsafe.join(", ")}`;
    if (!state.backInStandby) return "The return to standby did not finish (see failures): run npm run drill -- --resume.";
    return "No data-bearing resource was deleted or replaced (both updates previewed first; protect flags); the drill copy keeps its data in its final snapshot.";
}
