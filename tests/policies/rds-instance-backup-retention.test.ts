import { expect } from "chai";
import { baseline, find, policySpec, reported, run, set, UNKNOWN } from "./fixtures";

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
