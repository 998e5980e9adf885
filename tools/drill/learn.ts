// `drill:learn`: a drill's measured durations merged into the bring-up model's data file.
import type { ProvisioningTimes } from "../../policies/lib/bringup";
import type { DrillReport, MeasuredResource } from "./report";

/** Nearest-rank quantile of a non-empty list. */
export function quantile(values: number[], q: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface LearnResult {
    times: ProvisioningTimes;
    changes: string[];
    /** The drill's key in the data file's mergedDrills. */
    drill: string;
    /** The data file had merged this drill already: nothing changed. */
    alreadyMerged: boolean;
}

/** How the data file remembers a drill: its stack and id (one drill per id: a taken id refuses to start). */
export function drillKey(report: DrillReport): string {
    return report.scenario?.drillId ? `${report.scenario.stack}:${report.scenario.drillId}` : `start:${report.start}`;
}

/**
 * Merges a drill's measured durations into the model's data (returns a new object; the caller writes it).
 * Rule: per data-file key, the drill's n samples give a measured p50 and p90 (nearest rank); the entry's history
 * weighs w = min(samples, maxWeight) (a literature seed counts as priorWeight samples), and
 * new = (w x old + n x measured) / (w + n), rounded to the second, p90 never below p50; samples += n.
 * The restore entry (base + per GiB) is scaled by the measured/estimated ratio with the same weights. Only
 * resources that finished (status ok) and that the model estimated count; an unlisted type the model gave the
 * default gets its own entry, seeded from the default. The data file remembers each merged drill (mergedDrills):
 * a report merged again changes nothing, so its samples never count twice.
 */
export function mergeMeasurements(times: ProvisioningTimes, report: DrillReport): LearnResult {
    const next: ProvisioningTimes = JSON.parse(JSON.stringify(times));
    const changes: string[] = [];
    const drill = drillKey(report);
    if ((times.mergedDrills ?? []).includes(drill)) return { times: next, changes, drill, alreadyMerged: true };
    const date = report.start.slice(0, 10);
    const groups = new Map<string, MeasuredResource[]>();
    for (const m of report.resources) {
        if (m.status !== "ok" || m.seconds === null || !m.estimate) continue;
        const key = m.estimate.key === "default" ? m.type : m.estimate.key;
        (groups.get(key) ?? groups.set(key, []).get(key)!).push(m);
    }
    const weigh = (samples: number | undefined) => Math.min(samples ?? next.priorWeight, next.maxWeight);
    for (const [key, ms] of groups) {
        const n = ms.length;
        const secs = ms.map((m) => m.seconds!);
        if (key === "restore") {
            const r = next.restore;
            const w = weigh(r.samples);
            const r50 = quantile(ms.map((m) => m.seconds! / m.estimate!.p50), 0.5);
            const r90 = quantile(ms.map((m) => m.seconds! / m.estimate!.p90), 0.9);
            const f50 = (w + n * r50) / (w + n);
            const f90 = (w + n * r90) / (w + n);
            const round = (x: number) => Math.round(x * 100) / 100;
            r.p50 = { baseSeconds: Math.round(r.p50.baseSeconds * f50), perGiBSeconds: round(r.p50.perGiBSeconds * f50) };
            r.p90 = { baseSeconds: Math.round(r.p90.baseSeconds * f90), perGiBSeconds: round(r.p90.perGiBSeconds * f90) };
            r.samples = (r.samples ?? next.priorWeight) + n;
            r.lastMeasured = date;
            changes.push(`restore: scaled p50 x${f50.toFixed(3)}, p90 x${f90.toFixed(3)} (${n} sample${n > 1 ? "s" : ""})`);
            continue;
        }
        const isOp = key.startsWith("operations.");
        const table = isOp ? next.operations : next.types;
        const name = isOp ? key.slice("operations.".length) : key;
        const entry = table[name] ?? (table[name] = { ...next.default, source: `default (${next.default.source}); learned from drills` });
        const w = weigh(entry.samples);
        const m50 = quantile(secs, 0.5);
        const m90 = quantile(secs, 0.9);
        const before = `${entry.p50}/${entry.p90}`;
        entry.p50 = Math.round((w * entry.p50 + n * m50) / (w + n));
        entry.p90 = Math.max(entry.p50, Math.round((w * entry.p90 + n * m90) / (w + n)));
        entry.samples = (entry.samples ?? next.priorWeight) + n;
        entry.lastMeasured = date;
        changes.push(`${key}: p50/p90 ${before} -> ${entry.p50}/${entry.p90} s (${n} sample${n > 1 ? "s" : ""}, measured ${m50}/${m90} s)`);
    }
    if (changes.length > 0) next.mergedDrills = [...(next.mergedDrills ?? []), drill];
    return { times: next, changes, drill, alreadyMerged: false };
}
