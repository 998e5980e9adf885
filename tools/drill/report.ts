// The drill's report: what it measured and found, the lessons a person should read first, and its two renderings
// (JSON and Markdown).
import * as fs from "fs";
import * as path from "path";
import type { CheckResult } from "./checks";
import { shortName } from "./events";
import type { Drill, DrillState } from "./session";

export type DrillStep = "prepare" | "canary" | "up" | "validate" | "standby" | "report";

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
    rto: { minutes: number | null; objectiveMinutes: number; met: boolean; measuredTo: string };
    rpo: {
        minutes: number | null; objectiveMinutes: number; met: boolean; database: number | null; documents: number | null;
        /** The replicated backups' LatestRestorableTime read at the drill's start (ISO), the database RPO's basis. */
        databaseLatestRestorableTime: string | null;
        /** How each part is measured (RPO_METHOD). */
        method: { database: string; documents: string };
    };
    /** The canary written at the start: when S3 reported its replication COMPLETED (the documents RPO's basis). */
    canary: { source: string; replica: string; writtenAt: string; replicationStatus: string | null; replicationCompletedAt: string | null } | null;
    validation: Array<{ check: string } & CheckResult>;
    dataSafety: {
        ok: boolean;
        /** Data-bearing deletes/replaces the standby preview showed (the drill copy's delete is expected). */
        planned: Array<{ urn: string; type: string; op: string; note: string }>;
        deleted: Array<{ urn: string; type: string; note: string }>;
        detail: string;
    };
    failures: DrillFailure[];
    lessonsLearned: string[];
    exitCode: number;
}

/** How each part of the RPO is measured (also in the report, so a reader knows what the numbers mean). */
export const RPO_METHOD = {
    database: "drill start minus the LatestRestorableTime of the DR region's replicated automated backups, read at the " +
        "drill's start before pulumi up: the newest database data the DR copy holds when the drill starts. The drill copy " +
        "restores with useLatestRestorableTime a little later, so it holds at least this; RDS does not expose the exact " +
        "restore point of an instance, so this is the honest bound.",
    documents: "replication lag of a canary object written to the primary's documents bucket at the drill's start: the " +
        "time its source object's ReplicationStatus was first seen COMPLETED (HeadObject polled from the write on, at most " +
        "15 min) minus the write time; the replica's presence in the DR bucket is confirmed. S3 keeps the source's " +
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

const fmtMin = (m: number | null) => (m === null ? "not measured" : `${m.toFixed(1)} min`);
const fmtSec = (s: number | null) => (s === null ? "-" : `${(s / 60).toFixed(1)} min`);

export function renderDrillMarkdown(r: DrillReport): string {
    const out = [
        `# DR drill report: ${r.scenario.stack} -> ${r.scenario.state} (${r.scenario.database} database) ${r.exitCode === 0 ? "✅ passed" : "❌ failed"}`,
        "",
        `- Drill id (vbr:drillId): ${r.scenario.drillId}${r.scenario.drillIdExists ? " (ALREADY EXISTS: its final snapshot was found; the drill was refused)" : ""}`,
        `- Start: ${r.start}`,
        `- End: ${r.end}`,
        ...(r.interrupted ? [`- Interrupted by ${r.interrupted}: the drill's up was stopped and validation skipped`] : []),
        `- RTO (start -> ${r.rto.measuredTo}): **${fmtMin(r.rto.minutes)}** against ${r.rto.objectiveMinutes} min ${r.rto.met ? "✅" : "❌"}`,
        `- RPO (age of the newest data the DR copy holds): **${fmtMin(r.rpo.minutes)}** against ${r.rpo.objectiveMinutes} min ${r.rpo.met ? "✅" : "❌"} ` +
            `(database ${fmtMin(r.rpo.database)}, documents ${fmtMin(r.rpo.documents)})`,
        `  - Database: replicated backups restorable to ${r.rpo.databaseLatestRestorableTime ?? "unknown"} at the start. ${r.rpo.method.database}`,
        `  - Documents: canary ${r.canary ? `${r.canary.source} written ${r.canary.writtenAt}, replication ${r.canary.replicationCompletedAt ? `completed by ${r.canary.replicationCompletedAt}` : `not completed (${r.canary.replicationStatus ?? "not polled"})`}` : "not written"}. ${r.rpo.method.documents}`,
        `- Model: ${r.model ? `p50 ${r.model.p50Minutes} min, p90 ${r.model.p90Minutes} min` : "not available"}; pulumi up took ${fmtSec(r.upSeconds)}`,
        "",
        "## Resources (measured vs model)",
        "",
        "| Resource | Type | Op | Status | Measured | Model p50 | Model p90 |",
        "|---|---|---|---|---:|---:|---:|",
        ...r.resources.map((m) => `| \`${shortName(m.urn)}\` | \`${m.type}\` | ${m.op} | ${m.status} | ${fmtSec(m.seconds)} | ${fmtSec(m.estimate?.p50 ?? null)} | ${fmtSec(m.estimate?.p90 ?? null)} |`),
        "",
        "## Validation",
        "",
        ...r.validation.map((v) => `- ${v.ok ? "✅" : "❌"} ${v.check}: ${v.detail}`),
        "",
        "## Data safety",
        "",
        `${r.dataSafety.ok ? "✅" : "❌"} ${r.dataSafety.detail}`,
        ...r.dataSafety.planned.map((d) => `- previewed ${d.op}: \`${d.urn}\` (${d.type}): ${d.note}`),
        ...r.dataSafety.deleted.map((d) => `- \`${d.urn}\` (${d.type}): ${d.note}`),
        "",
        "## Failures",
        "",
        ...(r.failures.length ? r.failures.map((f) => `- **${f.step}**${f.urn ? ` \`${f.urn}\`` : ""}: ${f.message}`) : ["None."]),
        "",
        "## Lessons learned",
        "",
        ...r.lessonsLearned.map((l) => `- ${l}`),
        "- _(add the team's observations here)_",
        "",
    ];
    return out.join("\n");
}

export function writeDrillReport(r: DrillReport, base: string): { json: string; markdown: string } {
    fs.mkdirSync(path.dirname(path.resolve(base)), { recursive: true });
    const json = `${base}.json`;
    const markdown = `${base}.md`;
    fs.writeFileSync(json, JSON.stringify(r, null, 2) + "\n");
    fs.writeFileSync(markdown, renderDrillMarkdown(r));
    return { json, markdown };
}

const minutes = (ms: number) => Math.round(ms / 6000) / 10;
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The report of a drill that has ended: its measurements against the objectives, and its verdict. */
export function drillReport(d: Drill, state: DrillState): DrillReport {
    const { opts, t0 } = d;
    const { canary, canaryResult } = state;
    const unsafe = [...new Set(state.unsafe)];
    for (const urn of unsafe) d.fail("standby", "a data-bearing resource was deleted or replaced on the way back to standby", urn);

    const rtoMs = state.healthyAt !== undefined ? state.healthyAt - t0 : null;
    const dbRpoMs = state.dbLatestRestorable === null ? null : Math.max(0, t0 - state.dbLatestRestorable);
    const docsRpoMs = canary && canaryResult?.ok && canaryResult.completedAt !== undefined ? Math.max(0, canaryResult.completedAt - canary.writtenAt) : null;
    const rpoParts = [dbRpoMs, docsRpoMs].filter((x): x is number => x !== null);
    const rpoMs = rpoParts.length ? Math.max(...rpoParts) : null;
    const rtoMet = rtoMs !== null && rtoMs <= d.rtoObjective * 60_000;
    const rpoMet = rpoMs !== null && rpoMs <= d.rpoObjective * 60_000;
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
        upSeconds: state.upEnd !== null ? (state.upEnd - t0) / 1000 : null,
        rto: { minutes: rtoMs === null ? null : minutes(rtoMs), objectiveMinutes: d.rtoObjective, met: rtoMet, measuredTo: "drill endpoint healthy over HTTPS" },
        rpo: {
            minutes: rpoMs === null ? null : minutes(rpoMs), objectiveMinutes: d.rpoObjective, met: rpoMet,
            database: dbRpoMs === null ? null : minutes(dbRpoMs), documents: docsRpoMs === null ? null : minutes(docsRpoMs),
            databaseLatestRestorableTime: iso(state.dbLatestRestorable),
            method: RPO_METHOD,
        },
        canary: canary
            ? {
                source: `s3://${canary.sourceBucket}/${canary.key}`, replica: `s3://${canary.replicaBucket}/${canary.key}`,
                writtenAt: new Date(canary.writtenAt).toISOString(), replicationStatus: canaryResult?.status ?? null,
                replicationCompletedAt: canaryResult?.ok ? iso(canaryResult.completedAt) : null,
            }
            : null,
        validation: d.validation,
        dataSafety: {
            ok: unsafe.length === 0 && !state.refused,
            planned: state.planned,
            deleted: state.deleted,
            detail: opts.keep
                ? "--keep: the stack stays in drill; nothing was deleted"
                : !state.touched
                    ? "The drill did not change the stack; nothing to return to standby."
                    : state.refused
                        ? "The standby preview would delete or replace data-bearing resources other than the drill copy: the standby up was not run; the stack stays in drill."
                        : unsafe.length === 0
                            ? "No data-bearing resource was deleted or replaced on the way back to standby (previewed first; protect flags); the drill copy keeps its data in its final snapshot."
                            : `${unsafe.length} data-bearing resource(s) deleted or replaced: ${unsafe.join(", ")}`,
        },
        failures: d.failures,
        lessonsLearned: [],
        exitCode: 0,
    };
    if (rtoMs !== null && !rtoMet) d.fail("validate", `RTO ${minutes(rtoMs)} min missed the objective of ${d.rtoObjective} min`);
    if (rpoMs !== null && !rpoMet) d.fail("validate", `RPO ${minutes(rpoMs)} min missed the objective of ${d.rpoObjective} min`);
    report.lessonsLearned = lessons(report);
    report.exitCode = d.failures.length > 0 || !rtoMet || !rpoMet ? 1 : 0;
    return report;
}
