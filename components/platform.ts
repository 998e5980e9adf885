// The platform: one component that turns the stack configuration into the whole stack.
//
// Config flows in here and nowhere else; this composes the small components (keys, storage, database,
// backups, registry, network, service, DNS, monitoring), each of which creates AWS resources.
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../stacks/config";

export interface PlatformArgs {
    config: StackConfig;
}

/** What a stack exports; the DR stack reads the primary's through a StackReference. */
export interface PlatformExports {
    database: pulumi.Output<{ arn: string; identifier: string; address: string; port: number } | undefined>;
    buckets: pulumi.Output<Record<string, { name: string; arn: string }>>;
    secretArn: pulumi.Output<string | undefined>;
    endpoint: pulumi.Output<string | undefined>;
}

export class Platform extends pulumi.ComponentResource {
    readonly exports: PlatformExports;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:platform:Platform", name, {}, opts);
        // DATA TIER (issue 2) composes here.
        // APP TIER (issue 5) composes here.
        this.exports = {
            database: pulumi.output(undefined),
            buckets: pulumi.output({}),
            secretArn: pulumi.output(undefined),
            endpoint: pulumi.output(undefined),
        };
        this.registerOutputs({});
    }
}
