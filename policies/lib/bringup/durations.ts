// Durations: p50/p90 seconds per resource type and per slow operation (RDS promotion, restore as a function of the
// allocated storage with the baseline backup that follows it, ECS steady state), from policies/data/provisioning-times.json.
import * as fs from "fs";
import * as path from "path";
import { ECS_SERVICE, ModelOptions, Operation, RDS_INSTANCE } from "./graph";

export type Quantile = "p50" | "p90";

export interface Estimate {
    p50: number;
    p90: number;
    /** Where the numbers come from (the data file entry's source). */
    source: string;
    /** The data-file key the estimate came from (a type, `operations.<op>`, `restore` or `default`). */
    key: string;
}

interface TimeEntry {
    p50: number;
    p90: number;
    source: string;
    samples?: number;
    lastMeasured?: string;
}

export interface ProvisioningTimes {
    version: number;
    /** How many samples a literature seed counts as when drill measurements are merged in. */
    priorWeight: number;
    /** The most weight history keeps: newer drills move the estimate at least 1/maxWeight per sample. */
    maxWeight: number;
    default: TimeEntry;
    types: Record<string, TimeEntry>;
    operations: Record<string, TimeEntry>;
    restore: {
        p50: { baseSeconds: number; perGiBSeconds: number };
        p90: { baseSeconds: number; perGiBSeconds: number };
        defaultAllocatedStorageGiB: number;
        source: string;
        samples?: number;
        lastMeasured?: string;
    };
    dns: { ttlSeconds: number; source: string };
    /** The drills already merged by `npm run drill:learn` (`<stack>:<drillId>`): merging one twice changes nothing. */
    mergedDrills?: string[];
}

export const PROVISIONING_TIMES_FILE = path.join(__dirname, "..", "..", "data", "provisioning-times.json");

/** Reads the data file (the default one unless `file` is given). */
export function loadProvisioningTimes(file = PROVISIONING_TIMES_FILE): ProvisioningTimes {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ProvisioningTimes;
}

function storageOf(inputs: Record<string, unknown>, times: ProvisioningTimes, opts: ModelOptions): number {
    const v = inputs.allocatedStorage;
    const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isFinite(n) && n > 0) return n;
    return opts.allocatedStorageGiB ?? times.restore.defaultAllocatedStorageGiB;
}

/** p50/p90 seconds for one operation on one resource. */
export function estimateFor(type: string, operation: Operation, inputs: Record<string, unknown>, times: ProvisioningTimes,
    opts: ModelOptions = {}): Estimate {
    const entry = (e: TimeEntry, key: string): Estimate => ({ p50: e.p50, p90: e.p90, source: e.source, key });
    if (type === RDS_INSTANCE && operation === "promote") return entry(times.operations["rds-promote"], "operations.rds-promote");
    if (type === RDS_INSTANCE && operation === "replica") return entry(times.operations["rds-cross-region-replica"], "operations.rds-cross-region-replica");
    if (type === RDS_INSTANCE && operation === "restore") {
        const gib = storageOf(inputs, times, opts);
        const r = times.restore;
        let est: Estimate = {
            p50: r.p50.baseSeconds + r.p50.perGiBSeconds * gib,
            p90: r.p90.baseSeconds + r.p90.perGiBSeconds * gib,
            source: `${r.source} [${gib} GiB]`,
            key: "restore",
        };
        // Every restore: the provider's restore call does not send BackupRetentionPeriod, so the instance inherits its
        // source's retention, RDS takes a baseline backup at once and the provider waits for it, whatever
        // backupRetentionPeriod the program asks for (hashicorp/terraform-provider-aws#44104).
        const b = times.operations["rds-baseline-backup"];
        est = { p50: est.p50 + b.p50, p90: est.p90 + b.p90, source: `${est.source} + ${b.source}`, key: "restore" };
        return est;
    }
    if (type === ECS_SERVICE && inputs.waitForSteadyState !== true) {
        return entry(times.operations["ecs-service-no-wait"], "operations.ecs-service-no-wait");
    }
    const typed = times.types[type];
    return typed ? entry(typed, type) : entry(times.default, "default");
}
