// AWS Backup: a locked vault per region and, in the serving stack, the daily/weekly plan that copies to the peer.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../policies/model/naming";
import { DAILY_RETENTION_FLOOR_DAYS, VAULT_LOCK_GRACE_DAYS } from "../policies/model/plan";
import { TAGS } from "../policies/model/tags";

export interface BackupPlanArgs {
    naming: Naming;
    /**
     * True in the stack that serves traffic (the primary; the DR stack in failover): it runs the plan, the
     * selection and the monthly restore tests. Otherwise only the vault (+ lock) exists, ready for the copies.
     */
    serving: boolean;
    peerRegion: string;
    accountId: pulumi.Input<string>;
    /** This region's backup CMK. */
    backupKeyArn: pulumi.Input<string>;
    backupRetentionDays: number;
    weeklyRetentionDays: number;
    /**
     * Vault Lock mode. `compliance` (with `lockGraceDays`) becomes immutable after the grace period: nobody, the
     * root user included, can then delete the vault or shorten retention (the DR plan's ransomware scenario).
     * `governance` stays removable by an administrator with the right IAM permission.
     * @default "governance"
     */
    lockMode?: "governance" | "compliance";
    /** Compliance mode only: days the lock can still be removed (AWS's changeableForDays, at least 3). @default 7 */
    lockGraceDays?: number;
    /**
     * The database instances to back up, serving first; the serving one is restore-tested monthly. Empty until
     * the DR stack has a database; a damaged instance kept by the corruption runbook stays selected.
     * @default - no database in the selection, no restore test
     */
    databaseArns?: pulumi.Input<string[]>;
    /** The document buckets. @default [] */
    bucketArns?: pulumi.Input<string>[];
    /**
     * Where restore tests put the database: without it AWS Backup infers the default VPC, and the monthly test
     * fails where there is none. @default - AWS Backup's inferred network
     */
    restoreTestNetwork?: { dbSubnetGroupName: pulumi.Input<string>; securityGroupIds: pulumi.Input<string>[] };
    /** @default {} */
    tags?: Record<string, string>;
}

/**
 * Schedules (UTC). The DR plan's 02:00 daily snapshot is RDS's own automated backup (window 02:00-02:30, see
 * database.ts). AWS Backup's jobs start at 03:00 and must start by 04:00 (start window): after the RDS backup
 * window has closed, so the two snapshots do not compete, and at least an hour before the Sunday 05:00
 * maintenance window, in which AWS Backup cannot start a database backup (AWS Backup guide, "Backup plan options
 * and configuration"; docs/aws-facts.md). The weekly rule starts with the daily one on purpose: when two rules'
 * windows overlap AWS Backup takes a single backup for the rule with the longer retention (same page), so
 * Sunday's backup is the weekly one instead of a failed second job. Restore tests run on the 1st at 10:00, after
 * the day's backup and copy have had their window (start 1 h, completion 6 h).
 */
export const DAILY_SCHEDULE = "cron(0 3 * * ? *)";
export const WEEKLY_SCHEDULE = "cron(0 3 ? * SUN *)";
export const RESTORE_TEST_SCHEDULE = "cron(0 10 1 * ? *)";
/** The backup jobs' start and completion windows, in minutes. */
export const START_WINDOW_MINUTES = 60;
export const COMPLETION_WINDOW_MINUTES = 360;

const MANAGED_POLICIES = [
    "service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores",
    // S3 backups need their own pair of managed policies.
    "AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore",
];

export class BackupPlan extends pulumi.ComponentResource {
    readonly vault: aws.backup.Vault;
    readonly plan?: aws.backup.Plan;

    constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:backup:BackupPlan", name, {}, opts);
        this.vault = new aws.backup.Vault(`${name}-vault`, {
            name: args.naming.vaultName(), kmsKeyArn: args.backupKeyArn, forceDestroy: false, tags: args.tags,
        }, { parent: this, protect: true, retainOnDelete: true });
        // changeableForDays is what makes a lock compliance mode; without it the lock is governance mode. Neither
        // vault is ever created or deleted by a drill, so compliance mode cannot trap a disposable vault.
        const compliance = args.lockMode === "compliance";
        new aws.backup.VaultLockConfiguration(`${name}-lock`, {
            backupVaultName: this.vault.name,
            minRetentionDays: DAILY_RETENTION_FLOOR_DAYS,
            maxRetentionDays: Math.max(args.weeklyRetentionDays, args.backupRetentionDays),
            changeableForDays: compliance ? args.lockGraceDays ?? VAULT_LOCK_GRACE_DAYS : undefined,
        }, { parent: this });
        if (args.serving) this.plan = this.schedule(name, args);
        this.registerOutputs({ vaultArn: this.vault.arn });
    }

    private schedule(name: string, args: BackupPlanArgs): aws.backup.Plan {
        // The plan exists only in the serving state (DR: from failover on), never in standby: no `vbr:standby` marker,
        // so the bring-up model and the RTO policy count it as created.
        const { [TAGS.standby]: _kept, ...tags } = args.tags ?? {};
        const peerVault = args.naming.vaultArn(args.peerRegion, args.accountId);
        const rule = (ruleName: string, schedule: string, deleteAfter: number): aws.types.input.backup.PlanRule => ({
            ruleName, schedule, targetVaultName: this.vault.name, startWindow: START_WINDOW_MINUTES, completionWindow: COMPLETION_WINDOW_MINUTES,
            lifecycle: { deleteAfter },
            copyActions: [{ destinationVaultArn: peerVault, lifecycle: { deleteAfter } }],
            recoveryPointTags: { ...tags, [TAGS.backupRule]: ruleName },
        });
        const plan = new aws.backup.Plan(`${name}-plan`, {
            name: `${args.naming.prefix}-plan`,
            rules: [rule("daily", DAILY_SCHEDULE, args.backupRetentionDays), rule("weekly", WEEKLY_SCHEDULE, args.weeklyRetentionDays)],
            tags,
        }, { parent: this });
        const role = new aws.iam.Role(`${name}-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags,
        }, { parent: this });
        const attachments = MANAGED_POLICIES.map((p) => new aws.iam.RolePolicyAttachment(`${name}-${p.split("RolePolicyFor")[1].toLowerCase()}`, {
            role: role.name, policyArn: `arn:aws:iam::aws:policy/${p}`,
        }, { parent: this }));
        const resources = pulumi.all([pulumi.output(args.databaseArns ?? []), pulumi.all(args.bucketArns ?? [])])
            .apply(([databases, buckets]): string[] => [...databases, ...buckets]);
        new aws.backup.Selection(`${name}-selection`, {
            name: `${args.naming.prefix}-data`, planId: plan.id, iamRoleArn: role.arn, resources,
        }, { parent: this, dependsOn: attachments });
        if (args.databaseArns !== undefined) {
            // The DR plan requires monthly restore tests; AWS Backup restores the latest snapshot and deletes it.
            const testing = new aws.backup.RestoreTestingPlan(`${name}-restore-testing`, {
                name: `${args.naming.prefix}-monthly`.replace(/-/g, "_"),
                scheduleExpression: RESTORE_TEST_SCHEDULE, startWindowHours: 24,
                recoveryPointSelection: {
                    algorithm: "LATEST_WITHIN_WINDOW", includeVaults: [this.vault.arn], recoveryPointTypes: ["SNAPSHOT"], selectionWindowDays: 31,
                },
                tags,
            }, { parent: this });
            new aws.backup.RestoreTestingSelection(`${name}-restore-testing-rds`, {
                name: "rds_database", restoreTestingPlanName: testing.name, iamRoleArn: role.arn,
                protectedResourceType: "RDS", protectedResourceArns: pulumi.output(args.databaseArns).apply((arns) => arns.slice(0, 1)), validationWindowHours: 24,
                restoreMetadataOverrides: args.restoreTestNetwork && {
                    dbsubnetgroupname: args.restoreTestNetwork.dbSubnetGroupName,
                    // A JSON list in a string, as the RestoreMetadataOverrides map takes it.
                    vpcsecuritygroupids: pulumi.jsonStringify(args.restoreTestNetwork.securityGroupIds),
                },
            }, { parent: this, dependsOn: attachments });
        }
        return plan;
    }
}
