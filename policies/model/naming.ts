// Deterministic names for everything one stack must find in the other without asking it.
//
// The primary stack replicates into the DR stack's buckets, keys and vault before the DR stack can export
// anything (first install: DR standby first), so both stacks derive those identifiers from the same
// (environment, region, account) through these functions. Changing one renames real data stores.
import * as pulumi from "@pulumi/pulumi";

/** Data classes that get their own customer-managed key. */
export const KEY_CLASSES = ["data", "backup", "logs", "secrets"] as const;
export type KeyClass = (typeof KEY_CLASSES)[number];

/** Buckets that hold customer data; each primary bucket has a twin in the peer region. */
export const DATA_BUCKETS = ["documents", "reports", "audit"] as const;
export type DataBucket = (typeof DATA_BUCKETS)[number];

/**
 * The CloudTrail log bucket: a data store like the others (replicated, locked, backed up), kept out of DATA_BUCKETS
 * because the application never reads it and the trail records no object events on it (that would loop).
 */
export const TRAIL_BUCKET = "trail";
/** Every bucket whose copies the integrity verification compares: the data buckets and the trail's. */
export const REPLICATED_BUCKETS = [...DATA_BUCKETS, TRAIL_BUCKET] as const;
export type ReplicatedBucket = (typeof REPLICATED_BUCKETS)[number];

export class Naming {
    constructor(readonly environment: string) {}

    /** `vbr-<environment>`: every name starts with it. */
    get prefix(): string {
        return `vbr-${this.environment}`;
    }

    bucketName(bucket: ReplicatedBucket | "alb-logs", region: string): string {
        return `${this.prefix}-${bucket}-${region}`;
    }

    bucketArn(bucket: ReplicatedBucket, region: string): string {
        return `arn:aws:s3:::${this.bucketName(bucket, region)}`;
    }

    /** The multi-region trail a stack runs from `region` (the primary always, the DR stack in failover). */
    trailName(region: string): string {
        return `${this.prefix}-trail-${region}`;
    }

    trailArn(region: string, accountId: string): string {
        return `arn:aws:cloudtrail:${region}:${accountId}:trail/${this.trailName(region)}`;
    }

    /** The monthly replica verification's Lambda function. */
    verifierName(): string {
        return `${this.prefix}-integrity`;
    }

    keyAlias(keyClass: KeyClass): string {
        return `alias/${this.prefix}-${keyClass}`;
    }

    /** Alias ARN of a key in `region`: S3 replication, AWS Backup and Secrets Manager accept it as the key. */
    keyAliasArn(keyClass: KeyClass, region: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
        return pulumi.interpolate`arn:aws:kms:${region}:${accountId}:${this.keyAlias(keyClass)}`;
    }

    vaultName(): string {
        return `${this.prefix}-vault`;
    }

    vaultArn(region: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
        return pulumi.interpolate`arn:aws:backup:${region}:${accountId}:backup-vault:${this.vaultName()}`;
    }

    /** A Pulumi state bucket; the state-backend program names with `new Naming("<environment>-state")`. */
    stateBucketName(region: string): string {
        return `${this.prefix}-${region}`;
    }

    dbIdentifier(suffix?: string): string {
        return suffix ? `${this.prefix}-postgres-${suffix}` : `${this.prefix}-postgres`;
    }

    secretName(): string {
        return `${this.prefix}/database/master`;
    }

    repositoryName(): string {
        return `${this.prefix}/app`;
    }
}
