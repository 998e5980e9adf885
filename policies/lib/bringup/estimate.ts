// The estimate: both quantiles' schedules, the critical path, and when DNS serves from the DR region.
import { REPLICATION_DESTINATION, TAGS } from "../../model/tags";
import type { ProvisioningTimes } from "./durations";
import { BringUpStep, ECS_SERVICE, GraphResource, ROUTE53_RECORD, tagsOf } from "./graph";
import { defaultParallel, Schedule, ScheduledStep, simulate } from "./schedule";

export interface BringUpEstimate {
    parallel: number;
    steps: BringUpStep[];
    p50: Schedule;
    p90: Schedule;
    p50Seconds: number;
    p90Seconds: number;
    /** The p90 schedule's critical path (the objective is judged on p90). */
    criticalPath: ScheduledStep[];
    /** Seconds until DNS serves from the DR region (see `dnsServesAt`); null when the bring-up changes no record. */
    dnsServes: DnsServes | null;
}

export interface DnsServes {
    p50: number;
    p90: number;
    ttlSeconds: number;
    source: string;
    /** The step whose finish decided each quantile's time (a record, or an ECS service behind one). */
    gatedBy: { p50: string; p90: string };
}

/**
 * When DNS serves from the DR region in one schedule, in seconds from the start of `pulumi up`:
 *     max(finish of every Route 53 record step, ready time of every ECS service behind a record's target) + TTL
 * A record answers once INSYNC, but its alias evaluates target health, so it serves only once an ECS service behind
 * its target (directly or through other steps: service -> listener -> load balancer) is steady; a service without
 * waitForSteadyState gets the steady-state estimate added. Cached answers switch within one TTL. The SECONDARY record
 * takes traffic only once the primary's health check fails, outside this stack: this is the earliest DNS can serve
 * from DR. Null when no record is among the steps.
 */
export function dnsServesAt(steps: BringUpStep[], schedule: Schedule, times: ProvisioningTimes): { seconds: number; gatedBy: string } | null {
    const records = steps.filter((s) => s.type === ROUTE53_RECORD);
    if (records.length === 0) return null;
    const byUrn = new Map(steps.map((s) => [s.urn, s]));
    const finish = new Map(schedule.steps.map((s) => [s.urn, s.finish]));
    // Every step a step waits for, directly or not.
    const upstream = new Map<string, Set<string>>();
    const ancestors = (urn: string): Set<string> => {
        const known = upstream.get(urn);
        if (known) return known;
        const set = new Set<string>();
        upstream.set(urn, set);
        for (const d of byUrn.get(urn)?.dependencies ?? []) {
            if (!byUrn.has(d)) continue;
            set.add(d);
            for (const a of ancestors(d)) set.add(a);
        }
        return set;
    };
    const steady = times.types[ECS_SERVICE];
    const ready = (s: BringUpStep) => finish.get(s.urn)!
        + (s.estimate.key === "operations.ecs-service-no-wait" && steady ? steady[schedule.quantile] : 0);
    const services = steps.filter((s) => s.type === ECS_SERVICE);
    let best: { seconds: number; gatedBy: string } | null = null;
    const consider = (urn: string, at: number) => {
        if (best === null || at > best.seconds) best = { seconds: at, gatedBy: urn };
    };
    for (const r of records) {
        consider(r.urn, finish.get(r.urn)!);
        const targets = r.dependencies.filter((d) => byUrn.has(d));
        for (const svc of services) {
            const up = ancestors(svc.urn);
            if (targets.some((t) => t === svc.urn || up.has(t))) consider(svc.urn, ready(svc));
        }
    }
    const b = best as { seconds: number; gatedBy: string } | null;
    return b && { seconds: b.seconds + times.dns.ttlSeconds, gatedBy: b.gatedBy };
}

export function estimateBringUp(steps: BringUpStep[], times: ProvisioningTimes, parallel: number = defaultParallel()): BringUpEstimate {
    const p50 = simulate(steps, "p50", parallel);
    const p90 = simulate(steps, "p90", parallel);
    const dns50 = dnsServesAt(steps, p50, times);
    const dns90 = dnsServesAt(steps, p90, times);
    return {
        parallel, steps, p50, p90,
        p50Seconds: p50.total,
        p90Seconds: p90.total,
        criticalPath: p90.criticalPath,
        dnsServes: dns50 && dns90 ? {
            p50: dns50.seconds, p90: dns90.seconds, ttlSeconds: times.dns.ttlSeconds, source: times.dns.source,
            gatedBy: { p50: dns50.gatedBy, p90: dns90.gatedBy },
        } : null,
    };
}

/** Minutes with one decimal, as reported. */
export const toMinutes = (seconds: number): number => Math.round(seconds / 6) / 10;

/** A stack is a DR stack when it holds replication destinations or the database's backup replication. */
export function isDrStack(resources: GraphResource[]): boolean {
    return resources.some((r) => r.type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
        || tagsOf(r)?.[TAGS.replication] === REPLICATION_DESTINATION);
}
