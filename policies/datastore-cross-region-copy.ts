// DynamoDB tables (a global-table replica), EFS file systems (EFS replication), EBS volumes (a Data Lifecycle
// Manager cross-region copy), Redshift clusters (snapshot copy), DocumentDB and Neptune clusters (a global
// cluster member) must have a copy in another region, or be selected by an AWS Backup plan that copies to
// another region. EFS replication destinations are not sources.
import { storePolicy } from "./lib/store-policy";

export const datastoreCrossRegionCopy = storePolicy("crossRegion", "datastore-cross-region-copy",
    "DynamoDB tables (a global-table replica), EFS file systems (EFS replication), EBS volumes (a Data Lifecycle Manager cross-region copy), Redshift clusters (snapshot copy), DocumentDB and Neptune clusters (a global cluster member) must have a copy in another region, or be selected by an AWS Backup plan that copies to another region. EFS replication destinations are not sources.");
