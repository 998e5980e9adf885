import { find, policySpec, res, set, UNKNOWN } from "./fixtures";
import type { RecordedResource } from "../../tools/lib/analyzer";

/** The DR stack's replication of the primary's automated backups, added to the baseline. */
export const withBackupsReplication = (rs: RecordedResource[]) => {
    rs.push(res("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "backups-replication", {
        sourceDbInstanceArn: "arn:aws:rds:us-west-2:123456789012:db:vbr-db", retentionPeriod: 35, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/data-0000",
    }, { kmsKeyId: [find(rs, "key-data")] }));
    return find(rs, "backups-replication");
};

policySpec("rds-backupreplication-retention", {
    cases: [
        { name: "retention 7", change: (rs) => set(withBackupsReplication(rs), ["retentionPeriod"], 7),
            expect: [{ name: "backups-replication", message: 'InstanceAutomatedBackupsReplication "backups-replication" has retentionPeriod 7, below 35 days. Fix: set retentionPeriod: 35.' }] },
        { name: "retention unset", change: (rs) => set(withBackupsReplication(rs), ["retentionPeriod"], undefined),
            expect: [{ name: "backups-replication", message: 'InstanceAutomatedBackupsReplication "backups-replication" has retentionPeriod unset (AWS default 7), below 35 days. Fix: set retentionPeriod: 35.' }] },
        { name: "compliant replication passes", change: (rs) => { withBackupsReplication(rs); }, expect: [] },
    ],
    unknown: { name: "retention unknown", change: (rs) => set(withBackupsReplication(rs), ["retentionPeriod"], UNKNOWN), expect: "advisory" },
});
