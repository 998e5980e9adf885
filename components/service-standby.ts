// What the service keeps in every state, DR standby included: free or slow to create (the cluster, the certificate
// and its DNS validation, the log group, the roles, the ALB access-log bucket). Children of the Service component.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOGS, TAGS } from "../policies/model/tags";
import { SecureBucket } from "./secure-bucket";
import type { ServiceArgs } from "./service";

export interface StandbyPieces {
    cluster: aws.ecs.Cluster;
    certificate: aws.acm.Certificate;
    validation: aws.acm.CertificateValidation;
    logGroup: aws.cloudwatch.LogGroup;
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
    logBucket: SecureBucket;
    /** This account's id (role trust conditions, rds-db ARNs). */
    account: pulumi.Output<string>;
}

/** Creates what every state keeps, as children of `parent` (the Service), tagged `tags` (with the kept marker). */
export function standbyPieces(parent: pulumi.Resource, name: string, args: ServiceArgs, tags: Record<string, string>): StandbyPieces {
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const cluster = new aws.ecs.Cluster(`${name}-cluster`, {
        settings: [{ name: "containerInsights", value: "enabled" }], tags,
    }, { parent });
    const { certificate, validation } = validatedCertificate(parent, name, args, tags);
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-app-logs`, {
        name: `/vbr/${name}/app`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: args.logsKeyArn, tags,
    }, { parent });
    const { executionRole, taskRole } = roles(parent, name, args, account, logGroup, tags);
    const logBucket = accessLogBucket(parent, name, args, account, tags);
    return { cluster, certificate, validation, logGroup, executionRole, taskRole, logBucket, account };
}

/** The domain and its drill name, DNS-validated in every state so an active bring-up never waits on ACM. */
function validatedCertificate(parent: pulumi.Resource, name: string, args: ServiceArgs, tags: Record<string, string>) {
    const names = [args.domainName, `drill.${args.domainName}`];
    const certificate = new aws.acm.Certificate(`${name}-cert`, {
        domainName: names[0], subjectAlternativeNames: names.slice(1), validationMethod: "DNS", keyAlgorithm: "RSA_2048", tags,
    }, { parent });
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
        }, { parent, retainOnDelete: true });
    });
    const validation = new aws.acm.CertificateValidation(`${name}-cert-validation`, {
        certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn),
    }, { parent });
    return { certificate, validation };
}

/** Execution role (pull the image, write logs, inject the secret) and task role (the app's own AWS access). */
function roles(parent: pulumi.Resource, name: string, args: ServiceArgs, account: pulumi.Output<string>, logGroup: aws.cloudwatch.LogGroup,
    tags: Record<string, string>) {
    const assumeRolePolicy = pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": account } },
        }],
    });
    const executionRole = new aws.iam.Role(`${name}-execution`, { assumeRolePolicy, tags }, { parent });
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
    }, { parent });

    const taskRole = new aws.iam.Role(`${name}-task`, { assumeRolePolicy, tags }, { parent });
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
    }, { parent });
    return { executionRole, taskRole };
}

/** ALB access logs: the ELB log-delivery service writes only with SSE-S3 (SSE-KMS buckets silently get no logs). */
function accessLogBucket(parent: pulumi.Resource, name: string, args: ServiceArgs, account: pulumi.Output<string>, tags: Record<string, string>): SecureBucket {
    const elbAccount = aws.elb.getServiceAccountOutput({ region: args.region }, { parent });
    const logObjects = pulumi.interpolate`arn:aws:s3:::${args.accessLogBucketName}/alb/AWSLogs/${account}/*`;
    const store = new SecureBucket(`${name}-alb-logs`, {
        bucketName: args.accessLogBucketName, region: args.region, tags: { ...tags, [TAGS.dataClass]: ACCESS_LOGS },
        policyStatements: [
            // Regions opened before August 2022 deliver as the regional ELB account, newer ones as the service.
            { Sid: "ElbLogDeliveryAccount", Effect: "Allow", Principal: { AWS: elbAccount.arn }, Action: "s3:PutObject", Resource: logObjects },
            { Sid: "ElbLogDeliveryService", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: logObjects },
        ],
    }, { parent });
    new aws.s3.BucketLifecycleConfiguration(`${name}-alb-logs`, {
        bucket: store.bucket.id, region: args.region,
        rules: [{
            id: "expire-access-logs", status: "Enabled", filter: {},
            expiration: { days: 365 }, noncurrentVersionExpiration: { noncurrentDays: 30 },
        }],
    }, { parent, dependsOn: [store.versioning] });
    return store;
}
