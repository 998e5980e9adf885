// The data stores beyond S3, RDS/Aurora and AWS Backup, each judged in the areas that apply to it: encryption with a
// customer-managed key, backups kept the plan's retention, deletion safeguards, a copy in another region where AWS
// offers one. One table, read by the four `datastore-*` policies, so a new store is one entry here.
//
// Every check reads through `read` and hands a value it cannot know during preview to `undecided`: a store never
// passes because a value was unknown. Each check returns its findings as message tails ending in their fix.
import { PolicyResource } from "@pulumi/policy";
import { backupPlanCopy } from "./backup";
import { judgeCmk, JudgeCmkOptions } from "./kms";
import { plansCovering } from "./selection";
import { effectiveRegion, isOf, known, label, linksTo, read, Read, tags, Undecided } from "./stack";

export type Check = (r: PolicyResource, all: PolicyResource[], undecided: Undecided, minDays: number) => string[];

export interface StoreSpec {
    encryption?: Check;
    retention?: Check;
    deletion?: Check;
    crossRegion?: Check;
}

const KEY_FIX = "a customer-managed KMS key ARN in the resource's region";

/** A boolean input that must be true; `problem` describes the value it has. */
function mustBeTrue(path: string, get: (r: PolicyResource) => unknown, problem: string, fix: string): Check {
    return (r, _all, undecided) => {
        const v = read(() => get(r));
        if (!v.known) { undecided.note(v); return []; }
        return v.value === true ? [] : [`${problem} (${path} ${JSON.stringify(v.value ?? "unset")}). Fix: ${fix}`];
    };
}

/** A key that must be a customer-managed key in the resource's region (or `opts.region`). */
function cmk(topKey: string, path: string, get: (r: PolicyResource) => unknown, opts: JudgeCmkOptions = {}): Check {
    return (r, _all, undecided) => {
        const v = judgeCmk(r, topKey, () => get(r), opts);
        if (v.ok === "unknown") { undecided.note({ known: false, error: v.error }); return []; }
        return v.ok ? [] : [`encrypts with ${v.problem} (${path}). Fix: set ${path} to ${KEY_FIX}.`];
    };
}

/** Encryption switched on, then every key: one finding for the switch (its fix names the key), else one per key. */
function encryption(on: Check | undefined, ...keys: Check[]): Check {
    return (r, all, undecided, min) => {
        const off = on?.(r, all, undecided, min) ?? [];
        return off.length > 0 ? off : keys.flatMap((k) => k(r, all, undecided, min));
    };
}

/** A retention in days that must reach the floor, capped at what the service allows; `unset` says what happens without it. */
function retentionDays(path: string, get: (r: PolicyResource) => unknown, unset: string, serviceMax: number): Check {
    return (r, _all, undecided, min) => {
        const v = read(() => get(r));
        if (!v.known) { undecided.note(v); return []; }
        const floor = Math.min(min, serviceMax);
        if (typeof v.value === "number" && v.value >= floor) return [];
        const has = typeof v.value === "number" ? `keeps backups ${v.value} days (${path})` : `${unset} (${path} unset)`;
        return [`${has}, below ${floor} days. Fix: set ${path}: ${floor}${floor < min ? ` (the service's maximum; keep ${min} days through an AWS Backup plan)` : ""}.`];
    };
}

/** Deleting it leaves a final snapshot: skipFinalSnapshot not true and a finalSnapshotIdentifier. */
const finalSnapshot: Check = (r, _all, undecided) => {
    const skip = read(() => r.props.skipFinalSnapshot);
    if (!skip.known) { undecided.note(skip); return []; }
    const id = read(() => r.props.finalSnapshotIdentifier);
    if (skip.value !== true && (!id.known || (typeof id.value === "string" && id.value !== ""))) return [];
    const why = skip.value === true ? "skipFinalSnapshot is true" : "it has no finalSnapshotIdentifier";
    return [`would be deleted without a final snapshot (${why}). Fix: set skipFinalSnapshot: false and a finalSnapshotIdentifier.`];
};

const both = (...checks: Check[]): Check => (r, all, u, min) => checks.flatMap((c) => c(r, all, u, min));

/**
 * A copy in another region: one of `native` (the service's own replication) or, where AWS Backup supports the
 * store, a plan that selects it and copies cross-region. `fix` names the native way.
 */
function crossRegion(fix: string, backup: boolean, ...native: Array<(r: PolicyResource, all: PolicyResource[], home: string | undefined) => Read<string | undefined>>): Check {
    return (r, all, undecided) => {
        const home = effectiveRegion(r);
        if (!home.known) { undecided.note(home); return []; }
        let pending: { known: false; error: Error } | undefined;
        for (const way of [...native, ...(backup ? [(x: PolicyResource, a: PolicyResource[], h: string | undefined) => backupPlanCopy(x, a, h)] : [])]) {
            const v = way(r, all, home.value);
            if (!v.known) { pending ??= v; continue; }
            if (v.value) return [];
        }
        if (pending) { undecided.note(pending); return []; }
        return [`in ${home.value ?? "an unknown region"} has no copy in another region. Fix: ${fix}${backup ? ", or select it in an AWS Backup plan whose rules copy to a vault in another region" : ""}.`];
    };
}

/** Resources of `types` in this stack that point at `r` through `key` and live in a region other than `home`. */
function linkedElsewhere(types: readonly string[], key: string, regionOf: (x: PolicyResource) => Read<string | undefined> = effectiveRegion) {
    return (r: PolicyResource, all: PolicyResource[], home: string | undefined): Read<string | undefined> => {
        let pending: Read<string | undefined> | undefined;
        for (const x of all.filter((a) => isOf(a, types) && linksTo(a, key, r))) {
            const region = regionOf(x);
            if (!region.known) { pending ??= region; continue; }
            if (region.value && region.value !== home) return known(`${label(x)} in ${region.value}`);
        }
        return pending ?? known(undefined);
    };
}

/** Backed up at all: the service's own backups (`native`, e.g. an EFS BackupPolicy), or an AWS Backup plan that selects it. */
function backedUp(what: string, fix: string, native: (r: PolicyResource, all: PolicyResource[]) => Read<boolean>): Check {
    return (r, all, undecided) => {
        const n = native(r, all);
        if (n.known && n.value) return [];
        const plans = plansCovering(r, all);
        if (plans.known && plans.value.length > 0) return [];
        const pending = !n.known ? n : !plans.known ? plans : undefined;
        if (pending && !pending.known) { undecided.note(pending); return []; }
        return [`has no backups (${what}). Fix: ${fix}, or select it in an AWS Backup plan.`];
    };
}

// ---- Data Lifecycle Manager (EBS snapshots) -----------------------------------------------------------------------

type DlmPolicy = { resourceTypes?: string[]; targetTags?: Record<string, string>; schedules?: Array<{ crossRegionCopyRules?: Array<{ target?: string; targetRegion?: string }> }> };

/** The enabled DLM policies of this stack whose target tags all match the volume's tags. */
function dlmPolicies(r: PolicyResource, all: PolicyResource[]): Read<PolicyResource[]> {
    const t = tags(r);
    const out: PolicyResource[] = [];
    for (const p of all.filter((x) => x.type === "aws:dlm/lifecyclePolicy:LifecyclePolicy")) {
        const d = read(() => p.props.policyDetails as DlmPolicy | undefined);
        const state = read(() => p.props.state);
        const target = read(() => ({ ...(d.known ? d.value?.targetTags ?? {} : {}) }));
        const types = read(() => [...((d.known ? d.value?.resourceTypes : undefined) ?? ["VOLUME"])]);
        if (!d.known) return d;
        if (!target.known) return target;
        if (!types.known) return types;
        if (state.known && state.value === "DISABLED") continue;
        if (types.value.includes("VOLUME") && Object.keys(target.value).length > 0 && Object.entries(target.value).every(([k, v]) => t[k] === v)) out.push(p);
    }
    return known(out);
}

function dlmCrossRegion(r: PolicyResource, all: PolicyResource[], home: string | undefined): Read<string | undefined> {
    const ps = dlmPolicies(r, all);
    if (!ps.known) return ps;
    let pending: Read<string | undefined> | undefined;
    for (const p of ps.value) {
        const regions = read(() => ((p.props.policyDetails as DlmPolicy).schedules ?? [])
            .flatMap((s) => (s.crossRegionCopyRules ?? []).map((c) => c.targetRegion ?? c.target)));
        if (!regions.known) { pending ??= regions; continue; }
        const other = regions.value.find((x) => typeof x === "string" && x !== "" && !x.startsWith("arn:") && x !== home);
        if (other) return known(`${label(p)} copies to ${other}`);
    }
    return pending ?? known(undefined);
}

// ---- the stores --------------------------------------------------------------------------------------------------

type Replica = { regionName?: string; kmsKeyArn?: string };

/** A check that applies only to an ElastiCache Cluster holding data of its own: Redis or Valkey, not in a replication group. */
function standaloneCache(check: (r: PolicyResource, undecided: Undecided, min: number) => string[]): Check {
    return (r, _all, undecided, min) => {
        const group = read(() => r.props.replicationGroupId);
        if (!group.known) { undecided.note(group); return []; }
        if (typeof group.value === "string" && group.value !== "") return [];
        const engine = read(() => r.props.engine);
        if (!engine.known) { undecided.note(engine); return []; }
        if (engine.value === "memcached") return [];
        return check(r, undecided, min);
    };
}

const dynamoReplicaKeys: Check = (r, all, undecided, min) => {
    const replicas = read(() => r.props.replicas as Replica[] | undefined);
    if (!replicas.known) { undecided.note(replicas); return []; }
    return (replicas.value ?? []).flatMap((_, i) => cmk("replicas", `replicas[${i}].kmsKeyArn`, (x) => (x.props.replicas as Replica[])[i].kmsKeyArn, {
        absent: "no KMS key for the replica",
        region: read(() => (r.props.replicas as Replica[])[i].regionName),
    })(r, all, undecided, min));
};

const dynamoReplicas = (r: PolicyResource, _all: PolicyResource[], home: string | undefined): Read<string | undefined> => {
    const regions = read(() => ((r.props.replicas as Replica[] | undefined) ?? []).map((x) => x.regionName));
    if (!regions.known) return regions;
    const other = regions.value.find((x) => typeof x === "string" && x !== "" && x !== home);
    return known(other ? `a global-table replica in ${other}` : undefined);
};

type EfsDestination = { region?: string; fileSystemId?: string };

/** EFS replication from `r` to another region: the destination's region, or its file system's. */
const efsReplication = linkedElsewhere(["aws:efs/replicationConfiguration:ReplicationConfiguration"], "sourceFileSystemId", (x) => {
    const region = read(() => (x.props.destination as EfsDestination | undefined)?.region);
    if (!region.known || region.value) return region;
    return effectiveRegion(x);
});

/** A file system that an EFS replication of this stack writes into: a copy, not a source. */
const efsIsDestination = (r: PolicyResource, all: PolicyResource[]): boolean => all.some((x) =>
    x.type === "aws:efs/replicationConfiguration:ReplicationConfiguration" && (x.propertyDependencies.destination ?? []).some((d) => d.urn === r.urn));

/** Another member of the same global cluster in this stack, in another region. */
const globalPeer = (r: PolicyResource, all: PolicyResource[], home: string | undefined): Read<string | undefined> => {
    const id = read(() => r.props.globalClusterIdentifier);
    if (!id.known) return id;
    if (typeof id.value !== "string" || id.value === "") return known(undefined);
    for (const x of all.filter((a) => a.type === r.type && a.urn !== r.urn)) {
        const other = read(() => x.props.globalClusterIdentifier);
        const region = effectiveRegion(x);
        if (other.known && other.value === id.value && region.known && region.value && region.value !== home) return known(`${label(x)} in ${region.value}`);
    }
    return known(undefined);
};

const documentCluster = (kmsInput: "kmsKeyId" | "kmsKeyArn", absent: string): StoreSpec => ({
    encryption: encryption(mustBeTrue("storageEncrypted", (r) => r.props.storageEncrypted, "storage is not encrypted", `set storageEncrypted: true and ${kmsInput} to ${KEY_FIX}.`),
        cmk(kmsInput, kmsInput, (r) => r.props[kmsInput], { absent })),
    retention: retentionDays("backupRetentionPeriod", (r) => r.props.backupRetentionPeriod, "keeps backups 1 day", 35),
    deletion: both(mustBeTrue("deletionProtection", (r) => r.props.deletionProtection, "can be deleted through the API", "set deletionProtection: true."), finalSnapshot),
    crossRegion: crossRegion("add a member of its global cluster in another region (globalClusterIdentifier)", true, globalPeer),
});

export const STORES: Record<string, StoreSpec> = {
    "aws:dynamodb/table:Table": {
        encryption: encryption(
            mustBeTrue("serverSideEncryption.enabled", (r) => (r.props.serverSideEncryption as { enabled?: boolean } | undefined)?.enabled,
                "is encrypted with a key AWS owns, not a customer-managed key", `set serverSideEncryption: { enabled: true, kmsKeyArn: ${KEY_FIX} }.`),
            cmk("serverSideEncryption", "serverSideEncryption.kmsKeyArn", (r) => (r.props.serverSideEncryption as { kmsKeyArn?: string }).kmsKeyArn,
                { absent: "no KMS key (DynamoDB then uses its AWS-managed key aws/dynamodb)" }),
            dynamoReplicaKeys),
        retention: both(
            mustBeTrue("pointInTimeRecovery.enabled", (r) => (r.props.pointInTimeRecovery as { enabled?: boolean } | undefined)?.enabled,
                "has no point-in-time recovery", "set pointInTimeRecovery: { enabled: true }."),
            (r, all, u, min) => {
                const days = read(() => (r.props.pointInTimeRecovery as { recoveryPeriodInDays?: number } | undefined)?.recoveryPeriodInDays);
                if (!days.known) { u.note(days); return []; }
                return days.value === undefined ? [] : retentionDays("pointInTimeRecovery.recoveryPeriodInDays", () => days.value, "keeps backups 35 days", 35)(r, all, u, min);
            }),
        deletion: mustBeTrue("deletionProtectionEnabled", (r) => r.props.deletionProtectionEnabled, "can be deleted through the API", "set deletionProtectionEnabled: true."),
        crossRegion: crossRegion("add a replica in another region (replicas: [{ regionName }] or aws.dynamodb.TableReplica)", true,
            dynamoReplicas, linkedElsewhere(["aws:dynamodb/tableReplica:TableReplica"], "globalTableArn")),
    },
    "aws:dynamodb/tableReplica:TableReplica": {
        encryption: cmk("kmsKeyArn", "kmsKeyArn", (r) => r.props.kmsKeyArn, { absent: "no KMS key (the replica then uses the AWS-managed key aws/dynamodb of its region)" }),
        deletion: mustBeTrue("deletionProtectionEnabled", (r) => r.props.deletionProtectionEnabled, "can be deleted through the API", "set deletionProtectionEnabled: true."),
    },
    "aws:efs/fileSystem:FileSystem": {
        encryption: encryption(mustBeTrue("encrypted", (r) => r.props.encrypted, "is not encrypted at rest", `set encrypted: true and kmsKeyId to ${KEY_FIX}.`),
            cmk("kmsKeyId", "kmsKeyId", (r) => r.props.kmsKeyId, { absent: "no KMS key (EFS then uses its AWS-managed key aws/elasticfilesystem)" })),
        retention: backedUp("no aws.efs.BackupPolicy with status ENABLED", "add an aws.efs.BackupPolicy with backupPolicy: { status: \"ENABLED\" } (daily backups kept 35 days)",
            (r, all) => {
                const ps = all.filter((x) => x.type === "aws:efs/backupPolicy:BackupPolicy" && linksTo(x, "fileSystemId", r));
                for (const p of ps) {
                    const s = read(() => (p.props.backupPolicy as { status?: string } | undefined)?.status);
                    if (!s.known) return s;
                    if (s.value === "ENABLED") return known(true);
                }
                return known(false);
            }),
        crossRegion: (r, all, u, min) => efsIsDestination(r, all) ? []
            : crossRegion("add an aws.efs.ReplicationConfiguration to another region", true, efsReplication)(r, all, u, min),
    },
    "aws:ebs/volume:Volume": {
        encryption: encryption(mustBeTrue("encrypted", (r) => r.props.encrypted, "is not encrypted", `set encrypted: true and kmsKeyId to ${KEY_FIX}.`),
            cmk("kmsKeyId", "kmsKeyId", (r) => r.props.kmsKeyId, { absent: "no KMS key (EBS then uses the account's default EBS key, aws/ebs unless it was changed)" })),
        retention: backedUp("no Data Lifecycle Manager policy targets its tags", "add an aws.dlm.LifecyclePolicy whose targetTags match it",
            (r, all) => { const ps = dlmPolicies(r, all); return ps.known ? known(ps.value.length > 0) : ps; }),
        crossRegion: crossRegion("add a crossRegionCopyRules entry to a Data Lifecycle Manager policy that targets it", true, dlmCrossRegion),
    },
    "aws:ebs/snapshotCopy:SnapshotCopy": {
        encryption: encryption(mustBeTrue("encrypted", (r) => r.props.encrypted, "is not encrypted", `set encrypted: true and kmsKeyId to ${KEY_FIX}.`),
            cmk("kmsKeyId", "kmsKeyId", (r) => r.props.kmsKeyId, { absent: "no KMS key (EBS then uses the account's default EBS key, aws/ebs unless it was changed)" })),
    },
    "aws:redshift/cluster:Cluster": {
        encryption: encryption(mustBeTrue("encrypted", (r) => r.props.encrypted, "is not encrypted with a customer-managed key", `set encrypted: true and kmsKeyId to ${KEY_FIX}.`),
            cmk("kmsKeyId", "kmsKeyId", (r) => r.props.kmsKeyId, { absent: "no KMS key (Redshift then uses a key AWS manages)" })),
        retention: retentionDays("automatedSnapshotRetentionPeriod", (r) => r.props.automatedSnapshotRetentionPeriod, "keeps backups 1 day", 35),
        deletion: finalSnapshot,
        crossRegion: crossRegion("add an aws.redshift.SnapshotCopy with a destinationRegion in another region", true,
            linkedElsewhere(["aws:redshift/snapshotCopy:SnapshotCopy"], "clusterIdentifier", (x) => read(() => x.props.destinationRegion as string | undefined))),
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        encryption: encryption(mustBeTrue("atRestEncryptionEnabled", (r) => r.props.atRestEncryptionEnabled, "is not encrypted at rest", `set atRestEncryptionEnabled: true and kmsKeyId to ${KEY_FIX}.`),
            cmk("kmsKeyId", "kmsKeyId", (r) => r.props.kmsKeyId, { absent: "no KMS key (ElastiCache then uses a key AWS manages)" })),
        retention: retentionDays("snapshotRetentionLimit", (r) => r.props.snapshotRetentionLimit, "takes no automatic snapshots", 35),
    },
    // A single-node Redis/Valkey cluster holds data but cannot encrypt at rest (only replication groups can); a
    // member of a replication group is judged through the group, and Memcached keeps nothing to lose.
    "aws:elasticache/cluster:Cluster": {
        encryption: standaloneCache((r, undecided) => {
            const v = read(() => r.props.atRestEncryptionEnabled);
            if (!v.known) { undecided.note(v); return []; }
            return [`is a single-node Redis/Valkey cluster, which cannot encrypt at rest with a customer-managed key. Fix: use an aws.elasticache.ReplicationGroup with atRestEncryptionEnabled: true and kmsKeyId set to ${KEY_FIX}.`];
        }),
        retention: standaloneCache((r, undecided, min) => retentionDays("snapshotRetentionLimit", (x) => x.props.snapshotRetentionLimit, "takes no automatic snapshots", 35)(r, [], undecided, min)),
    },
    "aws:elasticache/serverlessCache:ServerlessCache": {
        encryption: cmk("kmsKeyId", "kmsKeyId", (r) => r.props.kmsKeyId, { absent: "no KMS key (ElastiCache then uses a key AWS manages)" }),
        retention: retentionDays("snapshotRetentionLimit", (r) => r.props.snapshotRetentionLimit, "takes no automatic snapshots", 35),
    },
    "aws:docdb/cluster:Cluster": documentCluster("kmsKeyId", "no KMS key (DocumentDB then uses its AWS-managed key aws/rds)"),
    "aws:neptune/cluster:Cluster": documentCluster("kmsKeyArn", "no KMS key (Neptune then uses its AWS-managed key aws/rds)"),
    "aws:opensearch/domain:Domain": {
        encryption: encryption(
            mustBeTrue("encryptAtRest.enabled", (r) => (r.props.encryptAtRest as { enabled?: boolean } | undefined)?.enabled, "is not encrypted at rest", `set encryptAtRest: { enabled: true, kmsKeyId: ${KEY_FIX} }.`),
            cmk("encryptAtRest", "encryptAtRest.kmsKeyId", (r) => (r.props.encryptAtRest as { kmsKeyId?: string }).kmsKeyId, { absent: "no KMS key (OpenSearch then uses its AWS-managed key aws/es)" })),
    },
};
STORES["aws:elasticsearch/domain:Domain"] = STORES["aws:opensearch/domain:Domain"];

/** The store types that have a check for `area`. */
export const storeTypes = (area: keyof Omit<StoreSpec, "types">): string[] => Object.keys(STORES).filter((t) => STORES[t][area] !== undefined);

/**
 * Data stores besides buckets, databases and vaults that hold data and must be protected from deletion (an
 * ElastiCache Cluster is left out: most are Memcached or replication-group members, which hold nothing of their own).
 */
export const STORE_DATA_TYPES: readonly string[] = [...Object.keys(STORES).filter((t) => t !== "aws:elasticache/cluster:Cluster"), "aws:ebs/snapshot:Snapshot"];
