// The document store: customer documents, analysis reports and the audit trail, each replicated to its DR twin.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Role } from "../stacks/config";
import { DATA_BUCKETS, DataBucket, Naming } from "../stacks/naming";

export interface DocumentStoreArgs {
    naming: Naming;
    /** `primary` owns the replication links; `dr` holds the destination twins. */
    role: Role;
    region: string;
    peerRegion: string;
    accountId: pulumi.Input<string>;
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

/** S3 Replication Time Control: 15 minutes is the only valid value, and RTC requires metrics (DR-FACTS). */
export const RTC_MINUTES = 15;

export class DocumentStore extends pulumi.ComponentResource {
    readonly buckets: Record<DataBucket, aws.s3.Bucket>;
    /** name and ARN per bucket: the stack output `buckets`. */
    readonly exports: pulumi.Output<Record<DataBucket, { name: string; arn: string }>>;
    /** The replication role (primary only). */
    readonly replicationRole?: aws.iam.Role;

    constructor(name: string, args: DocumentStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:storage:DocumentStore", name, {}, opts);
        const retentionDays = args.auditRetentionDays ?? 35;
        const buckets = {} as Record<DataBucket, aws.s3.Bucket>;
        const versionings = {} as Record<DataBucket, aws.s3.BucketVersioning>;
        for (const b of DATA_BUCKETS) {
            const tags: Record<string, string> = { ...args.tags, "vbr:data-class": b };
            if (args.role === "dr") tags["vbr:replication"] = "destination";
            const bucket = new aws.s3.Bucket(`${name}-${b}`, {
                bucket: args.naming.bucketName(b, args.region),
                // S3 only replicates into a locked bucket from a locked one: both twins of audit are locked.
                objectLockEnabled: b === "audit" ? true : undefined,
                forceDestroy: false,
                tags,
            }, { parent: this, protect: true, retainOnDelete: true });
            const child = { parent: this };
            versionings[b] = new aws.s3.BucketVersioning(`${name}-${b}`, {
                bucket: bucket.id, versioningConfiguration: { status: "Enabled" },
            }, child);
            new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-${b}`, {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.dataKeyArn }, bucketKeyEnabled: true }],
            }, child);
            const block = new aws.s3.BucketPublicAccessBlock(`${name}-${b}`, {
                bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
            }, child);
            new aws.s3.BucketOwnershipControls(`${name}-${b}`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
            // The ARN comes from the deterministic name, not bucket.arn: that is unknown in a first preview, and the
            // TLS-only policy could then not decide. `bucket` stays bucket.id, so the link to the bucket is kept.
            const arn = args.naming.bucketArn(b, args.region);
            new aws.s3.BucketPolicy(`${name}-${b}`, {
                bucket: bucket.id,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{
                        Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
                        Resource: [arn, `${arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    }],
                }),
            }, { ...child, dependsOn: [block] });
            if (b === "audit") {
                new aws.s3.BucketObjectLockConfiguration(`${name}-${b}`, {
                    bucket: bucket.id, rule: { defaultRetention: { mode: "GOVERNANCE", days: retentionDays } },
                }, { ...child, dependsOn: [versionings[b]] });
            }
            buckets[b] = bucket;
        }
        this.buckets = buckets;
        if (args.role === "primary") this.replicationRole = this.replicate(name, args, versionings);
        this.exports = pulumi.output(Object.fromEntries(DATA_BUCKETS.map((b) => [b, { name: buckets[b].bucket, arn: buckets[b].arn }]))) as
            unknown as pulumi.Output<Record<DataBucket, { name: string; arn: string }>>;
        this.registerOutputs({ exports: this.exports });
    }

    /** Replication links to the peer region's twins (owned by the DR stack, found by their deterministic names). */
    private replicate(name: string, args: DocumentStoreArgs, versionings: Record<DataBucket, aws.s3.BucketVersioning>): aws.iam.Role {
        const { naming, peerRegion } = args;
        const role = new aws.iam.Role(`${name}-replication`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags: args.tags,
        }, { parent: this });
        const sources = DATA_BUCKETS.map((b) => this.buckets[b].arn);
        const policy = new aws.iam.Policy(`${name}-replication`, {
            description: "S3 replication of the document buckets to their DR twins",
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
                        Resource: DATA_BUCKETS.map((b) => `${naming.bucketArn(b, peerRegion)}/*`),
                    },
                    {
                        Sid: "DecryptSource", Effect: "Allow", Action: "kms:Decrypt", Resource: args.dataKeyArn,
                        Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
                    },
                    {
                        // The destination key is known only by its alias (the DR stack owns it): match keys carrying it.
                        Sid: "EncryptReplicas", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"],
                        Resource: pulumi.interpolate`arn:aws:kms:${peerRegion}:${args.accountId}:key/*`,
                        Condition: {
                            StringEquals: { "kms:ViaService": `s3.${peerRegion}.amazonaws.com` },
                            "ForAnyValue:StringEquals": { "kms:ResourceAliases": naming.keyAlias("data") },
                        },
                    },
                ],
            }),
        }, { parent: this });
        const attachment = new aws.iam.RolePolicyAttachment(`${name}-replication`, { role: role.name, policyArn: policy.arn }, { parent: this });
        for (const b of DATA_BUCKETS) {
            new aws.s3.BucketReplicationConfig(`${name}-${b}`, {
                bucket: this.buckets[b].id,
                role: role.arn,
                rules: [{
                    id: `${b}-to-${peerRegion}`,
                    status: "Enabled",
                    filter: {},
                    deleteMarkerReplication: { status: "Enabled" },
                    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                    destination: {
                        bucket: naming.bucketArn(b, peerRegion),
                        encryptionConfiguration: { replicaKmsKeyId: naming.keyAliasArn("data", peerRegion, args.accountId) },
                        replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
                        metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
                    },
                }],
            }, { parent: this, dependsOn: [versionings[b], attachment] });
        }
        return role;
    }
}
