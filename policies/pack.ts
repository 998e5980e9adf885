// The vbr-dr policy pack's policies, in one list shared by the pack entry (index.ts), the offline plan and the tests.
import { Policies } from "@pulumi/policy";
import { awsDataResourcesProtected } from "./aws-data-resources-protected";
import { backupPlanCrossRegionCopy } from "./backup-plan-cross-region-copy";
import { backupPlanRetention } from "./backup-plan-retention";
import { backupVaultCmk } from "./backup-vault-cmk";
import { backupVaultLockComplianceMode } from "./backup-vaultlock-compliance-mode";
import { backupVaultLockMinRetention } from "./backup-vaultlock-min-retention";
import { cloudwatchLogGroupCmk } from "./cloudwatch-loggroup-cmk";
import { dataResidencyCopyLinks } from "./data-residency-copy-links";
import { datastoreBackupRetention } from "./datastore-backup-retention";
import { datastoreCrossRegionCopy } from "./datastore-cross-region-copy";
import { datastoreDeletionProtection } from "./datastore-deletion-protection";
import { datastoreEncryptionCmk } from "./datastore-encryption-cmk";
import { datastoreNotPublic } from "./datastore-not-public";
import { drBringupRtoObjective } from "./dr-bringup-rto-objective";
import { ecrRepositoryCmk } from "./ecr-repository-cmk";
import { kmsKeyDeletionWindow } from "./kms-key-deletion-window";
import { kmsKeyRotationEnabled } from "./kms-key-rotation-enabled";
import { rdsBackupReplicationCmk } from "./rds-backupreplication-cmk";
import { rdsBackupReplicationRetention } from "./rds-backupreplication-retention";
import { rdsInstanceBackupRetention } from "./rds-instance-backup-retention";
import { rdsInstanceBackupsDeferred } from "./rds-instance-backups-deferred";
import { rdsInstanceCrossRegionBackup } from "./rds-instance-cross-region-backup";
import { rdsInstanceDeletionProtection } from "./rds-instance-deletion-protection";
import { rdsInstanceStorageCmk } from "./rds-instance-storage-cmk";
import { s3BucketAccessAudited } from "./s3-bucket-access-audited";
import { s3BucketCrossRegionReplication } from "./s3-bucket-cross-region-replication";
import { s3BucketEncryptionCmk } from "./s3-bucket-encryption-cmk";
import { s3BucketNoForceDestroy } from "./s3-bucket-no-force-destroy";
import { s3BucketPublicAccessBlocked } from "./s3-bucket-public-access-blocked";
import { s3BucketTlsOnly } from "./s3-bucket-tls-only";
import { s3BucketVersioningEnabled } from "./s3-bucket-versioning-enabled";
import { s3ReplicationReplicaCmk } from "./s3-replication-replica-cmk";
import { secretsmanagerSecretCmk } from "./secretsmanager-secret-cmk";
import { snsTopicCmk } from "./sns-topic-cmk";
import { version } from "./package.json";

export const packName = "vbr-dr";

/** The version the engine reports for the pack: `new PolicyPack` reads it from package.json in the pack's directory. */
export const packVersion: string = version;

export const policies: Policies = [
    // 1. Encryption with customer-managed keys
    s3BucketEncryptionCmk, rdsInstanceStorageCmk, backupVaultCmk, secretsmanagerSecretCmk, ecrRepositoryCmk, snsTopicCmk,
    cloudwatchLogGroupCmk, rdsBackupReplicationCmk, s3ReplicationReplicaCmk, kmsKeyRotationEnabled, datastoreEncryptionCmk,
    // 2. Retention
    rdsInstanceBackupRetention, rdsInstanceBackupsDeferred, rdsBackupReplicationRetention, backupPlanRetention, backupVaultLockMinRetention, backupVaultLockComplianceMode,
    datastoreBackupRetention,
    // 3. Versioning
    s3BucketVersioningEnabled,
    // 4. Cross-region copies
    s3BucketCrossRegionReplication, backupPlanCrossRegionCopy, rdsInstanceCrossRegionBackup, datastoreCrossRegionCopy,
    // 4b. ... and every copy stays inside its residency zone
    dataResidencyCopyLinks,
    // 5. No data loss
    awsDataResourcesProtected, rdsInstanceDeletionProtection, s3BucketNoForceDestroy, kmsKeyDeletionWindow, datastoreDeletionProtection,
    // 6. Data exposure
    s3BucketPublicAccessBlocked, s3BucketTlsOnly, datastoreNotPublic,
    // 7. Audit trail
    s3BucketAccessAudited,
    // Recovery time (the bring-up model)
    drBringupRtoObjective,
];
