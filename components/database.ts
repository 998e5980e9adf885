// The PostgreSQL database: the primary instance and its credentials, or the DR stack's replica/restore paths.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../policies/model/naming";
import { Role } from "../policies/model/states";
import { describe, describeAll, InstanceContext, InstanceSettings, ProductionInstances, ServingDatabase } from "./database-instance";
import { CorruptionRestore, primaryInstance, primaryInstances } from "./database-primary";
import { FailbackSettings } from "./database-failback";
import { DrDatabaseSettings, drInstances, notExportedWarning, PrimarySource, replicaSecretArn } from "./database-dr";

export interface DatabaseArgs extends InstanceSettings {
    naming: Naming;
    /** `primary` runs the instance and owns its secret; `dr` builds from the primary's exports (`primary`, `dr`). */
    role: Role;
    region: string;
    /** The other stack's region: the primary replicates its secret there, under that region's secrets key. */
    peerRegion: string;
    accountId: pulumi.Input<string>;
    /** This region's data CMK (storage, Performance Insights, replicated backups) and secrets CMK. */
    dataKeyArn: pulumi.Input<string>;
    secretsKeyArn: pulumi.Input<string>;
    /** Corruption runbook, on the stack that serves (the primary, or dr in failover). @default - no restore */
    restore?: CorruptionRestore;
    /** The primary's failback (vbr:dbFailbackId): its instance and state. @default - none */
    failback?: FailbackSettings;
    /** Required for the dr role: what it runs. @default - none (the primary role) */
    dr?: DrDatabaseSettings;
    /** Required for the dr role: the primary's exports, read before anything is built. @default - none (the primary role) */
    primary?: PrimarySource;
    /** Private subnets from the network. @default - no subnet group (the account's default VPC) */
    subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default - the VPC's default security group */
    vpcSecurityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default {} */
    tags?: Record<string, string>;
}

export class Database extends pulumi.ComponentResource {
    /** The primary instance (primary role only). */
    readonly instance?: aws.rds.Instance;
    /**
     * The instance the service uses: the primary (or its corruption restore, or its failback instance: a read replica
     * while the primary recovers, promoted once it serves); in DR the promoted replica or restored instance
     * (failover), the drill copy (drill), nothing in standby. Also the `database` stack output.
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

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:database:Database", name, {}, opts);
        const tags = { ...args.tags };
        const subnetGroupName = args.subnetIds === undefined ? undefined : new aws.rds.SubnetGroup(`${name}-subnets`, {
            name: args.naming.dbIdentifier("subnets"), subnetIds: args.subnetIds, tags: { ...tags },
        }, { parent: this }).name;
        const ctx: InstanceContext = {
            parent: this, naming: args.naming, settings: args, dataKeyArn: args.dataKeyArn,
            subnetGroupName, vpcSecurityGroupIds: args.vpcSecurityGroupIds, tags,
        };
        let instances: pulumi.Output<ProductionInstances>;
        if (args.role === "primary") {
            const { instance, secretArn } = primaryInstance(ctx, name, args);
            this.instance = instance;
            this.secretArn = secretArn;
            const { serving, writer, backedUp } = primaryInstances(ctx, name, instance, args.restore, args.failback);
            instances = describeAll(serving, backedUp);
            // A restore has automated backups from the moment `pulumi up` creates it (restoredInstance), and so does
            // a promoted failback instance (its backups ran as a replica already): the peer replicates the instance
            // that takes the writes. While the primary recovers that is still the one it served from before the
            // failover, which the serving DR stack's pieces are named after.
            this.replicationSource = describe(writer);
        } else {
            const { primary, dr } = args;
            if (!primary || !dr) throw new Error("Database: the dr role needs `primary` (the primary's exports) and `dr` (its state)");
            this.secretArn = pulumi.output(replicaSecretArn(primary.secretArn, args.peerRegion, args.region));
            const source = primary.replicationSource;
            if (source === undefined) {
                pulumi.log.warn(notExportedWarning(primary.stack), this);
                instances = describeAll(undefined, []);
            } else {
                const { serving, kept, warning } = drInstances(ctx, name, dr, source, args.restore);
                const described = describeAll(serving, [serving, kept]);
                // Warned before the outputs resolve, so whoever awaits the database has seen the warning.
                instances = warning === undefined ? described
                    : pulumi.all([warning, described]).apply(([w, d]) => { pulumi.log.warn(w, this); return d; });
            }
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
}
