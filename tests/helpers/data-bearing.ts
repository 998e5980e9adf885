// Test fixture: what "losing data" means between two synthesized states of a stack.

/** Data-bearing types: deleting or replacing one loses data. */
export const DATA_BEARING = new Set([
    "aws:s3/bucket:Bucket", "aws:rds/instance:Instance", "aws:backup/vault:Vault", "aws:kms/key:Key", "aws:secretsmanager/secret:Secret",
    "aws:ecr/repository:Repository",
]);
/** Inputs whose change makes the provider replace the resource (ForceNew in the bridged provider's schema). */
export const REPLACE_ON: Record<string, string[]> = {
    "aws:s3/bucket:Bucket": ["bucket", "objectLockEnabled"],
    "aws:rds/instance:Instance": ["identifier", "engine", "kmsKeyId", "storageEncrypted", "restoreToPointInTime", "snapshotIdentifier", "replicateSourceDb", "dbSubnetGroupName", "characterSetName", "availabilityZone"],
    "aws:backup/vault:Vault": ["name", "kmsKeyArn"],
    "aws:kms/key:Key": ["keyUsage", "customerMasterKeySpec", "keySpec", "multiRegion"],
    "aws:secretsmanager/secret:Secret": ["name"],
    "aws:ecr/repository:Repository": ["name", "encryptionConfigurations"],
};


const isSet = (v: unknown) => v !== undefined && v !== null && v !== "";

/**
 * The inputs of a data-bearing resource whose change between two states replaces it. A read replica losing
 * replicateSourceDb is a promotion, done in place (RDS PromoteReadReplica): not a replacement.
 */
export function replacingChanges(type: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    return (REPLACE_ON[type] ?? []).filter((input) => {
        if (type === "aws:rds/instance:Instance" && input === "replicateSourceDb" && isSet(before[input]) && !isSet(after[input])) return false;
        return JSON.stringify(before[input]) !== JSON.stringify(after[input]);
    });
}
