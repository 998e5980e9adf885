import { policySpec, set, UNKNOWN, withBackupsReplication } from "./fixtures";

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
