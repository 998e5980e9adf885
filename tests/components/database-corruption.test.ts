// The database corruption runbook: restores named after their instant, a configurable restore source, and the
// DR stack's per-source backups replication and read replica, so no config change replaces a production database.
//
// What a mock cannot prove: the engine's diff (these tests compare the inputs the provider marks ForceNew, by
// resource name, between two configurations), that `pulumi preview` refuses to delete a protected resource that
// left the program (engine behaviour, pulumi/pulumi#11816), or that RDS accepts the restore.
import { expect } from "chai";
import { promiseOf } from "../helpers/pulumi";
import { CapturedResource } from "../helpers/capture";
import { buildDatabase, BuiltDatabase } from "../helpers/database";
import { Naming } from "../../policies/model/naming";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { loadProject, stackConfig } from "../../tools/harness/project";
import { drSourceSuffix } from "../../components/database-dr";
import { checkRdsIdentifier, restoreStamp } from "../../components/database-instance";

const project = loadProject(".");
const INSTANCE = "aws:rds/instance:Instance";
const BACKUPS = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
const T1 = "2026-11-29T13:45:00Z";
const T2 = "2026-12-03T09:10:00Z";
const R1 = "vbr-prod-postgres-r20261129t1345";
const R2 = "vbr-prod-postgres-r20261203t0910";
const east = (id: string) => `arn:aws:rds:us-east-1:123456789012:db:${id}`;
const west = (id: string) => `arn:aws:rds:us-west-2:123456789012:db:${id}`;
const source = (identifier: string) => ({ arn: east(identifier), identifier, address: `${identifier}.cabc.us-east-1.rds.amazonaws.com`, port: 5432 });
const primaryOutputs = (replicationSource: string) => ({
    database: source(replicationSource), replicationSource: source(replicationSource),
    secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:vbr-prod/database/master-a1b2c3",
});

type Built = BuiltDatabase;

/** The Database for a stack file plus overrides, the primary replicating from `replicationSource`. */
function build(stack: "primary" | "dr", overrides: Record<string, string> = {}, replicationSource = "vbr-prod-postgres"): Promise<Built> {
    return buildDatabase(stack, overrides, primaryOutputs(replicationSource));
}

const rdsNames = (b: Built) => b.cap.resources.filter((r) => r.type.startsWith("aws:rds/")).map((r) => r.name);
const flags = (r: CapturedResource) => ({ protect: r.protect, retainOnDelete: r.retainOnDelete });

/** Inputs the AWS provider marks ForceNew on these types: a change to any of them is a replacement. */
const FORCE_NEW: Record<string, string[]> = {
    [INSTANCE]: ["identifier", "restoreToPointInTime", "kmsKeyId", "storageEncrypted", "snapshotIdentifier", "engine"],
    [BACKUPS]: ["sourceDbInstanceArn", "kmsKeyId"],
};

/** Resources of `before` that `after` would replace (same type and name, a ForceNew input changed). */
async function replacements(before: Built, after: Built): Promise<string[]> {
    const replaced: string[] = [];
    for (const r of before.cap.resources.filter((x) => FORCE_NEW[x.type])) {
        if (!after.cap.resources.some((x) => x.type === r.type && x.name === r.name)) continue;
        const [a, b] = [await before.cap.inputs(r.name, r.type), await after.cap.inputs(r.name, r.type)];
        for (const key of FORCE_NEW[r.type]) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) replaced.push(`${r.name}.${key}`);
    }
    return replaced;
}

describe("corruption runbook: names and identifiers", () => {
    it("stamps a restore with its UTC instant to the minute, and the seconds only when they are not zero", () => {
        expect([T1, T2, "2026-01-02T03:04:05Z", "2026-11-29T13:45:30Z"].map(restoreStamp))
            .to.deep.equal(["20261129t1345", "20261203t0910", "20260102t030405", "20261129t134530"]);
    });

    it("keeps RDS identifier rules: the longest environment with seconds fits 63 characters; violations throw naming the origin", () => {
        const longest = new Naming("abcdefghijklmnop").dbIdentifier(`r${restoreStamp("2026-11-29T13:45:30Z")}`);
        expect([longest, longest.length]).to.deep.equal(["vbr-abcdefghijklmnop-postgres-r20261129t134530", 46]);
        expect(checkRdsIdentifier(longest, "test")).to.equal(longest);
        expect(() => checkRdsIdentifier(`vbr-prod-postgres-${"x".repeat(46)}`, "the source")).to.throw(/the source gives the RDS identifier "vbr-prod-postgres-x+" \(64 characters\), which RDS refuses/);
        expect(() => checkRdsIdentifier("vbr-prod--postgres", "o")).to.throw(/not contain "--"/);
        expect(() => checkRdsIdentifier("Vbr-prod-postgres", "o")).to.throw(/lower-case/);
        expect(() => checkRdsIdentifier("vbr-prod-postgres-", "o")).to.throw(/not end with a hyphen/);
    });

    it("names DR pieces per source: none for the original instance, the identifier's suffix for a restore", () => {
        const naming = new Naming("prod");
        expect([drSourceSuffix(naming, "vbr-prod-postgres"), drSourceSuffix(naming, R1), drSourceSuffix(naming, "legacy-db")])
            .to.deep.equal([undefined, "r20261129t1345", "legacy-db"]);
    });
});

describe("corruption runbook: configuration", () => {
    const problems = (stack: "primary" | "dr", overrides: Record<string, string>): string[] => {
        try {
            parseStackConfig(stack, stackConfig(project, stack, overrides));
        } catch (err) {
            if (err instanceof ConfigError) return err.problems.map((p) => `${p.key} = ${p.value}: ${p.message}`);
            throw err;
        }
        return [];
    };

    it("reads vbr:dbRestoreSource with vbr:dbRestoreTime; unset by default", () => {
        expect(parseStackConfig("primary", stackConfig(project, "primary")).dbRestoreSource).to.equal(undefined);
        const cfg = parseStackConfig("primary", stackConfig(project, "primary", { "vbr:dbRestoreTime": T2, "vbr:dbRestoreSource": R1 }));
        expect([cfg.dbRestoreTime, cfg.dbRestoreSource]).to.deep.equal([T2, R1]);
    });

    it("refuses vbr:dbRestoreSource without vbr:dbRestoreTime, naming both keys", () => {
        expect(problems("primary", { "vbr:dbRestoreSource": R1 })).to.deep.equal([
            `vbr:dbRestoreSource = ${R1}: is only valid together with vbr:dbRestoreTime: it names the instance a corruption restore reads; ` +
            "set vbr:dbRestoreTime to the last good UTC instant, or remove vbr:dbRestoreSource",
        ]);
    });

    for (const bad of ["Vbr-prod-postgres", "vbr--prod", "vbr-prod-", "1vbr", `v${"x".repeat(63)}`, "vbr_prod"]) {
        it(`refuses the malformed RDS identifier ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 8)}...(${bad.length})` : bad)} as vbr:dbRestoreSource`, () => {
            expect(problems("primary", { "vbr:dbRestoreTime": T2, "vbr:dbRestoreSource": bad })).to.deep.equal([
                `vbr:dbRestoreSource = ${bad}: must be an RDS DB instance identifier: 1-63 lower-case letters, digits or hyphens, starting with a letter, ` +
                "not ending with a hyphen and without \"--\" (the instance to restore from, e.g. the serving restore vbr-prod-postgres-r20261129t1345)",
            ]);
        });
    }

    it("reports a malformed source and the missing restore time together, in one pass", () => {
        const found = problems("primary", { "vbr:dbRestoreSource": "vbr--x" });
        expect(found.map((p) => p.slice(0, 60))).to.deep.equal([
            "vbr:dbRestoreSource = vbr--x: must be an RDS DB instance ide",
            "vbr:dbRestoreSource = vbr--x: is only valid together with vb",
        ]);
    });

    it("the DR stack in standby refuses the runbook keys (only the serving stack restores)", () => {
        expect(problems("dr", { "vbr:dbRestoreTime": T1, "vbr:dbRestoreSource": R1 })).to.deep.equal([
            `vbr:dbRestoreTime = ${T1}: applies only to the stack that serves traffic (vbr:role primary, or dr in failover)`,
        ]);
    });
});

describe("corruption runbook on the primary", () => {
    let plain: Built;
    let first: Built;
    before(async () => {
        plain = await build("primary");
        first = await build("primary", { "vbr:dbRestoreTime": T1 });
    });

    it("first corruption: a new protected, retained instance named after the instant, restored from the original", async () => {
        expect(rdsNames(first)).to.deep.equal(["db-postgres", "db-restored-20261129t1345"]);
        const r = first.cap.named("db-restored-20261129t1345", INSTANCE);
        expect(flags(r)).to.deep.equal({ protect: true, retainOnDelete: true });
        const inputs = await first.cap.inputs(r.name, INSTANCE);
        expect(inputs.restoreToPointInTime).to.deep.equal({ sourceDbInstanceIdentifier: "vbr-prod-postgres", restoreTime: T1 });
        expect(inputs).to.deep.include({
            identifier: R1, multiAz: true, deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: `${R1}-final`,
            backupRetentionPeriod: 35, applyImmediately: true,
        });
        expect(inputs.tags).to.deep.equal({});
        expect(await promiseOf(first.db.identifier)).to.equal(R1);
    });

    it("first corruption: the damaged original is untouched (same inputs, still protected) and stays backed up", async () => {
        expect(await first.cap.inputs("db-postgres", INSTANCE)).to.deep.equal(await plain.cap.inputs("db-postgres", INSTANCE));
        expect(flags(first.cap.named("db-postgres", INSTANCE))).to.deep.equal(flags(plain.cap.named("db-postgres", INSTANCE)));
        expect(await promiseOf(first.db.backupArns)).to.deep.equal([east(R1), east("vbr-prod-postgres")]);
        expect(await replacements(plain, first)).to.deep.equal([]);
    });

    it("the peer replicates the restore at once: it has automated backups from the moment it exists", async () => {
        expect(await promiseOf(first.db.replicationSource)).to.deep.equal({
            arn: east(R1), identifier: R1, port: 5432, address: (await promiseOf(first.db.replicationSource))?.address,
            resourceId: (await promiseOf(first.db.replicationSource))?.resourceId,
        });
    });

    it("second corruption: restores the serving restore (vbr:dbRestoreSource) as another new instance; nothing is replaced", async () => {
        const second = await build("primary", { "vbr:dbRestoreTime": T2, "vbr:dbRestoreSource": R1 });
        // The first restore leaves the program: protect makes Pulumi refuse to delete it until it is unprotected.
        expect(rdsNames(second)).to.deep.equal(["db-postgres", "db-restored-20261203t0910"]);
        const r = second.cap.named("db-restored-20261203t0910", INSTANCE);
        expect(flags(r)).to.deep.equal({ protect: true, retainOnDelete: true });
        const inputs = await second.cap.inputs(r.name, INSTANCE);
        expect(inputs.restoreToPointInTime).to.deep.equal({ sourceDbInstanceIdentifier: R1, restoreTime: T2 });
        expect([inputs.identifier, inputs.finalSnapshotIdentifier, inputs.backupRetentionPeriod]).to.deep.equal([R2, `${R2}-final`, 35]);
        expect(await promiseOf(second.db.identifier)).to.equal(R2);
        expect(await replacements(first, second)).to.deep.equal([]);
        expect((await promiseOf(second.db.replicationSource))?.arn).to.equal(east(R2));
    });

    it("vbr:dbRestoreSource set to the original identifier reads the original, like the default", async () => {
        const explicit = await build("primary", { "vbr:dbRestoreTime": T1, "vbr:dbRestoreSource": "vbr-prod-postgres" });
        expect((await explicit.cap.inputs("db-restored-20261129t1345", INSTANCE)).restoreToPointInTime.sourceDbInstanceIdentifier).to.equal("vbr-prod-postgres");
        expect(await replacements(first, explicit)).to.deep.equal([]);
    });
});

describe("corruption runbook on the DR stack", () => {
    it("the original source keeps today's names and identifier, protected and retained, without a warning", async () => {
        const b = await build("dr");
        expect(rdsNames(b)).to.deep.equal(["db-backups", "db-replica"]);
        expect([flags(b.cap.named("db-backups", BACKUPS)), flags(b.cap.named("db-replica", INSTANCE))])
            .to.deep.equal([{ protect: true, retainOnDelete: true }, { protect: true, retainOnDelete: true }]);
        expect((await b.cap.inputs("db-replica", INSTANCE)).identifier).to.equal("vbr-prod-postgres");
        expect(b.warnings).to.deep.equal([]);
    });

    it("a restored source creates a suffixed backups replication and read replica; the original's pieces leave the program", async () => {
        const original = await build("dr");
        const b = await build("dr", {}, R1);
        expect(rdsNames(b)).to.deep.equal(["db-backups-r20261129t1345", "db-replica-r20261129t1345"]);
        expect([flags(b.cap.named("db-backups-r20261129t1345", BACKUPS)), flags(b.cap.named("db-replica-r20261129t1345", INSTANCE))])
            .to.deep.equal([{ protect: true, retainOnDelete: true }, { protect: true, retainOnDelete: true }]);
        expect(await b.cap.inputs("db-backups-r20261129t1345", BACKUPS)).to.deep.include({ sourceDbInstanceArn: east(R1), retentionPeriod: 35 });
        expect(await b.cap.inputs("db-replica-r20261129t1345", INSTANCE)).to.deep.include({
            identifier: R1, replicateSourceDb: east(R1), deletionProtection: true, finalSnapshotIdentifier: `${R1}-final`,
        });
        // Nothing that exists is replaced: the new source gets new resources.
        expect(await replacements(original, b)).to.deep.equal([]);
    });

    it("warns with the exact unprotect commands when the source is not the original", async () => {
        const b = await build("dr", {}, R1);
        const comp = "urn:pulumi:dr::vbr::vbr:database:Database";
        expect(b.warnings).to.deep.equal([[
            `warning: [runtime] the primary replicates from "${R1}", not from its original instance "vbr-prod-postgres" (a corruption restore).`,
            `This stack creates a new automated backups replication "db-backups-r20261129t1345" and a new read replica "db-replica-r20261129t1345" (identifier ${R1}) for it: RDS cannot point the existing ones at a new source.`,
            "The pieces of the previous source leave the program and are protected, so `pulumi preview` and `pulumi up` on this stack fail with \"currently marked for protection\" until you unprotect each URN they name; for the original source:",
            `  pulumi state unprotect -s dr --yes '${comp}$${BACKUPS}::db-backups'`,
            `  pulumi state unprotect -s dr --yes '${comp}$${INSTANCE}::db-replica'`,
            `then \`pulumi up -s dr\`. They are retainOnDelete: Pulumi only forgets them and they keep replicating in AWS. Once "${R1}" is in sync, delete the old read replica with the AWS CLI; stop the old backups replication only when its source is retired (docs/runbooks.md, "Database corruption").`,
        ].join("\n")]);
    });

    it("restore mode: only the backups replication is per source, and the warning says so", async () => {
        const b = await build("dr", { "vbr:drDatabase": "restore" }, R1);
        expect(rdsNames(b)).to.deep.equal(["db-backups-r20261129t1345"]);
        expect(b.warnings).to.have.length(1);
        expect(b.warnings[0]).to.contain('new automated backups replication "db-backups-r20261129t1345" for it').and.not.contain("read replica");
    });

    it("failover (replica mode) promotes the source's own replica; a corruption restore there is stamped too", async () => {
        const b = await build("dr", { "vbr:drState": "failover", "vbr:dbRestoreTime": T2 }, R1);
        expect(rdsNames(b)).to.deep.equal(["db-backups-r20261129t1345", "db-replica-r20261129t1345", "db-restored-20261203t0910"]);
        expect((await b.cap.inputs("db-replica-r20261129t1345", INSTANCE)).replicateSourceDb).to.equal(undefined);
        const r = b.cap.named("db-restored-20261203t0910", INSTANCE);
        expect(flags(r)).to.deep.equal({ protect: true, retainOnDelete: true });
        const inputs = await b.cap.inputs(r.name, INSTANCE);
        // Default source on the DR stack: the instance it serves from (the promoted replica).
        expect(inputs.restoreToPointInTime).to.deep.equal({ sourceDbInstanceIdentifier: R1, restoreTime: T2 });
        expect(inputs.identifier).to.equal(R2);
        expect(await promiseOf(b.db.backupArns)).to.deep.equal([west(R2), west(R1)]);
        expect(await promiseOf(b.db.replicationSource)).to.equal(undefined);
    });

    it("failover from the original source: the corruption restore is named after the instant in the DR region", async () => {
        const b = await build("dr", { "vbr:drState": "failover", "vbr:dbRestoreTime": T1 });
        expect(rdsNames(b)).to.deep.equal(["db-backups", "db-replica", "db-restored-20261129t1345"]);
        expect(await promiseOf(b.db.identifier)).to.equal(R1);
        expect(await promiseOf(b.db.backupArns)).to.deep.equal([west(R1), west("vbr-prod-postgres")]);
    });
});
