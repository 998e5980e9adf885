// The application tier per role and state: what standby keeps, what drill and failover add, and that a failover DR
// stack's app tier is the primary's apart from the documented differences. (tests/stacks/states.test.ts repeats
// this over the whole synthesized program once the data tier is wired.)
// awsx.ec2.Vpc is remote: its NAT gateways are not seen here; the Vpc's natGateways input is checked instead.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { useMocks, promiseOf, sdk } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";

import { composeAppTier, createNetwork, AppTierData } from "../../components/app-tier";
import { parseStackConfig, StackConfig } from "../../stacks/config";
import { platformArgs } from "../../stacks/platform-args";
import { loadProject, stackConfig } from "../../tools/harness/project";

const project = loadProject(".");
class Root extends pulumi.ComponentResource {
    constructor(name: string, opts: pulumi.ComponentResourceOptions) { super("test:index:Root", name, {}, opts); }
}

function data(cfg: StackConfig, withDb: boolean): AppTierData {
    const arn = (c: string) => `arn:aws:kms:${cfg.region}:123456789012:key/${c}`;
    const bucket = (b: string) => ({ name: `vbr-prod-${b}-${cfg.region}`, arn: `arn:aws:s3:::vbr-prod-${b}-${cfg.region}` });
    return {
        keys: { logs: arn("logs"), data: arn("data"), secrets: arn("secrets") },
        buckets: { documents: bucket("documents"), reports: bucket("reports"), audit: bucket("audit") },
        secretArn: `arn:aws:secretsmanager:${cfg.region}:123456789012:secret:vbr-prod/database/master-AbCdEf`,
        database: withDb ? { identifier: "vbr-prod-postgres", address: "db.internal", port: 5432, resourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ" } : undefined,
        repository: { url: `123456789012.dkr.ecr.${cfg.region}.amazonaws.com/vbr-prod/app`, arn: `arn:aws:ecr:${cfg.region}:123456789012:repository/vbr-prod/app` },
    };
}

function build(stack: "primary" | "dr", overrides: Record<string, string> = {}): { cap: Capture; cfg: StackConfig; endpoint: pulumi.Output<string | undefined> } {
    const cfg = parseStackConfig(stack, stackConfig(project, stack, overrides));
    const cap = capture();
    const root = new Root(`${stack}-${cfg.drState}-${cfg.drDatabase}`, cap.opts);
    // The data tier has a database in every state except DR standby in restore mode.
    const withDb = !(cfg.role === "dr" && cfg.drState === "standby" && cfg.drDatabase === "restore");
    const args = platformArgs(cfg);
    const network = createNetwork(root, "vbr-prod", args.network, data(cfg, withDb).keys.logs);
    const tier = composeAppTier(root, "vbr-prod", args.app, network, data(cfg, withDb));
    return { cap, cfg, endpoint: tier.endpoint };
}

const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
const multiset = (cap: Capture) => {
    const m: Record<string, number> = {};
    for (const r of cap.resources) m[r.type] = (m[r.type] ?? 0) + 1;
    return m;
};
/** Types (with counts) in a but not in b. */
const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).filter(([t, n]) => n > (b[t] ?? 0)).map(([t, n]) => [t, n - (b[t] ?? 0)]));

describe("application tier by state", () => {
    type Built = ReturnType<typeof build>;
    let primary: Built;
    let states: Record<"replica" | "restore", Record<"standby" | "drill" | "failover", Built>>;
    // Built in `before`, not when the file loads, under this file's mocks, and every registration finished before
    // another spec installs its own monitor (a late one would reach a monitor that never saw the resource).
    before(async () => {
        useMocks("us-west-2", "dr");
        primary = build("primary");
        states = {
            replica: { standby: build("dr"), drill: build("dr", { "vbr:drState": "drill" }), failover: build("dr", { "vbr:drState": "failover" }) },
            restore: {
                standby: build("dr", { "vbr:drDatabase": "restore" }), drill: build("dr", { "vbr:drState": "drill", "vbr:drDatabase": "restore" }),
                failover: build("dr", { "vbr:drState": "failover", "vbr:drDatabase": "restore" }),
            },
        };
        await sdk.settings.waitForRPCs();
    });

    it("standby has no NAT, no load balancer, no tasks, no records but the certificate's, and no endpoint", async () => {
        const { cap, endpoint } = states.replica.standby;
        const vpc = cap.ofType("awsx:ec2:Vpc")[0];
        expect((await promiseOf(vpc.props as Record<string, any>)).natGateways).to.deep.equal({ strategy: "None" });
        for (const t of ["aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener", "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:route53/healthCheck:HealthCheck"]) {
            expect(cap.ofType(t), t).to.have.length(0);
        }
        expect(cap.ofType("aws:route53/record:Record").map((r) => r.name)).to.deep.equal(["vbr-prod-app-cert-validation-0", "vbr-prod-app-cert-validation-1"]);
        expect(await promiseOf(endpoint)).to.equal(undefined);
    });

    it("a drill only reads the DR copies of production's documents; failover and the primary write them", async () => {
        const actions = async (cap: Capture) => {
            const task = cap.ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "vbr-prod-app-task")!;
            const policy = JSON.parse((await promiseOf(task.props as Record<string, any>)).policy);
            return policy.Statement.filter((st: { Sid: string }) => st.Sid !== "ListDocumentBuckets").map((st: { Action: unknown }) => st.Action);
        };
        expect(await actions(states.replica.drill.cap)).to.deep.equal(["s3:GetObject", "kms:Decrypt"]);
        expect(await actions(states.restore.drill.cap)).to.deep.equal(["s3:GetObject", "kms:Decrypt"]);
        const readWrite = [["s3:GetObject", "s3:PutObject"], ["kms:Decrypt", "kms:GenerateDataKey"]];
        expect(await actions(states.replica.failover.cap)).to.deep.equal(readWrite);
        expect(await actions(primary.cap)).to.deep.equal(readWrite);
    });

    it("drill adds exactly the active tier over standby and never a failover record", () => {
        const added = minus(multiset(states.replica.drill.cap), multiset(states.replica.standby.cap));
        expect(added).to.deep.equal({
            "aws:ec2/vpcEndpoint:VpcEndpoint": 4,
            "aws:lb/loadBalancer:LoadBalancer": 1, "aws:lb/targetGroup:TargetGroup": 1, "aws:lb/listener:Listener": 2,
            "aws:ecs/taskDefinition:TaskDefinition": 2, "aws:ecs/service:Service": 1,
            // The drill's database check: its own task definition, task role and rds-db:connect policy.
            "aws:iam/role:Role": 1, "aws:iam/rolePolicy:RolePolicy": 1,
            "aws:appautoscaling/target:Target": 1, "aws:appautoscaling/policy:Policy": 2,
            "aws:route53/record:Record": 1, "aws:cloudwatch/metricAlarm:MetricAlarm": 3,
        });
        expect(minus(multiset(states.replica.standby.cap), multiset(states.replica.drill.cap))).to.deep.equal({});
        expect(states.replica.drill.cap.ofType("aws:route53/record:Record").map((r) => r.name)).to.include("vbr-prod-dns-drill");
    });

    it("going back from drill to standby deletes only what drill added (every standby resource keeps its name)", () => {
        for (const mode of ["replica", "restore"] as const) {
            const tier = (c: Capture) => new Set(c.resources.filter((r) => r.type !== "test:index:Root").map(key));
            const standby = tier(states[mode].standby.cap);
            const drill = tier(states[mode].drill.cap);
            expect([...standby].filter((k) => !drill.has(k)), mode).to.deep.equal([]);
            const removed = [...drill].filter((k) => !standby.has(k));
            // The only bucket of the app tier (ALB access logs) exists in standby, so it is never among them.
            expect(removed.filter((k) => k.startsWith("aws:s3/bucket:")), mode).to.deep.equal([]);
        }
    });

    it("failover adds the SECONDARY record where drill has its drill record; drill and failover otherwise match", () => {
        expect(multiset(states.replica.failover.cap)).to.deep.equal(multiset(states.replica.drill.cap));
        expect(states.replica.failover.cap.ofType("aws:route53/record:Record").map((r) => r.name)).to.include("vbr-prod-dns-secondary");
    });

    it("a failover DR app tier equals the primary's apart from the health check, the replication alarms and the validation task", () => {
        const differences = {
            primaryOnly: minus(multiset(primary.cap), multiset(states.replica.failover.cap)),
            drOnly: minus(multiset(states.replica.failover.cap), multiset(primary.cap)),
        };
        expect(differences).to.deep.equal({
            // The primary health-checks its own endpoint for the PRIMARY record, and alarms on the RTC metrics of the
            // four buckets it replicates (the data buckets and the trail's log bucket: latency + failed operations
            // each); the DR stack replicates nothing.
            primaryOnly: { "aws:route53/healthCheck:HealthCheck": 1, "aws:cloudwatch/metricAlarm:MetricAlarm": 8 },
            // The DR stack's one-off database check, which a drill (or a failover's own check) runs inside the VPC.
            drOnly: { "aws:ecs/taskDefinition:TaskDefinition": 1, "aws:iam/role:Role": 1, "aws:iam/rolePolicy:RolePolicy": 1 },
        });
    });

    it("builds in every state for both database modes, with an endpoint exactly when active", async () => {
        for (const mode of ["replica", "restore"] as const) {
            for (const state of ["standby", "drill", "failover"] as const) {
                const endpoint = await promiseOf(states[mode][state].endpoint);
                if (state === "standby") expect(endpoint, `${mode}/${state}`).to.equal(undefined);
                else expect(endpoint, `${mode}/${state}`).to.match(/\.us-west-2\.elb\.amazonaws\.com$/);
            }
        }
        // Restore-mode standby has no database, hence no database alarms; replica-mode standby watches the replica.
        expect(states.restore.standby.cap.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")).to.have.length(0);
        expect(states.replica.standby.cap.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.name))
            .to.deep.equal(["vbr-prod-monitoring-db-cpu", "vbr-prod-monitoring-db-free-storage", "vbr-prod-monitoring-db-connections"]);
    });

    it("tags what standby keeps with vbr:standby = kept in the DR stack only", async () => {
        const cert = states.replica.drill.cap.ofType("aws:acm/certificate:Certificate")[0];
        expect((await promiseOf(cert.props as Record<string, any>)).tags).to.deep.equal({ "vbr:standby": "kept" });
        const lb = states.replica.drill.cap.ofType("aws:lb/loadBalancer:LoadBalancer")[0];
        expect((await promiseOf(lb.props as Record<string, any>)).tags).to.deep.equal({});
        const primaryCert = primary.cap.ofType("aws:acm/certificate:Certificate")[0];
        expect((await promiseOf(primaryCert.props as Record<string, any>)).tags).to.deep.equal({});
    });
});
