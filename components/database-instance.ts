// What every PostgreSQL instance of the Database shares: its settings, its windows and protection, how a restore is
// named and timed, and how the instances are described to the rest of the stack.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../policies/model/naming";
import { RDS_MAX_BACKUP_RETENTION_DAYS } from "../policies/model/plan";
import { LIFECYCLE_DRILL, TAGS } from "../policies/model/tags";
import provisioningTimes from "../policies/data/provisioning-times.json";

/** RDS windows (UTC): the DR plan's 02:00 backup, and maintenance clear of it and of AWS Backup's jobs (backups.ts). */
export const BACKUP_WINDOW = "02:00-02:30";
export const MAINTENANCE_WINDOW = "sun:05:00-sun:05:30";

/** The instance settings the stack config decides. */
export interface InstanceSettings {
    /** RDS instance class, e.g. `db.r6g.large`. */
    instanceClass: string;
    /** Allocated storage in GiB; also sizes a restore's create timeout. */
    allocatedStorageGiB: number;
    /** PostgreSQL major version (RDS applies minor upgrades itself); replicas and restores take their source's. */
    engineVersion: string;
    /** Daily backup retention in days; RDS keeps at most 35 of them (rdsRetentionDays). */
    backupRetentionDays: number;
}

/** Everything the instances of one Database share: their component, names, key, network and tags. */
export interface InstanceContext {
    /** The Database component: every instance is its child. */
    parent: pulumi.Resource;
    naming: Naming;
    settings: InstanceSettings;
    /** This region's data CMK: storage and Performance Insights. */
    dataKeyArn: pulumi.Input<string>;
    /** The stack's DB subnet group, when it has a network. */
    subnetGroupName?: pulumi.Output<string>;
    vpcSecurityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
    tags: Record<string, string>;
}

/** RDS's own automated-backup retention: the daily retention, capped at the RDS maximum. */
export function rdsRetentionDays(days: number): number {
    return Math.min(days, RDS_MAX_BACKUP_RETENTION_DAYS);
}

/**
 * The create timeout of a restored instance: twice the bring-up model's p90 for the restore and the baseline backup
 * the provider waits for, in whole hours, at least 4 h. The provider's default (40 min) would fail the update while
 * RDS is still restoring. The model's numbers come from policies/data/provisioning-times.json.
 */
export function restoreCreateTimeout(allocatedStorageGiB: number): string {
    const { restore, operations } = provisioningTimes;
    const p90Seconds = restore.p90.baseSeconds + restore.p90.perGiBSeconds * allocatedStorageGiB + operations["rds-baseline-backup"].p90;
    return `${Math.max(4, Math.ceil((2 * p90Seconds) / 3600))}h`;
}

/**
 * The name stamp of a corruption restore: the UTC instant to the minute (`2026-11-29T13:45:00Z` ->
 * `20261129t1345`), with the seconds appended only when they are not zero (`20261129t134530`), so two restore
 * times never share a name. Each restore is its own resource and instance: a new vbr:dbRestoreTime adds one.
 */
export function restoreStamp(restoreTime: string): string {
    const iso = new Date(restoreTime).toISOString(); // 2026-11-29T13:45:00.000Z
    const [date, time] = iso.split("T");
    const seconds = time.slice(6, 8);
    return `${date.replace(/-/g, "")}t${time.slice(0, 2)}${time.slice(3, 5)}${seconds === "00" ? "" : seconds}`;
}

/** Throws unless `identifier` follows the RDS DB instance identifier rules (lower-case as RDS stores it). */
export function checkRdsIdentifier(identifier: string, origin: string): string {
    const ok = identifier.length <= 63 && /^[a-z][a-z0-9-]*$/.test(identifier) && !identifier.includes("--") && !identifier.endsWith("-");
    if (!ok) {
        throw new Error(`Database: ${origin} gives the RDS identifier "${identifier}" (${identifier.length} characters), which RDS refuses: ` +
            "it must be 1-63 lower-case letters, digits or hyphens, start with a letter, not end with a hyphen and not contain \"--\"");
    }
    return identifier;
}

/** Settings every instance shares: encryption with this region's data key, windows, protection, auth. */
export function commonInstanceArgs(ctx: InstanceContext, identifier: string): aws.rds.InstanceArgs & { instanceClass: string } {
    return {
        identifier, instanceClass: ctx.settings.instanceClass, storageType: "gp3",
        storageEncrypted: true, kmsKeyId: ctx.dataKeyArn,
        backupWindow: BACKUP_WINDOW, maintenanceWindow: MAINTENANCE_WINDOW,
        copyTagsToSnapshot: true, skipFinalSnapshot: false, finalSnapshotIdentifier: `${identifier}-final`,
        performanceInsightsEnabled: true, performanceInsightsKmsKeyId: ctx.dataKeyArn,
        iamDatabaseAuthenticationEnabled: true, publiclyAccessible: false,
        // With automatic minor upgrades the engine version is a major version only (config validation): a pinned
        // minor would make the provider plan a downgrade after RDS upgrades the instance.
        autoMinorVersionUpgrade: true,
        // Every change a runbook makes (promotion's Multi-AZ and retention, backups after a restore, more storage
        // after the free-storage alarm) must take effect at `pulumi up`, not in next week's maintenance window.
        applyImmediately: true,
        dbSubnetGroupName: ctx.subnetGroupName, vpcSecurityGroupIds: ctx.vpcSecurityGroupIds,
    };
}

/**
 * A restored instance. Protected ones (failover, corruption) serve production: Multi-AZ, deletion protection and
 * retainOnDelete: once an operator unprotects one that left the program, Pulumi only forgets it; deleting it in
 * AWS is a separate, deliberate step (docs/runbooks.md). Drill copies are disposable but leave a final snapshot.
 *
 * Automated backups are on from the start. The provider's restore call does not send BackupRetentionPeriod, so
 * a restore inherits its source's retention whatever the program asks, RDS takes a baseline backup right away,
 * and the provider waits for it (hashicorp/terraform-provider-aws#44104; docs/aws-facts.md). Asking for 0 would
 * not shorten that wait; it would only make the next `pulumi up` switch backups off on the serving database.
 * The bring-up model counts the wait, and the create timeout covers it.
 */
export function restoredInstance(ctx: InstanceContext, resourceName: string, identifier: string,
    from: aws.types.input.rds.InstanceRestoreToPointInTime, restore: { production: true } | { production: false; drillId: string }): aws.rds.Instance {
    const production = restore.production;
    const tags: Record<string, string> = { ...ctx.tags, ...(production ? {} : { [TAGS.lifecycle]: LIFECYCLE_DRILL }) };
    // Restores happen during bring-up, never in standby: the RTO model must count them.
    delete tags[TAGS.standby];
    return new aws.rds.Instance(resourceName, {
        ...commonInstanceArgs(ctx, identifier),
        // A drill's final snapshot is named per drill (vbr:drillId): a fixed name would make the next drill's
        // teardown fail until someone deleted this one. finalSnapshotIdentifier is not ForceNew (RDS reads it
        // only at deletion), so a new drillId updates the copy in place and never replaces it.
        ...(restore.production ? {} : { finalSnapshotIdentifier: `${identifier}-final-${restore.drillId}` }),
        restoreToPointInTime: from,
        multiAz: production,
        backupRetentionPeriod: rdsRetentionDays(ctx.settings.backupRetentionDays),
        deletionProtection: production,
        tags,
    }, {
        parent: ctx.parent, protect: production, retainOnDelete: production,
        customTimeouts: { create: restoreCreateTimeout(ctx.settings.allocatedStorageGiB) },
    });
}

/** The instance the service connects to, as plain values. */
export interface ServingDatabase {
    arn: string;
    identifier: string;
    address: string;
    port: number;
    /** RDS's DbiResourceId: IAM database authentication grants `rds-db:connect` on it. */
    resourceId: string;
}

/**
 * The instance the service uses and the ARNs of every production instance that holds writes of its own (the serving
 * one first, then those kept after a restore or a failback); a replica's data is its source's, so none is listed.
 */
export interface ProductionInstances {
    serving: ServingDatabase | undefined;
    arns: string[];
}

export function describe(instance: aws.rds.Instance | undefined): pulumi.Output<ServingDatabase | undefined> {
    if (instance === undefined) return pulumi.output(undefined);
    return pulumi.output({ arn: instance.arn, identifier: instance.identifier, address: instance.address, port: instance.port, resourceId: instance.resourceId });
}

/** `serving` described, and the ARNs of `backedUp` (undefined entries skipped), in order. */
export function describeAll(serving: aws.rds.Instance | undefined, backedUp: Array<aws.rds.Instance | undefined>): pulumi.Output<ProductionInstances> {
    const arns = backedUp.filter((i): i is aws.rds.Instance => i !== undefined).map((i) => i.arn);
    return pulumi.all([describe(serving), pulumi.all(arns)]).apply(([s, a]) => ({ serving: s, arns: a }));
}
