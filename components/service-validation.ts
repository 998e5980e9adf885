// The DR stack's one-off database check (drill and failover): a task definition that runs the app's own image with
// its validation command, as a dedicated IAM-authenticated database user, from inside the VPC (the database is
// private: no public access, and its security group admits only the task security group). `npm run drill` starts it
// with ECS RunTask and reads its exit code and log lines; docs/drill.md defines the command's contract.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceArgs } from "./service";
import type { StandbyPieces } from "./service-standby";

/** The image's validation command (docs/drill.md, "The validation command"). */
export const VALIDATION_COMMAND = "vbr-db-check";
/** The database user the check logs in as with an IAM token (created once on the primary; it replicates). */
export const VALIDATION_DB_USER = "vbr_validator";
/** Where the image keeps the RDS CA bundle the check verifies the server certificate against. */
export const RDS_CA_BUNDLE_PATH = "/etc/ssl/certs/rds-global-bundle.pem";
export const VALIDATION_CONTAINER = "validate";

/** What a one-off task needs to be started with RunTask and read back (a stack output, as plain values). */
export interface OneOffTask {
    cluster: string;
    taskDefinition: string;
    container: string;
    subnets: string[];
    securityGroups: string[];
    logGroup: string;
    /** awslogs stream prefix: a task's stream is `<prefix>/<container>/<task id>`. */
    logStreamPrefix: string;
}

export interface ValidationTask {
    taskDefinition: aws.ecs.TaskDefinition;
    taskRole: aws.iam.Role;
}

/**
 * The validator's own task role (only `rds-db:connect` as VALIDATION_DB_USER on the serving instance) and its task
 * definition: the app's image, the execution role and log group standby keeps, no secret injected.
 */
export function validationTask(parent: pulumi.Resource, name: string, args: ServiceArgs, standby: StandbyPieces,
    tags: Record<string, string>): ValidationTask {
    const db = args.database!;
    if (db.resourceId === undefined) throw new Error(`Service ${name}: the validation task needs the database's resourceId (rds-db:connect is granted per instance)`);
    const assumeRolePolicy = pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": standby.account } },
        }],
    });
    const taskRole = new aws.iam.Role(`${name}-validator`, { assumeRolePolicy, tags }, { parent });
    new aws.iam.RolePolicy(`${name}-validator`, {
        role: taskRole.id,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{
                Sid: "ConnectAsValidator", Effect: "Allow", Action: "rds-db:connect",
                Resource: pulumi.interpolate`arn:aws:rds-db:${args.region}:${standby.account}:dbuser:${db.resourceId}/${VALIDATION_DB_USER}`,
            }],
        }),
    }, { parent });
    const container = {
        name: VALIDATION_CONTAINER,
        image: pulumi.interpolate`${args.repositoryUrl}:${args.imageTag}`,
        essential: true,
        command: [VALIDATION_COMMAND, "verify"],
        environment: [
            { name: "DB_HOST", value: db.address },
            { name: "DB_PORT", value: pulumi.output(db.port).apply(String) },
            { name: "DB_IAM_USER", value: VALIDATION_DB_USER },
            { name: "DB_TLS_CA_FILE", value: RDS_CA_BUNDLE_PATH },
            { name: "AWS_REGION", value: args.region },
        ],
        logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": standby.logGroup.name, "awslogs-region": args.region, "awslogs-stream-prefix": VALIDATION_CONTAINER },
        },
    };
    const taskDefinition = new aws.ecs.TaskDefinition(`${name}-validate`, {
        family: `${name}-validate`,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "256",
        memory: "512",
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: standby.executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions: pulumi.jsonStringify([container]),
        tags,
    }, { parent });
    return { taskDefinition, taskRole };
}

/** The stack output describing a one-off task on the service's cluster, network and log group. */
export function oneOffTask(args: ServiceArgs, standby: StandbyPieces, taskDefinitionArn: pulumi.Input<string>, container: string): pulumi.Output<OneOffTask> {
    return pulumi.output({
        cluster: standby.cluster.arn, taskDefinition: taskDefinitionArn, container,
        subnets: args.privateSubnetIds, securityGroups: [args.taskSecurityGroupId],
        logGroup: standby.logGroup.name, logStreamPrefix: container,
    }) as pulumi.Output<OneOffTask>;
}
