// Shared helpers for the pack's stack policies: safe reads through the engine's unknown-checking proxy,
// links between resources (propertyDependencies first, then known names), effective regions, ARNs and tags.
import { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import * as proxy from "@pulumi/policy/proxy";
import { ACCESS_LOGS, LIFECYCLE_DRILL, TAGS } from "../model/tags";

// What the engine's unknown-checking proxy throws; the module ships without typings for it.
const { UnknownValueError } = proxy as unknown as { UnknownValueError: new (...a: unknown[]) => Error };

export const T = {
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
    bucketAcl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
    replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
    dbInstance: ["aws:rds/instance:Instance"],
    /** Aurora: the cluster holds the storage, the backups and the snapshots; its instances hold no data of their own. */
    dbCluster: ["aws:rds/cluster:Cluster"],
    backupsReplication: ["aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"],
    vault: ["aws:backup/vault:Vault"],
    vaultLock: ["aws:backup/vaultLockConfiguration:VaultLockConfiguration"],
    plan: ["aws:backup/plan:Plan"],
    selection: ["aws:backup/selection:Selection"],
    secret: ["aws:secretsmanager/secret:Secret"],
    repository: ["aws:ecr/repository:Repository"],
    topic: ["aws:sns/topic:Topic"],
    logGroup: ["aws:cloudwatch/logGroup:LogGroup"],
    key: ["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"],
    alias: ["aws:kms/alias:Alias"],
    loadBalancer: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
} as const;

export const isOf = (r: PolicyResource, types: readonly string[]): boolean => types.includes(r.type);

/** The result of reading a value that may be unknown during preview. */
export type Read<V> = { known: true; value: V } | { known: false; error: Error };

/** Reads through the proxy; an unknown value becomes `{ known: false }` instead of aborting the policy. */
export function read<V>(f: () => V): Read<V> {
    try {
        return { known: true, value: f() };
    } catch (e) {
        if (e instanceof UnknownValueError) return { known: false, error: e };
        throw e;
    }
}

export const known = <V>(value: V): Read<V> => ({ known: true, value });

/** True if any read is known true; unknown if none is and some is unknown; else false. */
export function anyOf(...reads: Array<Read<boolean>>): Read<boolean> {
    if (reads.some((r) => r.known && r.value)) return known(true);
    return reads.find((r) => !r.known) ?? known(false);
}

/**
 * The value, or undefined when unknown or absent. Only for values whose absence makes a policy stricter
 * (e.g. an exemption tag): never to decide that something is compliant.
 */
export function peek<V>(f: () => V): V | undefined {
    const r = read(f);
    return r.known ? r.value : undefined;
}

/**
 * Collects the first unknown a policy could not decide from what is known. After every resource has been
 * judged, `rethrow()` hands it to the engine, which turns it into its "can't run policy during preview"
 * advisory: violations reported before it are kept, and an undecidable resource never passes silently.
 */
export class Undecided {
    private first?: Error;
    note(r: { known: false; error: Error }): void { this.first ??= r.error; }
    rethrow(): void { if (this.first) throw this.first; }
}

/** A stack policy body that sees every resource of the stack; not applicable when none has one of `types`. */
export function forTypes(types: readonly string[],
    fn: (targets: PolicyResource[], args: StackValidationArgs, report: ReportViolation, undecided: Undecided) => void) {
    return (args: StackValidationArgs, report: ReportViolation): void => {
        const targets = args.resources.filter((r) => isOf(r, types));
        if (targets.length === 0) args.notApplicable(`no resources of type ${types.join(" or ")}`);
        const undecided = new Undecided();
        fn(targets, args, report, undecided);
        undecided.rethrow();
    };
}

/** `<type> "<name>"`, for messages. */
export const label = (r: PolicyResource): string => `${r.type.split(":").pop()} "${r.name}"`;

export function tags(r: PolicyResource): Record<string, string> {
    const t = peek(() => r.props.tags as Record<string, unknown> | undefined) ?? {};
    const out: Record<string, string> = {};
    for (const k of Object.keys(t)) {
        const v = peek(() => t[k]);
        if (typeof v === "string") out[k] = v;
    }
    return out;
}

/** Tagged an access-log bucket; the tag alone exempts nothing (see lib/access-logs.ts for the proof). */
export const isTaggedAccessLogs = (r: PolicyResource): boolean => tags(r)[TAGS.dataClass] === ACCESS_LOGS;
/** Tagged a drill copy; the tag alone exempts nothing (see lib/rds.ts notADrillCopy for the proof). */
export const isTaggedDrillCopy = (r: PolicyResource): boolean => tags(r)[TAGS.lifecycle] === LIFECYCLE_DRILL;

/** The region in an ARN (`arn:aws:kms:us-west-2:...`); undefined for region-less ARNs (`arn:aws:s3:::b`) and non-ARNs. */
export function arnRegion(arn: unknown): string | undefined {
    if (typeof arn !== "string" || !arn.startsWith("arn:")) return undefined;
    const region = arn.split(":")[3];
    return region ? region : undefined;
}

/**
 * Where a resource lives: its v7 `region` input, else its provider's `region` (for a resource without an
 * explicit provider, the engine's default provider, configured by the stack's `aws:region`).
 */
export function effectiveRegion(r: PolicyResource): Read<string | undefined> {
    const own = read(() => r.props.region as string | undefined);
    if (!own.known || own.value) return own;
    if (!r.provider) return { known: true, value: undefined };
    return read(() => r.provider!.props.region as string | undefined);
}

/** Whether `child` points at `target` through input `key`: a property dependency, or the same known name/ARN. */
export function linksTo(child: PolicyResource, key: string, target: PolicyResource): boolean {
    if ((child.propertyDependencies[key] ?? []).some((d) => d.urn === target.urn)) return true;
    const v = peek(() => child.props[key]);
    if (typeof v !== "string" || v === "") return false;
    const names = ["bucket", "arn", "id", "name"].map((k) => peek(() => target.props[k])).filter((x) => typeof x === "string" && x !== "");
    return names.includes(v);
}

/** Per stack: for (types, key), the resources of those types by every URN or name their `key` input points at. */
const linkIndexes = new WeakMap<PolicyResource[], Map<string, Map<string, PolicyResource[]>>>();

function linkIndex(resources: PolicyResource[], types: readonly string[], key: string): Map<string, PolicyResource[]> {
    let byQuery = linkIndexes.get(resources);
    if (!byQuery) linkIndexes.set(resources, (byQuery = new Map()));
    const query = `${types.join(",")}|${key}`;
    let index = byQuery.get(query);
    if (index) return index;
    index = new Map();
    const add = (k: string, r: PolicyResource) => {
        const list = index!.get(k) ?? [];
        if (!list.includes(r)) list.push(r);
        index!.set(k, list);
    };
    for (const r of resources) {
        if (!isOf(r, types)) continue;
        for (const d of r.propertyDependencies[key] ?? []) add(`urn:${d.urn}`, r);
        const v = peek(() => r.props[key]);
        if (typeof v === "string" && v !== "") add(`name:${v}`, r);
    }
    byQuery.set(query, index);
    return index;
}

/**
 * The resources of `types` that point at `target` through input `key` (linksTo), in stack order. Indexed once per
 * stack and query, so checking every bucket stays linear in the stack's size.
 */
export function linked(resources: PolicyResource[], types: readonly string[], key: string, target: PolicyResource): PolicyResource[] {
    const index = linkIndex(resources, types, key);
    const names = ["bucket", "arn", "id", "name"].map((k) => peek(() => target.props[k])).filter((x): x is string => typeof x === "string" && x !== "");
    const found = new Set([...(index.get(`urn:${target.urn}`) ?? []), ...names.flatMap((n) => index.get(`name:${n}`) ?? [])]);
    const order = positions(resources);
    return [...found].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

const positionIndexes = new WeakMap<PolicyResource[], Map<PolicyResource, number>>();

function positions(resources: PolicyResource[]): Map<PolicyResource, number> {
    let order = positionIndexes.get(resources);
    if (!order) positionIndexes.set(resources, (order = new Map(resources.map((r, i) => [r, i]))));
    return order;
}
