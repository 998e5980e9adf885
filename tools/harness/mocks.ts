// Pulumi mocks that answer like AWS: deterministic ids and ARNs with the right service, region and account.
//
// Used by the unit tests and by the offline plan, so a test can prove that one resource is wired to another
// (a replication rule names the peer region's key ARN, a task role names the bucket's ARN). What a mock
// cannot prove: that AWS accepts the request (provider-side validation) and what awsx creates inside its
// remote components (the awsx plugin is not running).
import * as pulumi from "@pulumi/pulumi";
import { invokeResult, MOCK_ACCOUNT_ID, stableHex } from "./invokes";

export { MOCK_ACCOUNT_ID, stableHex } from "./invokes";

/** Outputs a StackReference returns, keyed by the referenced stack's fully qualified name. */
export type StackOutputs = Record<string, Record<string, unknown>>;

export interface MockOptions {
    /** The stack's `aws:region`: the region of resources with no `region` input and no explicit provider. */
    region: string;
    /** Outputs of other stacks, for StackReferences. A reference to a stack not listed here fails. */
    stackOutputs?: StackOutputs;
}

type State = Record<string, unknown>;

/** A stable UUID-shaped identifier. */
function stableUuid(seed: string): string {
    const h = stableHex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/**
 * Realistic outputs per resource type. Each entry returns the id and the computed outputs; the mock merges
 * them over the inputs, as a provider echoes inputs back in its state.
 */
function outputsFor(type: string, name: string, inputs: State, region: string, seed: string): { id: string; state: State } {
    const acct = MOCK_ACCOUNT_ID;
    const hex = (n: number) => stableHex(seed, n);
    const arnOf = (service: string, resource: string, r = region) => `arn:aws:${service}:${r}:${acct}:${resource}`;
    switch (type) {
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": {
            const bucket = str(inputs.bucket) ?? `${name}-${hex(7)}`;
            return {
                id: bucket,
                state: {
                    bucket, arn: `arn:aws:s3:::${bucket}`, region,
                    bucketDomainName: `${bucket}.s3.amazonaws.com`,
                    bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
                    hostedZoneId: "Z3AQBSTGFYJSTF",
                },
            };
        }
        case "aws:kms/key:Key": {
            const keyId = stableUuid(seed);
            return { id: keyId, state: { keyId, arn: arnOf("kms", `key/${keyId}`) } };
        }
        case "aws:kms/alias:Alias": {
            const aliasName = str(inputs.name) ?? `alias/${name}`;
            return { id: aliasName, state: { name: aliasName, arn: arnOf("kms", aliasName), targetKeyArn: arnOf("kms", `key/${str(inputs.targetKeyId) ?? stableUuid(seed)}`) } };
        }
        case "aws:kms/replicaKey:ReplicaKey": {
            const keyId = `mrk-${hex(32)}`;
            return { id: keyId, state: { keyId, arn: arnOf("kms", `key/${keyId}`) } };
        }
        case "aws:iam/role:Role": {
            const roleName = str(inputs.name) ?? `${name}-${hex(7)}`;
            return { id: roleName, state: { name: roleName, arn: `arn:aws:iam::${acct}:role/${roleName}`, uniqueId: `AROA${hex(17).toUpperCase()}` } };
        }
        case "aws:iam/policy:Policy": {
            const policyName = str(inputs.name) ?? `${name}-${hex(7)}`;
            const arn = `arn:aws:iam::${acct}:policy/${policyName}`;
            return { id: arn, state: { name: policyName, arn, policyId: `ANPA${hex(17).toUpperCase()}` } };
        }
        case "aws:rds/instance:Instance": {
            const identifier = str(inputs.identifier) ?? `${name}-${hex(7)}`;
            const address = `${identifier}.c${hex(11)}.${region}.rds.amazonaws.com`;
            return {
                id: identifier,
                state: {
                    identifier, arn: arnOf("rds", `db:${identifier}`), address, port: 5432, endpoint: `${address}:5432`,
                    resourceId: `db-${hex(26).toUpperCase()}`, hostedZoneId: "Z2R2ITUGPM61AM", latestRestorableTime: "2026-11-29T19:55:00Z",
                },
            };
        }
        case "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": {
            const arn = arnOf("rds", `auto-backup:ab-${hex(26)}`);
            return { id: arn, state: {} };
        }
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup": {
            const groupName = str(inputs.name) ?? `${name}-${hex(7)}`;
            const kind = type.includes("subnet") ? "subgrp" : "pg";
            return { id: groupName, state: { name: groupName, arn: arnOf("rds", `${kind}:${groupName}`) } };
        }
        case "aws:secretsmanager/secret:Secret": {
            const secretName = str(inputs.name) ?? `${name}-${hex(7)}`;
            const arn = arnOf("secretsmanager", `secret:${secretName}-${hex(6)}`);
            return { id: arn, state: { name: secretName, arn } };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion":
            return { id: `${str(inputs.secretId) ?? name}|${stableUuid(seed)}`, state: { versionId: stableUuid(seed) } };
        case "aws:backup/vault:Vault": {
            const vaultName = str(inputs.name) ?? `${name}-${hex(7)}`;
            return { id: vaultName, state: { name: vaultName, arn: arnOf("backup", `backup-vault:${vaultName}`), recoveryPoints: 0 } };
        }
        case "aws:backup/plan:Plan": {
            const id = stableUuid(seed);
            return { id, state: { arn: arnOf("backup", `backup-plan:${id}`), version: hex(32) } };
        }
        case "aws:backup/selection:Selection":
            return { id: stableUuid(seed), state: {} };
        case "aws:backup/restoreTestingPlan:RestoreTestingPlan": {
            const planName = str(inputs.name) ?? name.replace(/-/g, "_");
            return { id: planName, state: { arn: arnOf("backup", `restore-testing-plan:${planName}-${hex(6)}`) } };
        }
        case "aws:ecr/repository:Repository": {
            const repoName = str(inputs.name) ?? name;
            return {
                id: repoName,
                state: { name: repoName, arn: arnOf("ecr", `repository/${repoName}`), registryId: acct, repositoryUrl: `${acct}.dkr.ecr.${region}.amazonaws.com/${repoName}` },
            };
        }
        case "aws:ecr/replicationConfiguration:ReplicationConfiguration":
            return { id: acct, state: { registryId: acct } };
        case "aws:sns/topic:Topic": {
            const topicName = str(inputs.name) ?? `${name}-${hex(7)}`;
            const arn = arnOf("sns", topicName);
            return { id: arn, state: { name: topicName, arn } };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const groupName = str(inputs.name) ?? `${name}-${hex(7)}`;
            return { id: groupName, state: { name: groupName, arn: arnOf("logs", `log-group:${groupName}`) } };
        }
        case "aws:cloudtrail/trail:Trail": {
            const trailName = str(inputs.name) ?? `${name}-${hex(7)}`;
            const arn = arnOf("cloudtrail", `trail/${trailName}`);
            return { id: arn, state: { name: trailName, arn, homeRegion: region } };
        }
        case "aws:lambda/function:Function": {
            const functionName = str(inputs.name) ?? `${name}-${hex(7)}`;
            const arn = arnOf("lambda", `function:${functionName}`);
            return { id: functionName, state: { name: functionName, arn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`, version: "$LATEST" } };
        }
        case "aws:scheduler/schedule:Schedule": {
            const scheduleName = str(inputs.name) ?? `${name}-${hex(7)}`;
            return { id: `default/${scheduleName}`, state: { name: scheduleName, arn: arnOf("scheduler", `schedule/default/${scheduleName}`), groupName: "default" } };
        }
        case "aws:cloudwatch/metricAlarm:MetricAlarm": {
            const alarmName = str(inputs.name) ?? `${name}-${hex(7)}`;
            return { id: alarmName, state: { name: alarmName, arn: arnOf("cloudwatch", `alarm:${alarmName}`) } };
        }
        case "aws:cloudwatch/eventRule:EventRule": {
            const ruleName = str(inputs.name) ?? `${name}-${hex(7)}`;
            return { id: ruleName, state: { name: ruleName, arn: arnOf("events", `rule/${ruleName}`) } };
        }
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:alb/loadBalancer:LoadBalancer": {
            const lbName = (str(inputs.name) ?? name).slice(0, 32);
            const arn = arnOf("elasticloadbalancing", `loadbalancer/app/${lbName}/${hex(16)}`);
            return {
                id: arn,
                state: { name: lbName, arn, arnSuffix: `app/${lbName}/${hex(16)}`, dnsName: `${lbName}-${parseInt(hex(8), 16)}.${region}.elb.amazonaws.com`, zoneId: "Z35SXDOTRQ7X7K" },
            };
        }
        case "aws:lb/targetGroup:TargetGroup":
        case "aws:alb/targetGroup:TargetGroup": {
            const tgName = (str(inputs.name) ?? name).slice(0, 32);
            const arn = arnOf("elasticloadbalancing", `targetgroup/${tgName}/${hex(16)}`);
            return { id: arn, state: { name: tgName, arn, arnSuffix: `targetgroup/${tgName}/${hex(16)}` } };
        }
        case "aws:lb/listener:Listener":
        case "aws:alb/listener:Listener": {
            const arn = arnOf("elasticloadbalancing", `listener/app/${name}/${hex(16)}/${hex(16)}`);
            return { id: arn, state: { arn } };
        }
        case "aws:acm/certificate:Certificate": {
            const arn = arnOf("acm", `certificate/${stableUuid(seed)}`);
            const domain = str(inputs.domainName) ?? "example.com";
            return {
                id: arn,
                state: {
                    arn,
                    // One validation record per name on the certificate, as ACM returns them.
                    domainValidationOptions: [domain, ...(Array.isArray(inputs.subjectAlternativeNames) ? inputs.subjectAlternativeNames as string[] : [])]
                        .map((d) => ({
                            domainName: d, resourceRecordName: `_${stableHex(`${seed}/${d}`, 32)}.${d}.`, resourceRecordType: "CNAME",
                            resourceRecordValue: `_${stableHex(`${seed}/${d}/value`, 32)}.acm-validations.aws.`,
                        })),
                },
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            return { id: str(inputs.certificateArn) ?? stableUuid(seed), state: {} };
        case "aws:ecs/cluster:Cluster": {
            const clusterName = str(inputs.name) ?? `${name}-${hex(7)}`;
            const arn = arnOf("ecs", `cluster/${clusterName}`);
            return { id: arn, state: { name: clusterName, arn } };
        }
        case "aws:ecs/service:Service": {
            const serviceName = str(inputs.name) ?? `${name}-${hex(7)}`;
            return { id: arnOf("ecs", `service/${serviceName}`), state: { name: serviceName } };
        }
        case "aws:ecs/taskDefinition:TaskDefinition": {
            const family = str(inputs.family) ?? name;
            const arn = arnOf("ecs", `task-definition/${family}:1`);
            return { id: family, state: { arn, arnWithoutRevision: arnOf("ecs", `task-definition/${family}`), revision: 1 } };
        }
        case "aws:route53/healthCheck:HealthCheck": {
            const id = stableUuid(seed);
            return { id, state: { arn: `arn:aws:route53:::healthcheck/${id}` } };
        }
        case "aws:route53/record:Record":
            return { id: `${str(inputs.zoneId) ?? "Z"}_${str(inputs.name) ?? name}_${str(inputs.type) ?? "A"}`, state: { fqdn: str(inputs.name) ?? name } };
        case "aws:ec2/instance:Instance": {
            const instanceId = `i-0${hex(16)}`;
            const ip = (n: number) => `10.0.${parseInt(hex(4), 16) % 250}.${(parseInt(hex(6), 16) % 250) + n}`;
            return { id: instanceId, state: { arn: arnOf("ec2", `instance/${instanceId}`), privateIp: ip(1), privateDns: `ip-${ip(1).replace(/\./g, "-")}.${region}.compute.internal`, publicIp: "", instanceState: "running" } };
        }
        case "pulumi:providers:aws":
            return { id: stableUuid(seed), state: {} };
        case "awsx:ec2:Vpc":
            return { id: "", state: awsxVpcOutputs(inputs, region, seed) };
    }
    return { id: genericId(type, name, hex), state: { arn: genericArn(type, name, region, hex) } };
}

/** EC2-style ids (`vpc-0a1b...`) for the EC2 family, `<name>-<hex>` for everything else. */
function genericId(type: string, name: string, hex: (n: number) => string): string {
    const ec2Prefixes: Record<string, string> = {
        "aws:ec2/vpc:Vpc": "vpc", "aws:ec2/subnet:Subnet": "subnet", "aws:ec2/securityGroup:SecurityGroup": "sg",
        "aws:ec2/natGateway:NatGateway": "nat", "aws:ec2/eip:Eip": "eipalloc", "aws:ec2/internetGateway:InternetGateway": "igw",
        "aws:ec2/routeTable:RouteTable": "rtb", "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce", "aws:ec2/flowLog:FlowLog": "fl",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    };
    const prefix = ec2Prefixes[type];
    return prefix ? `${prefix}-0${hex(16)}` : `${name}-${hex(8)}`;
}

function genericArn(type: string, name: string, region: string, hex: (n: number) => string): string {
    const [pkg, mod] = type.split(":");
    const service = pkg === "aws" ? mod.split("/")[0] : pkg;
    const resource = type.split(":")[2] ?? "resource";
    return `arn:aws:${service}:${region}:${MOCK_ACCOUNT_ID}:${resource.toLowerCase()}/${name}-${hex(8)}`;
}

/** What awsx.ec2.Vpc returns: the ids of the subnets its plugin would create (one per AZ and tier). */
function awsxVpcOutputs(inputs: State, region: string, seed: string): State {
    const azCount = typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 3;
    const ids = (prefix: string, tier: string) => Array.from({ length: azCount }, (_, i) => `${prefix}-0${stableHex(`${seed}/${tier}/${i}`, 16)}`);
    const strategy = (inputs.natGateways as { strategy?: string } | undefined)?.strategy ?? "OnePerAz";
    const natCount = strategy === "None" ? 0 : strategy === "Single" ? 1 : azCount;
    return {
        vpcId: `vpc-0${stableHex(seed, 16)}`,
        publicSubnetIds: ids("subnet", "public"),
        privateSubnetIds: ids("subnet", "private"),
        isolatedSubnetIds: [],
        natGateways: ids("nat", "nat").slice(0, natCount).map((id) => ({ id })),
        routeTables: [],
        region,
    };
}

/**
 * The mocks: effective region of each resource (its `region` input, else its provider's region, else the
 * stack's), then realistic outputs merged over the inputs.
 */
export class AwsMocks implements pulumi.runtime.Mocks {
    private readonly providerRegions = new Map<string, string>();

    constructor(private readonly options: MockOptions) {}

    /** The region a resource lands in, by the same rule the AWS provider applies. */
    effectiveRegion(inputs: State, providerRef: string | undefined): string {
        const own = str(inputs.region);
        if (own) return own;
        // A provider reference is "<provider urn>::<provider id>"; ids are unique, so they key the map.
        const fromProvider = providerRef ? this.providerRegions.get(providerRef.split("::").pop() ?? "") : undefined;
        return fromProvider ?? this.options.region;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
        const inputs = (args.inputs ?? {}) as State;
        if (args.type === "pulumi:pulumi:StackReference") return this.stackReference(str(inputs.name) ?? args.name);
        const region = this.effectiveRegion(inputs, args.provider);
        const seed = `${args.type}::${args.name}::${region}`;
        const { id, state } = outputsFor(args.type, args.name, inputs, region, seed);
        if (args.type === "pulumi:providers:aws") this.providerRegions.set(id, str(inputs.region) ?? this.options.region);
        // The SDK's mock monitor passes the import id, "" when there is none: only a real import id wins.
        return { id: args.id || id, state: { ...inputs, ...state } };
    }

    /**
     * Invokes the mocks had no answer for (they got `{}`), by token and, when the lookup has one, the name it asked
     * for (some names of a token are answered, e.g. AWS's public SSM parameters): the run's limitations.
     */
    readonly unanswered = new Set<string>();

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = (args.inputs ?? {}) as State;
        const result = invokeResult(args.token, inputs, this.options.region);
        if (result === undefined) this.unanswered.add(typeof inputs.name === "string" && inputs.name !== "" ? `${args.token} (${inputs.name})` : args.token);
        return result ?? {};
    }

    private stackReference(name: string): { id: string; state: State } {
        const outputs = this.options.stackOutputs?.[name];
        if (outputs === undefined) {
            const known = Object.keys(this.options.stackOutputs ?? {});
            throw new Error(`StackReference "${name}" cannot be resolved offline: no synthesized stack has that name` +
                (known.length ? ` (known: ${known.join(", ")})` : ""));
        }
        return { id: name, state: { name, outputs, secretOutputNames: [] } };
    }
}
