import { expect } from "chai";
import { baseline, find, policySpec, reported, res, run, set, UNKNOWN, withCluster } from "./fixtures";

policySpec("rds-instance-backup-retention", {
    cases: [
        { name: "retention 34", change: (rs) => set(find(rs, "db"), ["backupRetentionPeriod"], 34),
            expect: [{ name: "db", message: 'Instance "db" has backupRetentionPeriod 34, below 35 days. Fix: set backupRetentionPeriod: 35.' }] },
        { name: "retention unset", change: (rs) => set(find(rs, "db"), ["backupRetentionPeriod"], undefined),
            expect: [{ name: "db", message: 'Instance "db" has backupRetentionPeriod unset (AWS default, below 35), below 35 days. Fix: set backupRetentionPeriod: 35.' }] },
        { name: "restored with 0 but not tagged deferred", change: (rs) => { const db = find(rs, "db"); set(db, ["backupRetentionPeriod"], 0); set(db, ["snapshotIdentifier"], "snap-1"); },
            expect: [{ name: "db", message: 'Instance "db" has backupRetentionPeriod 0, below 35 days. Fix: set backupRetentionPeriod: 35.' }] },
        // A read replica's recovery path is its source's backups; the replica is itself the cross-region copy.
        { name: "read replica without retention is not judged", change: (rs) => { const db = find(rs, "db"); set(db, ["backupRetentionPeriod"], undefined); set(db, ["replicateSourceDb"], "arn:aws:rds:us-west-2:123456789012:db:src"); }, expect: [] },
        { name: "Aurora cluster kept 7 days", change: (rs) => set(withCluster(rs), ["backupRetentionPeriod"], 7),
            expect: [{ name: "aurora", message: 'Cluster "aurora" has backupRetentionPeriod 7, below 35 days. Fix: set backupRetentionPeriod: 35.' }] },
        { name: "Aurora cluster retention unset (AWS default 1 day)", change: (rs) => set(withCluster(rs), ["backupRetentionPeriod"], undefined),
            expect: [{ name: "aurora", message: 'Cluster "aurora" has backupRetentionPeriod unset (AWS default, below 35), below 35 days. Fix: set backupRetentionPeriod: 35.' }] },
        { name: "a compliant Aurora cluster passes", change: (rs) => { withCluster(rs); }, expect: [] },
    ],
    unknown: { name: "retention unknown", change: (rs) => set(find(rs, "db"), ["backupRetentionPeriod"], UNKNOWN), expect: "advisory" },
});

describe("rds-instance-backup-retention config", () => {
    it("uses a stricter config", async () => {
        expect((await reported("rds-instance-backup-retention", baseline(), { "rds-instance-backup-retention": { minimumRetentionDays: 40 } })).map((v) => v.message))
            .to.deep.equal(['Instance "db" has backupRetentionPeriod 35, below 40 days. Fix: set backupRetentionPeriod: 40.']);
    });
    it("rejects a config below the 35-day floor", async () => {
        const err = await run(baseline(), { "rds-instance-backup-retention": { minimumRetentionDays: 7 } }).then(() => null, (e: Error) => e.message);
        expect(err).to.equal("invalid policy pack config:\n  - rds-instance-backup-retention.minimumRetentionDays: 7 is below the minimum 35");
    });
});

describe("rds-instance-backup-retention in preview", () => {
    it("an unknown replicateSourceDb not from a database of this stack does not exempt the instance", async () => {
        const rs = baseline();
        const db = find(rs, "db");
        set(db, ["backupRetentionPeriod"], undefined);
        set(db, ["replicateSourceDb"], UNKNOWN);
        const got = await reported("rds-instance-backup-retention", rs);
        expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(got[0].message).to.match(/replicateSourceDb can't be known during preview$/);
    });
    it("an unknown replicateSourceDb from a database of this stack is a replica (decided from propertyDependencies)", async () => {
        const rs = baseline();
        const src = res("aws:rds/instance:Instance", "src", { storageEncrypted: true, kmsKeyId: "k", backupRetentionPeriod: 35, deletionProtection: true }, {}, { protect: true });
        rs.push(src);
        const db = find(rs, "db");
        set(db, ["backupRetentionPeriod"], undefined);
        set(db, ["replicateSourceDb"], UNKNOWN);
        db.propertyDependencies.replicateSourceDb = [src.urn];
        expect(await reported("rds-instance-backup-retention", rs)).to.deep.equal([]);
    });
    it("a restore whose source object is unknown is not taken as deferred", async () => {
        const rs = baseline();
        const db = find(rs, "db");
        set(db, ["backupRetentionPeriod"], 0);
        set(db, ["tags", "vbr:backups"], "deferred");
        set(db, ["restoreToPointInTime"], UNKNOWN);
        expect((await reported("rds-instance-backup-retention", rs)).map((v) => v.level)).to.deep.equal(["advisory"]);
    });
});
