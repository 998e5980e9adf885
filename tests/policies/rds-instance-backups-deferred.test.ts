import { expect } from "chai";
import { asDrillCopy, baseline, find, policySpec, reported, set, UNKNOWN } from "./fixtures";
import type { RecordedResource } from "../../tools/harness/analyzer";

const restored = (rs: RecordedResource[]) => {
    const db = find(rs, "db");
    set(db, ["restoreToPointInTime"], { sourceDbInstanceAutomatedBackupsArn: "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-1", useLatestRestorableTime: true });
    set(db, ["backupRetentionPeriod"], 0);
    set(db, ["tags", "vbr:backups"], "deferred");
    return db;
};

policySpec("rds-instance-backups-deferred", {
    cases: [
        { name: "restored with backups deferred -> advisory for the on-call", change: (rs) => { restored(rs); },
            expect: [{ level: "advisory", name: "db", message: 'Instance "db" was restored with backupRetentionPeriod 0 (vbr:backups = deferred). This restored database has no automated backups and no point-in-time recovery. Fix: once the service is up, set backupRetentionPeriod to 35 and remove the vbr:backups tag.' }] },
        // Tagged as a drill copy, but an automated-backups replication keeps it: production data, so the advisory stands.
        { name: "a restore tagged drill that something replicates -> advisory", change: (rs) => {
            const db = restored(rs);
            asDrillCopy(rs);
            set(db, ["restoreToPointInTime"], { sourceDbInstanceAutomatedBackupsArn: "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-1", useLatestRestorableTime: true });
            rs.push({ ...find(rs, "db"), urn: "urn:pulumi:primary::vbr::aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication::abr",
                type: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", name: "abr", protect: false,
                inputs: { sourceDbInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:vbr-db", retentionPeriod: 35 }, propertyDependencies: { sourceDbInstanceArn: [db.urn] }, dependencies: [db.urn] });
        }, expect: [{ level: "advisory", name: "db", message: 'Instance "db" was restored with backupRetentionPeriod 0 (vbr:backups = deferred). This restored database has no automated backups and no point-in-time recovery. Fix: once the service is up, set backupRetentionPeriod to 35 and remove the vbr:backups tag.' }] },
    ],
    // Retention unknown: whether backups are deferred cannot be told, so the engine's advisory (and the mandatory
    // rds-instance-backup-retention's, asserted below) is surfaced.
    unknown: { name: "retention unknown", change: (rs) => { set(restored(rs), ["backupRetentionPeriod"], UNKNOWN); }, expect: "advisory" },
});

describe("rds-instance-backups-deferred and drill copies", () => {
    it("a proven drill copy with deferred backups is not reported: it is deleted when the drill ends, nobody turns its backups on", async () => {
        const rs = baseline();
        restored(rs);
        asDrillCopy(rs);
        set(find(rs, "db"), ["restoreToPointInTime"], { sourceDbInstanceAutomatedBackupsArn: "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-1", useLatestRestorableTime: true });
        expect(await reported("rds-instance-backups-deferred", rs)).to.deep.equal([]);
    });
});

describe("rds-instance-backups-deferred in preview", () => {
    it("an unknown restore object is not taken as restored, and unknown retention is surfaced by the mandatory policy", async () => {
        const rs = baseline();
        const db = restored(rs);
        set(db, ["restoreToPointInTime"], UNKNOWN);
        const deferred = await reported("rds-instance-backups-deferred", rs);
        expect(deferred.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(deferred[0].message).to.match(/restoreToPointInTime can't be known during preview$/);
        set(db, ["backupRetentionPeriod"], UNKNOWN);
        const retention = await reported("rds-instance-backup-retention", rs);
        expect(retention.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(retention[0].message).to.match(/during preview: string value at \.backupRetentionPeriod can't be known during preview$/);
    });
});
