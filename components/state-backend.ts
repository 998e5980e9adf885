// A self-managed Pulumi state backend that outlives either region: a CMK-encrypted, versioned state bucket in
// each region, the first replicating to the second with Replication Time Control.
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../policies/model/naming";
import { REPLICATION_DESTINATION, TAGS } from "../policies/model/tags";
import { KeyRing } from "./keys";
import { replicateBuckets } from "./replication";
import { SecureBucket } from "./secure-bucket";

export interface StateBackendArgs {
    /** Names everything; use `new Naming("<environment>-state")` so aliases never clash with the stacks' keys. */
    naming: Naming;
    /** Where `pulumi login` points day to day. */
    region: string;
    /** Where the replica lives; log in to it when `region` is down. */
    peerRegion: string;
    accountId: pulumi.Input<string>;
}

export class StateBackend extends pulumi.ComponentResource {
    /** The bucket names to `pulumi login s3://...` to, primary first. */
    readonly bucketNames: pulumi.Output<string>[];

    constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:state:StateBackend", name, {}, opts);
        const { naming, accountId } = args;
        const regions = [args.region, args.peerRegion];
        const stores = regions.map((region) => {
            const keys = new KeyRing(`${name}-keys-${region}`, { naming, region, accountId, classes: ["data"] as const }, { parent: this });
            const bucket = new SecureBucket(`${name}-${region}`, {
                bucketName: naming.stateBucketName(region), region, kmsKeyArn: keys.arns.data,
                tags: region === args.peerRegion ? { [TAGS.replication]: REPLICATION_DESTINATION } : {},
            }, { parent: this });
            return { keys, bucket };
        });
        const [source, replica] = stores;
        replicateBuckets(this, name, {
            region: args.region, destinationRegion: args.peerRegion,
            sourceKeyArn: source.keys.arns.data, replicaKey: { arn: replica.keys.arns.data },
            links: [{
                resourceName: `${name}-to-${args.peerRegion}`, ruleId: `state-to-${args.peerRegion}`,
                source: source.bucket, destinationBucketName: naming.stateBucketName(args.peerRegion),
                destinationVersioning: replica.bucket.versioning,
            }],
        });
        this.bucketNames = stores.map((s) => s.bucket.name);
        this.registerOutputs({ bucketNames: this.bucketNames });
    }
}
