// The PostgreSQL database: the primary instance and its credentials, or the DR stack's replica/restore paths.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../stacks/config";
import { RDS_MAX_BACKUP_RETENTION_DAYS, REPLICATED_BACKUP_RETENTION_DAYS } from "../policies/model/plan";
import { LIFECYCLE_DRILL, TAGS } from "../policies/model/tags";
import { Naming } from "../policies/model/naming";
import { PrimaryDatabase, PrimaryReference } from "../stacks/primary-reference";
import provisioningTimes from "../policies/data/provisioning-times.json";

type DbConfig = Pick<StackConfig, "role" | "drState" | "drDatabase" | "region" | "peerRegion" | "backupRetentionDays" |
    "dbInstanceClass" | "dbAllocatedStorageGiB" | "dbEngineVersion" | "dbRestoreTime" | "dbRestoreSource" | "drillId">;

export interface DatabaseArgs {
    naming: Naming;
    config: DbConfig;
    accountId: pulumi.Input<string>;
    /** This region's data CMK (storage, Performance Insights, replicated backups) and secrets CMK. */
    dataKeyArn: pulumi.Input<string>;
    secretsKeyArn: pulumi.Input<string>;
    /** Private subnets from the network. @default - no subnet group (the account's default VPC) */
    subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default - the VPC's default security group */
    vpcSecurityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** Required for the dr role: where the primary database and secret are read from. */
    primary?: PrimaryReference;
    /** @default {} */
    tags?: Record<string, string>;
}

/** RDS windows (UTC): the DR plan's 02:00 backup, and maintenance clear of it and of AWS Backup's jobs (backups.ts). */
export const BACKUP_WINDOW = "02:00-02:30";
export const MAINTENANCE_WINDOW = "sun:05:00-sun:05:30";
export const MASTER_USERNAME = "vbr_admin";

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

/**
 * How the DR stack names what it creates per replication source: undefined (today's names, `-backups`,
 * `-replica`, identifier `vbr-<env>-postgres`) for the primary's original instance, else the source identifier's
 * suffix after `vbr-<env>-postgres-` (`r20261129t1345`), or the whole identifier when it has another form.
 */
export function drSourceSuffix(naming: Naming, sourceIdentifier: string): string | undefined {
    const original = naming.dbIdentifier();
    if (sourceIdentifier === original) return undefined;
    return sourceIdentifier.startsWith(`${original}-`) ? sourceIdentifier.slice(original.length + 1) : sourceIdentifier;
}

/** The instance the service connects to, as plain values. */
export interface ServingDatabase {
    arn: string;
    identifier: string;
    address: string;
    port: number;
}

function describe(instance: aws.rds.Instance | undefined): pulumi.Output<ServingDatabase | undefined> {
    if (instance === undefined) return pulumi.output(undefined);
    return pulumi.output({ arn: instance.arn, identifier: instance.identifier, address: instance.address, port: instance.port });
}

/** The serving instance and the ARNs of every production instance (serving first, then one kept after a restore). */
interface ProductionInstances {
    serving: ServingDatabase | undefined;
    arns: string[];
}

function describeAll(serving: aws.rds.Instance | undefined, kept: aws.rds.Instance | undefined): pulumi.Output<ProductionInstances> {
    return pulumi.all([describe(serving), kept?.arn]).apply(([s, keptArn]) => ({
        serving: s, arns: [s?.arn, keptArn].filter((a): a is string => a !== undefined),
    }));
}

export class Database extends pulumi.ComponentResource {
    /** The primary instance (primary role only; DR instances depend on the primary's exports). */
    readonly instance?: aws.rds.Instance;
    /**
     * The instance the service uses: the primary (or its corruption restore); in DR the promoted replica or
     * restored instance (failover), the drill copy (drill), nothing in standby. Also the `database` stack output.
     */
    readonly serving: pulumi.Output<ServingDatabase | undefined>;
    readonly arn: pulumi.Output<string | undefined>;
    readonly address: pulumi.Output<string | undefined>;
    readonly port: pulumi.Output<number | undefined>;
    readonly identifier: pulumi.Output<string | undefined>;
    /**
     * The instance the peer region copies from (the `replicationSource` stack output): the primary's original
     * instance, or its corruption restore once that has backups (RDS replicates only automated backups that
     * exist); until then the restore's source (`vbr:dbRestoreSource`, default the original), which is what the
     * peer already replicates. Undefined in the DR stack: nothing replicates out of it.
     */
    readonly replicationSource: pulumi.Output<ServingDatabase | undefined>;
    /**
     * ARNs of every production instance in this stack, serving first: AWS Backup selects them all, so a damaged
     * instance kept by the corruption runbook still has copies in the peer region.
     */
    readonly backupArns: pulumi.Output<string[]>;
    /** The credentials secret in this region (the replica's ARN in the DR stack). */
    readonly secretArn: pulumi.Output<string | undefined>;

    private readonly args: DatabaseArgs;
    private readonly subnetGroupName?: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:database:Database", name, {}, opts);
        this.args = args;
        const cfg = args.config;
        if (args.subnetIds !== undefined) {
            this.subnetGroupName = new aws.rds.SubnetGroup(`${name}-subnets`, {
                name: args.naming.dbIdentifier("subnets"), subnetIds: args.subnetIds, tags: this.tags(),
            }, { parent: this }).name;
        }
        let instances: pulumi.Output<ProductionInstances>;
        if (cfg.role === "primary") {
            const { instance, secretArn } = this.primaryInstance(name);
            this.instance = instance;
            this.secretArn = secretArn;
            const restored = this.corruptionRestore(name, instance);
            instances = pulumi.output(describeAll(restored ?? instance, restored && instance));
            // A restore has automated backups from the moment `pulumi up` creates it (see restored()), so the peer
            // replicates the serving instance.
            this.replicationSource = describe(restored ?? instance);
        } else {
            if (!args.primary) throw new Error("Database: the dr role needs `primary` (a PrimaryReference to vbr:primaryStack)");
            const primary = args.primary;
            // A Secrets Manager replica keeps the primary secret's name and suffix; only the region differs.
            this.secretArn = primary.secretArn.apply((arn) => arn?.replace(`:${cfg.peerRegion}:`, `:${cfg.region}:`));
            instances = primary.replicationSource.apply((db) => {
                if (db === undefined) {
                    pulumi.log.warn(`stack ${primary.stackName} has not exported "replicationSource" yet: skipping the automated backups ` +
                        "replication, read replica and restores. Run `pulumi up -s primary`, then this stack again.", this);
                    return describeAll(undefined, undefined);
                }
                const { serving, kept, warning } = this.drInstances(name, db);
                const described = describeAll(serving, kept);
                if (warning === undefined) return described;
                // Warned before the outputs resolve, so whoever awaits the database has seen the warning.
                return pulumi.all([warning, described]).apply(([w, d]) => { pulumi.log.warn(w, this); return d; });
            });
            this.replicationSource = pulumi.output(undefined);
        }
        const serving = instances.apply((i) => i.serving);
        this.backupArns = instances.apply((i) => i.arns);
        this.serving = serving;
        this.arn = serving.apply((i) => i?.arn);
        this.address = serving.apply((i) => i?.address);
        this.port = serving.apply((i) => i?.port);
        this.identifier = serving.apply((i) => i?.identifier);
        this.registerOutputs({
            arn: this.arn, address: this.address, port: this.port, identifier: this.identifier, secretArn: this.secretArn,
            replicationSource: this.replicationSource, backupArns: this.backupArns,
        });
    }

    private tags(extra: Record<string, string> = {}): Record<string, string> {
        return { ...this.args.tags, ...extra };
    }

    /** Settings every instance shares: encryption with this region's data key, windows, protection, auth. */
    private common(identifier: string): aws.rds.InstanceArgs & { instanceClass: string } {
        const { config: cfg, dataKeyArn } = this.args;
        return {
            identifier, instanceClass: cfg.dbInstanceClass, storageType: "gp3",
            storageEncrypted: true, kmsKeyId: dataKeyArn,
            backupWindow: BACKUP_WINDOW, maintenanceWindow: MAINTENANCE_WINDOW,
            copyTagsToSnapshot: true, skipFinalSnapshot: false, finalSnapshotIdentifier: `${identifier}-final`,
            performanceInsightsEnabled: true, performanceInsightsKmsKeyId: dataKeyArn,
            iamDatabaseAuthenticationEnabled: true, publiclyAccessible: false,
            // With automatic minor upgrades the engine version is a major version only (config validation): a pinned
            // minor would make the provider plan a downgrade after RDS upgrades the instance.
            autoMinorVersionUpgrade: true,
            // Every change a runbook makes (promotion's Multi-AZ and retention, backups after a restore, more storage
            // after the free-storage alarm) must take effect at `pulumi up`, not in next week's maintenance window.
            applyImmediately: true,
            dbSubnetGroupName: this.subnetGroupName, vpcSecurityGroupIds: this.args.vpcSecurityGroupIds,
        };
    }

    private primaryInstance(name: string): { instance: aws.rds.Instance; secretArn: pulumi.Output<string> } {
        const { naming, config: cfg } = this.args;
        // Our own secret, not manageMasterUserPassword: RDS refuses cross-region read replicas with the latter.
        const secret = new aws.secretsmanager.Secret(`${name}-credentials`, {
            name: naming.secretName(), kmsKeyId: this.args.secretsKeyArn, recoveryWindowInDays: 30,
            replicas: [{ region: cfg.peerRegion, kmsKeyId: naming.keyAliasArn("secrets", cfg.peerRegion, this.args.accountId) }],
            tags: this.tags(),
        }, { parent: this, protect: true });
        // The invoke answers anew on every run: ignoreChanges keeps the first password in the secret and the instance.
        const password = pulumi.secret(aws.secretsmanager.getRandomPasswordOutput({
            passwordLength: 32, excludePunctuation: true, requireEachIncludedType: true,
        }, { parent: this }).randomPassword);
        new aws.secretsmanager.SecretVersion(`${name}-credentials`, {
            secretId: secret.id,
            secretString: pulumi.jsonStringify({ username: MASTER_USERNAME, password }),
        }, { parent: this, ignoreChanges: ["secretString"] });
        const instance = new aws.rds.Instance(`${name}-postgres`, {
            ...this.common(naming.dbIdentifier()),
            engine: "postgres", engineVersion: cfg.dbEngineVersion, allocatedStorage: cfg.dbAllocatedStorageGiB,
            multiAz: true, backupRetentionPeriod: rdsRetentionDays(cfg.backupRetentionDays), deletionProtection: true,
            username: MASTER_USERNAME, password,
            tags: this.tags(),
        }, { parent: this, protect: true, ignoreChanges: ["password"] });
        return { instance, secretArn: secret.arn };
    }

    /**
     * Corruption runbook: a new instance restored to `vbr:dbRestoreTime` from `vbr:dbRestoreSource` (default: this
     * stack's original instance, `original`), named after the instant: `${name}-restored-<stamp>`, identifier
     * `vbr-<env>-postgres-r<stamp>`. A later restore time therefore adds an instance instead of replacing this one
     * (restoreToPointInTime forces replacement); the earlier restore leaves the program, where protect makes
     * Pulumi refuse until an operator unprotects it, and retainOnDelete keeps it running in AWS even then.
     */
    private corruptionRestore(name: string, original: aws.rds.Instance): aws.rds.Instance | undefined {
        const cfg = this.args.config;
        if (cfg.dbRestoreTime === undefined) return undefined;
        const stamp = restoreStamp(cfg.dbRestoreTime);
        const identifier = checkRdsIdentifier(this.args.naming.dbIdentifier(`r${stamp}`), `vbr:dbRestoreTime ${cfg.dbRestoreTime}`);
        return this.restored(`${name}-restored-${stamp}`, identifier,
            { sourceDbInstanceIdentifier: cfg.dbRestoreSource ?? original.identifier, restoreTime: cfg.dbRestoreTime }, true);
    }

    /**
     * A restored instance. Protected ones (failover, corruption) serve production: Multi-AZ, deletion protection and
     * retainOnDelete: once an operator unprotects one that left the program, Pulumi only forgets it; deleting it in
     * AWS is a separate, deliberate step (README). Drill copies are disposable but leave a final snapshot.
     *
     * Automated backups are on from the start. The provider's restore call does not send BackupRetentionPeriod, so
     * a restore inherits its source's retention whatever the program asks, RDS takes a baseline backup right away,
     * and the provider waits for it (hashicorp/terraform-provider-aws#44104; docs/aws-facts.md). Asking for 0 would
     * not shorten that wait; it would only make the next `pulumi up` switch backups off on the serving database.
     * The bring-up model counts the wait, and the create timeout covers it.
     */
    private restored(resourceName: string, identifier: string, from: aws.types.input.rds.InstanceRestoreToPointInTime, production: boolean): aws.rds.Instance {
        const tags = this.tags(production ? {} : { [TAGS.lifecycle]: LIFECYCLE_DRILL });
        // Restores happen during bring-up, never in standby: the RTO model must count them.
        delete tags[TAGS.standby];
        return new aws.rds.Instance(resourceName, {
            ...this.common(identifier),
            // A drill's final snapshot is named per drill (vbr:drillId): a fixed name would make the next drill's
            // teardown fail until someone deleted this one. finalSnapshotIdentifier is not ForceNew (RDS reads it
            // only at deletion), so a new drillId updates the copy in place and never replaces it.
            ...(production ? {} : { finalSnapshotIdentifier: `${identifier}-final-${this.args.config.drillId}` }),
            restoreToPointInTime: from,
            multiAz: production,
            backupRetentionPeriod: rdsRetentionDays(this.args.config.backupRetentionDays),
            deletionProtection: production,
            tags,
        }, { parent: this, protect: production, retainOnDelete: production, customTimeouts: { create: restoreCreateTimeout(this.args.config.dbAllocatedStorageGiB) } });
    }

    /**
     * The DR side, once the primary has exported its database. Returns the serving instance, if any, and the
     * warning to give when the primary replicates from an instance other than its original one.
     *
     * The backups replication (sourceDbInstanceArn) and the read replica (replicateSourceDb) cannot follow a new
     * source: both inputs force replacement, and RDS refuses a new source for an existing replica. So they are
     * named per source: today's names for the original `vbr-<env>-postgres`, suffixed ones for a corruption
     * restore. Pieces of an earlier source leave the program; protect stops `pulumi up` until an operator
     * unprotects them, and retainOnDelete keeps them replicating in AWS until the new replica is in sync.
     */
    private drInstances(name: string, db: PrimaryDatabase): { serving?: aws.rds.Instance; kept?: aws.rds.Instance; warning?: pulumi.Output<string> } {
        const { naming, config: cfg } = this.args;
        const suffix = drSourceSuffix(naming, db.identifier);
        const perSource = (piece: string) => (suffix === undefined ? `${name}-${piece}` : `${name}-${piece}-${suffix}`);
        const replicaIdentifier = checkRdsIdentifier(naming.dbIdentifier(suffix),
            `the primary's replicationSource "${db.identifier}" (vbr:dbRestoreSource / vbr:dbRestoreTime on the primary)`);
        const warning = suffix === undefined ? undefined : this.newSourceWarning(name, db.identifier, perSource, replicaIdentifier);
        // Created in the destination (this) region: the DR stack never calls the primary region's API.
        const backups = new aws.rds.InstanceAutomatedBackupsReplication(perSource("backups"), {
            sourceDbInstanceArn: db.arn, retentionPeriod: REPLICATED_BACKUP_RETENTION_DAYS, kmsKeyId: this.args.dataKeyArn,
        }, { parent: this, protect: true, retainOnDelete: true });
        const fromBackups = { sourceDbInstanceAutomatedBackupsArn: backups.id, useLatestRestorableTime: true };
        let serving: aws.rds.Instance | undefined;
        if (cfg.drDatabase === "replica") {
            const failover = cfg.drState === "failover";
            // Same resource in every state: failover drops replicateSourceDb, which promotes it in place.
            serving = new aws.rds.Instance(perSource("replica"), {
                ...this.common(replicaIdentifier),
                replicateSourceDb: failover ? undefined : db.arn,
                multiAz: failover,
                // Backups on the standby replica too (RDS for PostgreSQL 14.1 and later): AWS's advice before a
                // promotion, so promoting takes no backup of its own and the retention does not change then.
                backupRetentionPeriod: REPLICATED_BACKUP_RETENTION_DAYS,
                deletionProtection: true,
                tags: this.tags(),
            }, { parent: this, protect: true, retainOnDelete: true });
            if (!failover) serving = undefined;
        } else if (cfg.drState === "failover") {
            serving = this.restored(`${name}-failover`, naming.dbIdentifier(), fromBackups, true);
        }
        if (cfg.drState === "drill") {
            // Its own copy of the data: never the live replica.
            return { serving: this.restored(`${name}-drill`, naming.dbIdentifier("drill"), fromBackups, false), warning };
        }
        if (serving !== undefined && cfg.drState === "failover") {
            const restored = this.corruptionRestore(name, serving);
            if (restored) return { serving: restored, kept: serving, warning };
        }
        return { serving, warning };
    }

    /** What the operator must do when the primary's replication source is no longer its original instance. */
    private newSourceWarning(name: string, source: string, perSource: (piece: string) => string, replicaIdentifier: string): pulumi.Output<string> {
        const { naming, config: cfg } = this.args;
        const stack = pulumi.getStack();
        const urn = (piece: string, type: string) => pulumi.createUrn(`${name}-${piece}`, type, this);
        const backupsType = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
        const instanceType = "aws:rds/instance:Instance";
        const replica = cfg.drDatabase === "replica";
        return pulumi.all([urn("backups", backupsType), urn("replica", instanceType)]).apply(([backupsUrn, replicaUrn]) => [
            `the primary replicates from "${source}", not from its original instance "${naming.dbIdentifier()}" (a corruption restore).`,
            `This stack creates a new automated backups replication "${perSource("backups")}"` +
                (replica ? ` and a new read replica "${perSource("replica")}" (identifier ${replicaIdentifier})` : "") +
                " for it: RDS cannot point the existing ones at a new source.",
            "The pieces of the previous source leave the program and are protected, so `pulumi preview` and `pulumi up` " +
                `on this stack fail with "currently marked for protection" until you unprotect each URN they name; for the original source:`,
            `  pulumi state unprotect -s ${stack} --yes '${backupsUrn}'`,
            ...(replica ? [`  pulumi state unprotect -s ${stack} --yes '${replicaUrn}'`] : []),
            `then \`pulumi up -s ${stack}\`. They are retainOnDelete: Pulumi only forgets them and they keep replicating in AWS.` +
                (replica ? ` Once "${replicaIdentifier}" is in sync, delete the old read replica with the AWS CLI;` : "") +
                ` stop the old backups replication only when its source is retired (README, "Database corruption").`,
        ].join("\n"));
    }
}
