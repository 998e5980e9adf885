// One S3 bucket with the protections every bucket of this project carries: versioning, default encryption,
// public access fully blocked, bucket-owner-enforced ownership and a TLS-only bucket policy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SecureBucketArgs {
    /** The bucket's global name (deterministic: the peer stack and IAM policies derive it too). */
    bucketName: string;
    /** Region of the bucket and all its configuration. @default - the provider's region */
    region?: string;
    /**
     * CMK for SSE-KMS with bucket keys. Without one the bucket uses SSE-S3, which only ALB access-log
     * delivery needs (it cannot write to SSE-KMS buckets).
     * @default - SSE-S3 (AES256)
     */
    kmsKeyArn?: pulumi.Input<string>;
    /** Default Object Lock retention in days. @default - no Object Lock */
    objectLockDays?: number;
    /**
     * The default retention's mode: GOVERNANCE (removable with s3:BypassGovernanceRetention) or COMPLIANCE (nobody, the
     * root user included, can delete or overwrite a version before its retention ends). @default "GOVERNANCE"
     */
    objectLockMode?: "GOVERNANCE" | "COMPLIANCE";
    /**
     * S3 Bucket Keys with the CMK: fewer KMS calls, but S3 then calls KMS with the bucket's encryption context instead of
     * the writer's (a CloudTrail log bucket keeps CloudTrail's context, which its key policy conditions on). @default true
     */
    bucketKey?: boolean;
    /** Statements added to the bucket policy after the TLS-only deny. @default [] */
    policyStatements?: pulumi.Input<Record<string, unknown>>[];
    /** @default {} */
    tags?: Record<string, string>;
}

/** The TLS-only statement, over resource ARNs known at preview (the bucket name is deterministic). */
export function denyInsecureTransport(bucketName: string): Record<string, unknown> {
    const arn = `arn:aws:s3:::${bucketName}`;
    return {
        Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

export class SecureBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    /** Replication and Object Lock must wait for it. */
    readonly versioning: aws.s3.BucketVersioning;
    /** A service that checks the bucket policy when it is configured (CloudTrail) must wait for it. */
    readonly policy: aws.s3.BucketPolicy;
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:storage:SecureBucket", name, {}, opts);
        const region = args.region;
        const child = { parent: this };
        this.bucket = new aws.s3.Bucket(name, {
            bucket: args.bucketName, region,
            // S3 only replicates into a locked bucket from a locked one, so both twins of a locked bucket lock.
            objectLockEnabled: args.objectLockDays !== undefined ? true : undefined,
            forceDestroy: false,
            tags: args.tags,
        }, { parent: this, protect: true, retainOnDelete: true });
        const bucket = this.bucket.id;
        this.versioning = new aws.s3.BucketVersioning(name, { bucket, region, versioningConfiguration: { status: "Enabled" } }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(name, {
            bucket, region,
            rules: [args.kmsKeyArn !== undefined
                ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: args.bucketKey ?? true }
                : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, child);
        const block = new aws.s3.BucketPublicAccessBlock(name, {
            bucket, region, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        }, child);
        new aws.s3.BucketOwnershipControls(name, { bucket, region, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
        this.policy = new aws.s3.BucketPolicy(name, {
            bucket, region,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [denyInsecureTransport(args.bucketName), ...(args.policyStatements ?? [])],
            }),
        }, { ...child, dependsOn: [block] });
        if (args.objectLockDays !== undefined) {
            new aws.s3.BucketObjectLockConfiguration(name, {
                bucket, region, rule: { defaultRetention: { mode: args.objectLockMode ?? "GOVERNANCE", days: args.objectLockDays } },
            }, { ...child, dependsOn: [this.versioning] });
        }
        this.name = this.bucket.bucket;
        this.arn = this.bucket.arn;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
