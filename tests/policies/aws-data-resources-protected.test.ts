import { expect } from "chai";
import { asDrillCopy, baseline, find, res, policySpec, reported, set, UNKNOWN, withCluster } from "./fixtures";

const fix = "Fix: set { protect: true, retainOnDelete: true } in its resource options.";

policySpec("aws-data-resources-protected", {
    cases: [
        { name: "bucket unprotected", change: (rs) => { find(rs, "audit").protect = false; },
            expect: [{ name: "audit", message: `Bucket "audit" is not protected (protect: false): a pulumi destroy or replacement would delete its data. ${fix}` }] },
        { name: "vault, key and secret unprotected", change: (rs) => { for (const n of ["key-backup", "secret", "vault"]) find(rs, n).protect = false; },
            expect: [
                { name: "key-backup", message: `Key "key-backup" is not protected (protect: false): a pulumi destroy or replacement would delete its data. ${fix}` },
                { name: "secret", message: `Secret "secret" is not protected (protect: false): a pulumi destroy or replacement would delete its data. ${fix}` },
                { name: "vault", message: `Vault "vault" is not protected (protect: false): a pulumi destroy or replacement would delete its data. ${fix}` },
            ] },
        { name: "database unprotected", change: (rs) => { find(rs, "db").protect = false; },
            expect: [{ name: "db", message: 'Instance "db" is not protected (protect: false) and it is not a drill copy (tag vbr:lifecycle = drill). Fix: set { protect: true, retainOnDelete: true } in its resource options, or, for a disposable drill copy restored from a snapshot or a point in time, tag it vbr:lifecycle = drill with skipFinalSnapshot: false and a finalSnapshotIdentifier.' }] },
        { name: "drill copy without finalSnapshotIdentifier", change: (rs) => { set(asDrillCopy(rs), ["finalSnapshotIdentifier"], undefined); },
            expect: [{ name: "db", message: 'Instance "db" is not protected (protect: false) and it is a drill copy without finalSnapshotIdentifier. Fix: set { protect: true, retainOnDelete: true } in its resource options, or, for a disposable drill copy restored from a snapshot or a point in time, tag it vbr:lifecycle = drill with skipFinalSnapshot: false and a finalSnapshotIdentifier.' }] },
        { name: "drill copy with a final snapshot is accepted", change: (rs) => { asDrillCopy(rs); }, expect: [] },
        { name: "the drill tag on a database that is not a restore proves nothing", change: (rs) => { const db = asDrillCopy(rs); set(db, ["restoreToPointInTime"], undefined); },
            expect: [{ name: "db", message: 'Instance "db" is not protected (protect: false) and it is tagged vbr:lifecycle = drill but is not restored from a snapshot or a point in time, so it holds original data, not a copy. Fix: set { protect: true, retainOnDelete: true } in its resource options, or, for a disposable drill copy restored from a snapshot or a point in time, tag it vbr:lifecycle = drill with skipFinalSnapshot: false and a finalSnapshotIdentifier.' }] },
        { name: "a drill-tagged restore that a backups replication copies is production data", change: (rs) => {
            const db = asDrillCopy(rs);
            rs.push(res("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "abr", { sourceDbInstanceArn: db.outputs.arn, retentionPeriod: 35, kmsKeyId: "k" }, { sourceDbInstanceArn: [db] }));
        }, expect: [{ name: "db", message: 'Instance "db" is not protected (protect: false) and it is tagged vbr:lifecycle = drill but InstanceAutomatedBackupsReplication "abr" replicates it, as only production data is. Fix: set { protect: true, retainOnDelete: true } in its resource options, or, for a disposable drill copy restored from a snapshot or a point in time, tag it vbr:lifecycle = drill with skipFinalSnapshot: false and a finalSnapshotIdentifier.' }] },
        { name: "Aurora cluster unprotected", change: (rs) => { withCluster(rs).protect = false; },
            expect: [{ name: "aurora", message: 'Cluster "aurora" is not protected (protect: false) and it is not a drill copy (tag vbr:lifecycle = drill). Fix: set { protect: true, retainOnDelete: true } in its resource options, or, for a disposable drill copy restored from a snapshot or a point in time, tag it vbr:lifecycle = drill with skipFinalSnapshot: false and a finalSnapshotIdentifier.' }] },
        { name: "Aurora drill copy restored from a snapshot with a final snapshot is accepted", change: (rs) => { const c = withCluster(rs); c.protect = false; set(c, ["tags", "vbr:lifecycle"], "drill"); set(c, ["snapshotIdentifier"], "snap-1"); }, expect: [] },
    ],
    // protect is a resource option, never unknown; an unknown final snapshot name still counts as present.
    unknown: { name: "drill copy's finalSnapshotIdentifier unknown", change: (rs) => { set(asDrillCopy(rs), ["finalSnapshotIdentifier"], UNKNOWN); }, expect: "pass" },
});

describe("aws-data-resources-protected in preview", () => {
    it("an unprotected drill copy whose skipFinalSnapshot is unknown surfaces the advisory", async () => {
        const rs = baseline();
        set(asDrillCopy(rs), ["skipFinalSnapshot"], UNKNOWN);
        expect((await reported("aws-data-resources-protected", rs)).map((v) => v.level)).to.deep.equal(["advisory"]);
    });
});
