// Stack policy: the DR stack's estimated bring-up (standby -> this state) must fit the RTO objective at p90.
//
// Evaluates the bring-up model (policies/lib/bringup.ts) on the stack's resources with the tag-based selection:
// resources tagged `vbr:standby = kept` already exist in standby, everything else is created by the bring-up.
// A DR stack previewed in `drill` or `failover` (e.g. `npm start -- --stack dr --config vbr:drState=failover`)
// is judged on the whole bring-up; in `standby` nothing is left to create and the policy passes.
// `objectiveMinutes` mirrors the stack config `vbr:rtoObjectiveMinutes` (default 60; a drill's is
// `vbr:drillRtoObjectiveMinutes`, default 240) that the offline plan passes, and
// `allocatedStorageGiB` mirrors `vbr:dbAllocatedStorageGiB` (a restore inherits its storage from the backup).
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
    defaultParallel, ENGINE_UNKNOWN, estimateBringUp, GraphResource, isDrStack, loadProvisioningTimes, ScheduledStep,
    stepsFromTags, toMinutes,
} from "./lib/bringup";
import { DR_PLAN_RTO_MINUTES, RTO_OBJECTIVE_MINUTES } from "./model/plan";

export const RTO_POLICY_NAME = "dr-bringup-rto-objective";

export interface RtoPolicyConfig {
    objectiveMinutes: number;
    /** `pulumi up --parallel` assumed by the model. @default 4 x the CPUs of the machine running the preview */
    parallel?: number;
    /** Storage of a restored database that does not set allocatedStorage (it comes from the backup). @default 100 */
    allocatedStorageGiB: number;
}

/** The inputs the model reads; anything else is not copied out of the policy proxy. */
const MODEL_INPUTS = [
    "tags", "replicateSourceDb", "restoreToPointInTime", "snapshotIdentifier", "allocatedStorage", "backupRetentionPeriod",
    "waitForSteadyState", "natGateways", "numberOfAvailabilityZones", "availabilityZoneNames", "continueBeforeSteadyState",
];

/**
 * Reads a property through the policy proxy: a value unknown during preview becomes the engine's unknown
 * sentinel, which the model treats conservatively (tags unknown -> created; a source ARN unknown -> set).
 */
function readSafely(read: () => unknown): unknown {
    try {
        const v = read();
        return v === undefined ? undefined : plainCopy(v);
    } catch {
        return ENGINE_UNKNOWN;
    }
}

function plainCopy(v: unknown): unknown {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x, i) => readSafely(() => (v as unknown[])[i]));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = readSafely(() => (v as Record<string, unknown>)[k]);
    return out;
}

/** Components have no `/` in their type's module part (`vbr:network:Network`); awsx ones are remote. */
function kindOf(type: string): { custom: boolean; remote: boolean } {
    if (type.startsWith("awsx:")) return { custom: false, remote: true };
    if (type.startsWith("pulumi:providers:") || type === "pulumi:pulumi:StackReference") return { custom: true, remote: false };
    const module = type.split(":")[1] ?? "";
    return { custom: module.includes("/"), remote: false };
}

/** The model's view of a policy resource. */
export function toGraphResource(r: PolicyResource): GraphResource {
    const inputs: Record<string, unknown> = {};
    for (const key of MODEL_INPUTS) {
        const v = readSafely(() => r.props[key]);
        if (v !== undefined) inputs[key] = v;
    }
    const propertyDependencies: Record<string, string[]> = {};
    for (const [k, list] of Object.entries(r.propertyDependencies ?? {})) propertyDependencies[k] = list.map((d) => d.urn);
    return {
        urn: r.urn, type: r.type, name: r.name, parent: r.parent?.urn ?? null, ...kindOf(r.type),
        dependencies: (r.dependencies ?? []).map((d) => d.urn), propertyDependencies, inputs,
    };
}

const min = (s: number) => `${toMinutes(s)} min`;

export function describePath(path: ScheduledStep[]): string {
    return path.map((s) => `${s.urn} (${s.operation}, ${min(s.start)} -> ${min(s.finish)})`).join("\n  -> ");
}

export const drBringupRtoObjective: StackValidationPolicy = {
    name: RTO_POLICY_NAME,
    description: "The DR stack's estimated p90 bring-up from standby (the bring-up model: vbr:standby tags, provisioning "
        + "times, Pulumi's parallel scheduler) must fit the RTO objective (vbr:rtoObjectiveMinutes; vbr:drillRtoObjectiveMinutes for a drill).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            objectiveMinutes: {
                type: "integer", default: RTO_OBJECTIVE_MINUTES, minimum: 1, maximum: DR_PLAN_RTO_MINUTES,
                description: "RTO objective for the DR bring-up in minutes; mirrors the stack config vbr:rtoObjectiveMinutes, or vbr:drillRtoObjectiveMinutes for a drill (the DR plan's RTO is 4 h, our bar 1 h).",
            },
            allocatedStorageGiB: {
                type: "integer", default: 100, minimum: 20, maximum: 65536,
                description: "Storage a restore is estimated at when the DB instance sets no allocatedStorage (restores inherit it from the backup); mirrors vbr:dbAllocatedStorageGiB.",
            },
            parallel: {
                type: "integer", minimum: 1,
                description: "`pulumi up --parallel` the estimate assumes; default 4 x the CPUs of the machine running the preview.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const resources = args.resources.map(toGraphResource);
        // Only a DR stack is brought up; on any other stack the policy has nothing to judge.
        if (!isDrStack(resources)) args.notApplicable("not a DR stack (no InstanceAutomatedBackupsReplication, no bucket tagged vbr:replication = destination)");
        const config = args.getConfig<RtoPolicyConfig>();
        const times = loadProvisioningTimes();
        const steps = stepsFromTags(resources, times, { allocatedStorageGiB: config.allocatedStorageGiB });
        // Standby: every resource is kept (vbr:standby = kept), so there is nothing to bring up - decided, not skipped.
        // Unknown tags or sources count as created/set (readSafely), so an unknown only lengthens the estimate.
        if (steps.length === 0) return;
        const estimate = estimateBringUp(steps, times, config.parallel ?? defaultParallel());
        const objective = config.objectiveMinutes * 60;
        if (estimate.p90Seconds <= objective) return;
        const last = estimate.criticalPath[estimate.criticalPath.length - 1];
        reportViolation(
            `Estimated DR bring-up p90 is ${min(estimate.p90Seconds)} (p50 ${min(estimate.p50Seconds)}), above the objective of `
            + `${config.objectiveMinutes} min, with ${steps.length} resources created or promoted at parallelism ${estimate.parallel}. `
            + `Critical path (p90, ${min(last.finish)}):\n  ${describePath(estimate.criticalPath)}\n`
            + "Shorten the critical path: keep slow resources in standby (tag them vbr:standby = kept), prefer "
            + "vbr:drDatabase=replica over restore (every restore waits for RDS's baseline backup), or raise objectiveMinutes and the stack's "
            + "objective (vbr:rtoObjectiveMinutes, or vbr:drillRtoObjectiveMinutes for a drill) together.",
        );
    },
};
