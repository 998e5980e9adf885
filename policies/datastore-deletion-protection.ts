// DynamoDB tables, DocumentDB and Neptune clusters refuse deletion (deletion protection), and Redshift,
// DocumentDB and Neptune clusters leave a final snapshot when deleted.
import { storePolicy } from "./lib/store-policy";

export const datastoreDeletionProtection = storePolicy("deletion", "datastore-deletion-protection",
    "DynamoDB tables, DocumentDB and Neptune clusters refuse deletion (deletion protection), and Redshift, DocumentDB and Neptune clusters leave a final snapshot when deleted.");
