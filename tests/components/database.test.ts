import { expect } from "chai";
import { promiseOf } from "../helpers/pulumi";
import { buildDatabase, BuiltDatabase, PRIMARY_STACK as PRIMARY } from "../helpers/database";
const PRIMARY_DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres";
const PRIMARY_DB = { arn: PRIMARY_DB_ARN, identifier: "vbr-prod-postgres", address: "vbr-prod-postgres.cabc.us-east-1.rds.amazonaws.com", port: 5432 };
const PRIMARY_OUTPUTS = {
    database: PRIMARY_DB,
    replicationSource: PRIMARY_DB,
    secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:vbr-prod/database/master-a1b2c3",
};
const INSTANCE = "aws:rds/instance:Instance";

type Built = BuiltDatabase;

/** The Database for a stack file plus overrides, tagged as DR keeps it; with the network's subnets when asked. */
function build(stack: "primary" | "dr", overrides: Record<string, string> = {}, primaryOutputs: Record<string, unknown> = PRIMARY_OUTPUTS, subnets = false): Promise<Built> {
    return buildDatabase(stack, overrides, primaryOutputs, {
        tags: { "vbr:standby": "kept" }, ...(subnets ? { subnetIds: ["subnet-1", "subnet-2"], vpcSecurityGroupIds: ["sg-1"] } : {}),
    });
}

describe("Database (primary)", () => {
    let b: Built;
    before(async () => { b = await build("primary"); });

    it("creates a Multi-AZ, CMK-encrypted, protected PostgreSQL with 35-day backups at 02:00-02:30", async () => {
        const i = b.cap.named("db-postgres", INSTANCE);
        expect([i.protect]).to.deep.equal([true]);
        const inputs = await b.cap.inputs(i.name, INSTANCE);
        expect(inputs).to.deep.include({
            identifier: "vbr-prod-postgres", engine: "postgres", engineVersion: "16", instanceClass: "db.r6g.large",
            allocatedStorage: 100, storageType: "gp3", multiAz: true, storageEncrypted: true, kmsKeyId: b.dataKey,
            backupRetentionPeriod: 35, backupWindow: "02:00-02:30", maintenanceWindow: "sun:05:00-sun:05:30",
            deletionProtection: true, copyTagsToSnapshot: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "vbr-prod-postgres-final",
            performanceInsightsEnabled: true, performanceInsightsKmsKeyId: b.dataKey, iamDatabaseAuthenticationEnabled: true,
            username: "vbr_admin", password: "Mock0Password0For0Tests0Only0032", publiclyAccessible: false,
        });
        expect(inputs.replicateSourceDb).to.equal(undefined);
        expect(inputs.dbSubnetGroupName).to.equal(undefined); // no network given: no subnet group
        expect(await promiseOf(b.db.serving)).to.deep.equal({
            arn: PRIMARY_DB_ARN, identifier: "vbr-prod-postgres", port: 5432, address: await promiseOf(b.db.address),
            resourceId: (await promiseOf(b.db.serving))?.resourceId,
        });
    });

    it("keeps the credentials in its own CMK secret replicated to us-west-2 with the peer's secrets key", async () => {
        const s = b.cap.named("db-credentials", "aws:secretsmanager/secret:Secret");
        expect(s.protect).to.equal(true);
        expect(await b.cap.inputs(s.name, s.type)).to.deep.include({
            name: "vbr-prod/database/master", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/secrets", recoveryWindowInDays: 30,
            replicas: [{ region: "us-west-2", kmsKeyId: "arn:aws:kms:us-west-2:123456789012:alias/vbr-prod-secrets" }],
        });
        const v = await b.cap.inputs("db-credentials", "aws:secretsmanager/secretVersion:SecretVersion");
        expect(JSON.parse(v.secretString)).to.deep.equal({ username: "vbr_admin", password: "Mock0Password0For0Tests0Only0032" });
        expect(await promiseOf(b.db.secretArn)).to.match(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:vbr-prod\/database\/master-/);
    });

    it("places the instance in the network's subnets when given", async () => {
        const n = await build("primary", {}, PRIMARY_OUTPUTS, true);
        expect((await n.cap.inputs("db-subnets", "aws:rds/subnetGroup:SubnetGroup")).subnetIds).to.deep.equal(["subnet-1", "subnet-2"]);
        const inputs = await n.cap.inputs("db-postgres", INSTANCE);
        expect([inputs.dbSubnetGroupName, inputs.vpcSecurityGroupIds]).to.deep.equal(["vbr-prod-postgres-subnets", ["sg-1"]]);
    });

    it("without a restore: backs up and exports for replication exactly the one instance", async () => {
        expect(await promiseOf(b.db.backupArns)).to.deep.equal([PRIMARY_DB_ARN]);
        expect((await promiseOf(b.db.replicationSource))?.arn).to.equal(PRIMARY_DB_ARN);
    });
});

describe("Database (dr)", () => {
    const rds = (b: Built) => b.cap.ofType(INSTANCE).map((r) => r.name);

    it("standby before the primary exported `replicationSource`: creates nothing that needs it", async () => {
        const b = await build("dr", {}, { secretArn: PRIMARY_OUTPUTS.secretArn });
        expect(b.cap.resources.filter((r) => r.type.startsWith("aws:rds/"))).to.deep.equal([]);
        expect(await promiseOf(b.db.serving)).to.equal(undefined);
        expect(b.warnings).to.deep.equal([
            `warning: [runtime] stack ${PRIMARY} has not exported "replicationSource" yet: skipping the automated backups ` +
            "replication, read replica and restores. Run `pulumi up -s primary`, then this stack again.",
        ]);
    });

    it("standby (replica mode): replicates automated backups for 35 days with the DR key and keeps a read replica", async () => {
        const b = await build("dr");
        const repl = b.cap.named("db-backups", "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
        expect(repl.protect).to.equal(true);
        expect(await b.cap.inputs(repl.name, repl.type)).to.deep.include({
            sourceDbInstanceArn: PRIMARY_DB_ARN, retentionPeriod: 35, kmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/data",
        });
        expect(rds(b)).to.deep.equal(["db-replica"]);
        const replica = b.cap.named("db-replica", INSTANCE);
        expect(replica.protect).to.equal(true);
        expect(await b.cap.inputs(replica.name, INSTANCE)).to.deep.include({
            identifier: "vbr-prod-postgres", replicateSourceDb: PRIMARY_DB_ARN, kmsKeyId: b.dataKey, storageEncrypted: true,
            deletionProtection: true, multiAz: false, backupRetentionPeriod: 35, applyImmediately: true,
        });
        expect(await promiseOf(b.db.serving)).to.equal(undefined);
        expect(await promiseOf(b.db.secretArn)).to.equal("arn:aws:secretsmanager:us-west-2:123456789012:secret:vbr-prod/database/master-a1b2c3");
    });

    it("standby (restore mode): only the backups replication", async () => {
        const b = await build("dr", { "vbr:drDatabase": "restore" });
        expect(rds(b)).to.deep.equal([]);
        expect(b.cap.ofType("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")).to.have.length(1);
    });

    for (const mode of ["replica", "restore"]) {
        it(`drill (${mode} mode): its own unprotected copy from the replicated backups; the replica keeps replicating`, async () => {
            const b = await build("dr", { "vbr:drState": "drill", "vbr:drDatabase": mode });
            expect(rds(b)).to.deep.equal(mode === "replica" ? ["db-replica", "db-drill"] : ["db-drill"]);
            if (mode === "replica") expect((await b.cap.inputs("db-replica", INSTANCE)).replicateSourceDb).to.equal(PRIMARY_DB_ARN);
            const drill = b.cap.named("db-drill", INSTANCE);
            expect(drill.protect).to.equal(false);
            const inputs = await b.cap.inputs(drill.name, INSTANCE);
            expect(inputs.restoreToPointInTime.sourceDbInstanceAutomatedBackupsArn).to.match(/^arn:aws:rds:us-west-2:123456789012:auto-backup:ab-/);
            expect(inputs.restoreToPointInTime.useLatestRestorableTime).to.equal(true);
            expect(inputs).to.deep.include({
                identifier: "vbr-prod-postgres-drill", backupRetentionPeriod: 35, deletionProtection: false, applyImmediately: true,
                skipFinalSnapshot: false, finalSnapshotIdentifier: "vbr-prod-postgres-drill-final-manual", kmsKeyId: b.dataKey,
            });
            expect(inputs.tags).to.deep.equal({ "vbr:lifecycle": "drill" });
            // RDS takes a baseline backup after the restore whatever the program asks; the timeout covers it.
            expect(b.cap.named("db-drill", INSTANCE).customTimeouts).to.deep.equal({ create: "7h" });
            expect(await promiseOf(b.db.identifier)).to.equal("vbr-prod-postgres-drill");
        });
    }

    it("drill: the final snapshot is named per vbr:drillId, so the next drill's teardown never collides with this one", async () => {
        const first = await build("dr", { "vbr:drState": "drill", "vbr:drDatabase": "restore", "vbr:drillId": "20261129t2015" });
        const second = await build("dr", { "vbr:drState": "drill", "vbr:drDatabase": "restore", "vbr:drillId": "20261206t0930" });
        const a = await first.cap.inputs("db-drill", INSTANCE);
        const b = await second.cap.inputs("db-drill", INSTANCE);
        expect([a.finalSnapshotIdentifier, b.finalSnapshotIdentifier]).to.deep.equal([
            "vbr-prod-postgres-drill-final-20261129t2015", "vbr-prod-postgres-drill-final-20261206t0930",
        ]);
        // Only the snapshot name differs. A mock cannot prove the engine's diff: the provider schema declares
        // final_snapshot_identifier without ForceNew, so the change is an in-place update, never a replace.
        const rest = (x: Record<string, unknown>) => { const { finalSnapshotIdentifier: _, ...others } = x; return others; };
        expect(rest(a)).to.deep.equal(rest(b));
    });

    it("failover (replica mode): promotes the same replica resource, Multi-AZ with 35-day backups, and serves from it", async () => {
        const b = await build("dr", { "vbr:drState": "failover" });
        expect(rds(b)).to.deep.equal(["db-replica"]);
        const inputs = await b.cap.inputs("db-replica", INSTANCE);
        expect(inputs.replicateSourceDb).to.equal(undefined);
        expect(inputs).to.deep.include({ identifier: "vbr-prod-postgres", multiAz: true, backupRetentionPeriod: 35, deletionProtection: true });
        expect(b.cap.named("db-replica", INSTANCE).protect).to.equal(true);
        expect(await promiseOf(b.db.identifier)).to.equal("vbr-prod-postgres");
    });

    it("failover (restore mode): a protected restore with 35-day backups from the start and a create timeout for the baseline backup", async () => {
        const b = await build("dr", { "vbr:drState": "failover", "vbr:drDatabase": "restore" });
        const r = b.cap.named("db-failover", INSTANCE);
        expect(r.protect).to.equal(true);
        expect(r.customTimeouts).to.deep.equal({ create: "7h" });
        const inputs = await b.cap.inputs(r.name, INSTANCE);
        // Production restores keep the stack-wide final snapshot name; vbr:drillId applies to drill copies only.
        expect(inputs).to.deep.include({
            identifier: "vbr-prod-postgres", multiAz: true, deletionProtection: true, backupRetentionPeriod: 35, applyImmediately: true,
            finalSnapshotIdentifier: "vbr-prod-postgres-final",
        });
        expect(inputs.restoreToPointInTime.useLatestRestorableTime).to.equal(true);
        expect(inputs.tags).to.deep.equal({});
    });

    // The corruption runbook (primary and failover) and the per-source DR naming: database-corruption.test.ts.
});
