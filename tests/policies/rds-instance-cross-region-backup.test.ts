import { expect } from "chai";
import { asDrillCopy, baseline, find, policySpec, reported, res, set, UNKNOWN, withCluster } from "./fixtures";

const AURORA = 'Cluster "aurora" in us-east-1 has no cross-region copy of its backups (no backup selection of it in a plan that copies to another region; RDS automated backups replication does not apply to Aurora). Fix: select it in an AWS Backup plan (aws.backup.Selection resources: [cluster.arn]) whose rules copy to a vault in another region.';

const MSG = 'Instance "db" in us-east-1 has no cross-region copy of its backups (no InstanceAutomatedBackupsReplication from it in another region, no backup selection of it in a plan that copies to another region). Fix: select it in an AWS Backup plan (aws.backup.Selection resources: [db.arn]) whose rules copy to a vault in another region, or replicate its automated backups to another region (aws.rds.InstanceAutomatedBackupsReplication).';

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
        { name: "a proven drill copy is not judged", change: (rs) => { rs.splice(rs.indexOf(find(rs, "selection")), 1); asDrillCopy(rs); }, expect: [] },
        { name: "the drill tag on a database that is not a restore does not waive the copy", change: (rs) => {
            rs.splice(rs.indexOf(find(rs, "selection")), 1); set(asDrillCopy(rs), ["restoreToPointInTime"], undefined);
        }, expect: [{ name: "db", message: MSG }] },
        { name: "a selection that names the database in notResources does not cover it", change: (rs) => { const s = find(rs, "selection"); set(s, ["notResources"], [find(rs, "db").outputs.arn]); },
            expect: [{ name: "db", message: MSG }] },
        { name: "a wildcard selection whose conditions exclude the database does not cover it", change: (rs) => {
            const s = find(rs, "selection"); set(s, ["resources"], ["arn:aws:rds:*:*:db:*"]); delete s.propertyDependencies.resources;
            set(s, ["conditions"], [{ stringEquals: [{ key: "aws:ResourceTag/backup", value: "yes" }] }]);
        }, expect: [{ name: "db", message: MSG }] },
        { name: "a wildcard selection whose conditions hold covers it", change: (rs) => {
            const s = find(rs, "selection"); set(s, ["resources"], ["arn:aws:rds:*:*:db:*"]); delete s.propertyDependencies.resources;
            set(s, ["conditions"], [{ stringEquals: [{ key: "aws:ResourceTag/backup", value: "yes" }] }]); set(find(rs, "db"), ["tags", "backup"], "yes");
        }, expect: [] },
        { name: "a selection by tag that another tag's notResources wildcard excludes", change: (rs) => {
            const s = find(rs, "selection"); set(s, ["resources"], []); delete s.propertyDependencies.resources;
            set(s, ["selectionTags"], [{ type: "STRINGEQUALS", key: "backup", value: "yes" }]); set(find(rs, "db"), ["tags", "backup"], "yes");
            set(s, ["notResources"], ["arn:aws:rds:us-east-1:*:db:vbr-*"]);
        }, expect: [{ name: "db", message: MSG }] },
        { name: "Aurora cluster not selected by any plan", change: (rs) => {
            const c = withCluster(rs); const s = find(rs, "selection");
            s.propertyDependencies.resources = s.propertyDependencies.resources.filter((u) => u !== c.urn);
            set(s, ["resources"], (s.inputs.resources as string[]).filter((a) => a !== c.outputs.arn));
        }, expect: [{ name: "aurora", message: AURORA }] },
        { name: "Aurora cluster with only an automated backups replication (does not apply to Aurora)", change: (rs) => {
            const c = withCluster(rs); const s = find(rs, "selection");
            s.propertyDependencies.resources = s.propertyDependencies.resources.filter((u) => u !== c.urn);
            set(s, ["resources"], (s.inputs.resources as string[]).filter((a) => a !== c.outputs.arn));
            rs.push(res("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "abr", { sourceDbInstanceArn: UNKNOWN, retentionPeriod: 35, kmsKeyId: "k", region: "us-west-2" }, { sourceDbInstanceArn: [c] }));
        }, expect: [{ name: "aurora", message: AURORA }] },
        { name: "Aurora cluster selected in the plan that copies cross-region passes", change: (rs) => { withCluster(rs); }, expect: [] },
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

describe("rds-instance-cross-region-backup in preview", () => {
    it("an unknown replicateSourceDb not from a database of this stack does not exempt the instance", async () => {
        const rs = baseline();
        rs.splice(rs.indexOf(find(rs, "selection")), 1);
        set(find(rs, "db"), ["replicateSourceDb"], UNKNOWN);
        expect((await reported("rds-instance-cross-region-backup", rs)).map((v) => v.level)).to.deep.equal(["advisory"]);
    });
    it("an unknown rule list of the selecting plan is pending, not a violation", async () => {
        const rs = baseline();
        set(find(rs, "plan"), ["rules"], UNKNOWN);
        expect((await reported("rds-instance-cross-region-backup", rs)).map((v) => v.level)).to.deep.equal(["advisory"]);
    });
});
