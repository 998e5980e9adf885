// The application service: ECS Fargate tasks behind an HTTPS load balancer, with the certificate, log groups and
// roles kept ready in every state (service-standby.ts) and the billed pieces (ALB, listeners, tasks) created only
// when active (service-active.ts).
import * as pulumi from "@pulumi/pulumi";
import { DataBucket } from "../policies/model/naming";
import { activeTier, ActiveTier, CONTAINER_NAME } from "./service-active";
import { standbyPieces } from "./service-standby";
import { OneOffTask, oneOffTask, VALIDATION_CONTAINER, validationTask } from "./service-validation";

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
    /** This region's copy of the database secret (JSON with `username` and `password`). Required when active. @default - none (standby) */
    secretArn?: pulumi.Input<string>;
    /**
     * The database the service uses. Required when active; `resourceId` (the DbiResourceId) is required with
     * `validationTask`. @default - none (standby)
     */
    database?: { address: pulumi.Input<string>; port: pulumi.Input<number>; resourceId?: pulumi.Input<string> };
    /**
     * With `active` and `runTasks`, also create the one-off database check the drill runs inside the VPC: its own
     * task role (only `rds-db:connect` as the validator user) and task definition (service-validation.ts). The DR
     * stack in drill or failover. @default false
     */
    validationTask?: boolean;
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

export class Service extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly certificateArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly executionRoleArn: pulumi.Output<string>;
    readonly taskRoleArn: pulumi.Output<string>;
    readonly accessLogBucketArn: pulumi.Output<string>;
    /** Load balancer details; undefined in standby. */
    readonly alb?: ActiveTier["alb"];
    /** The ECS service's name; undefined in standby and while `runTasks` is false. */
    readonly serviceName?: pulumi.Output<string>;
    /** One-off tasks the drill starts with RunTask: the app's task definition and the validation task (the `tasks` output). */
    readonly tasks: pulumi.Output<{ app?: OneOffTask; validation?: OneOffTask }>;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:service:Service", name, {}, opts);
        validate(name, args);
        const tags = args.tags ?? {};
        const standby = standbyPieces(this, name, args, { ...tags, ...(args.keptTags ?? {}) });
        this.clusterName = standby.cluster.name;
        this.certificateArn = standby.certificate.arn;
        this.logGroupName = standby.logGroup.name;
        this.executionRoleArn = standby.executionRole.arn;
        this.taskRoleArn = standby.taskRole.arn;
        this.accessLogBucketArn = standby.logBucket.arn;
        let tasks: { app?: pulumi.Output<OneOffTask>; validation?: pulumi.Output<OneOffTask> } = {};
        if (args.active) {
            const active = activeTier(this, name, args, args.appPort ?? 8080, standby, tags);
            this.alb = active.alb;
            this.serviceName = active.serviceName;
            if (active.taskDefinitionArn) tasks = { app: oneOffTask(args, standby, active.taskDefinitionArn, CONTAINER_NAME) };
            if (active.taskDefinitionArn && args.validationTask) {
                const validation = validationTask(this, name, args, standby, tags);
                tasks.validation = oneOffTask(args, standby, validation.taskDefinition.arn, VALIDATION_CONTAINER);
            }
        }
        this.tasks = pulumi.output(tasks);
        this.registerOutputs({ clusterName: this.clusterName, certificateArn: this.certificateArn, albDnsName: this.alb?.dnsName });
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
