// The platform: one component that composes the whole stack from each component's args and wires their outputs
// together (keys into everything, the network under the database and the service, the data tier into the app tier).
// stacks/platform-args.ts maps the stack config to these args.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DATA_BUCKETS, DataBucket, Naming } from "../policies/model/naming";
import { AppTier, AppTierSettings, composeAppTier, createNetwork, NetworkSettings } from "./app-tier";
import { AuditTrail, AuditTrailArgs } from "./audit-trail";
import { BackupPlan, BackupPlanArgs } from "./backups";
import { Database, DatabaseArgs } from "./database";
import { PrimarySource } from "./database-dr";
import { ServingDatabase } from "./database-instance";
import { DocumentStore, DocumentStoreArgs } from "./document-store";
import { KeyRing, KeyRingArgs } from "./keys";
import { Network } from "./network";
import { ContainerRegistry, ContainerRegistryArgs } from "./registry";

/** How the DR stack reads the primary stack: which stack, and how its outputs become plain values. */
export interface PrimaryReader {
    /** The primary's fully qualified stack name, `<org>/<project>/<stack>`. */
    stackName: string;
    read(reference: pulumi.StackReference): Promise<PrimarySource>;
}

/** The DR stack's serving instance, as the recovering primary reads it from the DR stack's outputs. */
export interface DrSource {
    /** The DR stack's fully qualified name, for messages. */
    stack: string;
    /** Its `database` output: the instance it serves from (in failover). */
    database: { arn: string; identifier: string };
}

/** How the recovering primary reads the DR stack: which stack, and its serving instance as a plain value. */
export interface DrReader {
    /** The DR stack's fully qualified name, `<org>/<project>/<stack>`. */
    stackName: string;
    read(reference: pulumi.StackReference): Promise<DrSource>;
}

/** Each component's args, less what the platform wires in from the other components. */
export interface PlatformArgs {
    naming: Naming;
    /** The DR stack's primary, referenced as `<name>-primary` and read before anything else is built. @default - none: the primary */
    primary?: PrimaryReader;
    /**
     * The recovering primary's DR stack, referenced as `<name>-dr` and read before anything else is built: the failback
     * instance replicates its serving instance. @default - none: not recovering
     */
    dr?: DrReader;
    keys: Omit<KeyRingArgs, "naming" | "accountId">;
    network: NetworkSettings;
    documents: Omit<DocumentStoreArgs, "naming" | "accountId" | "dataKeyArn">;
    audit: Omit<AuditTrailArgs, "naming" | "accountId" | "logsKeyArn">;
    database: Omit<DatabaseArgs, "naming" | "accountId" | "dataKeyArn" | "secretsKeyArn" | "subnetIds" | "vpcSecurityGroupIds" | "primary">;
    backups: Omit<BackupPlanArgs, "naming" | "accountId" | "backupKeyArn" | "databaseArns" | "bucketArns" | "restoreTestNetwork">;
    registry: Omit<ContainerRegistryArgs, "naming" | "accountId" | "dataKeyArn">;
    app: AppTierSettings;
}

/** What a stack exports; the DR stack reads the primary's through a StackReference. */
export interface PlatformExports {
    database: pulumi.Output<ServingDatabase | undefined>;
    buckets: pulumi.Output<Record<DataBucket, { name: string; arn: string }>>;
    secretArn: pulumi.Output<string | undefined>;
    endpoint: pulumi.Output<string | undefined>;
    /** One-off tasks on the stack's cluster: the app's task definition, and the DR stack's validation task when active. */
    tasks: AppTier["tasks"];
    /** The instance the peer stack replicates from (see Database.replicationSource). */
    replicationSource: pulumi.Output<ServingDatabase | undefined>;
    /**
     * The DR stack's S3 Batch Operations role while it replicates back to the primary's region (npm run failback starts
     * a Batch Replication job with it); undefined otherwise.
     */
    batchReplicationRoleArn?: pulumi.Output<string>;
    /** The ECS cluster and service that take the writes (none in standby): npm run failback stops them in region B. */
    service?: pulumi.Output<{ cluster: string; name: string }>;
}

export interface PlatformComponents {
    keys: KeyRing;
    /** Created with the data tier because the database's subnet group and security group come from it. */
    network: Network;
    documents: DocumentStore;
    /** The CloudTrail trail, its log bucket and the monthly replica verification. */
    audit: AuditTrail;
    database: Database;
    backups: BackupPlan;
    registry: ContainerRegistry;
    /** Service, DNS and monitoring (the network above is shared with the data tier). */
    app: AppTier;
}

export class Platform extends pulumi.ComponentResource {
    /** The DR stack's reference to the primary stack; undefined on the primary. */
    readonly primaryReference?: pulumi.StackReference;
    /** The recovering primary's reference to the DR stack; undefined otherwise. */
    readonly drReference?: pulumi.StackReference;
    /** The components, composed by create() once the primary's exports are known. */
    declare readonly components: PlatformComponents;
    /** The stack's outputs, set by create(). */
    declare readonly exports: PlatformExports;

    /**
     * Registers the platform (and the DR stack's reference to the primary), reads the primary's exports as plain
     * values, then composes the components: what they create never depends on a value only known in an `apply`, so
     * a preview shows exactly what `pulumi up` does.
     */
    static async create(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions): Promise<Platform> {
        const platform = new Platform(name, args, opts);
        const primary = platform.primaryReference && args.primary ? await args.primary.read(platform.primaryReference) : undefined;
        const dr = platform.drReference && args.dr ? await args.dr.read(platform.drReference) : undefined;
        platform.compose(name, args, primary, dr);
        return platform;
    }

    private constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:platform:Platform", name, {}, opts);
        if (args.primary) this.primaryReference = new pulumi.StackReference(`${name}-primary`, { name: args.primary.stackName }, { parent: this });
        if (args.dr) this.drReference = new pulumi.StackReference(`${name}-dr`, { name: args.dr.stackName }, { parent: this });
    }

    private compose(name: string, args: PlatformArgs, primary: PrimarySource | undefined, dr: DrSource | undefined): void {
        const { naming } = args;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const child = { parent: this };
        const keys = new KeyRing(`${name}-keys`, { ...args.keys, naming, accountId }, child);
        // The network first: the database's subnet group and security group come from it; the app tier reuses it.
        const network = createNetwork(this, name, args.network, keys.arns.logs);
        const documents = new DocumentStore(`${name}-docs`, { ...args.documents, naming, accountId, dataKeyArn: keys.arns.data }, child);
        const audit = new AuditTrail(`${name}-trail`, { ...args.audit, naming, accountId, logsKeyArn: keys.arns.logs }, child);
        const database = new Database(`${name}-db`, {
            ...args.database, naming, accountId, dataKeyArn: keys.arns.data, secretsKeyArn: keys.arns.secrets,
            subnetIds: network.privateSubnetIds, vpcSecurityGroupIds: [network.dbSecurityGroupId], primary,
            failback: args.database.failback && { ...args.database.failback, source: dr?.database },
        }, child);
        const backups = new BackupPlan(`${name}-backup`, {
            ...args.backups, naming, accountId, backupKeyArn: keys.arns.backup,
            // The trail's log bucket is a data store too: AWS Backup covers it like the document buckets.
            databaseArns: database.backupArns, bucketArns: [...DATA_BUCKETS.map((b) => documents.buckets[b].arn), audit.bucket.arn],
            restoreTestNetwork: { dbSubnetGroupName: naming.dbIdentifier("subnets"), securityGroupIds: [network.dbSecurityGroupId] },
        }, child);
        const registry = new ContainerRegistry(`${name}-registry`, { ...args.registry, naming, accountId, dataKeyArn: keys.arns.data }, child);
        // Only an active stack has a database to serve from and a secret to read.
        const serving = args.app.service.active ? database.serving : undefined;
        const app = composeAppTier(this, name, args.app, network, {
            keys: keys.arns,
            buckets: mapBuckets((b) => ({ name: documents.buckets[b].bucket, arn: documents.buckets[b].arn })),
            secretArn: serving && database.secretArn.apply((arn) => arn as string),
            database: serving && {
                identifier: serving.apply((db) => db?.identifier as string),
                address: serving.apply((db) => db?.address as string),
                port: serving.apply((db) => db?.port as number),
                resourceId: serving.apply((db) => db?.resourceId as string),
            },
            repository: { url: registry.url, arn: registry.arn },
            integrityFunction: audit.verifier?.name,
        });
        const exports: PlatformExports = {
            database: database.serving,
            buckets: documents.exports,
            secretArn: database.secretArn,
            endpoint: app.endpoint,
            tasks: app.tasks,
            replicationSource: database.replicationSource,
            batchReplicationRoleArn: documents.batchReplicationRole?.arn,
            service: app.service.serviceName && pulumi.output({ cluster: app.service.clusterName, name: app.service.serviceName }),
        };
        Object.assign(this, { components: { keys, network, documents, audit, database, backups, registry, app }, exports });
        this.registerOutputs({});
    }
}

function mapBuckets<T>(f: (bucket: DataBucket) => T): Record<DataBucket, T> {
    return Object.fromEntries(DATA_BUCKETS.map((b) => [b, f(b)])) as Record<DataBucket, T>;
}
