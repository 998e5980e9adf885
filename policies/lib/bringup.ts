// The DR bring-up time model: which resources a standby -> drill/failover `pulumi up` creates, and how long it takes.
//
// Pure functions over a resource graph (the offline plan's RecordedResource, or a policy's PolicyResource adapted
// to GraphResource). Three parts:
//   1. Durations: policies/data/provisioning-times.json gives p50/p90 seconds per resource type and for the slow
//      operations (RDS promotion, RDS restore as a function of allocated storage, ECS steady state).
//   2. Steps: the resources a bring-up adds, replaces or slowly updates. Either from two recorded graphs
//      (`stepsFromDiff`: standby vs active) or, when only the active graph is known (the RTO policy), from the
//      `vbr:standby = kept` tag (`stepsFromTags`). awsx components count as the children their plugin creates.
//   3. `simulate`: Pulumi's step executor. A step starts when all its dependencies inside the step set are done
//      (pre-existing resources are done at t = 0), at most `parallel` at once, first come first served
//      (ties in registration order). The critical path follows, from the last step to finish, whatever made each
//      step start when it did: its last dependency, or the step whose completion freed a slot.
// Lives under policies/ because the RTO policy uses it and a published pack contains only policies/.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { REPLICATION_DESTINATION, STANDBY_KEPT, TAGS } from "../model/tags";

/** The fields of a recorded resource the model reads; tools/lib/recorder.ts's RecordedResource satisfies it. */
export interface GraphResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    /** A custom resource (a cloud object); false for components. */
    custom: boolean;
    /** A remote (multi-language) component such as awsx:ec2:Vpc whose children its plugin creates. */
    remote?: boolean;
    dependencies: string[];
    propertyDependencies?: Record<string, string[]>;
    inputs: Record<string, unknown>;
}

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
}

export const PROVISIONING_TIMES_FILE = path.join(__dirname, "..", "data", "provisioning-times.json");

/** Reads the data file (the default one unless `file` is given). */
export function loadProvisioningTimes(file = PROVISIONING_TIMES_FILE): ProvisioningTimes {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ProvisioningTimes;
}

/** What a bring-up does to a resource. */
export type Operation =
    | "create"
    /** A read replica loses replicateSourceDb: RDS promotes it (reboot, then Multi-AZ and backups). */
    | "promote"
    /** A DB instance created from backups (restoreToPointInTime or snapshotIdentifier). */
    | "restore";

export interface BringUpStep {
    /** The resource's URN; for an awsx child, the URN the awsx plugin gives it (parent type $ child type). */
    urn: string;
    type: string;
    name: string;
    operation: Operation;
    /** URNs of steps (in this step set) that must finish first. */
    dependencies: string[];
    estimate: Estimate;
}

/** The engine's "unknown during preview" value, as a recorded or policy-read input may hold it. */
export const ENGINE_UNKNOWN = unknownValue;

const RDS_INSTANCE = "aws:rds/instance:Instance";
const ECS_SERVICE = "aws:ecs/service:Service";
const ROUTE53_RECORD = "aws:route53/record:Record";

export interface ModelOptions {
    /** Storage assumed for a restore whose `allocatedStorage` input is not set. @default times.restore.defaultAllocatedStorageGiB */
    allocatedStorageGiB?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Durations

const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);

const isRestore = (inputs: Record<string, unknown>): boolean =>
    isSet(inputs.restoreToPointInTime) || isSet(inputs.snapshotIdentifier);

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

// ---------------------------------------------------------------------------------------------------------------
// awsx components: the children their plugin creates (unit tests and the offline plan never see them)

type NatStrategy = "None" | "Single" | "OnePerAz";

function natStrategy(inputs: Record<string, unknown>): NatStrategy {
    const nat = inputs.natGateways as { strategy?: unknown } | undefined;
    const s = nat && typeof nat === "object" ? nat.strategy : undefined;
    // awsx.ec2.Vpc's default NAT strategy is OnePerAz.
    return s === "None" || s === "Single" ? s : "OnePerAz";
}

function azCount(inputs: Record<string, unknown>): number {
    const names = inputs.availabilityZoneNames;
    if (Array.isArray(names) && names.length > 0) return names.length;
    const n = Number(inputs.numberOfAvailabilityZones);
    // awsx.ec2.Vpc defaults to 3 availability zones.
    return Number.isInteger(n) && n > 0 ? n : 3;
}

/** Number of NAT gateways an awsx.ec2.Vpc creates. */
export function natGatewayCount(inputs: Record<string, unknown>): number {
    const s = natStrategy(inputs);
    return s === "None" ? 0 : s === "Single" ? 1 : azCount(inputs);
}

/** The URN the awsx plugin gives a child of `parentUrn`. */
export function childUrn(parentUrn: string, type: string, name: string): string {
    const parts = parentUrn.split("::");
    // urn:pulumi:<stack>::<project>::<qualified type>::<name>
    return `${parts[0]}::${parts[1]}::${parts[2]}$${type}::${name}`;
}

interface VirtualChild {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** Indexes into the same child list that must finish first. */
    after: number[];
}

/** Which part of a remote component a bring-up creates. */
export type ComponentPart = "all" | "nat";

/** The children a remote awsx component creates (only the ones that matter for time are listed separately). */
export function awsxChildren(type: string, name: string, inputs: Record<string, unknown>, part: ComponentPart): VirtualChild[] {
    const children: VirtualChild[] = [];
    const add = (t: string, n: string, after: number[] = [], i: Record<string, unknown> = {}) => {
        children.push({ type: t, name: n, inputs: i, after });
        return children.length - 1;
    };
    switch (type) {
        case "awsx:ec2:Vpc": {
            const core = part === "all" ? [add("aws:ec2/vpc:Vpc", name)] : [];
            if (part === "all") {
                core.push(add("aws:ec2/internetGateway:InternetGateway", name, [core[0]]));
                for (let az = 1; az <= azCount(inputs); az++) {
                    core.push(add("aws:ec2/subnet:Subnet", `${name}-public-${az}`, [core[0]]));
                    core.push(add("aws:ec2/subnet:Subnet", `${name}-private-${az}`, [core[0]]));
                }
            }
            for (let i = 1; i <= natGatewayCount(inputs); i++) {
                const eip = add("aws:ec2/eip:Eip", `${name}-${i}`);
                add("aws:ec2/natGateway:NatGateway", `${name}-${i}`, [eip, ...core]);
            }
            return children;
        }
        case "awsx:lb:ApplicationLoadBalancer": {
            const lb = add("aws:lb/loadBalancer:LoadBalancer", name);
            const tg = add("aws:lb/targetGroup:TargetGroup", name);
            add("aws:lb/listener:Listener", `${name}-0`, [lb, tg]);
            return children;
        }
        case "awsx:ecs:FargateService": {
            const td = add("aws:ecs/taskDefinition:TaskDefinition", name);
            // awsx waits for steady state unless continueBeforeSteadyState is set.
            add(ECS_SERVICE, name, [td], { waitForSteadyState: inputs.continueBeforeSteadyState !== true });
            return children;
        }
        case "awsx:ecs:FargateTaskDefinition":
            add("aws:ecs/taskDefinition:TaskDefinition", name);
            return children;
        default:
            // An unlisted awsx component counts as one resource of the default duration.
            add(type, name);
            return children;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Step selection

/** What a bring-up does to a resource of the active graph: an operation (custom), a part (remote component), or nothing. */
export type Selection = { kind: "custom"; operation: Operation } | { kind: "component"; part: ComponentPart } | null;

const isProvider = (r: GraphResource) => r.type.startsWith("pulumi:providers:");
const isLocalComponent = (r: GraphResource) => !r.custom && !r.remote;

function tagsOf(r: GraphResource): Record<string, unknown> | undefined {
    const t = r.inputs.tags;
    return t !== null && typeof t === "object" && !Array.isArray(t) ? (t as Record<string, unknown>) : undefined;
}

export const isKept = (r: GraphResource): boolean => tagsOf(r)?.[TAGS.standby] === STANDBY_KEPT;

/** All dependencies of a resource: `dependencies` plus every property dependency. */
function allDependencies(r: GraphResource): string[] {
    const deps = new Set(r.dependencies);
    for (const list of Object.values(r.propertyDependencies ?? {})) for (const d of list) deps.add(d);
    deps.delete(r.urn);
    return [...deps];
}

/**
 * Selection from two recorded graphs: resources the active state adds, a read replica that loses
 * replicateSourceDb (promotion), and an awsx VPC whose NAT gateway count grows (its new NAT gateways).
 * Updates that AWS applies quickly (tags, desired counts) are not steps.
 */
export function diffSelector(standby: GraphResource[]): (r: GraphResource) => Selection {
    const before = new Map(standby.map((r) => [r.urn, r]));
    return (r) => {
        if (isProvider(r) || isLocalComponent(r)) return null;
        const old = before.get(r.urn);
        if (r.remote) {
            if (!old) return { kind: "component", part: "all" };
            if (r.type === "awsx:ec2:Vpc" && natGatewayCount(r.inputs) > natGatewayCount(old.inputs)) return { kind: "component", part: "nat" };
            return null;
        }
        if (!old) return { kind: "custom", operation: r.type === RDS_INSTANCE && isRestore(r.inputs) ? "restore" : "create" };
        if (r.type === RDS_INSTANCE && isSet(old.inputs.replicateSourceDb) && !isSet(r.inputs.replicateSourceDb)) {
            return { kind: "custom", operation: "promote" };
        }
        return null;
    };
}

/**
 * Selection from the active graph alone, by the `vbr:standby = kept` tag (the RTO policy has no standby graph):
 * - a tagged resource pre-exists, except a tagged DB instance without replicateSourceDb (a promoted replica:
 *   the DR stack keeps no other database in standby) and a DB instance restored from backups (always new);
 * - an awsx VPC tagged kept pre-exists without NAT (standby uses strategy None): its NAT gateways are created;
 * - a resource with a `tags` input that lacks the tag is created;
 * - a resource without a `tags` input (not taggable: bucket versioning, policy attachments, records) is
 *   created when any of its dependencies is, and pre-exists otherwise.
 */
export function tagSelector(resources: GraphResource[]): (r: GraphResource) => Selection {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const created = new Set<string>();
    const childrenOf = new Map<string, GraphResource[]>();
    for (const r of resources) {
        if (r.parent) (childrenOf.get(r.parent) ?? childrenOf.set(r.parent, []).get(r.parent)!).push(r);
    }
    const dependsOnCreated = (urn: string, seen = new Set<string>()): boolean => {
        if (seen.has(urn)) return false;
        seen.add(urn);
        if (created.has(urn)) return true;
        const dep = byUrn.get(urn);
        if (!dep || dep.custom) return false;
        // A component dependency waits for its children.
        return (childrenOf.get(urn) ?? []).some((c) => dependsOnCreated(c.urn, seen));
    };
    const select = (r: GraphResource): Selection => {
        if (isProvider(r) || isLocalComponent(r)) return null;
        const kept = isKept(r);
        if (r.remote) {
            if (!kept) return { kind: "component", part: "all" };
            return r.type === "awsx:ec2:Vpc" && natGatewayCount(r.inputs) > 0 ? { kind: "component", part: "nat" } : null;
        }
        if (r.type === RDS_INSTANCE) {
            if (isRestore(r.inputs)) return { kind: "custom", operation: "restore" };
            if (kept) return isSet(r.inputs.replicateSourceDb) ? null : { kind: "custom", operation: "promote" };
            return { kind: "custom", operation: "create" };
        }
        if (kept) return null;
        if (tagsOf(r) !== undefined || r.inputs.tags === ENGINE_UNKNOWN) return { kind: "custom", operation: "create" };
        return allDependencies(r).some((d) => dependsOnCreated(d)) ? { kind: "custom", operation: "create" } : null;
    };
    return (r) => {
        const s = select(r);
        if (s) created.add(r.urn);
        return s;
    };
}

/**
 * Builds the step set of a bring-up from the active graph (in registration order) and a selector.
 * A dependency on a component waits for every step inside it (the engine expands component dependencies to
 * their children); dependencies on resources that pre-exist are already satisfied.
 */
export function buildSteps(active: GraphResource[], select: (r: GraphResource) => Selection, times: ProvisioningTimes,
    opts: ModelOptions = {}): BringUpStep[] {
    const steps: BringUpStep[] = [];
    /** Step URNs per resource URN (a remote component maps to its selected children). */
    const stepsOf = new Map<string, string[]>();
    const parentOf = new Map(active.map((r) => [r.urn, r.parent]));
    const deps = new Map<string, string[]>();

    for (const r of active) {
        const s = select(r);
        if (!s) continue;
        const resourceDeps = allDependencies(r);
        if (s.kind === "custom") {
            steps.push({ urn: r.urn, type: r.type, name: r.name, operation: s.operation, dependencies: [],
                estimate: estimateFor(r.type, s.operation, r.inputs, times, opts) });
            stepsOf.set(r.urn, [r.urn]);
            deps.set(r.urn, resourceDeps);
        } else {
            const children = awsxChildren(r.type, r.name, r.inputs, s.part);
            const urns = children.map((c) => childUrn(r.urn, c.type, c.name));
            children.forEach((c, i) => {
                steps.push({ urn: urns[i], type: c.type, name: c.name, operation: "create", dependencies: [],
                    estimate: estimateFor(c.type, "create", c.inputs, times, opts) });
                parentOf.set(urns[i], r.urn);
                stepsOf.set(urns[i], [urns[i]]);
                deps.set(urns[i], [...resourceDeps, ...c.after.map((j) => urns[j])]);
            });
            stepsOf.set(r.urn, urns);
        }
    }

    // Every step inside a component (local or remote), for dependencies on components.
    const inside = new Map<string, string[]>();
    for (const step of steps) {
        for (let p = parentOf.get(step.urn) ?? null; p; p = parentOf.get(p) ?? null) {
            (inside.get(p) ?? inside.set(p, []).get(p)!).push(step.urn);
        }
    }
    const isAncestor = (a: string, urn: string) => {
        for (let p = parentOf.get(urn) ?? null; p; p = parentOf.get(p) ?? null) if (p === a) return true;
        return false;
    };
    for (const step of steps) {
        const resolved = new Set<string>();
        for (const d of deps.get(step.urn) ?? []) {
            const targets = stepsOf.get(d) ?? inside.get(d) ?? [];
            // A resource never waits for the component that contains it.
            if (isAncestor(d, step.urn)) continue;
            for (const t of targets) if (t !== step.urn) resolved.add(t);
        }
        step.dependencies = [...resolved];
    }
    return steps;
}

/** Steps from two recorded graphs of the DR stack: standby, and drill or failover. */
export function stepsFromDiff(standby: GraphResource[], active: GraphResource[], times: ProvisioningTimes, opts: ModelOptions = {}): BringUpStep[] {
    return buildSteps(active, diffSelector(standby), times, opts);
}

/** Steps from the active graph alone, by the `vbr:standby = kept` tag. */
export function stepsFromTags(active: GraphResource[], times: ProvisioningTimes, opts: ModelOptions = {}): BringUpStep[] {
    return buildSteps(active, tagSelector(active), times, opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Scheduling

/** `pulumi up`'s default parallelism: 4 x the CPUs of the machine running it (docs/aws-facts.md). */
export function defaultParallel(): number {
    return 4 * Math.max(1, os.cpus().length);
}

export interface ScheduledStep {
    urn: string;
    type: string;
    operation: Operation;
    start: number;
    finish: number;
    /** What made this step start when it did: its last dependency, or the step that freed a slot; null at t = 0. */
    waitedFor: string | null;
    waitedBecause: "dependency" | "slot" | null;
}

export interface Schedule {
    quantile: Quantile;
    parallel: number;
    /** Seconds from the first start to the last finish. */
    total: number;
    /** In registration order. */
    steps: ScheduledStep[];
    /** From the first step to the last one to finish, each the reason the next one started when it did. */
    criticalPath: ScheduledStep[];
}

/**
 * Simulates Pulumi's step executor with every step at quantile `q`. Deterministic: events at the same instant
 * are handled in registration order, and ready steps wait first come first served (ties in registration order).
 */
export function simulate(steps: BringUpStep[], q: Quantile, parallel: number = defaultParallel()): Schedule {
    if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`parallel must be a whole number >= 1, got ${parallel}`);
    const n = steps.length;
    const index = new Map(steps.map((s, i) => [s.urn, i]));
    if (index.size !== n) throw new Error("bring-up steps must have unique URNs");
    const depIdx = steps.map((s) => [...new Set(s.dependencies.map((d) => index.get(d)).filter((i): i is number => i !== undefined))]);
    const dependents: number[][] = steps.map(() => []);
    depIdx.forEach((ds, i) => ds.forEach((d) => dependents[d].push(i)));
    const pending = depIdx.map((ds) => ds.length);
    const start = new Array<number>(n).fill(NaN);
    const finish = new Array<number>(n).fill(NaN);
    const waitedFor: (number | null)[] = new Array(n).fill(null);
    const waitedBecause: ScheduledStep["waitedBecause"][] = new Array(n).fill(null);
    const duration = (i: number) => Math.max(0, steps[i].estimate[q]);

    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (pending[i] === 0) queue.push(i);
    let running: number[] = [];
    let now = 0;
    let freedBy: number | null = null;
    let done = 0;
    while (done < n) {
        while (running.length < parallel && queue.length > 0) {
            const i = queue.shift()!;
            start[i] = now;
            finish[i] = now + duration(i);
            // Latest-finishing dependency (lowest index on ties); if it finished before now, a slot held the step back.
            let last: number | null = null;
            for (const d of depIdx[i]) if (last === null || finish[d] > finish[last] || (finish[d] === finish[last] && d < last)) last = d;
            if (last !== null && finish[last] === now) { waitedFor[i] = last; waitedBecause[i] = "dependency"; }
            else if (now > 0) { waitedFor[i] = freedBy; waitedBecause[i] = "slot"; }
            running.push(i);
        }
        if (running.length === 0) {
            const stuck = steps.filter((_, i) => Number.isNaN(start[i])).map((s) => s.urn);
            throw new Error(`bring-up steps have a dependency cycle: ${stuck.join(", ")}`);
        }
        now = Math.min(...running.map((i) => finish[i]));
        const finished = running.filter((i) => finish[i] === now).sort((a, b) => a - b);
        running = running.filter((i) => finish[i] !== now);
        freedBy = finished[0];
        const ready: number[] = [];
        for (const i of finished) {
            done++;
            for (const d of dependents[i]) if (--pending[d] === 0) ready.push(d);
        }
        queue.push(...ready.sort((a, b) => a - b));
    }

    const scheduled: ScheduledStep[] = steps.map((s, i) => ({
        urn: s.urn, type: s.type, operation: s.operation, start: start[i], finish: finish[i],
        waitedFor: waitedFor[i] === null ? null : steps[waitedFor[i]!].urn, waitedBecause: waitedBecause[i],
    }));
    let total = 0;
    let lastIdx: number | null = null;
    for (let i = 0; i < n; i++) if (lastIdx === null || finish[i] > total) { total = finish[i]; lastIdx = i; }
    const path: ScheduledStep[] = [];
    for (let i = lastIdx; i !== null; i = waitedFor[i]) path.unshift(scheduled[i]);
    return { quantile: q, parallel, total, steps: scheduled, criticalPath: path };
}

// ---------------------------------------------------------------------------------------------------------------
// The estimate

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
 *
 *     max(finish of every Route 53 record step, ready time of every ECS service behind a record's target) + TTL
 *
 * - A record answers once its change is INSYNC (its step's finish).
 * - It answers with a target that can serve only once that target is healthy: the alias records set
 *   evaluateTargetHealth, so Route 53 skips a load balancer without healthy targets. A record's target is what it
 *   depends on directly (an alias: the load balancer); an ECS service is behind it when it depends on that target,
 *   directly or through other steps (service -> listener -> load balancer). A service is ready when its step
 *   finishes with waitForSteadyState (the tasks passed the target group's health checks); without it the step is
 *   only the API call, so the steady-state estimate (the service type's entry) is added after it.
 * - Resolvers that cached the previous answer switch within one TTL (60 s for an alias to an ALB).
 * The failover SECONDARY record takes traffic only when the primary's Route 53 health check fails, which is
 * outside this stack: the number is the earliest DNS can serve from DR, assuming the primary is already failing
 * (detection, about 90 s or 30 s fast, runs in parallel with the bring-up in a real regional outage).
 * Returns null when no record is among the steps.
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
