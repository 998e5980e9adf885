// The failback's canary row, checked from inside each region's VPC: the databases are private (no public access; their
// security groups admit only the task security group), so every database step is a one-off ECS task running the app
// image's validation command (docs/drill.md, "The validation command") on a stack's own app task definition (its `tasks.app`
// output: its VPC, its task security group, its database secret), as the drill seeds its canary row. The host is passed
// explicitly (DB_HOST, DB_PORT overrides) from the same stack's `database` output, so each task checks the instance the
// runner names, whatever revision of the task definition the output points at.
//   region B: `seed` writes the row (the last write B accepts: its service is stopped);
//   region A, failback replica: `find`, read-only (a replica cannot take writes), until the row is there;
//   region A, promoted: `verify` writes a probe row (the database accepts writes) and reads the row back (RPO 0).
import type { OneOffTask } from "../../components/service-validation";
import { VALIDATION_COMMAND } from "../../components/service-validation";
import { failbackSuffix } from "../../components/database-failback";
import { Naming } from "../../policies/model/naming";
import { sleep } from "../drill/aws";
import { outputValue, OutputMap } from "../drill/session";
import type { TaskRun } from "../drill/tasks";
import type { Failback, FailbackState } from "./session";

/** Between two looks for the canary row in region A's replica; each look is a task of its own (tens of seconds on Fargate). */
export const FIND_POLL_MS = 15_000;
/** The validation command's exit code for a canary row that is not there (docs/drill.md). */
const MISSING = 5;

type Mode = "seed" | "find" | "verify";

/** Where a check runs: a stack's app task definition, in its region, against its serving database. */
export interface DbSide {
    region: string;
    stack: string;
    task: OneOffTask;
    db: { identifier: string; address: string; port: number };
}

/** The side of `outputs`, or a failure of the current phase naming the missing output. */
function side(f: Failback, outputs: OutputMap | undefined, stack: string, region: string): DbSide | undefined {
    const task = outputValue<{ app?: OneOffTask }>(outputs, "tasks")?.app;
    const db = outputValue<DbSide["db"]>(outputs, "database");
    if (!task) {
        f.fail(f.phase, `${stack} exports no tasks.app (its app task definition, for the canary row's one-off tasks): update it with this version`);
        return undefined;
    }
    if (!db?.address) {
        f.fail(f.phase, `${stack} exports no serving database (output database.address)`);
        return undefined;
    }
    return { region, stack, task, db: { identifier: db.identifier, address: db.address, port: Number(db.port ?? 5432) } };
}

/** Region B: the DR stack's app task definition and its serving instance. */
export const regionB = (f: Failback, state: FailbackState): DbSide | undefined => side(f, state.drOutputs, f.opts.drStack, f.region);

/** Region A: the primary's app task definition and its failback instance (a replica while recovering, then promoted). */
export function regionA(f: Failback, state: FailbackState): DbSide | undefined {
    const a = side(f, state.primaryOutputs, f.opts.primaryStack, f.primaryRegion);
    const expected = new Naming(f.opts.primaryConfig["vbr:environment"] ?? "prod").dbIdentifier(failbackSuffix(f.failbackId));
    if (a && a.db.identifier !== expected) {
        f.fail(f.phase, `${f.opts.primaryStack} serves from ${a.db.identifier}, not its failback instance ${expected}: the canary row would be looked for in the wrong database`);
        return undefined;
    }
    return a;
}

const where = (s: DbSide) => `${s.db.identifier} (${s.region})`;

function run(f: Failback, s: DbSide, mode: Mode): Promise<TaskRun> {
    return f.deps.checks.runTask({
        region: s.region, task: s.task, command: [VALIDATION_COMMAND, mode], startedBy: "vbr-failback", signal: f.stop.signal,
        environment: { VBR_CANARY_ID: f.canaryId, DB_HOST: s.db.address, DB_PORT: String(s.db.port) },
    });
}

/** A `find` answer: present (ok and a write time), missing (exit 5 with its result line), or no answer (anything else). */
function found(r: TaskRun): "present" | "missing" | "no answer" {
    const out = r.output?.mode === "find" ? r.output : undefined;
    if (r.ok && out?.canaryWrittenAt) return "present";
    if (r.exitCode === MISSING && out && out.canaryWrittenAt === null) return "missing";
    return "no answer";
}

/**
 * Before region B's writes stop: region A's failback replica answers a read-only check from inside its VPC (the task
 * starts, authenticates with the primary's secret, reads) and is a replica. Found here, a wrong secret or a missing
 * table costs nothing; found in the drain, it would cost a stop of the writes.
 */
export async function replicaAnswers(f: Failback, state: FailbackState): Promise<void> {
    const a = regionA(f, state);
    if (!a) return;
    const r = await run(f, a, "find");
    const answer = found(r);
    const inRecovery = r.output?.mode === "find" ? r.output.inRecovery : undefined;
    const ok = answer !== "no answer" && inRecovery === true;
    const detail = answer === "no answer" ? `${where(a)} did not answer: ${r.detail}`
        : inRecovery !== true ? `${where(a)} is not a read replica (inRecovery ${String(inRecovery)}): ${r.detail}`
            : `${where(a)} answers and is a read replica (canary ${f.canaryId} ${answer}). ${r.detail}`;
    f.validation.push({ check: "region A's failback replica answers a read-only check from inside its VPC (vbr-db-check find)", ok, detail });
    if (!ok) f.fail(f.phase, detail);
}

/** Writes the canary row in region B's serving database: its write time is the database's clock. */
export async function seedRow(f: Failback, state: FailbackState): Promise<void> {
    const b = regionB(f, state);
    if (!b) return;
    const r = await run(f, b, "seed");
    const writtenAt = r.output?.mode === "seed" && r.output.writtenAt ? Date.parse(r.output.writtenAt) : NaN;
    const ok = r.ok && Number.isFinite(writtenAt);
    const detail = ok ? `row ${f.canaryId} written to ${where(b)} at ${new Date(writtenAt).toISOString()} (database clock): ${r.detail}`
        : r.ok ? `${r.detail}, but its log has no seed result line with writtenAt` : r.detail;
    f.validation.push({ check: "canary row written in region B", ok, detail });
    if (ok) state.canaryRow = { id: f.canaryId, writtenAt, database: where(b) }; else f.fail(f.phase, detail);
}

/**
 * Looks for the canary row in region A's replica with `find` (read-only), one task every FIND_POLL_MS, until it is
 * there, `timeoutMs` passed or the failback is interrupted. A replica that is not in recovery, or a task that does not
 * answer, fails at once: the writes are stopped while this waits.
 */
export async function awaitRowInReplica(f: Failback, state: FailbackState, timeoutMs: number): Promise<void> {
    const a = regionA(f, state);
    if (!a || !state.canaryRow) return;
    const check = "replica lag 0: the canary row reached region A's replica";
    const deadline = f.now() + timeoutMs;
    for (let looks = 1; ; looks++) {
        const r = await run(f, a, "find");
        const answer = found(r);
        if (answer !== "no answer" && r.output?.inRecovery === false) {
            const detail = `${where(a)} is not a read replica any more (inRecovery false) while region B served: ${r.detail}`;
            f.validation.push({ check, ok: false, detail });
            return f.fail(f.phase, detail);
        }
        if (answer === "present") {
            state.canaryRow.inReplicaAt = f.now();
            f.validation.push({ check, ok: true, detail: `${where(a)} holds row ${f.canaryId} (look ${looks}, every ${FIND_POLL_MS / 1000} s): ${r.detail}` });
            return;
        }
        const last = answer === "missing" ? `not there after ${looks} look(s)` : r.detail;
        if (answer === "no answer" || f.stop.signal.aborted || f.now() + FIND_POLL_MS > deadline) {
            const detail = `the canary row ${f.canaryId} is not in ${where(a)}${f.stop.signal.aborted ? " (interrupted)" : ""} (last: ${last})`;
            f.validation.push({ check, ok: false, detail });
            return f.fail(f.phase, detail);
        }
        await (f.deps.sleep ?? sleep)(FIND_POLL_MS, f.stop.signal);
    }
}

/**
 * After the promotion, one `verify` task in region A: its probe row proves the promoted database takes writes, and it
 * reads the canary row back (RPO 0). When the probe could not be written, `find` still says whether the row is there.
 */
export async function promotedChecks(f: Failback, state: FailbackState): Promise<void> {
    const a = regionA(f, state);
    if (!a) return;
    const r = await run(f, a, "verify");
    const out = r.output?.mode === "verify" ? r.output : undefined;
    const wrote = out?.probeId !== undefined && out.probeId !== null && (r.ok || r.exitCode === MISSING);
    f.validation.push({
        check: "region A's promoted database accepts writes", ok: wrote,
        detail: wrote ? `probe row ${out!.probeId} written to ${where(a)}: ${r.detail}` : `${where(a)}: ${r.detail}`,
    });
    if (wrote) state.writableAt = f.now(); else f.fail(f.phase, `${where(a)} takes no write: ${r.detail}`);
    if (!state.canaryRow) return;
    let row: { present: boolean; detail: string } | undefined;
    if (wrote) row = { present: Boolean(out!.canaryWrittenAt), detail: r.detail };
    else {
        const look = await run(f, a, "find");
        const answer = found(look);
        if (answer !== "no answer") row = { present: answer === "present", detail: look.detail };
    }
    const check = "the canary row is in region A's promoted database";
    if (row?.present) {
        state.canaryRow.afterPromotionAt = f.now();
        f.validation.push({ check, ok: true, detail: `${where(a)} holds row ${f.canaryId}: ${row.detail}` });
        return;
    }
    const detail = row ? `the canary row ${f.canaryId} is missing from ${where(a)}: ${row.detail}` : `the canary row ${f.canaryId} could not be read in ${where(a)}`;
    f.validation.push({ check, ok: false, detail });
    f.fail(f.phase, `RPO not 0: ${detail}`);
}
