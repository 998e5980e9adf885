// Every cross-region copy a stack declares, as (source region, destination region) pairs the graph proves: the one
// place that knows where each kind of copy goes, read by the residency policy.
//
// Each region is a Read: a value unknown during preview stays unknown (the policy hands it to the engine), and a
// destination the graph cannot prove is known undefined (the policy fails it: a copy whose landing place is not
// known may have left the zone).
import { PolicyResource } from "@pulumi/policy";
import { copyDestinationRegion, PlanRule, ruleLabel } from "./backup";
import { destinationRegion, ReplicationRule } from "./destination";
import { DB_TYPES } from "./rds";
import { arnRegion, effectiveRegion, isOf, known, label, peek, read, Read, T } from "./stack";

export type Region = Read<string | undefined>;
export type Destination = Read<{ region: string; via: string } | undefined>;

export interface CopyLink {
    /** The resource that declares the copy: violations are reported on it. */
    resource: PolicyResource;
    /** The copy in words: `rule "daily" of Plan "plan"`, `replica 0 of Secret "db"`. */
    what: string;
    /** Where the copied data lives. */
    source: Region;
    destination: Destination;
    /** The input that sets the destination (a copy pushed to another region) or the source (pulled into this resource's region), for the fix. */
    input: string;
    /** Pulled: the resource lives in the destination region and `input` names its source. */
    pulled?: boolean;
}

/** The region a resource of this stack that `r` depends on through `key` lives in, when exactly one such resource of `types` exists. */
function fromDependency(r: PolicyResource, key: string, types: readonly string[]): Region | undefined {
    const deps = (r.propertyDependencies[key] ?? []).filter((d) => isOf(d, types));
    return deps.length === 1 ? effectiveRegion(deps[0]) : undefined;
}

/** A region from an ARN input (`arn:aws:rds:eu-west-1:...`); an identifier that is no ARN names something in `local`'s region. */
function arnInputRegion(r: PolicyResource, key: string, types: readonly string[], local: Region): Region {
    const v = read(() => r.props[key] as string | undefined);
    if (v.known) return typeof v.value === "string" && v.value.startsWith("arn:") ? known(arnRegion(v.value)) : local;
    return fromDependency(r, key, types) ?? v;
}

const at = (region: Region, via: string): Destination => (region.known ? known(region.value ? { region: region.value, via } : undefined) : region);

/** A list input of `r` (unknown as a whole, or its length), each entry turned into a link. */
function each<E>(r: PolicyResource, list: () => E[] | undefined, link: (i: number) => Omit<CopyLink, "resource"> | Omit<CopyLink, "resource">[]): CopyLink[] | Region {
    const entries = read(() => list()?.length ?? 0);
    if (!entries.known) return entries;
    const out: CopyLink[] = [];
    for (let i = 0; i < entries.value; i++) out.push(...[link(i)].flat().map((l) => ({ resource: r, ...l })));
    return out;
}

type S3Rule = ReplicationRule & { id?: string };

function s3Links(r: PolicyResource, all: PolicyResource[]): CopyLink[] | Region {
    if (isOf(r, T.replication)) {
        const buckets = (r.propertyDependencies.bucket ?? []).filter((d) => isOf(d, T.bucket));
        const named = buckets.length === 1 ? buckets : all.filter((b) => isOf(b, T.bucket) && peek(() => b.props.bucket) === peek(() => r.props.bucket) && peek(() => r.props.bucket) !== undefined);
        const source: Region = named.length === 1 ? effectiveRegion(named[0]) : effectiveRegion(r);
        return each(r, () => r.props.rules as S3Rule[], (i) => {
            const rule = () => (r.props.rules as S3Rule[])[i];
            return { what: `rule ${JSON.stringify(peek(() => rule().id) ?? i)} of ${label(r)}`, source, input: `rules[${i}].destination.bucket`,
                destination: destinationRegion(rule, r.propertyDependencies.rules ?? [], named[0] ?? r, all) };
        });
    }
    // A Bucket's deprecated inline rules.
    const inline = read(() => (r.props.replicationConfiguration as { rules?: S3Rule[] } | undefined)?.rules);
    if (!inline.known) return inline;
    return each(r, () => inline.value, (i) => {
        const rule = () => (r.props.replicationConfiguration as { rules: S3Rule[] }).rules[i];
        return { what: `inline replication rule ${JSON.stringify(peek(() => rule().id) ?? i)} of ${label(r)}`, source: effectiveRegion(r),
            input: `replicationConfiguration.rules[${i}].destination.bucket`, destination: destinationRegion(rule, r.propertyDependencies.replicationConfiguration ?? [], r, all) };
    });
}

function backupLinks(plan: PolicyResource): CopyLink[] | Region {
    return each(plan, () => plan.props.rules as PlanRule[], (i) => {
        const actions = read(() => (plan.props.rules as PlanRule[])[i].copyActions?.length ?? 0);
        const rule = peek(() => (plan.props.rules as PlanRule[])[i]) ?? {};
        if (!actions.known) return [{ what: ruleLabel(plan, rule, i), source: effectiveRegion(plan), destination: actions, input: `rules[${i}].copyActions` }];
        return Array.from({ length: actions.value }, (_, j) => ({
            what: `copy action ${j} of ${ruleLabel(plan, rule, i)}`, source: effectiveRegion(plan), input: `rules[${i}].copyActions[${j}].destinationVaultArn`,
            destination: at(copyDestinationRegion(plan, i, j), "its destination vault"),
        }));
    });
}

/** Copies kept in the region of the resource that declares them, read from another region: the source is an ARN input. */
const pulled = (key: string, types: readonly string[], what: string) => (r: PolicyResource): CopyLink[] | Region => {
    const here = effectiveRegion(r);
    const source = arnInputRegion(r, key, types, here);
    // An identifier (not an ARN) names something of the same region: not a cross-region copy.
    const value = peek(() => r.props[key]);
    if (value === undefined && !(r.propertyDependencies[key] ?? []).length && read(() => r.props[key]).known) return [];
    return [{ resource: r, what: `${what} ${label(r)}`, source, destination: at(here, "its own region"), input: key, pulled: true }];
};

/** A list of regions an input holds (`replicas[].region`), each a copy from the resource's own region. */
const pushed = (list: (r: PolicyResource) => unknown[] | undefined, region: (e: unknown) => unknown, what: string, input: string) =>
    (r: PolicyResource): CopyLink[] | Region => each(r, () => list(r), (i) => ({
        what: `${what} ${i} of ${label(r)}`, source: effectiveRegion(r), input: input.replace("[]", `[${i}]`),
        destination: at(read(() => region((list(r) ?? [])[i]) as string | undefined), `${input.replace("[]", `[${i}]`)}`),
    }));

type EcrRules = { rules?: Array<{ destinations?: Array<{ region?: string }> }> };

function ecrLinks(r: PolicyResource): CopyLink[] | Region {
    const rules = () => (r.props.replicationConfiguration as EcrRules | undefined)?.rules;
    return each(r, rules, (i) => {
        const n = read(() => rules()![i].destinations?.length ?? 0);
        if (!n.known) return [{ what: `rule ${i} of ${label(r)}`, source: effectiveRegion(r), destination: n, input: `replicationConfiguration.rules[${i}].destinations` }];
        return Array.from({ length: n.value }, (_, j) => {
            const input = `replicationConfiguration.rules[${i}].destinations[${j}].region`;
            return { what: `destination ${j} of rule ${i} of ${label(r)}`, source: effectiveRegion(r), input, destination: at(read(() => rules()![i].destinations![j].region), input) };
        });
    });
}

function efsLinks(r: PolicyResource): CopyLink[] | Region {
    const region = read(() => (r.props.destination as { region?: string } | undefined)?.region);
    let dest: Region = region;
    if (region.known && !region.value) dest = fromDependency(r, "destination", ["aws:efs/fileSystem:FileSystem"]) ?? effectiveRegion(r);
    return [{ resource: r, what: label(r), source: fromDependency(r, "sourceFileSystemId", ["aws:efs/fileSystem:FileSystem"]) ?? effectiveRegion(r),
        destination: at(dest, "destination.region"), input: "destination.region" }];
}

type DlmSchedule = { crossRegionCopyRules?: Array<{ target?: string; targetRegion?: string }> };

function dlmLinks(r: PolicyResource): CopyLink[] | Region {
    const schedules = () => (r.props.policyDetails as { schedules?: DlmSchedule[] } | undefined)?.schedules;
    return each(r, schedules, (i) => {
        const n = read(() => schedules()![i].crossRegionCopyRules?.length ?? 0);
        if (!n.known) return [{ what: `schedule ${i} of ${label(r)}`, source: effectiveRegion(r), destination: n, input: `policyDetails.schedules[${i}].crossRegionCopyRules` }];
        return Array.from({ length: n.value }, (_, j) => {
            const input = `policyDetails.schedules[${i}].crossRegionCopyRules[${j}].target`;
            const target = read(() => { const c = schedules()![i].crossRegionCopyRules![j]; return c.targetRegion ?? c.target; });
            return { what: `cross-region copy rule ${j} of schedule ${i} of ${label(r)}`, source: effectiveRegion(r), input,
                destination: at(target.known && typeof target.value === "string" && target.value.startsWith("arn:") ? known(arnRegion(target.value)) : target, input) };
        });
    });
}

/** Members of one global database cluster (Aurora, DocumentDB, Neptune) in this stack: data written to one reaches all. */
function globalMembers(r: PolicyResource, all: PolicyResource[]): CopyLink[] | Region {
    const id = read(() => r.props.globalClusterIdentifier);
    if (!id.known) return id;
    if (typeof id.value !== "string" || id.value === "") return [];
    const members = all.filter((x) => x.type === r.type && peek(() => x.props.globalClusterIdentifier) === id.value);
    if (members[0] === r) return [];
    return [{ resource: r, what: `${label(r)}, a member of global cluster ${JSON.stringify(id.value)} with ${label(members[0])}`, source: effectiveRegion(members[0]),
        destination: at(effectiveRegion(r), "its own region"), input: "globalClusterIdentifier", pulled: true }];
}

const DYNAMO_TABLES = ["aws:dynamodb/table:Table"];

/** Per resource type, the copies it declares. */
const LINKS: Record<string, (r: PolicyResource, all: PolicyResource[]) => CopyLink[] | Region> = {
    ...Object.fromEntries([...T.replication, ...T.bucket].map((t) => [t, s3Links])),
    ...Object.fromEntries(T.plan.map((t) => [t, backupLinks])),
    ...Object.fromEntries(T.backupsReplication.map((t) => [t, pulled("sourceDbInstanceArn", T.dbInstance, "automated-backups replication")])),
    "aws:rds/instance:Instance": (r) => pulled("replicateSourceDb", DB_TYPES, "read replica")(r),
    "aws:rds/cluster:Cluster": (r, all) => {
        const replica = pulled("replicationSourceIdentifier", T.dbCluster, "cross-region replica cluster")(r);
        const global = globalMembers(r, all);
        if (!Array.isArray(replica)) return replica;
        return Array.isArray(global) ? [...replica, ...global] : global;
    },
    "aws:rds/snapshotCopy:SnapshotCopy": pulled("sourceDbSnapshotIdentifier", [], "RDS snapshot copy"),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": pulled("sourceDbClusterSnapshotIdentifier", [], "RDS cluster snapshot copy"),
    "aws:ebs/snapshotCopy:SnapshotCopy": (r) => [{ resource: r, what: `EBS snapshot copy ${label(r)}`, source: read(() => r.props.sourceRegion as string | undefined),
        destination: at(effectiveRegion(r), "its own region"), input: "sourceRegion", pulled: true }],
    "aws:secretsmanager/secret:Secret": pushed((r) => r.props.replicas as unknown[] | undefined, (e) => (e as { region?: string }).region, "replica", "replicas[].region"),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": ecrLinks,
    "aws:dynamodb/table:Table": pushed((r) => r.props.replicas as unknown[] | undefined, (e) => (e as { regionName?: string }).regionName, "replica", "replicas[].regionName"),
    "aws:dynamodb/globalTable:GlobalTable": pushed((r) => r.props.replicas as unknown[] | undefined, (e) => (e as { regionName?: string }).regionName, "replica", "replicas[].regionName"),
    "aws:dynamodb/tableReplica:TableReplica": pulled("globalTableArn", DYNAMO_TABLES, "table replica"),
    "aws:efs/replicationConfiguration:ReplicationConfiguration": efsLinks,
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": dlmLinks,
    "aws:redshift/snapshotCopy:SnapshotCopy": (r) => [{ resource: r, what: label(r), source: fromDependency(r, "clusterIdentifier", ["aws:redshift/cluster:Cluster"]) ?? effectiveRegion(r),
        destination: at(read(() => r.props.destinationRegion as string | undefined), "destinationRegion"), input: "destinationRegion" }],
    "aws:docdb/cluster:Cluster": globalMembers,
    "aws:neptune/cluster:Cluster": globalMembers,
};

/** Every resource type that can declare a copy. */
export const COPY_LINK_TYPES: readonly string[] = Object.keys(LINKS);

/** The copies `r` declares, or the unknown that hides them (a list unknown as a whole). */
export function copyLinks(r: PolicyResource, all: PolicyResource[]): CopyLink[] | Region {
    return LINKS[r.type]?.(r, all) ?? [];
}
