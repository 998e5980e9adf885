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

export class Naming {
    constructor(readonly environment: string) {}

    /** `vbr-<environment>`: every name starts with it. */
    get prefix(): string {
        return `vbr-${this.environment}`;
    }

    bucketName(bucket: DataBucket | "alb-logs", region: string): string {
        return `${this.prefix}-${bucket}-${region}`;
    }

    bucketArn(bucket: DataBucket, region: string): string {
        return `arn:aws:s3:::${this.bucketName(bucket, region)}`;
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
