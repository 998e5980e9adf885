// The container registry: this region's repository and, on the primary, registry-wide replication to the peer.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Role } from "../policies/model/states";
import { Naming } from "../policies/model/naming";

export interface ContainerRegistryArgs {
    naming: Naming;
    /** The primary owns the (one per registry) replication configuration. */
    role: Role;
    /**
     * Whether this registry replicates to the peer region: the primary always; the DR stack while it serves and the
     * primary's region answers (a failback), so images pushed in region B reach region A. @default role === "primary"
     */
    replicateToPeer?: boolean;
    peerRegion: string;
    accountId: pulumi.Input<string>;
    /** This region's data CMK. */
    dataKeyArn: pulumi.Input<string>;
    /** Untagged images older than this are expired. @default 14 */
    untaggedExpiryDays?: number;
    /** @default {} */
    tags?: Record<string, string>;
}

/** The repository-name prefix ECR replicates: this environment's repositories (`vbr-prod/`), nothing else of the account. */
export function replicationPrefix(naming: Naming): string {
    return `${naming.prefix}/`;
}

export class ContainerRegistry extends pulumi.ComponentResource {
    readonly repository: aws.ecr.Repository;
    readonly url: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:registry:ContainerRegistry", name, {}, opts);
        this.repository = new aws.ecr.Repository(`${name}-app`, {
            name: args.naming.repositoryName(),
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.dataKeyArn }],
            forceDelete: false,
            tags: args.tags,
        }, { parent: this, protect: true });
        new aws.ecr.LifecyclePolicy(`${name}-app`, {
            repository: this.repository.name,
            policy: JSON.stringify({
                rules: [{
                    rulePriority: 1, description: "expire untagged images",
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: args.untaggedExpiryDays ?? 14 },
                    action: { type: "expire" },
                }],
            }),
        }, { parent: this });
        if (args.replicateToPeer ?? args.role === "primary") {
            // One configuration per registry: a second one (anywhere in this account and region) overwrites it.
            // Replication covers only images pushed after it exists; replicas land in the DR repository. Without a
            // filter it would copy every repository of the account: only this environment's repositories go.
            new aws.ecr.ReplicationConfiguration(`${name}-replication`, {
                replicationConfiguration: {
                    rules: [{
                        destinations: [{ region: args.peerRegion, registryId: args.accountId }],
                        repositoryFilters: [{ filter: replicationPrefix(args.naming), filterType: "PREFIX_MATCH" }],
                    }],
                },
            }, { parent: this });
        }
        this.url = this.repository.repositoryUrl;
        this.arn = this.repository.arn;
        this.registerOutputs({ url: this.url, arn: this.arn });
    }
}
