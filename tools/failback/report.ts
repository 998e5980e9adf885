// The failback's report: what each phase did and measured, the RPO and the write downtime, and its two renderings
// (JSON and Markdown), like the drill's.
import type { CheckResult } from "../drill/checks";
import { minutesOf, MeasuredResource } from "../drill/report";
import { shortName } from "../drill/events";
import { checkLines, failuresSection } from "../lib/run-report";
import type { FailbackEstimate } from "../bringup/failback-estimate";
import type { Failback, FailbackState, Phase, PhaseRecord } from "./session";

export interface FailbackReport {
    scenario: { primaryStack: string; drStack: string; failbackId: string; database: string; parallel: number | null };
    start: string;
    end: string;
    interrupted: string | null;
    model: FailbackEstimate | null;
    phases: PhaseRecord[];
    resources: Array<MeasuredResource & { phase: Phase }>;
    /** RPO 0 is proven by the canaries: the last row and object region B accepted are in region A after the switchover. */
    rpo: { zero: boolean; database: boolean; documents: boolean; method: string };
    writeDowntime: { minutes: number | null; from: string | null; to: string | null; method: string; modelP90Minutes: number | null };
    canary: { row: FailbackState["canaryRow"] | null; object: FailbackState["canaryObject"] | null };
    backfill: FailbackState["backfill"];
    validation: Array<{ check: string } & CheckResult>;
    dataSafety: { ok: boolean; planned: FailbackState["planned"]; unprotected: string[]; detail: string };
    /** What a person does next: retire the instance that served in region B, or finish what the failback left. */
    nextSteps: string[];
    failures: Failback["failures"];
    exitCode: number;
}

export const RPO_METHOD = "After region B's writers stopped, a canary row and a canary object are the last writes it accepts (the row " +
    "written by a one-off task on region B's app task definition, vbr-db-check seed). The row reaching region A's replica (vbr-db-check " +
    "find, read-only, from inside region A's VPC) proves replica lag 0: PostgreSQL replays the WAL in order, so every earlier commit is " +
    "there; the object's replication COMPLETED and OperationsPendingReplication 0 on every rule back to region A prove the S3 backlog " +
    "empty (objects from before the rules existed were copied by S3 Batch Replication). Both canaries found in region A after the " +
    "promotion (the row by vbr-db-check verify): RPO 0.";
export const DOWNTIME_METHOD = "From the request to scale region B's service to zero until the promote up ended (the failback instance " +
    "promoted, the PRIMARY record INSYNC), counted only once a probe row written to the promoted database by a one-off task " +
    "(vbr-db-check verify) proved it takes writes; that task's own start (tens of seconds on Fargate) is not write downtime. " +
    "Resolvers that cached the SECONDARY answer switch within the alias's 60 s TTL, which is not measured here.";

const iso = (ms: number | undefined | null) => (ms === undefined || ms === null ? null : new Date(ms).toISOString());

export function failbackReport(f: Failback, state: FailbackState): FailbackReport {
    const unsafe = [...new Set(state.unsafe)];
    for (const urn of unsafe) f.fail("standby", "a data-bearing resource was deleted or replaced during an up", urn);
    if (f.interrupted) f.fail(f.phase, `failback interrupted by ${f.interrupted}`);
    const rowOk = state.canaryRow?.afterPromotionAt !== undefined;
    const objectOk = state.canaryObject?.presentAfterPromotion === true;
    const to = state.writableAt !== undefined ? state.promoteEnd : undefined;
    const downtime = to !== undefined && state.stopRequestedAt !== undefined ? Math.round((to - state.stopRequestedAt) / 6000) / 10 : null;
    const refused = state.planned.filter((p) => !p.note.startsWith("leaves the program"));
    const env = f.opts.drConfig["vbr:environment"] ?? "prod";
    const served = state.unprotected.find((u) => u.includes("aws:rds/instance:Instance"));
    const trail = `vbr-${env}-trail-${f.region}`;
    const identifier = (f.opts.drConfig["vbr:drDatabase"] === "restore" || !state.oldSource) ? `vbr-${env}-postgres` : state.oldSource;
    const nextSteps = served && f.phases.some((p) => p.phase === "standby" && p.status === "ok") ? [
        `Retire the instance that served in ${f.region} once the failback is validated (its final snapshot keeps its data):`,
        `aws rds modify-db-instance --db-instance-identifier ${identifier} --no-deletion-protection --apply-immediately --region ${f.region}`,
        `aws rds delete-db-instance --db-instance-identifier ${identifier} --final-db-snapshot-identifier ${identifier}-final-fb${f.failbackId} --no-delete-automated-backups --region ${f.region}`,
        `Delete region B's own trail, which left the program retained and still logs (the primary's multi-region trail records region B; ` +
            "its log files and digests stay in the object-locked log bucket). The next failover creates it again and fails while it exists:",
        `aws cloudtrail delete-trail --name ${trail} --region ${f.region}`,
    ] : state.previousCapacity && !state.promoteStarted
        ? [`Region B serves again (its service was resumed). Fix the failure above, then run npm run failback again: it resumes failback ${f.failbackId}.`]
        : state.promoteStarted ? ["The promotion was started: region B's writers stay stopped. Check both stacks with pulumi preview before anything else; finish with the failback runbook (docs/runbooks.md, \"After a failover: failback\")."] : [];
    const report: FailbackReport = {
        scenario: { primaryStack: f.opts.primaryStack, drStack: f.opts.drStack, failbackId: f.failbackId, database: f.opts.drConfig["vbr:drDatabase"] ?? "replica", parallel: f.opts.parallel ?? null },
        start: new Date(f.t0).toISOString(),
        end: new Date(f.now()).toISOString(),
        interrupted: f.interrupted,
        model: state.model,
        phases: f.phases,
        resources: state.resources,
        rpo: { zero: rowOk && objectOk, database: rowOk, documents: objectOk, method: RPO_METHOD },
        writeDowntime: { minutes: downtime, from: iso(state.stopRequestedAt), to: iso(to), method: DOWNTIME_METHOD, modelP90Minutes: state.model?.writeDowntimeMinutes.p90 ?? null },
        canary: { row: state.canaryRow ?? null, object: state.canaryObject ?? null },
        backfill: state.backfill,
        validation: f.validation,
        dataSafety: {
            ok: unsafe.length === 0 && refused.length === 0, planned: state.planned, unprotected: state.unprotected,
            detail: unsafe.length > 0 ? `${unsafe.length} data-bearing resource(s) deleted or replaced: ${unsafe.join(", ")}`
                : refused.length > 0 ? "A preview would have deleted or replaced a data-bearing resource: that up was not run."
                    : "No data-bearing resource was deleted or replaced (every up previewed first); the pieces that left the program are retained in AWS.",
        },
        nextSteps,
        failures: f.failures,
        exitCode: 0,
    };
    if (f.phases.some((p) => p.phase === "verify" && p.status !== "skipped") && !report.rpo.zero && !f.failures.some((x) => x.message.startsWith("RPO not 0"))) {
        f.fail("verify", "RPO not proven 0: a canary is missing in region A");
    }
    report.exitCode = f.failures.length > 0 || !report.rpo.zero || f.phases.some((p) => p.status !== "ok") ? 1 : 0;
    return report;
}

/** The window the write downtime was measured over, or why there is none. */
function downtimeWindow(w: FailbackReport["writeDowntime"]): string {
    const model = w.modelP90Minutes === null ? "no model estimate" : `model p90 ${w.modelP90Minutes} min`;
    if (w.from && w.to) return `${model}; ${w.from} -> ${w.to}`;
    return `${model}; ${w.from ? `writes stopped ${w.from}, the promoted database was not proven writable` : "region B's writes were not stopped"}`;
}

export function renderFailbackMarkdown(r: FailbackReport): string {
    return [
        `# Failback report: ${r.scenario.drStack} -> ${r.scenario.primaryStack} (failback ${r.scenario.failbackId}) ${r.exitCode === 0 ? "✅ passed" : "❌ failed"}`,
        "",
        `- Start: ${r.start}`,
        `- End: ${r.end}`,
        ...(r.interrupted ? [`- Interrupted by ${r.interrupted}`] : []),
        `- RPO: **${r.rpo.zero ? "0" : "not proven 0"}** (database ${r.rpo.database ? "✅" : "❌"}, documents ${r.rpo.documents ? "✅" : "❌"}). ${r.rpo.method}`,
        `- Write downtime: **${r.writeDowntime.minutes === null ? "not measured" : `${r.writeDowntime.minutes.toFixed(1)} min`}** ` +
            `(${downtimeWindow(r.writeDowntime)}). ${r.writeDowntime.method}`,
        `- Model: ${r.model ? `failback p50 ${r.model.durationMinutes.p50} min, p90 ${r.model.durationMinutes.p90} min` : "the failback model gave no estimate for this stack"}`,
        "",
        "## Phases",
        "",
        "| Phase | Status | Measured | Model p50 | Model p90 | Detail |",
        "|---|---|---:|---:|---:|---|",
        ...r.phases.map((p) => `| ${p.phase} | ${p.status} | ${minutesOf(p.seconds, "not run")} | ${p.model ? `${p.model.p50} min` : "not modelled"} | ` +
            `${p.model ? `${p.model.p90} min` : "not modelled"} | ${p.detail} |`),
        "",
        "## Resources",
        "",
        "| Phase | Resource | Type | Op | Status | Measured |",
        "|---|---|---|---|---|---:|",
        ...r.resources.map((m) => `| ${m.phase} | \`${shortName(m.urn)}\` | \`${m.type}\` | ${m.op} | ${m.status} | ${minutesOf(m.seconds, "not finished")} |`),
        "",
        "## Validation",
        "",
        ...checkLines(r.validation),
        "",
        "## Data safety",
        "",
        `${r.dataSafety.ok ? "✅" : "❌"} ${r.dataSafety.detail}`,
        ...r.dataSafety.planned.map((d) => `- ${d.phase}: previewed ${d.op} \`${d.urn}\` (${d.type}): ${d.note}`),
        ...r.dataSafety.unprotected.map((u) => `- unprotected on purpose: \`${u}\``),
        "",
        "## Next steps",
        "",
        ...(r.nextSteps.length ? r.nextSteps.map((s) => (s.startsWith("aws ") ? `    ${s}` : `- ${s}`)) : ["None."]),
        "",
        ...failuresSection(r.failures.map((x) => ({ ...x, where: x.phase }))),
    ].join("\n");
}

