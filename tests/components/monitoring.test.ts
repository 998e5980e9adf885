// Monitoring: encrypted topic, every alarm's metric, threshold and detection time, and which alarms exist when.
// What mocks cannot prove: that the metrics are emitted (RTC metrics need RTC on the rule) or that AWS accepts
// the EventBridge pattern; the patterns are checked here by shape only.
import { expect } from "chai";
import { useMocks, promiseOf } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";

useMocks("us-east-1", "primary");
import { Monitoring, MonitoringArgs, MTTD_SECONDS, defaultMaxConnections } from "../../components/monitoring";

const LOGS_KEY = "arn:aws:kms:us-east-1:123456789012:key/logs-key";
const full: MonitoringArgs = {
    topicKeyArn: LOGS_KEY, alertEmail: "oncall@example.com",
    alb: { arnSuffix: "app/vbr-alb/abc", targetGroupArnSuffix: "targetgroup/vbr-tg/def" },
    database: { identifier: "vbr-prod-postgres", allocatedStorageGiB: 100 },
    replicatedBuckets: [{ key: "documents", source: "vbr-prod-documents-us-east-1", destination: "vbr-prod-documents-us-west-2", ruleId: "replicate-all" }],
};

function build(name: string, args: MonitoringArgs): Capture {
    const cap = capture();
    new Monitoring(name, args, cap.opts);
    return cap;
}
const alarms = async (cap: Capture) => Object.fromEntries(await Promise.all(cap.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
    .map(async (r) => [r.name, await promiseOf(r.props as Record<string, any>)] as const)));

describe("Monitoring", () => {
    const primary = build("m", full);
    const standby = build("s", { topicKeyArn: LOGS_KEY, keptTags: { "vbr:standby": "kept" } });

    it("encrypts the incident topic with the logs CMK and lets only CloudWatch and EventBridge of this account publish", async () => {
        const topic = await promiseOf(primary.ofType("aws:sns/topic:Topic")[0].props as Record<string, any>);
        expect(topic.kmsMasterKeyId).to.equal(LOGS_KEY);
        const policy = JSON.parse((await promiseOf(primary.ofType("aws:sns/topicPolicy:TopicPolicy")[0].props as Record<string, any>)).policy);
        expect(policy.Statement[0].Principal).to.deep.equal({ Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] });
        expect(policy.Statement[0].Action).to.equal("sns:Publish");
        expect(policy.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" } });
        const sub = await promiseOf(primary.ofType("aws:sns/topicSubscription:TopicSubscription")[0].props as Record<string, any>);
        expect([sub.protocol, sub.endpoint]).to.deep.equal(["email", "oncall@example.com"]);
    });

    it("fires every alarm within 5 minutes and sends alarm and OK to the topic", async () => {
        const all = await alarms(primary);
        expect(Object.keys(all)).to.have.length(8);
        for (const [name, a] of Object.entries(all)) {
            const period = a.period ?? a.metricQueries.find((q: any) => q.metric)?.metric.period;
            expect(period * a.evaluationPeriods, name).to.be.at.most(MTTD_SECONDS);
            expect(a.alarmActions, name).to.have.length(1);
            expect(a.alarmActions[0], name).to.match(/^arn:aws:sns:us-east-1:123456789012:m-incidents-/);
            expect(a.okActions, name).to.deep.equal(a.alarmActions);
            expect(a.treatMissingData, name).to.be.a("string");
        }
    });

    it("alarms on the 5xx rate (target + ELB 5xx over requests) above 5 % for 3 x 60 s", async () => {
        const a = (await alarms(primary))["m-alb-5xx-rate"];
        expect([a.threshold, a.comparisonOperator, a.evaluationPeriods, a.treatMissingData]).to.deep.equal([5, "GreaterThanThreshold", 3, "notBreaching"]);
        expect(a.metricQueries[0].expression).to.equal("IF(requests >= 20, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)");
        expect(a.metricQueries.slice(1).map((q: any) => [q.id, q.metric.metricName, q.metric.stat, q.metric.period, q.metric.dimensions.LoadBalancer])).to.deep.equal([
            ["target5xx", "HTTPCode_Target_5XX_Count", "Sum", 60, "app/vbr-alb/abc"],
            ["elb5xx", "HTTPCode_ELB_5XX_Count", "Sum", 60, "app/vbr-alb/abc"],
            ["requests", "RequestCount", "Sum", 60, "app/vbr-alb/abc"],
        ]);
    });

    it("alarms on unhealthy (>= 1, 3 x 60 s) and on no healthy hosts (< 1, 2 x 60 s, missing = breaching)", async () => {
        const all = await alarms(primary);
        const u = all["m-alb-unhealthy-hosts"];
        expect([u.metricName, u.statistic, u.threshold, u.period, u.evaluationPeriods, u.treatMissingData]).to.deep.equal(["UnHealthyHostCount", "Maximum", 1, 60, 3, "notBreaching"]);
        expect(u.dimensions).to.deep.equal({ LoadBalancer: "app/vbr-alb/abc", TargetGroup: "targetgroup/vbr-tg/def" });
        const h = all["m-alb-no-healthy-hosts"];
        expect([h.metricName, h.comparisonOperator, h.threshold, h.period, h.evaluationPeriods, h.treatMissingData]).to.deep.equal(["HealthyHostCount", "LessThanThreshold", 1, 60, 2, "breaching"]);
    });

    it("derives max_connections from the instance class (LEAST(memory / 9531392, 5000), to the hundred)", () => {
        expect(["db.r6g.large", "db.r6g.xlarge", "db.m6g.large", "db.t4g.micro", "db.r6g.4xlarge", "db.x2g.large", "db.q9.weird"]
            .map(defaultMaxConnections)).to.deep.equal([1800, 3600, 900, 100, 5000, 3600, 1800]);
    });

    it("alarms on database CPU > 80 %, free storage < 10 % of allocated, connections > 80 % of max", async () => {
        const all = await alarms(primary);
        const pick = (a: any) => [a.metricName, a.statistic, a.comparisonOperator, a.threshold, a.period, a.evaluationPeriods, a.dimensions];
        const dims = { DBInstanceIdentifier: "vbr-prod-postgres" };
        expect(pick(all["m-db-cpu"])).to.deep.equal(["CPUUtilization", "Average", "GreaterThanThreshold", 80, 60, 5, dims]);
        expect(pick(all["m-db-free-storage"])).to.deep.equal(["FreeStorageSpace", "Minimum", "LessThanThreshold", 10737418240, 300, 1, dims]);
        expect(pick(all["m-db-connections"])).to.deep.equal(["DatabaseConnections", "Maximum", "GreaterThanThreshold", 1440, 60, 5, dims]);
    });

    it("alarms per replicated bucket on RTC latency > 900 s and on any failed replication", async () => {
        const all = await alarms(primary);
        const dims = { SourceBucket: "vbr-prod-documents-us-east-1", DestinationBucket: "vbr-prod-documents-us-west-2", RuleId: "replicate-all" };
        const l = all["m-s3-documents-replication-latency"];
        expect([l.namespace, l.metricName, l.statistic, l.threshold, l.period, l.evaluationPeriods, l.dimensions]).to.deep.equal(["AWS/S3", "ReplicationLatency", "Maximum", 900, 60, 5, dims]);
        const f = all["m-s3-documents-replication-failed"];
        expect([f.metricName, f.statistic, f.comparisonOperator, f.threshold, f.datapointsToAlarm]).to.deep.equal(["OperationsFailedReplication", "Sum", "GreaterThanThreshold", 0, 1]);
    });

    it("sends AWS Backup job/copy failures and RDS backup/replication failures to the topic through EventBridge", async () => {
        const rules = await Promise.all(primary.ofType("aws:cloudwatch/eventRule:EventRule").map((r) => promiseOf(r.props as Record<string, any>)));
        const backup = JSON.parse(rules[0].eventPattern);
        expect(backup).to.deep.equal({
            source: ["aws.backup"], "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
            detail: { state: ["FAILED", "ABORTED"] },
        });
        const rds = JSON.parse(rules[1].eventPattern);
        expect(rds.source).to.deep.equal(["aws.rds"]);
        expect(rds.detail.$or[0]).to.deep.equal({ EventCategories: ["failure"] });
        const targets = primary.ofType("aws:cloudwatch/eventTarget:EventTarget");
        expect(targets).to.have.length(2);
    });

    it("keeps only the topic and the event rules in standby: no alarm for resources that do not exist", async () => {
        expect(standby.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")).to.have.length(0);
        expect(standby.ofType("aws:sns/topicSubscription:TopicSubscription")).to.have.length(0);
        expect(standby.ofType("aws:cloudwatch/eventRule:EventRule")).to.have.length(2);
        expect((await promiseOf(standby.ofType("aws:sns/topic:Topic")[0].props as Record<string, any>)).tags).to.deep.equal({ "vbr:standby": "kept" });
    });
});
