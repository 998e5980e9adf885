// Monitoring: the incident topic and every alarm that must page within five minutes (MTTD < 5 min).
//
// Alarms exist only for what exists in the current state: load-balancer alarms with the active tier, database
// alarms for the database this stack runs, replication alarms for the buckets this stack replicates.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RTC_MINUTES } from "../policies/model/plan";
import { INTEGRITY_NAMESPACE } from "./integrity-check";

export interface ReplicatedBucket {
    /** Stable key for resource names (`documents`). */
    key: string;
    source: pulumi.Input<string>;
    destination: pulumi.Input<string>;
    /** The replication rule's id: RTC metrics carry it as a dimension. */
    ruleId: pulumi.Input<string>;
}

export interface MonitoringArgs {
    /** CMK that encrypts the topic; its policy must let CloudWatch and EventBridge use it (KeyRing's logs key does). */
    topicKeyArn: pulumi.Input<string>;
    /** Address subscribed to the topic. @default - no subscription */
    alertEmail?: string;
    /** The active tier's load balancer and target group. @default - no load-balancer alarms (standby) */
    alb?: { arnSuffix: pulumi.Input<string>; targetGroupArnSuffix: pulumi.Input<string> };
    /** The database this stack runs. @default - no database alarms */
    database?: { identifier: pulumi.Input<string>; allocatedStorageGiB: number; maxConnections?: number };
    /** Buckets this stack replicates with RTC (the primary). @default [] */
    replicatedBuckets?: ReplicatedBucket[];
    /**
     * The monthly replica verification's Lambda function (the primary): alarms on the problems it reports and on its
     * failures. @default - no integrity alarms
     */
    integrityFunction?: pulumi.Input<string>;
    /** @default {} */
    tags?: Record<string, string>;
    /** Extra tags for what exists in standby too (`vbr:standby = kept` in the DR stack). @default {} */
    keptTags?: Record<string, string>;
}

/** The detection budget every alarm must fit: period x evaluation periods. */
export const MTTD_SECONDS = 300;
/** Thresholds, in one place for the alarm table of docs/alarms.md. */
export const THRESHOLDS = {
    alb5xxPercent: 5, alb5xxMinRequests: 20, unhealthyHosts: 1, dbCpuPercent: 80, dbFreeStorageFraction: 0.1,
    dbConnectionsFraction: 0.8, replicationLatencySeconds: RTC_MINUTES * 60, failedReplications: 0,
};
/** PostgreSQL's default max_connections for db.r6g.large (LEAST(memory/9531392, 5000)); override per class. */
export const DEFAULT_MAX_CONNECTIONS = 1800;

/** GiB of memory per vCPU by instance family letter (r: memory optimised, m: general purpose, x: extra memory). */
const GIB_PER_VCPU: Record<string, number> = { r: 8, m: 4, x: 16, z: 8 };
const VCPUS: Record<string, number> = {
    large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128,
};
/** Burstable classes have fixed memory (GiB). */
const BURSTABLE_GIB: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };

/**
 * RDS PostgreSQL's default max_connections for an instance class: LEAST(DBInstanceClassMemory / 9531392, 5000),
 * from the class's nominal memory (RDS reserves a little for the OS, hence about 1,800 rather than 1,802 on 16 GiB).
 * Unknown classes fall back to the db.r6g.large value; the alarm description shows which number was used.
 */
export function defaultMaxConnections(instanceClass: string): number {
    const [, family, size] = instanceClass.split(".");
    if (!family || !size) return DEFAULT_MAX_CONNECTIONS;
    const gib = family.startsWith("t") ? BURSTABLE_GIB[size] : (VCPUS[size] ?? 0) * (GIB_PER_VCPU[family[0]] ?? 0);
    if (!gib) return DEFAULT_MAX_CONNECTIONS;
    return Math.min(Math.floor((gib * 1024 ** 3) / 9531392 / 100) * 100, 5000);
}

export class Monitoring extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    readonly alarmNames: string[] = [];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:monitoring:Monitoring", name, {}, opts);
        const tags = args.tags ?? {};
        const kept = { ...tags, ...(args.keptTags ?? {}) };
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const topic = new aws.sns.Topic(`${name}-incidents`, { kmsMasterKeyId: args.topicKeyArn, tags: kept }, { parent: this });
        new aws.sns.TopicPolicy(`${name}-incidents`, {
            arn: topic.arn,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "AlarmsAndRulesPublish", Effect: "Allow",
                    Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
                    Action: "sns:Publish", Resource: topic.arn,
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                }],
            }),
        }, { parent: this });
        if (args.alertEmail) {
            new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.alertEmail }, { parent: this });
        }
        this.topicArn = topic.arn;

        const alarm = (suffix: string, props: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags">, alarmTags = tags) => {
            const period = props.period as number | undefined ?? 60;
            if (period * (props.evaluationPeriods as number) > MTTD_SECONDS) {
                throw new Error(`Monitoring ${name}: alarm ${suffix} needs ${period * (props.evaluationPeriods as number)} s to fire; the budget is ${MTTD_SECONDS} s`);
            }
            this.alarmNames.push(`${name}-${suffix}`);
            return new aws.cloudwatch.MetricAlarm(`${name}-${suffix}`, {
                ...props, alarmActions: [topic.arn], okActions: [topic.arn], tags: alarmTags,
            }, { parent: this });
        };

        if (args.alb) this.albAlarms(alarm, args.alb);
        // The platform passes a database only to an active stack, so its alarms never exist in standby.
        if (args.database) this.databaseAlarms(alarm, args.database, tags);
        for (const b of args.replicatedBuckets ?? []) this.replicationAlarms(alarm, b, kept);
        if (args.integrityFunction) this.integrityAlarms(alarm, args.integrityFunction, tags);
        this.eventRules(name, topic, kept);
        this.registerOutputs({ topicArn: this.topicArn });
    }

    private albAlarms(alarm: AlarmFactory, alb: NonNullable<MonitoringArgs["alb"]>): void {
        const lbMetric = (id: string, metricName: string) => ({
            id, returnData: false,
            metric: { namespace: "AWS/ApplicationELB", metricName, stat: "Sum", period: 60, dimensions: { LoadBalancer: alb.arnSuffix } },
        });
        // Target and ELB 5xx over requests: when every target is down the ALB itself answers 503.
        alarm("alb-5xx-rate", {
            alarmDescription: `More than ${THRESHOLDS.alb5xxPercent} % of requests failed with 5xx for 3 minutes`,
            comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.alb5xxPercent,
            evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "notBreaching",
            metricQueries: [
                {
                    id: "rate", returnData: true, label: "5xx percent",
                    expression: `IF(requests >= ${THRESHOLDS.alb5xxMinRequests}, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)`,
                },
                lbMetric("target5xx", "HTTPCode_Target_5XX_Count"),
                lbMetric("elb5xx", "HTTPCode_ELB_5XX_Count"),
                lbMetric("requests", "RequestCount"),
            ],
        });
        alarm("alb-unhealthy-hosts", {
            alarmDescription: "At least one target failed its health checks for 3 minutes",
            namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", statistic: "Maximum",
            dimensions: { LoadBalancer: alb.arnSuffix, TargetGroup: alb.targetGroupArnSuffix },
            period: 60, evaluationPeriods: 3, datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: THRESHOLDS.unhealthyHosts, treatMissingData: "notBreaching",
        });
        // No data here means no registered targets at all: that is an outage, not silence.
        alarm("alb-no-healthy-hosts", {
            alarmDescription: "No healthy target behind the load balancer for 2 minutes",
            namespace: "AWS/ApplicationELB", metricName: "HealthyHostCount", statistic: "Minimum",
            dimensions: { LoadBalancer: alb.arnSuffix, TargetGroup: alb.targetGroupArnSuffix },
            period: 60, evaluationPeriods: 2, datapointsToAlarm: 2,
            comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching",
        });
    }

    private databaseAlarms(alarm: AlarmFactory, db: NonNullable<MonitoringArgs["database"]>, tags: Record<string, string>): void {
        const dimensions = { DBInstanceIdentifier: db.identifier };
        // Saturation alarms; an unreachable database is caught by the RDS failure events and the ALB alarms, so
        // missing data keeps the alarm's state instead of paging during a restore.
        alarm("db-cpu", {
            alarmDescription: `Database CPU above ${THRESHOLDS.dbCpuPercent} % for 5 minutes`,
            namespace: "AWS/RDS", metricName: "CPUUtilization", statistic: "Average", dimensions,
            period: 60, evaluationPeriods: 5, comparisonOperator: "GreaterThanThreshold", threshold: THRESHOLDS.dbCpuPercent,
            treatMissingData: "missing",
        }, tags);
        alarm("db-free-storage", {
            alarmDescription: `Database free storage below ${THRESHOLDS.dbFreeStorageFraction * 100} % of ${db.allocatedStorageGiB} GiB`,
            namespace: "AWS/RDS", metricName: "FreeStorageSpace", statistic: "Minimum", dimensions,
            period: 300, evaluationPeriods: 1, comparisonOperator: "LessThanThreshold",
            threshold: Math.round(db.allocatedStorageGiB * THRESHOLDS.dbFreeStorageFraction * 1024 ** 3),
            treatMissingData: "missing",
        }, tags);
        const maxConnections = db.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
        alarm("db-connections", {
            alarmDescription: `Database connections above ${THRESHOLDS.dbConnectionsFraction * 100} % of max_connections (${maxConnections})`,
            namespace: "AWS/RDS", metricName: "DatabaseConnections", statistic: "Maximum", dimensions,
            period: 60, evaluationPeriods: 5, comparisonOperator: "GreaterThanThreshold",
            threshold: Math.floor(maxConnections * THRESHOLDS.dbConnectionsFraction), treatMissingData: "missing",
        }, tags);
    }

    /** RTC metrics (AWS/S3, per rule); S3 emits them only while objects replicate, so silence is healthy. */
    private replicationAlarms(alarm: AlarmFactory, b: ReplicatedBucket, tags: Record<string, string>): void {
        const dimensions = { SourceBucket: b.source, DestinationBucket: b.destination, RuleId: b.ruleId };
        alarm(`s3-${b.key}-replication-latency`, {
            alarmDescription: `Replication of ${b.key} slower than the ${RTC_MINUTES}-minute RTC threshold for 5 minutes`,
            namespace: "AWS/S3", metricName: "ReplicationLatency", statistic: "Maximum", dimensions,
            period: 60, evaluationPeriods: 5, comparisonOperator: "GreaterThanThreshold",
            threshold: THRESHOLDS.replicationLatencySeconds, treatMissingData: "notBreaching",
        }, tags);
        alarm(`s3-${b.key}-replication-failed`, {
            alarmDescription: `Objects of ${b.key} failed to replicate`,
            namespace: "AWS/S3", metricName: "OperationsFailedReplication", statistic: "Sum", dimensions,
            period: 60, evaluationPeriods: 5, datapointsToAlarm: 1, comparisonOperator: "GreaterThanThreshold",
            threshold: THRESHOLDS.failedReplications, treatMissingData: "notBreaching",
        }, tags);
    }

    /**
     * The monthly verification publishes ReplicaProblems (mismatched plus missing versions) once per run; any error of
     * its function (a crash, a timeout, an unwritable record) is Lambda's Errors metric. Both are silent between runs.
     */
    private integrityAlarms(alarm: AlarmFactory, functionName: pulumi.Input<string>, tags: Record<string, string>): void {
        alarm("integrity-replica-problems", {
            alarmDescription: "The integrity verification found replicas that are missing or differ from their source (report: audit bucket, dr-events/verification/)",
            namespace: INTEGRITY_NAMESPACE, metricName: "ReplicaProblems", statistic: "Maximum",
            period: 60, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching",
        }, tags);
        alarm("integrity-run-failed", {
            alarmDescription: "The integrity verification failed to run or to record its report (its function's log group has the error)",
            namespace: "AWS/Lambda", metricName: "Errors", statistic: "Sum", dimensions: { FunctionName: functionName },
            period: 60, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching",
        }, tags);
    }

    /** Event-driven failures go straight to the topic: seconds to detect, no period to wait out. */
    private eventRules(name: string, topic: aws.sns.Topic, tags: Record<string, string>): void {
        const rule = (suffix: string, description: string, pattern: unknown) => {
            const r = new aws.cloudwatch.EventRule(`${name}-${suffix}`, { description, eventPattern: JSON.stringify(pattern), tags }, { parent: this });
            new aws.cloudwatch.EventTarget(`${name}-${suffix}`, { rule: r.name, arn: topic.arn }, { parent: this });
        };
        rule("backup-job-failed", "AWS Backup backup, copy or restore job failed or aborted", BACKUP_FAILURE_PATTERN);
        rule("rds-backup-failed", "RDS backup, automated backup replication or instance failure", RDS_FAILURE_PATTERN);
    }
}

type AlarmFactory = (suffix: string, props: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags">, tags?: Record<string, string>) => aws.cloudwatch.MetricAlarm;

export const BACKUP_FAILURE_PATTERN = {
    source: ["aws.backup"],
    "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
    detail: { state: ["FAILED", "ABORTED"] },
};

/**
 * RDS instance events: the failure category, and backup-category or replication events whose message reports a
 * failure or a stopped replication (the routine "backing up"/"finished backup" events are not pages).
 */
export const RDS_FAILURE_PATTERN = {
    source: ["aws.rds"],
    "detail-type": ["RDS DB Instance Event"],
    detail: {
        $or: [
            { EventCategories: ["failure"] },
            { EventCategories: ["backup"], Message: [{ wildcard: "*fail*" }] },
            { Message: [{ wildcard: "*eplicat* stop*" }] },
            { Message: [{ wildcard: "*eplicat*fail*" }] },
        ],
    },
};
