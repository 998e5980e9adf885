// Data stores must keep backups: DynamoDB point-in-time recovery (35 days), an EFS backup policy or AWS Backup
// plan, an EBS volume in a Data Lifecycle Manager policy or AWS Backup plan, and Redshift, ElastiCache,
// DocumentDB and Neptune automatic snapshots kept at least minimumRetentionDays (35, capped at each service's
// maximum of 35).
import { storePolicy } from "./lib/store-policy";

export const datastoreBackupRetention = storePolicy("retention", "datastore-backup-retention",
    "Data stores must keep backups: DynamoDB point-in-time recovery (35 days), an EFS backup policy or AWS Backup plan, an EBS volume in a Data Lifecycle Manager policy or AWS Backup plan, and Redshift, ElastiCache, DocumentDB and Neptune automatic snapshots kept at least minimumRetentionDays (35, capped at each service's maximum of 35).");
