// One drill's session: its options and dependencies, its clock and id, the failures and checks it records, the
// signals that stop it, and the state each step leaves for the next.
import type { EngineEvent, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { RPO_OBJECTIVE_MINUTES } from "../../policies/model/plan";
import type { BringUpScenario } from "../bringup/bringup-report";
import { rtoObjectiveMinutes } from "../harness/policy-config";
import type { Canary, CheckResult, DrillChecks } from "./checks";
import { EventTimer } from "./events";
import type { DrillFailure, DrillReport, DrillStep, FailoverEstimate } from "./report";
import type { CheckOutput } from "./tasks";
import type { DrillFiles, DrillMarker } from "./workspace";

/** Everything a drill touches outside this process; tests pass fakes (the checks, the clock, the model). */
export interface DrillDeps {
    checks: DrillChecks;
    /** Epoch ms now. @default Date.now */
    now?: () => number;
    /** Epoch ms of an engine event, taken when it arrives. @default now() */
    eventTime?: (e: EngineEvent) => number;
    /** The model's estimate of the drill bring-up; null when it cannot be computed. */
    estimate: () => Promise<BringUpScenario | null>;
    /** The model's estimate of a failover in replica mode (the promotion), for a replica-mode stack's report. */
    estimateFailover?: () => Promise<BringUpScenario | null>;
    /** Progress lines (resources done / planned, elapsed vs objective, slowest in flight). */
    log: (line: string) => void;
    /**
     * Repeats `fn` while `pulumi up` runs, so a 25-minute restore still shows the clock and what is in flight;
     * returns the function that stops it. @default setInterval every HEARTBEAT_MS
     */
    heartbeat?: (fn: () => void) => () => void;
    /** Waits between two reads of the replicated backups' restorable time. @default setTimeout */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /**
     * Subscribes to the signals that stop a drill; returns the unsubscribe. tools/drill.ts passes processInterrupts
     * (SIGINT, SIGTERM). @default - none
     */
    onInterrupt?: (handler: InterruptHandler) => () => void;
    /**
     * The Pulumi CLI the Automation API runs (the tests' in-process fake). @default the first `pulumi` on PATH
     * (PulumiCommand.get)
     */
    pulumiCommand?: PulumiCommand;
}

export interface DrillOptions {
    projectDir: string;
    stack: string;
    primaryStack: string;
    /** Stack config (defaults, stack file): objectives, regions, domain, database mode. */
    config: Record<string, string>;
    parallel?: number;
    keep: boolean;
    /** Health URL; @default https://drill.<vbr:domainName>/health */
    endpointUrl?: string;
    /** How long to wait for the endpoint after `up`. @default 15 min */
    healthTimeoutMs?: number;
    /** Files to write (`<base>.json`, `<base>.md`). */
    reportBase: string;
    /** The drill's temporary config and policy files (the tracked stack file is never modified). */
    files: DrillFiles;
    /** This drill's id (`vbr:drillId`, the drill copy's final snapshot name). @default the UTC minute of the start */
    drillId?: string;
    /** Finish what the marker of an earlier drill records (return to standby, delete canaries), nothing else. */
    resume?: DrillMarker;
}

/**
 * Process signals as the drill sees them (tools/drill.ts wires SIGINT and SIGTERM). `deliveredToCli` is true when
 * the CLI got the same signal itself: Ctrl-C in a terminal reaches the whole foreground process group, and a second
 * SIGINT would make the CLI terminate at once instead of finishing the operations in flight.
 */
export type InterruptHandler = (signal: string, deliveredToCli: boolean) => void;

/** A stack's outputs as the Automation API reads them. */
export type OutputMap = Record<string, { value: unknown }>;
/** An output's value; an explicit null (what the stacks export for what they do not have) reads as absent. */
export const outputValue = <T>(o: OutputMap | undefined, key: string): T | undefined => (o?.[key]?.value ?? undefined) as T | undefined;

export type CanaryResult = CheckResult & { status?: string; completedAt?: number };

/** What the steps found, filled in as the drill goes: a step that failed or did not run leaves its part unset. */
export interface DrillState {
    /** prepare: the DR stack, opened without selecting it. */
    stack?: Stack;
    /** prepare: the model's estimate of this bring-up. */
    model: BringUpScenario | null;
    /** prepare, up: the engine events' timer (planned resources from the model). */
    timer: EventTimer;
    primaryOutputs?: OutputMap;
    drOutputs?: OutputMap;
    /** prepare: the drill id's final snapshot already exists, so the drill was refused. */
    drillIdExists: boolean;
    /** prepare: the replicated backups' LatestRestorableTime at the start (a cross-check of the database RPO). */
    dbLatestRestorable: number | null;
    /** prepare: what a failover would do in this stack's database mode. */
    failover?: FailoverEstimate;
    /** What this drill leaves to finish (written once the first canary exists, removed when all is done). */
    marker: DrillMarker;
    /** canary: the object written and its replication, polled while `up` runs. */
    canary?: Canary;
    canaryPending?: Promise<CanaryResult>;
    canaryResult?: CanaryResult;
    /** canary: the row seeded in the primary database (its write time on the database's clock). */
    canaryRow?: { id: string; writtenAt: number; detail: string };
    /** canary: when the DR region's replicated backups could first restore to the row's write (polled). */
    canaryRowRestorableAt?: number;
    /** up: the drill's `pulumi up` was started, so the stack must return to standby. */
    touched: boolean;
    /** up: data-bearing deletes/replaces the drill's own safety preview showed (the up is not run then). */
    upPlanned: DrillReport["dataSafety"]["planned"];
    upOutputs?: OutputMap;
    upStart: number | null;
    upEnd: number | null;
    /** validate: what the validation task read back from the drill copy. */
    dbCheck?: CheckOutput;
    /** cleanup: the canaries' deletion. */
    cleanup: Array<{ check: string } & CheckResult>;
    /** validate: when the drill endpoint answered healthy (RTO ends here). */
    healthyAt?: number;
    /** standby: data-bearing deletes and replaces, previewed and done. */
    planned: DrillReport["dataSafety"]["planned"];
    deleted: DrillReport["dataSafety"]["deleted"];
    unsafe: string[];
    /** standby: the preview showed a data-bearing delete, so the standby up was not run. */
    refused: boolean;
    /** standby: the standby up succeeded. */
    backInStandby: boolean;
}

/** The CLI's error without execa's command line: what the CLI said, in at most three lines. */
export function errorText(err: unknown): string {
    const e = err as { message?: string; commandResult?: { stderr?: string } };
    const stderr = e?.commandResult?.stderr?.trim();
    const msg = stderr || e?.message || String(err);
    // execa prefixes the command line ("Command failed with exit code N: pulumi up ..."): keep what the CLI said.
    const lines = msg.split("\n").map((l) => l.trim()).filter((l) => l && !/^Command failed with exit code/.test(l));
    return lines.slice(-3).join(" | ");
}

/** The `vbr:drillId` of a drill started at `epochMs`: its UTC date and minute, e.g. 20261129t2015 (a valid id). */
export function drillIdAt(epochMs: number): string {
    const iso = new Date(epochMs).toISOString();
    return `${iso.slice(0, 10).replace(/-/g, "")}t${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

export class Drill {
    readonly now: () => number;
    readonly eventTime: (e: EngineEvent) => number;
    readonly cfg: Record<string, string>;
    readonly rtoObjective: number;
    readonly rpoObjective: number;
    readonly region: string;
    readonly peerRegion: string;
    readonly t0: number;
    readonly drillId: string;
    readonly failures: DrillFailure[] = [];
    readonly validation: DrillReport["validation"] = [];
    /** The step running now: a failure or a signal is reported with it. */
    step: DrillStep = "prepare";
    /** The first signal, and the step it came in. */
    interrupted: string | null = null;
    interruptedIn: DrillStep = "prepare";
    /** Signals so far: the first stops the drill; none stops the return to standby. */
    signals = 0;
    /** Aborted by the first signal and when the drill ends: stops the checks that poll (health, canary). */
    readonly stopChecks = new AbortController();
    private running: { abort: AbortController; standby: boolean } | undefined;
    private readonly unsubscribe: () => void;

    constructor(readonly opts: DrillOptions, readonly deps: DrillDeps) {
        this.now = deps.now ?? Date.now;
        this.eventTime = deps.eventTime ?? (() => this.now());
        this.cfg = opts.config;
        this.rtoObjective = rtoObjectiveMinutes(this.cfg, "drill");
        this.rpoObjective = Number(this.cfg["vbr:rpoObjectiveMinutes"] ?? RPO_OBJECTIVE_MINUTES);
        this.region = this.cfg["aws:region"];
        this.peerRegion = this.cfg["vbr:peerRegion"];
        this.t0 = this.now();
        this.drillId = opts.resume?.drillId ?? opts.drillId ?? drillIdAt(this.t0);
        this.unsubscribe = (deps.onInterrupt ?? (() => () => undefined))((signal, deliveredToCli) => this.onSignal(signal, deliveredToCli));
    }

    fail(step: DrillStep, message: string, urn: string | null = null): void {
        this.failures.push({ step, urn, message });
    }

    /** A fresh state: nothing found yet. */
    initialState(): DrillState {
        return {
            model: null, timer: new EventTimer(0, this.t0, this.rtoObjective * 60_000, new Map(), this.deps.log),
            drillIdExists: false, dbLatestRestorable: null, touched: false, upStart: null, upEnd: null, upPlanned: [],
            planned: [], deleted: [], unsafe: [], refused: false, backInStandby: false, cleanup: [],
            marker: this.opts.resume ?? {
                drillId: this.drillId, stack: this.opts.stack, primaryStack: this.opts.primaryStack,
                startedAt: new Date(this.t0).toISOString(), upStarted: false, canaries: {},
            },
        };
    }

    /**
     * The first signal stops the drill's up (SIGINT to the CLI, which finishes the operations in flight) and the
     * checks. No signal stops the return to standby: the runner never forwards one to it, and when the CLI got a
     * Ctrl-C itself (a terminal sends it to the whole process group) and stopped, the runner starts the return again.
     * Only a SIGKILL ends it; the marker file then makes the next start (or `--resume`) finish it.
     */
    private onSignal(signal: string, deliveredToCli: boolean): void {
        this.signals++;
        if (!this.interrupted) { this.interrupted = signal; this.interruptedIn = this.step; }
        this.stopChecks.abort();
        if (this.step === "standby" || this.running?.standby) {
            this.deps.log(`${signal}: the drill is returning ${this.opts.stack} to standby and finishes that first` +
                (deliveredToCli ? " (pulumi got the Ctrl-C too: the runner starts the return again when it stops)" : "") +
                "; if this process is killed, npm run drill -- --resume finishes it");
            return;
        }
        this.deps.log(`${signal}: stopping the drill${this.running ? " (pulumi finishes the operations in flight)" : ""}`);
        if (this.running && !deliveredToCli) this.running.abort.abort();
    }

    /** Runs a CLI operation that a signal may stop. */
    async stoppable<T>(standby: boolean, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
        this.running = { abort: new AbortController(), standby };
        // The SDK listens for the abort only once the command runs: one that came first must stop it from starting.
        if (this.interrupted && !standby) {
            this.running = undefined;
            throw new Error(`not started: the drill was interrupted by ${this.interrupted}`);
        }
        try {
            return await op(this.running.abort.signal);
        } finally {
            this.running = undefined;
        }
    }

    /** Stops listening for signals. */
    close(): void {
        this.unsubscribe();
    }
}
