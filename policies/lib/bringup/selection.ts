// Step selection: the resources a bring-up adds, replaces or slowly updates, from two recorded graphs (standby vs
// active) or from the active graph alone by the `vbr:standby = kept` tag; and the step set with its dependencies.
import { STANDBY_KEPT, TAGS } from "../../model/tags";
import { awsxChildren, childUrn, ComponentPart, natGatewayCount } from "./awsx";
import { estimateFor, ProvisioningTimes } from "./durations";
import { BringUpStep, ENGINE_UNKNOWN, GraphResource, isRestore, isSet, ModelOptions, Operation, RDS_INSTANCE, tagsOf } from "./graph";

/** What a bring-up does to a resource of the active graph: an operation (custom), a part (remote component), or nothing. */
export type Selection = { kind: "custom"; operation: Operation } | { kind: "component"; part: ComponentPart } | null;

const isProvider = (r: GraphResource) => r.type.startsWith("pulumi:providers:");
const isLocalComponent = (r: GraphResource) => !r.custom && !r.remote;

export const isKept = (r: GraphResource): boolean => tagsOf(r)?.[TAGS.standby] === STANDBY_KEPT;

/** What creating this resource is: a restore or a new read replica for a DB instance, else a create. */
function newInstanceOperation(r: GraphResource): Operation {
    if (r.type !== RDS_INSTANCE) return "create";
    if (isRestore(r.inputs)) return "restore";
    return isSet(r.inputs.replicateSourceDb) ? "replica" : "create";
}

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
        if (!old) return { kind: "custom", operation: newInstanceOperation(r) };
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
            return { kind: "custom", operation: newInstanceOperation(r) };
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
