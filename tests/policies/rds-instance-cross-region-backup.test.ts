import { expect } from "chai";
import { baseline, find, policySpec, reported, res, set, UNKNOWN } from "./fixtures";

const MSG = 'Instance "db" in us-east-1 has no cross-region copy of its backups (no InstanceAutomatedBackupsReplication from it in another region, no backup selection of it in a plan that copies to another region). Fix: select it in the stack\'s backup plan (aws.backup.Selection resources: [db.arn]) whose rules copy to the peer vault, or replicate its automated backups from the peer stack.';

policySpec("rds-instance-cross-region-backup", {
    cases: [
        { name: "selection removed", change: (rs) => rs.splice(rs.indexOf(find(rs, "selection")), 1), expect: [{ name: "db", message: MSG }] },
        { name: "plan copies only in-region", change: (rs) => {
            const plan = find(rs, "plan");
            for (const i of [0, 1]) set(plan, ["rules", i, "copyActions", 0, "destinationVaultArn"], "arn:aws:backup:us-east-1:123456789012:backup-vault:x");
        }, expect: [{ name: "db", message: MSG }] },
        { name: "read replicas and drill copies are not judged", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "selection")), 1);
            set(find(rs, "db"), ["replicateSourceDb"], "arn:aws:rds:us-west-2:123456789012:db:src");
        }, expect: [] },
    ],
    unknown: { name: "selection's resources unknown and not from the instance", change: (rs) => { const s = find(rs, "selection"); set(s, ["resources"], UNKNOWN); delete s.propertyDependencies.resources; }, expect: "advisory" },
});

describe("rds-instance-cross-region-backup alternatives", () => {
    it("accepts automated backups replication from the instance in another region", async () => {
        const rs = baseline();
        rs.splice(rs.indexOf(find(rs, "selection")), 1);
        const db = find(rs, "db");
        rs.push(res("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "abr", { sourceDbInstanceArn: UNKNOWN, retentionPeriod: 35, kmsKeyId: "k", region: "us-west-2" }, { sourceDbInstanceArn: [db] }));
        expect(await reported("rds-instance-cross-region-backup", rs)).to.deep.equal([]);
    });
    it("accepts a selection by tag", async () => {
        const rs = baseline();
        const s = find(rs, "selection");
        set(s, ["resources"], undefined);
        delete s.propertyDependencies.resources;
        set(s, ["selectionTags"], [{ type: "STRINGEQUALS", key: "vbr:backup", value: "daily" }]);
        set(find(rs, "db"), ["tags", "vbr:backup"], "daily");
        expect(await reported("rds-instance-cross-region-backup", rs)).to.deep.equal([]);
    });
});
