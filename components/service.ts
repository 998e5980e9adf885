// The application service: ECS Fargate tasks behind an HTTPS load balancer, with the certificate, log groups and
// roles kept ready in every state and the billed pieces (ALB, listeners, tasks) created only when active.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DataBucket } from "../policies/model/naming";
import { ACCESS_LOGS, TAGS } from "../policies/model/tags";
import { SecureBucket } from "./secure-bucket";

export interface ServiceBucket {
    name: pulumi.Input<string>;
    arn: pulumi.Input<string>;
}

export interface ServiceArgs {
    /** The stack's region (the awslogs driver and the certificate live there). */
    region: string;
    /** Create the load balancer, listeners, task definition, ECS service and scaling (primary, or dr in drill/failover). */
    active: boolean;
    /**
     * With `active`, run the tasks: the task definition, ECS service (which waits for steady state) and auto
     * scaling. False only for a first install before the first image is in ECR, so `pulumi up` never waits for
     * tasks that cannot pull their image; the load balancer and listeners exist and answer 503.
     * @default true
     */
    runTasks?: boolean;
    /** Public name of the service; the certificate also covers `drill.<domainName>`. */
    domainName: string;
    /** Route 53 zone that holds domainName: the DNS validation records go there. */
    hostedZoneId: pulumi.Input<string>;
    /** Name of the ALB access-log bucket (naming.bucketName("alb-logs", region)). */
    accessLogBucketName: string;
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    albSecurityGroupId: pulumi.Input<string>;
    taskSecurityGroupId: pulumi.Input<string>;
    /** Logs CMK: encrypts the application log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Data CMK: the document buckets' SSE-KMS key, which the task uses through S3. */
    dataKeyArn: pulumi.Input<string>;
    /** Secrets CMK: encrypts the database secret, which the execution role decrypts to inject it. */
    secretsKeyArn: pulumi.Input<string>;
    /** The three document buckets of this region; the task may read and write exactly these. */
    buckets: Record<DataBucket, ServiceBucket>;
    /** This region's copy of the database secret (JSON with `username` and `password`). Required when active. */
    secretArn?: pulumi.Input<string>;
    /** The database the service uses. Required when active. */
    database?: { address: pulumi.Input<string>; port: pulumi.Input<number> };
    /** The region's own ECR repository (replicated from the primary). */
    repositoryUrl: pulumi.Input<string>;
    repositoryArn: pulumi.Input<string>;
    imageTag: string;
    desiredCount: number;
    maxCount: number;
    /** @default 8080 */
    appPort?: number;
    /** Fargate CPU units. @default 512 */
    cpu?: number;
    /** Fargate memory in MiB. @default 1024 */
    memoryMiB?: number;
    /**
     * Make the HTTPS listener wait for the certificate's validation. Only the primary's first install needs it;
     * the DR stack validates in standby, so its bring-up never waits on ACM. @default false
     */
    waitForCertificateValidation?: boolean;
    /**
     * Whether the tasks may write the document buckets. A drill serves from the DR copies of production's
     * buckets (and the audit bucket's Object Lock would keep a drill's writes for 35 days), so it reads only.
     * @default "read-write"
     */
    documentAccess?: "read-write" | "read-only";
    /** Days the application log group keeps records. @default 365 */
    logRetentionDays?: number;
    /** Tags for every resource. @default {} */
    tags?: Record<string, string>;
    /** Extra tags for the resources that exist in standby too (`vbr:standby = kept` in the DR stack). @default {} */
    keptTags?: Record<string, string>;
}

export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
export const CONTAINER_NAME = "app";
/** Target-tracking goals: average CPU percent and requests per target per minute. */
export const SCALING_TARGETS = { cpuPercent: 60, requestsPerTarget: 1000 };

export class Service extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly certificateArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly executionRoleArn: pulumi.Output<string>;
    readonly taskRoleArn: pulumi.Output<string>;
    readonly accessLogBucketArn: pulumi.Output<string>;
    /** Load balancer details; undefined in standby. */
    readonly alb?: { dnsName: pulumi.Output<string>; zoneId: pulumi.Output<string>; arnSuffix: pulumi.Output<string>; targetGroupArnSuffix: pulumi.Output<string> };
    /** The ECS service's name; undefined in standby and while `runTasks` is false. */
    readonly serviceName?: pulumi.Output<string>;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:service:Service", name, {}, opts);
        validate(name, args);
        const appPort = args.appPort ?? 8080;
        const tags = args.tags ?? {};
        const kept = { ...tags, ...(args.keptTags ?? {}) };
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        // Kept ready in every state: free or slow to create.
        const cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            settings: [{ name: "containerInsights", value: "enabled" }], tags: kept,
        }, { parent: this });
        const { certificate, validation } = this.certificate(name, args, kept);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-app-logs`, {
            name: `/vbr/${name}/app`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: args.logsKeyArn, tags: kept,
        }, { parent: this });
        const { executionRole, taskRole } = this.roles(name, args, account, logGroup, kept);
        const logBucket = this.accessLogBucket(name, args, account, kept);

        this.clusterName = cluster.name;
        this.certificateArn = certificate.arn;
        this.logGroupName = logGroup.name;
        this.executionRoleArn = executionRole.arn;
        this.taskRoleArn = taskRole.arn;
        this.accessLogBucketArn = logBucket.arn;

        if (args.active) {
            const lb = new aws.lb.LoadBalancer(`${name}-alb`, {
                loadBalancerType: "application",
                internal: false,
                securityGroups: [args.albSecurityGroupId],
                subnets: args.publicSubnetIds,
                dropInvalidHeaderFields: true,
                accessLogs: { bucket: logBucket.name, prefix: "alb", enabled: true },
                tags,
            }, { parent: this, dependsOn: [logBucket] });
            const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
                port: appPort, protocol: "HTTP", targetType: "ip", vpcId: args.vpcId,
                deregistrationDelay: 30,
                healthCheck: {
                    enabled: true, path: "/health", protocol: "HTTP", port: "traffic-port", matcher: "200",
                    healthyThreshold: 2, unhealthyThreshold: 2, interval: 10, timeout: 5,
                },
                tags,
            }, { parent: this });
            const https = new aws.lb.Listener(`${name}-https`, {
                loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", sslPolicy: TLS_POLICY,
                // The certificate itself, not validation.certificateArn: bring-up must not wait on ACM.
                certificateArn: certificate.arn,
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags,
            }, { parent: this, dependsOn: args.waitForCertificateValidation ? [validation] : [] });
            new aws.lb.Listener(`${name}-http`, {
                loadBalancerArn: lb.arn, port: 80, protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                tags,
            }, { parent: this });

            this.alb = { dnsName: lb.dnsName, zoneId: lb.zoneId, arnSuffix: lb.arnSuffix, targetGroupArnSuffix: targetGroup.arnSuffix };
            if (args.runTasks !== false) this.serviceName = this.tasks(name, args, appPort, cluster, lb, targetGroup, https, logGroup, executionRole, taskRole, tags);
        }
        this.registerOutputs({ clusterName: this.clusterName, certificateArn: this.certificateArn, albDnsName: this.alb?.dnsName });
    }

    /** The task definition, the ECS service (waiting for steady state) and its auto scaling; returns the service name. */
    private tasks(name: string, args: ServiceArgs, appPort: number, cluster: aws.ecs.Cluster, lb: aws.lb.LoadBalancer, targetGroup: aws.lb.TargetGroup,
        https: aws.lb.Listener, logGroup: aws.cloudwatch.LogGroup, executionRole: aws.iam.Role, taskRole: aws.iam.Role, tags: Record<string, string>): pulumi.Output<string> {
        const taskDefinition = this.taskDefinition(name, args, appPort, logGroup, executionRole, taskRole, tags);
        const service = new aws.ecs.Service(`${name}-service`, {
            cluster: cluster.arn,
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
        }, { parent: this, dependsOn: [https], ignoreChanges: ["desiredCount"] });
        this.autoScaling(name, args, cluster, service, lb, targetGroup);
        return service.name;
    }

    /** The domain and its drill name, DNS-validated in every state so an active bring-up never waits on ACM. */
    private certificate(name: string, args: ServiceArgs, tags: Record<string, string>) {
        const names = [args.domainName, `drill.${args.domainName}`];
        const certificate = new aws.acm.Certificate(`${name}-cert`, {
            domainName: names[0], subjectAlternativeNames: names.slice(1), validationMethod: "DNS", keyAlgorithm: "RSA_2048", tags,
        }, { parent: this });
        const records = names.map((domain, i) => {
            const option = certificate.domainValidationOptions.apply((options) => {
                const found = options.find((o) => o.domainName === domain);
                if (!found) throw new Error(`ACM returned no validation option for ${domain}`);
                return found;
            });
            // ACM's validation record for a name is the same in every region of the account: both stacks write it
            // (allowOverwrite) and neither removes it (retainOnDelete), so destroying one stack never breaks the
            // other's renewals.
            return new aws.route53.Record(`${name}-cert-validation-${i}`, {
                zoneId: args.hostedZoneId, name: option.resourceRecordName, type: option.resourceRecordType,
                records: [option.resourceRecordValue], ttl: 60, allowOverwrite: true,
            }, { parent: this, retainOnDelete: true });
        });
        const validation = new aws.acm.CertificateValidation(`${name}-cert-validation`, {
            certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn),
        }, { parent: this });
        return { certificate, validation };
    }

    /** Execution role (pull the image, write logs, inject the secret) and task role (the app's own AWS access). */
    private roles(name: string, args: ServiceArgs, account: pulumi.Output<string>, logGroup: aws.cloudwatch.LogGroup, tags: Record<string, string>) {
        const assumeRolePolicy = pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": account } },
            }],
        });
        const executionRole = new aws.iam.Role(`${name}-execution`, { assumeRolePolicy, tags }, { parent: this });
        const executionStatements: unknown[] = [
            // GetAuthorizationToken has no resource-level permissions: "*" is the only valid resource.
            { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Sid: "PullImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: args.repositoryArn },
            { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
        ];
        if (args.secretArn !== undefined) {
            executionStatements.push(
                { Sid: "InjectDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.secretArn },
                { Sid: "DecryptDatabaseSecret", Effect: "Allow", Action: "kms:Decrypt", Resource: args.secretsKeyArn },
            );
        }
        new aws.iam.RolePolicy(`${name}-execution`, {
            role: executionRole.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: executionStatements }),
        }, { parent: this });

        const taskRole = new aws.iam.Role(`${name}-task`, { assumeRolePolicy, tags }, { parent: this });
        const readOnly = args.documentAccess === "read-only";
        const buckets = Object.values(args.buckets);
        new aws.iam.RolePolicy(`${name}-task`, {
            role: taskRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "ListDocumentBuckets", Effect: "Allow", Action: "s3:ListBucket", Resource: buckets.map((b) => b.arn) },
                    readOnly
                        ? { Sid: "ReadDocuments", Effect: "Allow", Action: "s3:GetObject", Resource: buckets.map((b) => pulumi.interpolate`${b.arn}/*`) }
                        : { Sid: "ReadWriteDocuments", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: buckets.map((b) => pulumi.interpolate`${b.arn}/*`) },
                    { Sid: "UseDataKey", Effect: "Allow", Action: readOnly ? "kms:Decrypt" : ["kms:Decrypt", "kms:GenerateDataKey"], Resource: args.dataKeyArn },
                ],
            }),
        }, { parent: this });
        return { executionRole, taskRole };
    }

    /** ALB access logs: the ELB log-delivery service writes only with SSE-S3 (SSE-KMS buckets silently get no logs). */
    private accessLogBucket(name: string, args: ServiceArgs, account: pulumi.Output<string>, tags: Record<string, string>): SecureBucket {
        const elbAccount = aws.elb.getServiceAccountOutput({ region: args.region }, { parent: this });
        const logObjects = pulumi.interpolate`arn:aws:s3:::${args.accessLogBucketName}/alb/AWSLogs/${account}/*`;
        const store = new SecureBucket(`${name}-alb-logs`, {
            bucketName: args.accessLogBucketName, region: args.region, tags: { ...tags, [TAGS.dataClass]: ACCESS_LOGS },
            policyStatements: [
                // Regions opened before August 2022 deliver as the regional ELB account, newer ones as the service.
                { Sid: "ElbLogDeliveryAccount", Effect: "Allow", Principal: { AWS: elbAccount.arn }, Action: "s3:PutObject", Resource: logObjects },
                { Sid: "ElbLogDeliveryService", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: logObjects },
            ],
        }, { parent: this });
        new aws.s3.BucketLifecycleConfiguration(`${name}-alb-logs`, {
            bucket: store.bucket.id, region: args.region,
            rules: [{
                id: "expire-access-logs", status: "Enabled", filter: {},
                expiration: { days: 365 }, noncurrentVersionExpiration: { noncurrentDays: 30 },
            }],
        }, { parent: this, dependsOn: [store.versioning] });
        return store;
    }

    private taskDefinition(name: string, args: ServiceArgs, appPort: number, logGroup: aws.cloudwatch.LogGroup,
        executionRole: aws.iam.Role, taskRole: aws.iam.Role, tags: Record<string, string>): aws.ecs.TaskDefinition {
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
                options: { "awslogs-group": logGroup.name, "awslogs-region": args.region, "awslogs-stream-prefix": CONTAINER_NAME },
            },
        };
        return new aws.ecs.TaskDefinition(`${name}-task`, {
            family: name,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(args.cpu ?? 512),
            memory: String(args.memoryMiB ?? 1024),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions: pulumi.jsonStringify([container]),
            tags,
        }, { parent: this });
    }

    private autoScaling(name: string, args: ServiceArgs, cluster: aws.ecs.Cluster, service: aws.ecs.Service,
        lb: aws.lb.LoadBalancer, targetGroup: aws.lb.TargetGroup): void {
        const target = new aws.appautoscaling.Target(`${name}-scaling`, {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
            minCapacity: args.desiredCount,
            maxCapacity: args.maxCount,
        }, { parent: this });
        const policy = (suffix: string, config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration) =>
            new aws.appautoscaling.Policy(`${name}-${suffix}`, {
                policyType: "TargetTrackingScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                targetTrackingScalingPolicyConfiguration: config,
            }, { parent: this });
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
}

/** Checks the args that decide structure, all at once, before any child exists. */
function validate(name: string, args: ServiceArgs): void {
    const problems: string[] = [];
    const runs = args.active && args.runTasks !== false;
    if (runs && args.secretArn === undefined) problems.push("secretArn is required when active (the tasks read the database credentials from it)");
    if (runs && args.database === undefined) problems.push("database is required when active (the tasks connect to it)");
    if (args.maxCount < args.desiredCount) problems.push(`maxCount (${args.maxCount}) must be at least desiredCount (${args.desiredCount})`);
    if (problems.length > 0) throw new Error(`Service ${name}: ${problems.join("; ")}`);
}
