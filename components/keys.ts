// Customer-managed KMS keys, one per data class, each usable only by the AWS services that need it.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KEY_CLASSES, KeyClass, Naming } from "../policies/model/naming";
import { KMS_DELETION_WINDOW_DAYS } from "../policies/model/plan";
import { TAGS } from "../policies/model/tags";

export interface KeyRingArgs<C extends KeyClass = KeyClass> {
    naming: Naming;
    /** The region the keys live in, passed to every key and alias; ViaService conditions name it. */
    region: string;
    /** Which data classes get a key. @default KEY_CLASSES (data, backup, logs, secrets) */
    classes?: readonly C[];
    accountId: pulumi.Input<string>;
    /** Tags for every key. @default {} */
    tags?: Record<string, string>;
}

type Statement = Record<string, unknown>;

/** Encrypt/decrypt actions a service performs on behalf of a caller in the account. */
const USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/** Lets principals of this account use the key only through the listed services (the aws/s3-style pattern). */
function viaServices(sid: string, account: string, services: string[], region: string, grants: boolean): Statement[] {
    const condition = { StringEquals: { "kms:CallerAccount": account, "kms:ViaService": services.map((s) => `${s}.${region}.amazonaws.com`) } };
    const use: Statement = { Sid: sid, Effect: "Allow", Principal: { AWS: "*" }, Action: USE_ACTIONS, Resource: "*", Condition: condition };
    if (!grants) return [use];
    // RDS and AWS Backup hand the key to their storage layer through grants; only for AWS resources.
    const grant: Statement = {
        Sid: `${sid}Grants`, Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: "*", Condition: { ...condition, Bool: { "kms:GrantIsForAWSResource": "true" } },
    };
    return [use, grant];
}

/**
 * What CloudTrail needs of the key that encrypts its log and digest files (CloudTrail User Guide, "Configure AWS KMS key
 * policies for CloudTrail"): data keys for this region's trail only (aws:SourceArn), the key's description, and the
 * account's principals decrypting what a trail of the account wrote (the encryption context names the trail). The trail
 * bucket has no S3 Bucket Key, so S3 passes CloudTrail's context to KMS and these conditions hold (docs/aws-facts.md).
 */
export function cloudTrailStatements(account: string, trailArn: string): Statement[] {
    const anyTrailOfAccount = { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${account}:trail/*` };
    const cloudTrail = { Service: "cloudtrail.amazonaws.com" };
    return [
        {
            Sid: "CloudTrailEncryptLogs", Effect: "Allow", Principal: cloudTrail, Action: "kms:GenerateDataKey*", Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": trailArn }, StringLike: anyTrailOfAccount },
        },
        {
            Sid: "CloudTrailDescribeKey", Effect: "Allow", Principal: cloudTrail, Action: "kms:DescribeKey", Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "CloudTrailLogReaders", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:ReEncryptFrom"], Resource: "*",
            Condition: { StringEquals: { "kms:CallerAccount": account }, StringLike: anyTrailOfAccount },
        },
    ];
}

/**
 * The statements that say who may use each class of key, besides the account's administrators. `trailArn` is the trail
 * this region's stack runs (the logs key encrypts its files).
 */
export function keyUsers(keyClass: KeyClass, account: string, region: string, trailArn: string): Statement[] {
    switch (keyClass) {
        case "data":
            // S3 buckets and replicas, RDS storage/snapshots/Performance Insights, ECR image layers.
            return viaServices("DataServices", account, ["s3", "rds", "ecr"], region, true);
        case "backup":
            return viaServices("BackupServices", account, ["backup", "rds"], region, true);
        case "secrets":
            return viaServices("SecretsManager", account, ["secretsmanager"], region, false);
        case "logs":
            return [
                {
                    Sid: "CloudWatchLogs", Effect: "Allow", Principal: { Service: `logs.${region}.amazonaws.com` },
                    Action: USE_ACTIONS, Resource: "*",
                    Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${account}:log-group:*` } },
                },
                // The incident topic is encrypted with this key: alarms and EventBridge rules publish to it. CloudWatch's
                // requests carry aws:SourceAccount and aws:SourceArn, so its grant is held to this account's alarms.
                {
                    Sid: "IncidentTopicAlarms", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${region}:${account}:alarm:*` } },
                },
                // EventBridge's KMS requests for an SNS target carry neither key: with those conditions every failure
                // notification would be dropped silently. This is the statement the SNS guide documents ("Enable
                // compatibility between event sources from AWS services and encrypted topics"; docs/aws-facts.md).
                {
                    Sid: "IncidentTopicEventRules", Effect: "Allow", Principal: { Service: "events.amazonaws.com" },
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*",
                },
                ...viaServices("IncidentTopic", account, ["sns"], region, false),
                ...cloudTrailStatements(account, trailArn),
            ];
    }
}

export class KeyRing<C extends KeyClass = KeyClass> extends pulumi.ComponentResource {
    readonly keys: Record<C, aws.kms.Key>;
    /** Key ARNs by class: what resources pass as their `kmsKeyId`. */
    readonly arns: Record<C, pulumi.Output<string>>;

    constructor(name: string, args: KeyRingArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:keys:KeyRing", name, {}, opts);
        const classes = args.classes ?? (KEY_CLASSES as readonly KeyClass[] as readonly C[]);
        const keys = {} as Record<C, aws.kms.Key>;
        for (const keyClass of classes) {
            const policy = pulumi.output(args.accountId).apply((account) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                    ...keyUsers(keyClass, account, args.region, args.naming.trailArn(args.region, account)),
                ],
            }));
            const key = new aws.kms.Key(`${name}-${keyClass}`, {
                description: `${args.naming.prefix} ${keyClass} key (${args.region})`,
                region: args.region,
                enableKeyRotation: true,
                deletionWindowInDays: KMS_DELETION_WINDOW_DAYS,
                policy,
                tags: { ...args.tags, [TAGS.keyClass]: keyClass },
            }, { parent: this, protect: true, retainOnDelete: true });
            new aws.kms.Alias(`${name}-${keyClass}`, { name: args.naming.keyAlias(keyClass), targetKeyId: key.keyId, region: args.region }, { parent: this });
            keys[keyClass] = key;
        }
        this.keys = keys;
        this.arns = Object.fromEntries(classes.map((c) => [c, keys[c].arn])) as Record<C, pulumi.Output<string>>;
        this.registerOutputs({ arns: this.arns });
    }
}
