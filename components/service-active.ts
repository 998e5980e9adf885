// What only an active stack runs (the primary, or DR in drill/failover): the load balancer, its target group and
// listeners, and with `runTasks` the task definition, the ECS service and its auto scaling. Children of the Service.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceArgs } from "./service";
import type { StandbyPieces } from "./service-standby";

export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
export const CONTAINER_NAME = "app";
/** Target-tracking goals: average CPU percent and requests per target per minute. */
export const SCALING_TARGETS = { cpuPercent: 60, requestsPerTarget: 1000 };

export interface ActiveTier {
    alb: { dnsName: pulumi.Output<string>; zoneId: pulumi.Output<string>; arnSuffix: pulumi.Output<string>; targetGroupArnSuffix: pulumi.Output<string> };
    /** The ECS service's name; undefined while `runTasks` is false. */
    serviceName?: pulumi.Output<string>;
    /** The app's task definition ARN; undefined while `runTasks` is false. */
    taskDefinitionArn?: pulumi.Output<string>;
}

/** Creates the active tier over what standby keeps, as children of `parent` (the Service). */
export function activeTier(parent: pulumi.Resource, name: string, args: ServiceArgs, appPort: number, standby: StandbyPieces,
    tags: Record<string, string>): ActiveTier {
    const lb = new aws.lb.LoadBalancer(`${name}-alb`, {
        loadBalancerType: "application",
        internal: false,
        securityGroups: [args.albSecurityGroupId],
        subnets: args.publicSubnetIds,
        dropInvalidHeaderFields: true,
        accessLogs: { bucket: standby.logBucket.name, prefix: "alb", enabled: true },
        tags,
    }, { parent, dependsOn: [standby.logBucket] });
    const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
        port: appPort, protocol: "HTTP", targetType: "ip", vpcId: args.vpcId,
        deregistrationDelay: 30,
        healthCheck: {
            enabled: true, path: "/health", protocol: "HTTP", port: "traffic-port", matcher: "200",
            healthyThreshold: 2, unhealthyThreshold: 2, interval: 10, timeout: 5,
        },
        tags,
    }, { parent });
    const https = new aws.lb.Listener(`${name}-https`, {
        loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", sslPolicy: TLS_POLICY,
        // The certificate itself, not validation.certificateArn: bring-up must not wait on ACM.
        certificateArn: standby.certificate.arn,
        defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        tags,
    }, { parent, dependsOn: args.waitForCertificateValidation ? [standby.validation] : [] });
    new aws.lb.Listener(`${name}-http`, {
        loadBalancerArn: lb.arn, port: 80, protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        tags,
    }, { parent });
    // Without runTasks (a first install before the first image is in ECR) the listeners answer 503.
    const running = args.runTasks !== false ? tasks(parent, name, args, appPort, standby, lb, targetGroup, https, tags) : undefined;
    return {
        alb: { dnsName: lb.dnsName, zoneId: lb.zoneId, arnSuffix: lb.arnSuffix, targetGroupArnSuffix: targetGroup.arnSuffix },
        serviceName: running?.serviceName, taskDefinitionArn: running?.taskDefinitionArn,
    };
}

/** The task definition, the ECS service (waiting for steady state) and its auto scaling. */
function tasks(parent: pulumi.Resource, name: string, args: ServiceArgs, appPort: number, standby: StandbyPieces, lb: aws.lb.LoadBalancer,
    targetGroup: aws.lb.TargetGroup, https: aws.lb.Listener, tags: Record<string, string>): { serviceName: pulumi.Output<string>; taskDefinitionArn: pulumi.Output<string> } {
    const taskDefinition = createTaskDefinition(parent, name, args, appPort, standby, tags);
    const service = new aws.ecs.Service(`${name}-service`, {
        cluster: standby.cluster.arn,
        taskDefinition: taskDefinition.arn,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        desiredCount: args.desiredCount,
        networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [args.taskSecurityGroupId], assignPublicIp: false },
        loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: CONTAINER_NAME, containerPort: appPort }],
        healthCheckGracePeriodSeconds: 60,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        availabilityZoneRebalancing: "ENABLED",
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        // `pulumi up` returns only when the tasks pass the target group's health checks.
        waitForSteadyState: true,
        tags,
    // Auto scaling owns the running count once the service exists; a later up must not reset it.
    }, { parent, dependsOn: [https], ignoreChanges: ["desiredCount"] });
    autoScaling(parent, name, args, standby.cluster, service, lb, targetGroup);
    return { serviceName: service.name, taskDefinitionArn: taskDefinition.arn };
}

function createTaskDefinition(parent: pulumi.Resource, name: string, args: ServiceArgs, appPort: number, standby: StandbyPieces,
    tags: Record<string, string>): aws.ecs.TaskDefinition {
    const secretArn = args.secretArn!;
    const db = args.database!;
    const container = {
        name: CONTAINER_NAME,
        image: pulumi.interpolate`${args.repositoryUrl}:${args.imageTag}`,
        essential: true,
        portMappings: [{ containerPort: appPort, protocol: "tcp" }],
        environment: [
            { name: "DB_HOST", value: db.address },
            { name: "DB_PORT", value: pulumi.output(db.port).apply(String) },
            { name: "DOCUMENTS_BUCKET", value: args.buckets.documents.name },
            { name: "REPORTS_BUCKET", value: args.buckets.reports.name },
            { name: "AUDIT_BUCKET", value: args.buckets.audit.name },
            { name: "APP_REGION", value: args.region },
        ],
        secrets: [
            { name: "DB_USERNAME", valueFrom: pulumi.interpolate`${secretArn}:username::` },
            { name: "DB_PASSWORD", valueFrom: pulumi.interpolate`${secretArn}:password::` },
        ],
        // No container health check: it would need a shell and curl in the image. The target group's HTTP check on
        // /health is the one ECS acts on (the service registers with the load balancer), so the image's only
        // contract is to answer GET /health with 200 on appPort.
        logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": standby.logGroup.name, "awslogs-region": args.region, "awslogs-stream-prefix": CONTAINER_NAME },
        },
    };
    return new aws.ecs.TaskDefinition(`${name}-task`, {
        family: name,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu ?? 512),
        memory: String(args.memoryMiB ?? 1024),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: standby.executionRole.arn,
        taskRoleArn: standby.taskRole.arn,
        containerDefinitions: pulumi.jsonStringify([container]),
        tags,
    }, { parent });
}

function autoScaling(parent: pulumi.Resource, name: string, args: ServiceArgs, cluster: aws.ecs.Cluster, service: aws.ecs.Service,
    lb: aws.lb.LoadBalancer, targetGroup: aws.lb.TargetGroup): void {
    const target = new aws.appautoscaling.Target(`${name}-scaling`, {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
        minCapacity: args.desiredCount,
        maxCapacity: args.maxCount,
    }, { parent });
    const policy = (suffix: string, config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration) =>
        new aws.appautoscaling.Policy(`${name}-${suffix}`, {
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: config,
        }, { parent });
    policy("scale-cpu", {
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        targetValue: SCALING_TARGETS.cpuPercent, scaleInCooldown: 300, scaleOutCooldown: 60,
    });
    policy("scale-requests", {
        predefinedMetricSpecification: {
            predefinedMetricType: "ALBRequestCountPerTarget",
            resourceLabel: pulumi.interpolate`${lb.arnSuffix}/${targetGroup.arnSuffix}`,
        },
        targetValue: SCALING_TARGETS.requestsPerTarget, scaleInCooldown: 300, scaleOutCooldown: 60,
    });
}
