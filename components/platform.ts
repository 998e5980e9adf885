// The platform: one component that turns the stack configuration into the whole stack.
//
// Config flows in here and nowhere else; this composes the small components (keys, storage, database,
// backups, registry, network, service, DNS, monitoring), each of which creates AWS resources.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../stacks/config";
import { isActive } from "../policies/model/states";
import { DATA_BUCKETS, DataBucket, Naming } from "../policies/model/naming";
import { PrimaryReference } from "../stacks/primary-reference";
import { AppTier, composeAppTier, createNetwork, keptTags } from "./app-tier";
import { BackupPlan } from "./backups";
import { Database } from "./database";
import { DocumentStore } from "./document-store";
import { KeyRing } from "./keys";
import { Network } from "./network";
import { ContainerRegistry } from "./registry";

export interface PlatformArgs {
    config: StackConfig;
}

/** What a stack exports; the DR stack reads the primary's through a StackReference. */
export interface PlatformExports {
    database: pulumi.Output<{ arn: string; identifier: string; address: string; port: number } | undefined>;
    buckets: pulumi.Output<Record<DataBucket, { name: string; arn: string }>>;
    secretArn: pulumi.Output<string | undefined>;
    endpoint: pulumi.Output<string | undefined>;
    /** The instance the peer stack replicates from (see Database.replicationSource). */
    replicationSource: pulumi.Output<{ arn: string; identifier: string; address: string; port: number } | undefined>;
}

export class Platform extends pulumi.ComponentResource {
    readonly exports: PlatformExports;
    readonly keys: KeyRing;
    /** Created with the data tier because the database's subnet group and security group come from it. */
    readonly network: Network;
    readonly documents: DocumentStore;
    readonly database: Database;
    readonly backups: BackupPlan;
    readonly registry: ContainerRegistry;
    /** Service, DNS and monitoring (the network above is shared with the data tier). */
    readonly app: AppTier;
    /** The DR stack's view of the primary (dr role only). */
    readonly primary?: PrimaryReference;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:platform:Platform", name, {}, opts);
        // DATA TIER (issue 2) composes here.
        const cfg = args.config;
        const naming = new Naming(cfg.environment);
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const kept = keptTags(cfg);
        const child = { parent: this };
        this.keys = new KeyRing(`${name}-keys`, { naming, region: cfg.region, accountId, tags: kept }, child);
        // The network first: the database's subnet group and security group come from it; the app tier reuses it.
        this.network = createNetwork(this, name, cfg, this.keys.arns.logs);
        this.documents = new DocumentStore(`${name}-docs`, {
            naming, role: cfg.role, region: cfg.region, peerRegion: cfg.peerRegion, accountId, dataKeyArn: this.keys.arns.data, tags: kept,
        }, child);
        // parseStackConfig guarantees primaryStack on the dr role.
        this.primary = cfg.role === "dr" ? new PrimaryReference(`${name}-primary`, cfg.primaryStack as string, child) : undefined;
        this.database = new Database(`${name}-db`, {
            naming, config: cfg, accountId, dataKeyArn: this.keys.arns.data, secretsKeyArn: this.keys.arns.secrets,
            subnetIds: this.network.privateSubnetIds, vpcSecurityGroupIds: [this.network.dbSecurityGroupId],
            primary: this.primary, tags: kept,
        }, child);
        // The stack that serves traffic runs the plan (the DR stack from failover on: the same service, copying back).
        this.backups = new BackupPlan(`${name}-backup`, {
            naming, serving: cfg.role === "primary" || cfg.drState === "failover", peerRegion: cfg.peerRegion, accountId,
            backupKeyArn: this.keys.arns.backup, backupRetentionDays: cfg.backupRetentionDays, weeklyRetentionDays: cfg.weeklyRetentionDays,
            lockMode: cfg.vaultLockMode, lockGraceDays: cfg.vaultLockGraceDays,
            databaseArns: this.database.backupArns, bucketArns: DATA_BUCKETS.map((b) => this.documents.buckets[b].arn), tags: kept,
            restoreTestNetwork: { dbSubnetGroupName: naming.dbIdentifier("subnets"), securityGroupIds: [this.network.dbSecurityGroupId] },
        }, child);
        this.registry = new ContainerRegistry(`${name}-registry`, {
            naming, role: cfg.role, peerRegion: cfg.peerRegion, accountId, dataKeyArn: this.keys.arns.data, tags: kept,
        }, child);
        // APP TIER (issue 5): only an active stack has a database to serve from and a secret to read.
        const serving = isActive(cfg) ? this.database.serving : undefined;
        this.app = composeAppTier(this, name, cfg, this.network, {
            keys: this.keys.arns,
            buckets: mapBuckets((b) => ({ name: this.documents.buckets[b].bucket, arn: this.documents.buckets[b].arn })),
            secretArn: serving && this.database.secretArn.apply((arn) => arn as string),
            database: serving && {
                identifier: serving.apply((db) => db?.identifier as string),
                address: serving.apply((db) => db?.address as string),
                port: serving.apply((db) => db?.port as number),
            },
            repository: { url: this.registry.url, arn: this.registry.arn },
        });
        this.exports = {
            database: this.database.serving,
            buckets: this.documents.exports,
            secretArn: this.database.secretArn,
            endpoint: this.app.endpoint,
            replicationSource: this.database.replicationSource,
        };
        this.registerOutputs({});
    }
}

function mapBuckets<T>(f: (bucket: DataBucket) => T): Record<DataBucket, T> {
    return Object.fromEntries(DATA_BUCKETS.map((b) => [b, f(b)])) as Record<DataBucket, T>;
}
