import { expect } from "chai";
import { useMocks } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";
import { MOCK_ACCOUNT_ID } from "../../tools/harness/mocks";
import { Naming } from "../../policies/model/naming";
import { BackupPlan } from "../../components/backups";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/backup";
const DB = "arn:aws:rds:us-east-1:123456789012:db:vbr-prod-postgres";
const BUCKETS = ["documents", "reports", "audit"].map((b) => `arn:aws:s3:::vbr-prod-${b}-us-east-1`);

function build(serving: boolean, region = "us-east-1", peerRegion = "us-west-2"): Capture {
    useMocks(region, serving ? "primary" : "dr");
    const cap = capture();
    new BackupPlan("bk", {
        naming: new Naming("prod"), serving, peerRegion, accountId: MOCK_ACCOUNT_ID, backupKeyArn: KEY,
        backupRetentionDays: 35, weeklyRetentionDays: 365, databaseArns: serving ? [DB] : undefined, bucketArns: serving ? BUCKETS : [],
        restoreTestNetwork: { dbSubnetGroupName: "vbr-prod-postgres-subnets", securityGroupIds: ["sg-0db"] },
    }, cap.opts);
    return cap;
}

describe("BackupPlan (serving: primary, or DR in failover)", () => {
    let cap: Capture;
    before(() => { cap = build(true); });

    it("creates a CMK vault, protected and retained, with a governance-mode lock of at least 35 days", async () => {
        const vault = cap.named("bk-vault");
        expect([vault.protect, vault.retainOnDelete]).to.deep.equal([true, true]);
        expect(await cap.inputs("bk-vault")).to.deep.include({ name: "vbr-prod-vault", kmsKeyArn: KEY, forceDestroy: false });
        const lock = await cap.inputs("bk-lock");
        expect(lock).to.deep.include({ backupVaultName: "vbr-prod-vault", minRetentionDays: 35, maxRetentionDays: 365 });
        // No changeableForDays: compliance mode would make the lock immutable after the cooling-off period.
        expect(lock.changeableForDays).to.equal(undefined);
    });

    it("runs daily at 03:00 UTC (after the RDS backup window) for 35 days and weekly for 365 days, each copied to the peer's vault with the same lifecycle", async () => {
        const plan = await cap.inputs("bk-plan");
        const peer = "arn:aws:backup:us-west-2:123456789012:backup-vault:vbr-prod-vault";
        expect(plan.rules.map((r: Record<string, unknown>) => [r.ruleName, r.schedule, r.targetVaultName, r.lifecycle, r.copyActions])).to.deep.equal([
            ["daily", "cron(0 3 * * ? *)", "vbr-prod-vault", { deleteAfter: 35 }, [{ destinationVaultArn: peer, lifecycle: { deleteAfter: 35 } }]],
            ["weekly", "cron(0 3 ? * SUN *)", "vbr-prod-vault", { deleteAfter: 365 }, [{ destinationVaultArn: peer, lifecycle: { deleteAfter: 365 } }]],
        ]);
    });

    it("selects the database and the three buckets through a role with the Backup/Restore managed policies", async () => {
        const sel = await cap.inputs("bk-selection");
        expect(sel.resources).to.deep.equal([DB, ...BUCKETS]);
        expect(sel.iamRoleArn).to.match(/^arn:aws:iam::123456789012:role\/bk-role-/);
        const policies = await Promise.all(cap.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => cap.inputs(a.name)));
        expect(policies.map((p) => p.policyArn)).to.deep.equal([
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
            "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
            "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
        ]);
    });

    it("restore-tests the database monthly from this vault's latest snapshot", async () => {
        const plan = await cap.inputs("bk-restore-testing");
        expect(plan.scheduleExpression).to.equal("cron(0 10 1 * ? *)");
        expect(plan.name).to.equal("vbr_prod_monthly");
        expect(plan.recoveryPointSelection).to.deep.include({ algorithm: "LATEST_WITHIN_WINDOW", includeVaults: ["arn:aws:backup:us-east-1:123456789012:backup-vault:vbr-prod-vault"] });
        const sel = await cap.inputs("bk-restore-testing-rds");
        expect(sel).to.deep.include({ protectedResourceType: "RDS", protectedResourceArns: [DB], restoreTestingPlanName: "vbr_prod_monthly" });
        // Into the stack's own database subnets and security group, not the default VPC AWS Backup would infer.
        expect(sel.restoreMetadataOverrides).to.deep.equal({ dbsubnetgroupname: "vbr-prod-postgres-subnets", vpcsecuritygroupids: '["sg-0db"]' });
    });
});

describe("BackupPlan (DR standby/drill)", () => {
    it("holds only its locked vault, ready to receive the primary's copies", async () => {
        const cap = build(false, "us-west-2", "us-east-1");
        expect(cap.resources.map((r) => r.type)).to.deep.equal([
            "vbr:backup:BackupPlan", "aws:backup/vault:Vault", "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        ]);
        expect((await cap.inputs("bk-lock")).minRetentionDays).to.equal(35);
        expect(cap.named("bk-vault").protect).to.equal(true);
    });
});
