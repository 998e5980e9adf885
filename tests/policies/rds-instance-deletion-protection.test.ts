import { find, policySpec, set, UNKNOWN } from "./fixtures";

const drill = (rs: Parameters<typeof find>[0]) => { const db = find(rs, "db"); set(db, ["deletionProtection"], false); set(db, ["tags", "vbr:lifecycle"], "drill"); return db; };

policySpec("rds-instance-deletion-protection", {
    cases: [
        { name: "deletion protection off", change: (rs) => set(find(rs, "db"), ["deletionProtection"], false),
            expect: [{ name: "db", message: 'Instance "db" has deletionProtection false and it is not a drill copy (tag vbr:lifecycle = drill). Fix: set deletionProtection: true.' }] },
        { name: "drill copy that skips its final snapshot", change: (rs) => { const db = drill(rs); set(db, ["skipFinalSnapshot"], true); set(db, ["finalSnapshotIdentifier"], "final"); },
            expect: [{ name: "db", message: 'Instance "db" has deletionProtection false and it is a drill copy but skipFinalSnapshot is true. Fix: set deletionProtection: true.' }] },
        { name: "drill copy with a final snapshot is accepted", change: (rs) => { const db = drill(rs); set(db, ["skipFinalSnapshot"], false); set(db, ["finalSnapshotIdentifier"], "final"); }, expect: [] },
    ],
    unknown: { name: "deletionProtection unknown", change: (rs) => set(find(rs, "db"), ["deletionProtection"], UNKNOWN), expect: "advisory" },
});
