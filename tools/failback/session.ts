// One failback's session: its options and dependencies, its clock and id, the phases it runs and records, and the state
// each phase leaves for the next. The phases are in phases.ts, the Pulumi steps in stack-step.ts.
import type { EngineEvent, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { CheckResult } from "../drill/checks";
import type { MeasuredResource } from "../drill/report";
import { drillIdAt, errorText, OutputMap } from "../drill/session";
import type { FailbackEstimate } from "../bringup/failback-estimate";
import type { FailbackChecks, WriterCapacity, WriterService } from "./checks";

export { errorText };

/** The phases, in order: the report lists each one, run, skipped or failed. */
export const PHASES = ["prepare", "replicate-back", "backfill", "recover", "stop-writes", "canary", "drain", "promote", "verify", "standby", "audit"] as const;
export type Phase = (typeof PHASES)[number] | "report";

export interface FailbackOptions {
    projectDir: string;
    /** The Pulumi project's name (URNs). */
    project: string;
    primaryStack: string;
    drStack: string;
    /** Both stacks' config (defaults, stack files) at the start. */
    primaryConfig: Record<string, string>;
    drConfig: Record<string, string>;
    parallel?: number;
    /** How long each wait may take (batch jobs, stopping the writers, replica lag, S3 backlog). @default 60 min */
    waitTimeoutMs?: number;
    /** Files to write (`<base>.json`, `<base>.md`). */
    reportBase: string;
}

export interface FailbackDeps {
    checks: FailbackChecks;
    /** Epoch ms now. @default Date.now */
    now?: () => number;
    /** Epoch ms of an engine event. @default now() */
    eventTime?: (e: EngineEvent) => number;
    /** The model's failback estimate; null when it cannot be computed. */
    estimate: () => Promise<FailbackEstimate | null>;
    log: (line: string) => void;
    /** `pulumi state unprotect` of one URN (the runbook's step, for exactly the URNs the DR stack's return names). */
    unprotect: (stack: string, urn: string) => Promise<void>;
    /** Waits between two looks for the canary row. @default setTimeout, cut short by the signal */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Subscribes to the signals that stop a failback; returns the unsubscribe. @default - none */
    onInterrupt?: (handler: (signal: string) => void) => () => void;
    /**
     * The Pulumi CLI the Automation API runs (the tests' in-process fake). @default the first `pulumi` on PATH
     * (PulumiCommand.get)
     */
    pulumiCommand?: PulumiCommand;
}

export interface PhaseRecord {
    phase: Phase;
    status: "ok" | "failed" | "skipped";
    start: string | null;
    seconds: number | null;
    /** The model's p50/p90 minutes for this phase, when it has one. */
    model: { p50: number; p90: number } | null;
    detail: string;
}

export interface FailbackState {
    primary?: Stack;
    dr?: Stack;
    primaryOutputs?: OutputMap;
    drOutputs?: OutputMap;
    model: FailbackEstimate | null;
    /** The instance the primary replicated from before the failover: the DR stack's serving pieces are named after it. */
    oldSource?: string;
    writer?: WriterService;
    previousCapacity?: WriterCapacity;
    /** When the failback asked region B's writers to stop (write downtime starts). */
    stopRequestedAt?: number;
    stoppedAt?: number;
    /** The promote `up` was started: from then on region B's writers are never resumed automatically. */
    promoteStarted: boolean;
    promoteEnd?: number;
    writableAt?: number;
    /** `database`: where it was written (identifier and region); the times in epoch ms (written: the database's clock). */
    canaryRow?: { id: string; writtenAt: number; database: string; inReplicaAt?: number; afterPromotionAt?: number };
    canaryObject?: { source: string; replica: string; writtenAt: number; completedAt?: number; presentAfterPromotion?: boolean };
    backfill: Array<{ bucket: string; jobId?: string; total?: number; failed?: number }>;
    drainedAt?: number;
    resources: Array<MeasuredResource & { phase: Phase }>;
    /** Data-bearing deletes and replaces the previews showed; `leaves`: protected, retained pieces the runbook retires. */
    planned: Array<{ phase: Phase; urn: string; type: string; op: string; note: string }>;
    /** URNs the DR stack's return to standby unprotected (they leave the program; retainOnDelete keeps them in AWS). */
    unprotected: string[];
    unsafe: string[];
}

export class Failback {
    readonly now: () => number;
    readonly t0: number;
    readonly failbackId: string;
    /**
     * This run's canary id (row and object): `failback-<UTC start of this run>`. A resumed failback keeps its failback id
     * but writes a new canary: the row of an earlier run is already in region B (the id is the table's primary key).
     */
    readonly canaryId: string;
    readonly failures: Array<{ phase: Phase; urn: string | null; message: string }> = [];
    readonly validation: Array<{ check: string } & CheckResult> = [];
    readonly phases: PhaseRecord[] = [];
    readonly stop = new AbortController();
    interrupted: string | null = null;
    phase: Phase = "prepare";
    private phaseStart = 0;
    private readonly unsubscribe: () => void;

    constructor(readonly opts: FailbackOptions, readonly deps: FailbackDeps) {
        this.now = deps.now ?? Date.now;
        this.t0 = this.now();
        // A failback already under way (the primary recovering) keeps its id: its instance is named after it.
        const resumed = opts.primaryConfig["vbr:primaryState"] === "recovering" ? opts.primaryConfig["vbr:dbFailbackId"] : undefined;
        this.failbackId = resumed || drillIdAt(this.t0);
        this.canaryId = `failback-${drillIdAt(this.t0)}`;
        this.unsubscribe = (deps.onInterrupt ?? (() => () => undefined))((signal) => {
            if (!this.interrupted) this.interrupted = signal;
            deps.log(`${signal}: stopping the failback after the operation in flight`);
            this.stop.abort();
        });
    }

    get region(): string { return this.opts.drConfig["aws:region"]; }
    get primaryRegion(): string { return this.opts.primaryConfig["aws:region"]; }

    fail(phase: Phase, message: string, urn: string | null = null): void {
        this.failures.push({ phase, urn, message });
    }

    /** Starts a phase: progress line with its place, the model's estimate and the time so far. */
    begin(phase: Phase, model: { p50: number; p90: number } | null, what: string): void {
        this.phase = phase;
        this.phaseStart = this.now();
        const n = PHASES.indexOf(phase as (typeof PHASES)[number]) + 1;
        const elapsed = ((this.phaseStart - this.t0) / 60000).toFixed(1);
        this.deps.log(`[${n}/${PHASES.length} ${phase}] ${what}${model ? ` (model p50 ${model.p50} min, p90 ${model.p90} min)` : ""}; ${elapsed} min elapsed`);
    }

    /** Ends the current phase; a phase that recorded a failure is failed. */
    end(model: { p50: number; p90: number } | null, detail: string): boolean {
        const failed = this.failures.some((f) => f.phase === this.phase);
        this.phases.push({
            phase: this.phase, status: failed ? "failed" : "ok", start: new Date(this.phaseStart).toISOString(),
            seconds: (this.now() - this.phaseStart) / 1000, model, detail,
        });
        return !failed;
    }

    skip(phase: Phase, detail: string): void {
        this.phases.push({ phase, status: "skipped", start: null, seconds: null, model: null, detail });
    }

    close(): void { this.unsubscribe(); }
}

export function initialState(): FailbackState {
    return { model: null, promoteStarted: false, backfill: [], resources: [], planned: [], unprotected: [], unsafe: [] };
}
