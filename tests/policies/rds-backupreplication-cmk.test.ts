import { policySpec, set, UNKNOWN, withBackupsReplication } from "./fixtures";

policySpec("rds-backupreplication-cmk", {
    cases: [
        { name: "AWS-managed key", change: (rs) => set(withBackupsReplication(rs), ["kmsKeyId"], "alias/aws/rds"),
            expect: [{ name: "backups-replication", message: 'InstanceAutomatedBackupsReplication "backups-replication" encrypts with the AWS-managed key "alias/aws/rds" (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "compliant replication passes", change: (rs) => { withBackupsReplication(rs); }, expect: [] },
    ],
    unknown: { name: "key unknown, not from a key", change: (rs) => { const r = withBackupsReplication(rs); set(r, ["kmsKeyId"], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory" },
});
