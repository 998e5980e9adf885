// The DR stack's one view of the primary stack: typed accessors over a StackReference (read from the state backend).
import * as pulumi from "@pulumi/pulumi";

/** What the primary exports as `database` (see PlatformExports). */
export interface PrimaryDatabase {
    arn: string;
    identifier: string;
    address: string;
    port: number;
}

export class PrimaryReference {
    readonly ref: pulumi.StackReference;

    /** @param stackName `vbr:primaryStack`, e.g. `acme/vbr/primary`. */
    constructor(name: string, readonly stackName: string, opts?: pulumi.CustomResourceOptions) {
        this.ref = new pulumi.StackReference(name, { name: stackName }, opts);
    }

    /** The instance the primary serves from. Undefined until the primary has been deployed once. */
    get database(): pulumi.Output<PrimaryDatabase | undefined> {
        return this.ref.getOutput("database") as pulumi.Output<PrimaryDatabase | undefined>;
    }

    /**
     * The instance the DR stack replicates (automated backups, read replica). During a corruption restore it stays
     * the restore's source (the original, or `vbr:dbRestoreSource`) until the restored one has backups; the DR
     * stack names its backups replication and replica per source. Undefined until the primary is deployed.
     */
    get replicationSource(): pulumi.Output<PrimaryDatabase | undefined> {
        return this.ref.getOutput("replicationSource") as pulumi.Output<PrimaryDatabase | undefined>;
    }

    /** ARN of the primary's database secret, in the primary region. */
    get secretArn(): pulumi.Output<string | undefined> {
        return this.ref.getOutput("secretArn") as pulumi.Output<string | undefined>;
    }

    get buckets(): pulumi.Output<Record<string, { name: string; arn: string }> | undefined> {
        return this.ref.getOutput("buckets") as pulumi.Output<Record<string, { name: string; arn: string }> | undefined>;
    }

    get endpoint(): pulumi.Output<string | undefined> {
        return this.ref.getOutput("endpoint") as pulumi.Output<string | undefined>;
    }
}
