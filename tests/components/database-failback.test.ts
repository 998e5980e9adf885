// The primary's failback instance: a cross-region read replica of the DR stack's serving instance while the primary
// recovers, promoted in place when it serves; which instance serves, what the peer replicates and what AWS Backup
// selects, next to corruption restores made before and after the failback.
// What a mock cannot prove: that RDS creates the cross-region replica, or the promotion's engine-side behaviour.
import { expect } from "chai";
import { promiseOf } from "../helpers/pulumi";
import { buildDatabase } from "../helpers/database";

const ID = "20261204t0930";
const FB = `vbr-prod-postgres-fb${ID}`;
const R1 = "vbr-prod-postgres-r20261129t1345";
const R3 = "vbr-prod-postgres-r20261205t1000";
const east = (id: string) => `arn:aws:rds:us-east-1:123456789012:db:${id}`;
const source = (id: string) => ({ arn: east(id), identifier: id, address: `${id}.c.us-east-1.rds.amazonaws.com`, port: 5432 });
const PRIMARY_OUT = { database: source("vbr-prod-postgres"), replicationSource: source("vbr-prod-postgres") };
const DR_SERVING = { arn: "arn:aws:rds:us-west-2:123456789012:db:vbr-prod-postgres", identifier: "vbr-prod-postgres" };
const INSTANCE = "aws:rds/instance:Instance";
const keys = { "vbr:drStack": "dr", "vbr:dbFailbackId": ID };

const build = (overrides: Record<string, string>, state: "recovering" | "serving") =>
    buildDatabase("primary", { ...keys, "vbr:primaryState": state, ...overrides }, PRIMARY_OUT,
        { failback: { id: ID, state, source: state === "recovering" ? DR_SERVING : undefined } });

describe("the primary's failback instance", () => {
    it("recovering: a protected, retained cross-region replica of the DR stack's serving instance, encrypted with region A's key", async () => {
        const b = await build({}, "recovering");
        const r = b.cap.named(`db-failback-${ID}`, INSTANCE);
        expect([r.protect, r.retainOnDelete]).to.deep.equal([true, true]);
        expect(await b.cap.inputs(r.name, INSTANCE)).to.deep.include({
            identifier: FB, replicateSourceDb: DR_SERVING.arn, kmsKeyId: b.dataKey, storageEncrypted: true, multiAz: false,
            backupRetentionPeriod: 35, deletionProtection: true, applyImmediately: true, skipFinalSnapshot: false, finalSnapshotIdentifier: `${FB}-final`,
            publiclyAccessible: false, iamDatabaseAuthenticationEnabled: true,
        });
        // The service reads from the replica; the peer keeps replicating the instance it replicated before the failover.
        expect((await promiseOf(b.db.serving))?.identifier).to.equal(FB);
        expect((await promiseOf(b.db.replicationSource))?.identifier).to.equal("vbr-prod-postgres");
        // A replica holds its source's data: AWS Backup selects the original only.
        expect(await promiseOf(b.db.backupArns)).to.deep.equal([east("vbr-prod-postgres")]);
    });

    it("serving: the same resource promoted in place (no source, Multi-AZ), serving and replicated; the original kept and selected", async () => {
        const b = await build({}, "serving");
        const inputs = await b.cap.inputs(`db-failback-${ID}`, INSTANCE);
        expect([inputs.replicateSourceDb, inputs.multiAz, inputs.identifier, inputs.kmsKeyId]).to.deep.equal([undefined, true, FB, b.dataKey]);
        expect((await promiseOf(b.db.serving))?.identifier).to.equal(FB);
        expect((await promiseOf(b.db.replicationSource))?.identifier).to.equal(FB);
        expect(await promiseOf(b.db.backupArns)).to.deep.equal([east(FB), east("vbr-prod-postgres")]);
        expect(b.cap.named("db-postgres", INSTANCE).protect).to.equal(true);
    });

    it("a corruption restore from before the failover stays kept next to the failback instance, in both states", async () => {
        const recovering = await build({ "vbr:dbRestoreTime": "2026-11-29T13:45:00Z" }, "recovering");
        expect((await promiseOf(recovering.db.replicationSource))?.identifier).to.equal(R1);
        expect(await promiseOf(recovering.db.backupArns)).to.deep.equal([east(R1), east("vbr-prod-postgres")]);
        const serving = await build({ "vbr:dbRestoreTime": "2026-11-29T13:45:00Z" }, "serving");
        expect((await promiseOf(serving.db.serving))?.identifier).to.equal(FB);
        expect(await promiseOf(serving.db.backupArns)).to.deep.equal([east(FB), east(R1), east("vbr-prod-postgres")]);
    });

    it("a corruption restore after the failback restores the failback instance by default and serves", async () => {
        const b = await build({ "vbr:dbRestoreTime": "2026-12-05T10:00:00Z" }, "serving");
        expect((await b.cap.inputs("db-restored-20261205t1000", INSTANCE)).restoreToPointInTime).to.deep.equal({ sourceDbInstanceIdentifier: FB, restoreTime: "2026-12-05T10:00:00Z" });
        expect((await promiseOf(b.db.serving))?.identifier).to.equal(R3);
        expect((await promiseOf(b.db.replicationSource))?.identifier).to.equal(R3);
        expect(await promiseOf(b.db.backupArns)).to.deep.equal([east(R3), east(FB), east("vbr-prod-postgres")]);
    });

    it("refuses to build a recovering failback instance without the DR stack's serving instance", async () => {
        let err: Error | undefined;
        try {
            await buildDatabase("primary", { ...keys, "vbr:primaryState": "recovering" }, PRIMARY_OUT, { failback: { id: ID, state: "recovering" } });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.equal("Database: a recovering primary needs the DR stack's serving instance (failback.source) to replicate from");
    });
});
