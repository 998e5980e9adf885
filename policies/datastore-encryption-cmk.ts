// DynamoDB tables and replicas, EFS file systems, EBS volumes and snapshot copies, Redshift clusters,
// ElastiCache replication groups and serverless caches, DocumentDB and Neptune clusters and OpenSearch domains
// must encrypt at rest with a customer-managed KMS key of their own region (each replica with one of its
// region).
import { storePolicy } from "./lib/store-policy";

export const datastoreEncryptionCmk = storePolicy("encryption", "datastore-encryption-cmk",
    "DynamoDB tables and replicas, EFS file systems, EBS volumes and snapshot copies, Redshift clusters, ElastiCache replication groups and serverless caches, DocumentDB and Neptune clusters and OpenSearch domains must encrypt at rest with a customer-managed KMS key of their own region (each replica with one of its region).");
