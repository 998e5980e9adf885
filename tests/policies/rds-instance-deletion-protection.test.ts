import { expect } from "chai";
import { asDrillCopy, baseline, find, policySpec, reported, set, UNKNOWN, withCluster } from "./fixtures";

const drill = (rs: Parameters<typeof find>[0]) => asDrillCopy(rs);

policySpec("rds-instance-deletion-protection", {
    cases: [
        { name: "deletion protection off", change: (rs) => set(find(rs, "db"), ["deletionProtection"], false),
            expect: [{ name: "db", message: 'Instance "db" has deletionProtection false and it is not a drill copy (tag vbr:lifecycle = drill). Fix: set deletionProtection: true.' }] },
        { name: "drill copy that skips its final snapshot", change: (rs) => { const db = drill(rs); set(db, ["skipFinalSnapshot"], true); set(db, ["finalSnapshotIdentifier"], "final"); },
            expect: [{ name: "db", message: 'Instance "db" has deletionProtection false and it is a drill copy but skipFinalSnapshot is true. Fix: set deletionProtection: true.' }] },
        { name: "the drill tag alone on a database created empty", change: (rs) => { set(drill(rs), ["restoreToPointInTime"], undefined); },
            expect: [{ name: "db", message: 'Instance "db" has deletionProtection false and it is tagged vbr:lifecycle = drill but is not restored from a snapshot or a point in time, so it holds original data, not a copy. Fix: set deletionProtection: true.' }] },
        { name: "drill copy with a final snapshot is accepted", change: (rs) => { const db = drill(rs); set(db, ["skipFinalSnapshot"], false); set(db, ["finalSnapshotIdentifier"], "final"); }, expect: [] },
        { name: "Aurora cluster without deletion protection", change: (rs) => set(withCluster(rs), ["deletionProtection"], false),
            expect: [{ name: "aurora", message: 'Cluster "aurora" has deletionProtection false and it is not a drill copy (tag vbr:lifecycle = drill). Fix: set deletionProtection: true.' }] },
        { name: "Aurora cluster deletion protection unset", change: (rs) => set(withCluster(rs), ["deletionProtection"], undefined),
            expect: [{ name: "aurora", message: 'Cluster "aurora" has deletionProtection "unset (false)" and it is not a drill copy (tag vbr:lifecycle = drill). Fix: set deletionProtection: true.' }] },
        { name: "a compliant Aurora cluster passes", change: (rs) => { withCluster(rs); }, expect: [] },
    ],
    unknown: { name: "deletionProtection unknown", change: (rs) => set(find(rs, "db"), ["deletionProtection"], UNKNOWN), expect: "advisory" },
});

describe("rds-instance-deletion-protection in preview", () => {
    it("a drill copy whose skipFinalSnapshot is unknown is not accepted silently", async () => {
        const rs = baseline();
        const db = drill(rs);
        set(db, ["skipFinalSnapshot"], UNKNOWN);
        set(db, ["finalSnapshotIdentifier"], "final");
        const got = await reported("rds-instance-deletion-protection", rs);
        expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(got[0].message).to.match(/skipFinalSnapshot can't be known during preview$/);
    });
});
