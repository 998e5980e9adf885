// The engine's event stream during a drill: each resource's measured duration next to the model's estimate, the
// progress line, and which steps delete or replace a data-bearing resource.
import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { LIFECYCLE_DRILL, TAGS } from "../../policies/model/tags";
import type { TimelineEntry } from "../bringup/bringup-report";
import type { MeasuredResource } from "./report";

const fmtClock = (ms: number) => {
    const s = Math.max(0, Math.round(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};
export const shortName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * The model's timeline by URN. The offline recorder builds URNs exactly as the engine does (every ancestor's type),
 * so the engine's events name the same URNs as the model.
 */
export function estimateIndex(timeline: TimelineEntry[]): Map<string, TimelineEntry> {
    return new Map(timeline.map((t) => [t.urn, t]));
}

/** How often the progress line repeats while nothing finishes (a restore or a steady-state wait). */
export const HEARTBEAT_MS = 30_000;

export function everyHeartbeat(fn: () => void): () => void {
    const timer = setInterval(fn, HEARTBEAT_MS);
    return () => clearInterval(timer);
}

/**
 * Each engine event once. The engine numbers an operation's events (`sequence`), but the Automation API can hand
 * the same events over twice: with a CLI up to 3.205 it tails the --event-log file with @logdna/tail-file, whose
 * quit() starts one last poll while the timer's poll may still be reading; both read from the same position and
 * push the same lines (the end of the update, or all of it when the CLI wrote it in one go). Every timed resource
 * and every learned sample would then count twice, so every handler the drill gives the API goes through this.
 */
export function onceEach(handler: (e: EngineEvent) => void): (e: EngineEvent) => void {
    const seen = new Set<number>();
    return (e) => {
        if (typeof e.sequence === "number") {
            if (seen.has(e.sequence)) return;
            seen.add(e.sequence);
        }
        handler(e);
    };
}

/** The drill's own database copy (components/database-dr.ts names it `<database>-drill`). */
export const isDrillCopy = (urn: string, type: string) => type === "aws:rds/instance:Instance" && urn.endsWith("-db-drill");

/** Pairs resourcePre with resOutputs / resOpFailed by op and URN; reports progress as resources finish. */
export class EventTimer {
    private readonly started = new Map<string, { urn: string; type: string; op: string; at: number }>();
    readonly measured: MeasuredResource[] = [];
    /** When the drill copy's restore was requested (its resourcePre event): the moment the copy's data is taken. */
    drillCopyStartedAt: number | null = null;
    readonly errors = new Map<string, string>();
    private done = 0;

    constructor(private readonly planned: number, private readonly t0: number, private readonly objectiveMs: number,
        private readonly estimates: Map<string, TimelineEntry>, private readonly log: (line: string) => void) {}

    private estimateOf(urn: string): MeasuredResource["estimate"] {
        const e = this.estimates.get(urn);
        return e ? { key: e.key, p50: e.p50Finish - e.p50Start, p90: e.finish - e.start } : null;
    }

    handle(e: EngineEvent, at: number): void {
        if (e.diagnosticEvent?.severity === "error" && e.diagnosticEvent.urn) {
            this.errors.set(e.diagnosticEvent.urn, e.diagnosticEvent.message.trim());
        }
        const pre = e.resourcePreEvent?.metadata;
        if (pre && pre.op !== "same" && pre.op !== "read" && !pre.type.startsWith("pulumi:providers:") && pre.type !== "pulumi:pulumi:Stack") {
            this.started.set(`${pre.op}|${pre.urn}`, { urn: pre.urn, type: pre.type, op: pre.op, at });
            if (pre.op === "create" && isDrillCopy(pre.urn, pre.type) && this.drillCopyStartedAt === null) this.drillCopyStartedAt = at;
            return;
        }
        const out = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (!out) return;
        const key = `${out.op}|${out.urn}`;
        const s = this.started.get(key);
        if (!s) return;
        this.started.delete(key);
        const failed = e.resOpFailedEvent !== undefined;
        this.measured.push({ urn: s.urn, type: s.type, op: s.op, status: failed ? "failed" : "ok", seconds: (at - s.at) / 1000, estimate: this.estimateOf(s.urn) });
        this.done++;
        this.progress(at);
    }

    progress(at: number): void {
        const inflight = [...this.started.values()].sort((a, b) => a.at - b.at).slice(0, 3)
            .map((s) => `${shortName(s.urn)} ${fmtClock(at - s.at)}`);
        this.log(`[${fmtClock(at - this.t0)} / ${fmtClock(this.objectiveMs)}] ${this.done}/${Math.max(this.planned, this.done)} resources done` +
            (inflight.length ? `; slowest in flight: ${inflight.join(", ")}` : ""));
    }

    /** Resources still without an end event (the update stopped): listed as in flight. */
    finish(): void {
        for (const s of this.started.values()) {
            this.measured.push({ urn: s.urn, type: s.type, op: s.op, status: "in-flight", seconds: null, estimate: this.estimateOf(s.urn) });
        }
        this.started.clear();
    }
}

const DATA_BEARING = new Set([
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:rds/instance:Instance", "aws:kms/key:Key",
    "aws:backup/vault:Vault", "aws:secretsmanager/secret:Secret", "aws:ecr/repository:Repository",
]);
/** Engine steps that remove a resource's current physical copy (a preview shows replacements as these too). */
const DATA_LOSS_OPS = new Set(["delete", "replace", "create-replacement", "delete-replaced", "discard", "discard-replaced"]);

/** What a data-bearing step is: the drill copy's delete (its final snapshot keeps the data) or anything else. */
export function dataStep(m: StepEventMetadata | undefined): { urn: string; type: string; op: string; note: string; drillCopy: boolean } | undefined {
    if (!m || !DATA_LOSS_OPS.has(m.op) || !DATA_BEARING.has(m.type)) return undefined;
    const inputs = (m.old?.inputs ?? {}) as Record<string, unknown>;
    const tags = (inputs.tags ?? {}) as Record<string, string>;
    const snapshot = inputs.skipFinalSnapshot === false && typeof inputs.finalSnapshotIdentifier === "string";
    if (m.type === "aws:rds/instance:Instance" && tags[TAGS.lifecycle] === LIFECYCLE_DRILL && snapshot) {
        return { urn: m.urn, type: m.type, op: m.op, note: `drill copy; final snapshot ${String(inputs.finalSnapshotIdentifier)}`, drillCopy: true };
    }
    return { urn: m.urn, type: m.type, op: m.op, note: "DATA-BEARING RESOURCE DELETED", drillCopy: false };
}
