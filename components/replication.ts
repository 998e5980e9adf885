// S3 cross-region replication links: a least-privilege role and one rule per bucket with Replication Time
// Control, delete-marker replication, SSE-KMS object selection and replica modification sync, encrypting replicas with
// the peer's key; and the S3 Batch Operations role that replicates what existed before a rule did.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "../policies/model/naming";
import { RTC_MINUTES } from "../policies/model/plan";
import type { Role } from "../policies/model/states";

/** The key replicas are encrypted with, in the destination region. */
export type ReplicaKey =
    /** A key this program knows by ARN. */
    | { arn: pulumi.Input<string> }
    /** A key another stack owns, known by its alias ARN; IAM then matches keys that carry the alias. */
    | { aliasArn: pulumi.Input<string>; aliasName: string; accountId: pulumi.Input<string> };

/** What a component whose buckets have twins in the peer region (the document store, the audit trail) is given. */
export interface PeerTwinsArgs {
    naming: Naming;
    /** `primary` owns the replication links in normal operation; `dr` holds the destination twins. */
    role: Role;
    /**
     * Whether this stack replicates its buckets to their twins in the peer region: the primary always; the DR stack
     * while it serves and the primary's region answers (a failback), so its new writes reach region A.
     * @default role === "primary"
     */
    replicateToPeer?: boolean;
    region: string;
    peerRegion: string;
    accountId: pulumi.Input<string>;
}

export interface ReplicationLink {
    /** Logical name of the link's BucketReplicationConfig. */
    resourceName: string;
    ruleId: string;
    source: { bucket: aws.s3.Bucket; versioning: aws.s3.BucketVersioning };
    /** The destination bucket's name; versioned and in `destinationRegion`. */
    destinationBucketName: string;
    /**
     * The destination's versioning, when this program creates it: S3 refuses a replication rule into a bucket
     * whose versioning is not enabled yet. @default - the destination belongs to another stack, deployed first
     */
    destinationVersioning?: aws.s3.BucketVersioning;
}

export interface ReplicationArgs {
    region: string;
    destinationRegion: string;
    /** The key the source objects are encrypted with. */
    sourceKeyArn: pulumi.Input<string>;
    replicaKey: ReplicaKey;
    links: ReplicationLink[];
    /**
     * Replica modification sync: with a rule in each direction (the serving DR stack replicating back during a
     * failback), metadata changes made to a replica flow back to its source, so both rules keep working afterwards.
     * S3 never replicates a replica itself onwards, so the two rules cannot loop. @default false
     */
    replicaModifications?: boolean;
    /** @default {} */
    tags?: Record<string, string>;
}

/**
 * Creates the replication role (`${name}-replication`) and a BucketReplicationConfig per link, as children of
 * `parent`. Returns the role.
 */
export function replicateBuckets(parent: pulumi.Resource, name: string, args: ReplicationArgs): aws.iam.Role {
    const { region, destinationRegion } = args;
    const role = new aws.iam.Role(`${name}-replication`, {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: args.tags,
    }, { parent });
    const sources = args.links.map((l) => l.source.bucket.arn);
    const replicaKeyArn = "arn" in args.replicaKey ? args.replicaKey.arn : args.replicaKey.aliasArn;
    const policy = new aws.iam.Policy(`${name}-replication`, {
        description: `S3 replication from ${region} to ${destinationRegion}`,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "ReadReplicationConfig", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: sources },
                {
                    Sid: "ReadSourceVersions", Effect: "Allow",
                    Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
                    Resource: sources.map((arn) => pulumi.interpolate`${arn}/*`),
                },
                {
                    Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                    Resource: args.links.map((l) => `arn:aws:s3:::${l.destinationBucketName}/*`),
                },
                {
                    Sid: "DecryptSource", Effect: "Allow", Action: "kms:Decrypt", Resource: args.sourceKeyArn,
                    Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
                },
                encryptReplicas(args.replicaKey, destinationRegion),
            ],
        }),
    }, { parent });
    const attachment = new aws.iam.RolePolicyAttachment(`${name}-replication`, { role: role.name, policyArn: policy.arn }, { parent });
    for (const link of args.links) {
        new aws.s3.BucketReplicationConfig(link.resourceName, {
            bucket: link.source.bucket.id,
            region,
            role: role.arn,
            rules: [{
                id: link.ruleId,
                status: "Enabled",
                filter: {},
                deleteMarkerReplication: { status: "Enabled" },
                sourceSelectionCriteria: {
                    sseKmsEncryptedObjects: { status: "Enabled" },
                    ...(args.replicaModifications ? { replicaModifications: { status: "Enabled" } } : {}),
                },
                destination: {
                    bucket: `arn:aws:s3:::${link.destinationBucketName}`,
                    encryptionConfiguration: { replicaKmsKeyId: replicaKeyArn },
                    replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
                    metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
                },
            }],
        }, { parent, dependsOn: [link.source.versioning, attachment, ...(link.destinationVersioning ? [link.destinationVersioning] : [])] });
    }
    return role;
}

function encryptReplicas(key: ReplicaKey, destinationRegion: string): Record<string, unknown> {
    const statement = { Sid: "EncryptReplicas", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"] };
    const viaS3 = { "kms:ViaService": `s3.${destinationRegion}.amazonaws.com` };
    if ("arn" in key) return { ...statement, Resource: key.arn, Condition: { StringEquals: viaS3 } };
    // The destination key's id is not known here (another stack owns it): match the keys carrying its alias.
    return {
        ...statement,
        Resource: pulumi.interpolate`arn:aws:kms:${destinationRegion}:${key.accountId}:key/*`,
        Condition: { StringEquals: viaS3, "ForAnyValue:StringEquals": { "kms:ResourceAliases": key.aliasName } },
    };
}

/**
 * The role S3 Batch Operations assumes to replicate objects that existed before a bucket's replication rule did (live
 * replication copies only new writes): S3 Batch Replication with a generated manifest of the objects whose
 * replication status is NONE or FAILED. Least privilege: start replication of the sources' objects and read their
 * replication configuration; no completion report or manifest is written (the job's counts are enough).
 */
export function batchReplicationRole(parent: pulumi.Resource, name: string, sources: pulumi.Input<string>[], tags?: Record<string, string>): aws.iam.Role {
    const role = new aws.iam.Role(`${name}-batch-replication`, {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "batchoperations.s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
    }, { parent });
    new aws.iam.RolePolicy(`${name}-batch-replication`, {
        role: role.name,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "InitiateReplication", Effect: "Allow", Action: "s3:InitiateReplication", Resource: sources.map((arn) => pulumi.interpolate`${arn}/*`) },
                // The manifest generator reads each source's replication rules and lists it through an inventory run.
                { Sid: "GenerateManifest", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"], Resource: sources },
            ],
        }),
    }, { parent });
    return role;
}
