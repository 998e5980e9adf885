// The network: a VPC across the stack's AZs, endpoints that keep image pulls and secrets off NAT, flow logs,
// and the security groups that chain internet -> load balancer -> tasks -> database.
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
    /** The stack's region (endpoint service names and the flow-log role's condition name it). */
    region: string;
    /** Availability zones the subnets span (2-3). */
    availabilityZoneCount: number;
    /**
     * True when the stack runs the application tier (primary, or dr in drill/failover): one NAT gateway per AZ
     * and the interface endpoints. False in DR standby: no NAT, no hourly-billed endpoints.
     */
    active: boolean;
    /** ARN of the logs CMK that encrypts the flow-log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Port the application container listens on. @default 8080 */
    appPort?: number;
    /** Port of the PostgreSQL database. @default 5432 */
    dbPort?: number;
    /** IPv4 range of the VPC. @default "10.0.0.0/16" */
    cidrBlock?: string;
    /** Days the flow-log group keeps records. @default 365 */
    flowLogRetentionDays?: number;
    /** Tags for every resource. @default {} */
    tags?: Record<string, string>;
    /** Extra tags for the resources that exist in standby too (`vbr:standby = kept` in the DR stack). @default {} */
    keptTags?: Record<string, string>;
}

/** Interface endpoints that let private tasks pull images, write logs and read secrets without NAT. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"] as const;

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly albSecurityGroupId: pulumi.Output<string>;
    readonly taskSecurityGroupId: pulumi.Output<string>;
    readonly dbSecurityGroupId: pulumi.Output<string>;
    readonly endpointSecurityGroupId: pulumi.Output<string>;
    readonly flowLogGroupName: pulumi.Output<string>;
    readonly appPort: number;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:network:Network", name, {}, opts);
        const appPort = args.appPort ?? 8080;
        const dbPort = args.dbPort ?? 5432;
        const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
        const activeTags = args.tags ?? {};
        // Everything here exists in standby except the interface endpoints (NAT gateways are awsx's children).
        const tags = { ...activeTags, ...(args.keptTags ?? {}) };
        this.appPort = appPort;

        // awsx is a remote component: its subnets, route tables, IGW and NAT gateways are created by the awsx
        // plugin. The strategy is the one switch between standby (no NAT bill) and active.
        const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
            cidrBlock,
            numberOfAvailabilityZones: args.availabilityZoneCount,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            natGateways: { strategy: args.active ? awsx.ec2.NatGatewayStrategy.OnePerAz : awsx.ec2.NatGatewayStrategy.None },
            subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
            subnetSpecs: [
                { type: awsx.ec2.SubnetType.Public, cidrMask: 22 },
                { type: awsx.ec2.SubnetType.Private, cidrMask: 20 },
            ],
            tags: { ...tags, Name: `${name}-vpc` },
        }, { parent: this });
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;

        const sg = (suffix: string, description: string) => new aws.ec2.SecurityGroup(`${name}-${suffix}`, {
            vpcId: vpc.vpcId, description, tags: { ...tags, Name: `${name}-${suffix}` },
        }, { parent: this });
        const alb = sg("alb", "Load balancer: HTTPS from the internet (HTTP only to redirect)");
        const task = sg("task", "Application tasks: app port from the load balancer only");
        const db = sg("db", "Database: PostgreSQL from the application tasks only");
        const endpoints = sg("endpoints", "VPC interface endpoints: HTTPS from inside the VPC");

        const ingress = (suffix: string, group: aws.ec2.SecurityGroup, rule: Omit<aws.vpc.SecurityGroupIngressRuleArgs, "securityGroupId">) =>
            new aws.vpc.SecurityGroupIngressRule(`${name}-${suffix}`, { ...rule, securityGroupId: group.id, tags }, { parent: this });
        const egress = (suffix: string, group: aws.ec2.SecurityGroup, rule: Omit<aws.vpc.SecurityGroupEgressRuleArgs, "securityGroupId">) =>
            new aws.vpc.SecurityGroupEgressRule(`${name}-${suffix}`, { ...rule, securityGroupId: group.id, tags }, { parent: this });
        const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });

        ingress("alb-https-v4", alb, { ...tcp(443), cidrIpv4: ANYWHERE_V4, description: "HTTPS from the internet (IPv4)" });
        ingress("alb-https-v6", alb, { ...tcp(443), cidrIpv6: ANYWHERE_V6, description: "HTTPS from the internet (IPv6)" });
        ingress("alb-http-v4", alb, { ...tcp(80), cidrIpv4: ANYWHERE_V4, description: "HTTP, answered only with a redirect to HTTPS" });
        ingress("alb-http-v6", alb, { ...tcp(80), cidrIpv6: ANYWHERE_V6, description: "HTTP, answered only with a redirect to HTTPS" });
        egress("alb-to-task", alb, { ...tcp(appPort), referencedSecurityGroupId: task.id, description: "Forward to the application tasks" });

        ingress("task-from-alb", task, { ...tcp(appPort), referencedSecurityGroupId: alb.id, description: "Application port from the load balancer" });
        // HTTPS out: S3 (gateway endpoint), ECR/logs/Secrets Manager (interface endpoints) and, via NAT, other APIs.
        egress("task-https", task, { ...tcp(443), cidrIpv4: ANYWHERE_V4, description: "HTTPS to AWS APIs" });
        egress("task-to-db", task, { ...tcp(dbPort), referencedSecurityGroupId: db.id, description: "PostgreSQL to the database" });

        ingress("db-from-task", db, { ...tcp(dbPort), referencedSecurityGroupId: task.id, description: "PostgreSQL from the application tasks" });
        ingress("endpoints-https", endpoints, { ...tcp(443), cidrIpv4: cidrBlock, description: "HTTPS from inside the VPC" });

        this.albSecurityGroupId = alb.id;
        this.taskSecurityGroupId = task.id;
        this.dbSecurityGroupId = db.id;
        this.endpointSecurityGroupId = endpoints.id;

        // The S3 gateway endpoint is free: it exists in standby too, so replica reads never need NAT.
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.vpcId,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: vpc.routeTables.apply((tables) => pulumi.all((tables ?? []).map((t) => t.id))),
            tags: { ...tags, Name: `${name}-s3` },
        }, { parent: this });
        // Interface endpoints bill per AZ-hour and serve only running tasks: created with the active tier.
        if (args.active) {
            for (const service of INTERFACE_ENDPOINTS) {
                const suffix = service.replace(/\./g, "-");
                new aws.ec2.VpcEndpoint(`${name}-${suffix}`, {
                    vpcId: vpc.vpcId,
                    serviceName: `com.amazonaws.${args.region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: vpc.privateSubnetIds,
                    securityGroupIds: [endpoints.id],
                    tags: { ...activeTags, Name: `${name}-${suffix}` },
                }, { parent: this });
            }
        }

        this.flowLogGroupName = this.flowLogs(name, args, vpc.vpcId, tags);
        this.registerOutputs({
            vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds,
            albSecurityGroupId: this.albSecurityGroupId, taskSecurityGroupId: this.taskSecurityGroupId,
            dbSecurityGroupId: this.dbSecurityGroupId,
        });
    }

    /** Flow logs of ALL traffic to a CMK-encrypted group, delivered by a role only the flow-logs service assumes. */
    private flowLogs(name: string, args: NetworkArgs, vpcId: pulumi.Output<string>, tags: Record<string, string>): pulumi.Output<string> {
        const group = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            name: `/vbr/${name}/vpc-flow-logs`,
            retentionInDays: args.flowLogRetentionDays ?? 365,
            kmsKeyId: args.logsKeyArn,
            tags,
        }, { parent: this });
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(`${name}-flow-logs-delivery`, {
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                }],
            }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-flow-logs-delivery`, {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                    Resource: [group.arn, pulumi.interpolate`${group.arn}:*`],
                }],
            }),
        }, { parent: this });
        new aws.ec2.FlowLog(`${name}-flow-log`, {
            vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: group.arn,
            iamRoleArn: role.arn,
            maxAggregationInterval: 60,
            tags,
        }, { parent: this });
        return group.name;
    }
}
