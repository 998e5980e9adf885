// The document store: customer documents, analysis reports and the audit trail, each replicated to its DR twin.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DATA_BUCKETS, DataBucket, Naming, ReplicatedBucket } from "../policies/model/naming";
import { DAILY_RETENTION_FLOOR_DAYS } from "../policies/model/plan";
import { REPLICATION_DESTINATION, TAGS } from "../policies/model/tags";
import { batchReplicationRole, PeerTwinsArgs, replicateBuckets } from "./replication";
import { SecureBucket } from "./secure-bucket";

export interface DocumentStoreArgs extends PeerTwinsArgs {
    /** ARN of this region's data CMK (SSE-KMS on every bucket). */
    dataKeyArn: pulumi.Input<string>;
    /**
     * Default Object Lock retention on the audit bucket, governance mode. Equal to the backup window, so every
     * restore point in the last 35 days finds the audit trail it refers to; governance (not compliance) so a
     * privileged operator can still act on a legal request, and nothing becomes undeletable for years.
     * @default 35
     */
    auditRetentionDays?: number;
    /** Tags for every bucket (the platform adds `vbr:standby = kept` in the DR stack). @default {} */
    tags?: Record<string, string>;
}

/** A bucket's replication rule, which the primary owns: its source, its twin in the peer region and the rule's id. */
export interface ReplicationRule<B extends ReplicatedBucket = DataBucket> {
    bucket: B;
    source: string;
    destination: string;
    ruleId: string;
}

/**
 * The primary's replication rules, one per bucket: the data buckets by default, or the given ones (the trail's). The
 * monitoring's RTC alarms and the integrity verification name the same ones.
 */
export function replicationRules<B extends ReplicatedBucket = DataBucket>(naming: Naming, region: string, peerRegion: string,
    buckets: readonly B[] = DATA_BUCKETS as readonly ReplicatedBucket[] as readonly B[]): ReplicationRule<B>[] {
    return buckets.map((bucket) => ({
        bucket, source: naming.bucketName(bucket, region), destination: naming.bucketName(bucket, peerRegion), ruleId: `${bucket}-to-${peerRegion}`,
    }));
}

export class DocumentStore extends pulumi.ComponentResource {
    readonly buckets: Record<DataBucket, aws.s3.Bucket>;
    /** name and ARN per bucket: the stack output `buckets`. */
    readonly exports: pulumi.Output<Record<DataBucket, { name: string; arn: string }>>;
    /** The replication role (when this stack replicates to the peer). */
    readonly replicationRole?: aws.iam.Role;
    /**
     * The DR stack's S3 Batch Operations role while it replicates back to the primary's region: objects written before
     * its rules existed are copied by a Batch Replication job (npm run failback), not by live replication.
     */
    readonly batchReplicationRole?: aws.iam.Role;

    constructor(name: string, args: DocumentStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:storage:DocumentStore", name, {}, opts);
        const { naming, region, peerRegion } = args;
        const stores = {} as Record<DataBucket, SecureBucket>;
        for (const b of DATA_BUCKETS) {
            const tags: Record<string, string> = { ...args.tags, [TAGS.dataClass]: b };
            if (args.role === "dr") tags[TAGS.replication] = REPLICATION_DESTINATION;
            stores[b] = new SecureBucket(`${name}-${b}`, {
                bucketName: naming.bucketName(b, region), region, kmsKeyArn: args.dataKeyArn, tags,
                // Both twins of the audit trail are locked: S3 replicates locked objects only into a locked bucket.
                objectLockDays: b === "audit" ? args.auditRetentionDays ?? DAILY_RETENTION_FLOOR_DAYS : undefined,
            }, { parent: this });
        }
        this.buckets = Object.fromEntries(DATA_BUCKETS.map((b) => [b, stores[b].bucket])) as Record<DataBucket, aws.s3.Bucket>;
        if (args.replicateToPeer ?? args.role === "primary") {
            // The DR stack replicates only while it serves, never in standby: no `vbr:standby` marker on these.
            const { [TAGS.standby]: _kept, ...linkTags } = args.tags ?? {};
            // The twins belong to the peer stack: found by their deterministic names, encrypted with its data key's alias.
            this.replicationRole = replicateBuckets(this, name, {
                region, destinationRegion: peerRegion, sourceKeyArn: args.dataKeyArn,
                replicaKey: { aliasArn: naming.keyAliasArn("data", peerRegion, args.accountId), aliasName: naming.keyAlias("data"), accountId: args.accountId },
                links: replicationRules(naming, region, peerRegion).map((r) => ({
                    resourceName: `${name}-${r.bucket}`, ruleId: r.ruleId, source: stores[r.bucket], destinationBucketName: r.destination,
                })),
                // Two-way: the serving DR stack's rules back to region A during a failback pair with these.
                replicaModifications: true,
                tags: linkTags,
            });
            if (args.role === "dr") this.batchReplicationRole = batchReplicationRole(this, name, DATA_BUCKETS.map((b) => stores[b].arn), linkTags);
        }
        this.exports = pulumi.output(Object.fromEntries(DATA_BUCKETS.map((b) => [b, { name: stores[b].name, arn: stores[b].arn }]))) as
            unknown as pulumi.Output<Record<DataBucket, { name: string; arn: string }>>;
        this.registerOutputs({ exports: this.exports });
    }
}
