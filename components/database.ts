// The PostgreSQL database: the primary instance and its credentials, or the DR stack's replica/restore paths.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rdsRetentionDays, StackConfig } from "../stacks/config";
import { Naming } from "../stacks/naming";
import { PrimaryDatabase, PrimaryReference } from "../stacks/primary-reference";

type DbConfig = Pick<StackConfig, "role" | "drState" | "drDatabase" | "region" | "peerRegion" | "backupRetentionDays" |
    "dbInstanceClass" | "dbAllocatedStorageGiB" | "dbEngineVersion" | "dbRestoreTime" | "restoredDbBackupsEnabled" | "drillId">;

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

/** RDS windows (UTC): the DR plan's 02:00 backup, and maintenance well clear of it and of AWS Backup's 03:00 rule. */
export const BACKUP_WINDOW = "02:00-02:30";
export const MAINTENANCE_WINDOW = "sun:05:00-sun:05:30";
export const MASTER_USERNAME = "vbr_admin";
/** Retention of the replicated automated backups in the DR region (RDS maximum; the plan's 35 days). */
export const REPLICATED_BACKUP_RETENTION_DAYS = 35;

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
     * exist). Undefined in the DR stack: nothing replicates out of it.
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
            // The peer copies from the restore only once it has automated backups to copy.
            this.replicationSource = describe(restored && cfg.restoredDbBackupsEnabled ? restored : instance);
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
                const { serving, kept } = this.drInstances(name, db);
                return describeAll(serving, kept);
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
            iamDatabaseAuthenticationEnabled: true, publiclyAccessible: false, autoMinorVersionUpgrade: true,
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
            multiAz: true, backupRetentionPeriod: rdsRetentionDays(cfg), deletionProtection: true,
            username: MASTER_USERNAME, password,
            tags: this.tags(),
        }, { parent: this, protect: true, ignoreChanges: ["password"] });
        return { instance, secretArn: secret.arn };
    }

    /** Corruption runbook: a new instance restored to `vbr:dbRestoreTime`; the damaged source is kept untouched. */
    private corruptionRestore(name: string, source: aws.rds.Instance): aws.rds.Instance | undefined {
        const cfg = this.args.config;
        if (cfg.dbRestoreTime === undefined) return undefined;
        return this.restored(`${name}-restored`, this.args.naming.dbIdentifier("restored"),
            { sourceDbInstanceIdentifier: source.identifier, restoreTime: cfg.dbRestoreTime }, true);
    }

    /**
     * A restored instance. Protected ones (failover, corruption) serve production: Multi-AZ, deletion protection,
     * backups deferred until `vbr:restoredDbBackupsEnabled`. Drill copies are disposable but leave a final snapshot.
     */
    private restored(resourceName: string, identifier: string, from: aws.types.input.rds.InstanceRestoreToPointInTime, production: boolean): aws.rds.Instance {
        const backupsOn = production && this.args.config.restoredDbBackupsEnabled;
        const tags = this.tags(production ? {} : { "vbr:lifecycle": "drill" });
        if (!backupsOn) tags["vbr:backups"] = "deferred";
        // Restores happen during bring-up, never in standby: the RTO model must count them.
        delete tags["vbr:standby"];
        return new aws.rds.Instance(resourceName, {
            ...this.common(identifier),
            // A drill's final snapshot is named per drill (vbr:drillId): a fixed name would make the next drill's
            // teardown fail until someone deleted this one. finalSnapshotIdentifier is not ForceNew (RDS reads it
            // only at deletion), so a new drillId updates the copy in place and never replaces it.
            ...(production ? {} : { finalSnapshotIdentifier: `${identifier}-final-${this.args.config.drillId}` }),
            restoreToPointInTime: from,
            multiAz: production,
            backupRetentionPeriod: backupsOn ? rdsRetentionDays(this.args.config) : 0,
            deletionProtection: production,
            tags,
        }, { parent: this, protect: production });
    }

    /** The DR side, once the primary has exported its database. Returns the serving instance, if any. */
    private drInstances(name: string, db: PrimaryDatabase): { serving?: aws.rds.Instance; kept?: aws.rds.Instance } {
        const { naming, config: cfg } = this.args;
        // Created in the destination (this) region: the DR stack never calls the primary region's API.
        const backups = new aws.rds.InstanceAutomatedBackupsReplication(`${name}-backups`, {
            sourceDbInstanceArn: db.arn, retentionPeriod: REPLICATED_BACKUP_RETENTION_DAYS, kmsKeyId: this.args.dataKeyArn,
        }, { parent: this, protect: true });
        const fromBackups = { sourceDbInstanceAutomatedBackupsArn: backups.id, useLatestRestorableTime: true };
        let serving: aws.rds.Instance | undefined;
        if (cfg.drDatabase === "replica") {
            const failover = cfg.drState === "failover";
            // Same resource in every state: failover drops replicateSourceDb, which promotes it in place.
            serving = new aws.rds.Instance(`${name}-replica`, {
                ...this.common(naming.dbIdentifier()),
                replicateSourceDb: failover ? undefined : db.arn,
                multiAz: failover,
                backupRetentionPeriod: failover ? REPLICATED_BACKUP_RETENTION_DAYS : 0,
                deletionProtection: true,
                tags: this.tags(),
            }, { parent: this, protect: true });
            if (!failover) serving = undefined;
        } else if (cfg.drState === "failover") {
            serving = this.restored(`${name}-failover`, naming.dbIdentifier(), fromBackups, true);
        }
        if (cfg.drState === "drill") {
            // Its own copy of the data: never the live replica.
            return { serving: this.restored(`${name}-drill`, naming.dbIdentifier("drill"), fromBackups, false) };
        }
        if (serving !== undefined && cfg.drState === "failover") {
            const restored = this.corruptionRestore(name, serving);
            if (restored) return { serving: restored, kept: serving };
        }
        return { serving };
    }
}
