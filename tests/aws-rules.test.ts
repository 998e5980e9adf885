// What AWS enforces that the offline plan cannot see: one test per rule the program relies on, run against the
// synthesized stacks in every state. docs/aws-facts.md lists each rule with its source.
import { expect } from "chai";
import type { RecordedResource, SynthesizedStack } from "../tools/harness/recorder";
import { ConfigError, parseStackConfig, qualifyStack } from "../stacks/config";
import { loadProject, stackConfig } from "../tools/harness/project";
import { cellStackStates, drStack, everyStackState, primaryStack } from "./helpers/stacks";
import { restoreCreateTimeout } from "../components/database-instance";
import { checkPlaceholders } from "../stacks/config";

const project = loadProject(".");
const ofType = (s: SynthesizedStack, type: string): RecordedResource[] => s.resources.filter((r) => r.type === type);

/** The problems a raw config raises, as "key: message" lines (empty when it parses). */
function problems(stack: "primary" | "dr", overrides: Record<string, string>, backend?: { organization: string; project: string }): string[] {
    try {
        parseStackConfig(stack, stackConfig(project, stack, overrides), backend);
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
        throw err;
    }
}

describe("AWS rules the offline plan cannot see", function () {
    this.timeout(180000);

    describe("RDS engine version with automatic minor upgrades (hashicorp/terraform-provider-aws#39579)", () => {
        it("every instance that sets an engine version gives the major only, with autoMinorVersionUpgrade", async () => {
            for (const { label, stack } of await everyStackState()) {
                for (const db of ofType(stack, "aws:rds/instance:Instance")) {
                    expect(db.inputs.autoMinorVersionUpgrade, `${label} ${db.name}`).to.equal(true);
                    if (db.inputs.engineVersion !== undefined) expect(db.inputs.engineVersion, `${label} ${db.name}`).to.match(/^\d+$/);
                }
            }
            const primary = await primaryStack();
            expect(ofType(primary, "aws:rds/instance:Instance").map((r) => r.inputs.engineVersion)).to.deep.equal(["16"]);
        });

        it("config refuses a minor version, naming the key and why", () => {
            const found = problems("primary", { "vbr:dbEngineVersion": "16.4" });
            expect(found).to.have.length(1);
            expect(found[0]).to.match(/^vbr:dbEngineVersion: must be a PostgreSQL major version such as 16: .*plan a downgrade that RDS refuses/);
            expect(problems("primary", { "vbr:dbEngineVersion": "17" })).to.deep.equal([]);
        });
    });

    describe("ModifyDBInstance applies in the maintenance window unless ApplyImmediately", () => {
        it("every RDS instance in every state applies changes immediately", async () => {
            const seen: string[] = [];
            for (const { label, stack } of await everyStackState()) {
                for (const db of ofType(stack, "aws:rds/instance:Instance")) {
                    seen.push(`${label} ${db.name}`);
                    expect(db.inputs.applyImmediately, `${label} ${db.name}`).to.equal(true);
                }
            }
            // The primary, the standby replica, the drill copy and the restore-mode failover are all checked.
            expect(seen).to.include.members(["primary vbr-prod-db-postgres", "dr standby (replica) vbr-prod-db-replica",
                "dr drill (replica) vbr-prod-db-drill", "dr failover (restore) vbr-prod-db-failover"]);
        });
    });

    describe("StackReference names on self-managed backends are organization/<project>/<stack>", () => {
        it("a bare stack name is qualified with the backend's organization and this project", () => {
            expect(qualifyStack("primary", { organization: "organization", project: "vbr" })).to.equal("organization/vbr/primary");
            expect(qualifyStack("primary", { organization: "acme", project: "vbr" })).to.equal("acme/vbr/primary");
            expect(qualifyStack("acme/vbr/primary", { organization: "acme", project: "vbr" })).to.equal("acme/vbr/primary");
            const cfg = parseStackConfig("dr", stackConfig(project, "dr"), { organization: "acme", project: "vbr" });
            expect(cfg.primaryStack).to.equal("acme/vbr/primary");
        });

        it("on a self-managed backend, an organization other than `organization` is refused with the form that works", () => {
            const diy = { organization: "organization", project: "vbr" };
            expect(problems("dr", { "vbr:primaryStack": "virtualbackroom/vbr/primary" }, diy)).to.deep.equal([
                "vbr:primaryStack: names organization \"virtualbackroom\", but this stack runs on a self-managed (DIY) backend, where every " +
                "stack is organization/<project>/<stack>: set the stack name alone (primary) or organization/vbr/<stack>",
            ]);
            expect(problems("dr", { "vbr:primaryStack": "organization/vbr/primary" }, diy)).to.deep.equal([]);
            // On Pulumi Cloud the same fully qualified name is fine.
            expect(problems("dr", { "vbr:primaryStack": "virtualbackroom/vbr/primary" }, { organization: "virtualbackroom", project: "vbr" })).to.deep.equal([]);
        });

        it("refuses a two-part name, which the two backends read differently", () => {
            expect(problems("dr", { "vbr:primaryStack": "vbr/primary" })).to.deep.equal([
                "vbr:primaryStack: must be the primary's stack name (primary), qualified with this stack's organization and project, or <org>/<project>/<stack>",
            ]);
        });

        it("the DR stack's reference, offline, is the DIY form of the stack file's bare name", async () => {
            const ref = ofType(await drStack("standby"), "pulumi:pulumi:StackReference");
            expect(ref.map((r) => r.inputs.name)).to.deep.equal(["organization/vbr/primary"]);
        });
    });

    describe("AWS Backup cannot start a database backup in the hour before the maintenance window, and should not compete with RDS's own backup", () => {
        const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

        it("every rule starts after the RDS backup window and must have started an hour before the maintenance window", async () => {
            for (const { label, stack } of [{ label: "primary", stack: await primaryStack() }, { label: "dr failover", stack: await drStack("failover") }]) {
                const db = ofType(stack, "aws:rds/instance:Instance")[0];
                const [, backupEnd] = String(db.inputs.backupWindow).split("-");
                const maintenance = /^(\w{3}):(\d\d:\d\d)-/.exec(String(db.inputs.maintenanceWindow));
                expect(maintenance, label).to.not.equal(null);
                const rules = (ofType(stack, "aws:backup/plan:Plan")[0].inputs.rules as Array<Record<string, unknown>>);
                expect(rules.map((r) => r.ruleName), label).to.deep.equal(["daily", "weekly"]);
                for (const rule of rules) {
                    const cron = /^cron\((\d+) (\d+) /.exec(String(rule.schedule));
                    expect(cron, `${label} ${rule.ruleName}`).to.not.equal(null);
                    const start = Number(cron![2]) * 60 + Number(cron![1]);
                    const latestStart = start + Number(rule.startWindow);
                    expect(start, `${label} ${rule.ruleName} starts after ${db.inputs.backupWindow}`).to.be.at.least(minutes(backupEnd));
                    // Both rules run on Sundays (the daily one every day), the maintenance window's day.
                    expect(latestStart, `${label} ${rule.ruleName} has started an hour before ${db.inputs.maintenanceWindow}`)
                        .to.be.at.most(minutes(maintenance![2]) - 60);
                }
            }
        });
    });

    describe("ECR registry replication without repository filters copies every repository of the account", () => {
        it("replicates only this environment's repositories, and the app repository matches the filter", async () => {
            const primary = await primaryStack();
            const [config] = ofType(primary, "aws:ecr/replicationConfiguration:ReplicationConfiguration");
            const rules = (config.inputs.replicationConfiguration as { rules: Array<Record<string, unknown>> }).rules;
            expect(rules.map((r) => r.repositoryFilters)).to.deep.equal([[{ filter: "vbr-prod/", filterType: "PREFIX_MATCH" }]]);
            expect(ofType(primary, "aws:ecr/repository:Repository").map((r) => r.inputs.name)).to.deep.equal(["vbr-prod/app"]);
        });
    });

    describe("Backup Vault Lock: changeableForDays makes it compliance mode (immutable after the grace period)", () => {
        const lockOf = async (overrides: Record<string, string>) =>
            ofType(await primaryStack(overrides), "aws:backup/vaultLockConfiguration:VaultLockConfiguration").map((r) => r.inputs.changeableForDays ?? null);

        it("prod defaults to compliance with a 7-day grace period, other environments to governance, and the key overrides both", async () => {
            expect(await lockOf({})).to.deep.equal([7]);
            expect(await lockOf({ "vbr:environment": "staging" })).to.deep.equal([null]);
            expect(await lockOf({ "vbr:vaultLockMode": "governance" })).to.deep.equal([null]);
            expect(await lockOf({ "vbr:environment": "staging", "vbr:vaultLockMode": "compliance", "vbr:vaultLockGraceDays": "3" })).to.deep.equal([3]);
        });

        it("config refuses a grace period under AWS's 3 days and an unknown mode", () => {
            expect(problems("primary", { "vbr:vaultLockGraceDays": "2" })).to.deep.equal(["vbr:vaultLockGraceDays: must be at least 3 (AWS Backup's minimum changeableForDays)"]);
            expect(problems("primary", { "vbr:vaultLockMode": "legal-hold" })).to.deep.equal(["vbr:vaultLockMode: must be one of: governance, compliance"]);
        });
    });

    describe("AWS name limits on the names Pulumi generates (<logical name>-<7 random characters>)", () => {
        /**
         * The name property and AWS's maximum length per type this program creates. Sources: the API references of
         * each service (ELBv2 CreateLoadBalancer/CreateTargetGroup: 32; IAM: role 64, policy 128; S3 bucket 63;
         * RDS identifier 63; AWS Backup vault, plan, selection and restore-testing names 50; EventBridge rule 64).
         */
        const LIMITS: Record<string, [string, number]> = {
            "aws:lb/loadBalancer:LoadBalancer": ["name", 32], "aws:lb/targetGroup:TargetGroup": ["name", 32],
            "aws:iam/role:Role": ["name", 64], "aws:iam/policy:Policy": ["name", 128], "aws:iam/rolePolicy:RolePolicy": ["name", 128],
            "aws:s3/bucket:Bucket": ["bucket", 63], "aws:rds/instance:Instance": ["identifier", 63], "aws:rds/subnetGroup:SubnetGroup": ["name", 255],
            "aws:backup/vault:Vault": ["name", 50], "aws:backup/plan:Plan": ["name", 50], "aws:backup/selection:Selection": ["name", 50],
            "aws:backup/restoreTestingPlan:RestoreTestingPlan": ["name", 50], "aws:backup/restoreTestingSelection:RestoreTestingSelection": ["name", 50],
            "aws:cloudwatch/eventRule:EventRule": ["name", 64], "aws:sns/topic:Topic": ["name", 256], "aws:ecs/cluster:Cluster": ["name", 255],
            "aws:ecs/service:Service": ["name", 255], "aws:ecs/taskDefinition:TaskDefinition": ["family", 255],
            "aws:cloudwatch/logGroup:LogGroup": ["name", 512], "aws:cloudwatch/metricAlarm:MetricAlarm": ["name", 255],
            "aws:ec2/securityGroup:SecurityGroup": ["name", 255], "aws:secretsmanager/secret:Secret": ["name", 512],
            "aws:kms/alias:Alias": ["name", 256], "aws:ecr/repository:Repository": ["name", 256], "aws:appautoscaling/policy:Policy": ["name", 256],
        };
        const physicalName = (r: RecordedResource, property: string): string =>
            typeof r.inputs[property] === "string" ? String(r.inputs[property]) : `${r.name}-abcdefg`;

        it("with the longest environment config accepts (12 characters), every name fits in every state", async () => {
            const longest = "abcdefghijkl";
            expect(problems("primary", { "vbr:environment": longest })).to.deep.equal([]);
            const tooLong: string[] = [];
            let checked = 0;
            for (const { label, stack } of await everyStackState({ "vbr:environment": longest })) {
                for (const r of stack.resources) {
                    const limit = LIMITS[r.type];
                    if (!limit) continue;
                    checked++;
                    const name = physicalName(r, limit[0]);
                    if (name.length > limit[1]) tooLong.push(`${label} ${r.type} ${name} (${name.length} > ${limit[1]})`);
                }
            }
            expect(tooLong).to.deep.equal([]);
            expect(checked, "names checked across the seven stack states").to.be.at.least(250);
            // The binding one: the load balancer's generated name is exactly 32 characters long.
            const [alb] = ofType(await primaryStack({ "vbr:environment": longest }), "aws:lb/loadBalancer:LoadBalancer");
            expect(physicalName(alb, "name")).to.have.length(32);
        });

        it("the eu cell (vbr:environment prod-eu): every name fits in every state", async () => {
            const tooLong: string[] = [];
            for (const { label, stack } of await cellStackStates("eu")) {
                for (const r of stack.resources) {
                    const limit = LIMITS[r.type];
                    const name = limit && physicalName(r, limit[0]);
                    if (limit && name.length > limit[1]) tooLong.push(`${label} ${r.type} ${name} (${name.length} > ${limit[1]})`);
                }
            }
            expect(tooLong).to.deep.equal([]);
        });
    });

    describe("RDS takes a baseline backup after every restore; the provider does not send BackupRetentionPeriod and waits", () => {
        it("every restore keeps backups on from the start, with a create timeout that covers the modelled restore and baseline backup", async () => {
            for (const [label, stack] of [["dr drill", await drStack("drill")], ["dr failover (restore)", await drStack("failover", "restore")],
                ["primary corruption restore", await primaryStack({ "vbr:dbRestoreTime": "2026-11-29T13:45:00Z" })]] as const) {
                const restored = ofType(stack, "aws:rds/instance:Instance").filter((r) => r.inputs.restoreToPointInTime !== undefined);
                expect(restored, label).to.have.length(1);
                expect(restored[0].inputs.backupRetentionPeriod, label).to.equal(35);
                expect(((restored[0].inputs.tags ?? {}) as Record<string, string>)["vbr:backups"], label).to.equal(undefined);
            }
            // 100 GiB: restore p90 25 min + baseline backup p90 3 h = 205 min, doubled and rounded up to hours.
            expect(restoreCreateTimeout(100)).to.equal("7h");
            expect(restoreCreateTimeout(20)).to.equal("7h");
            expect(restoreCreateTimeout(4096)).to.equal("21h");
        });

        it("the standby replica keeps backups, so promoting it takes no backup of its own (RDS for PostgreSQL 14.1+)", async () => {
            for (const state of ["standby", "drill", "failover"] as const) {
                const [replica] = ofType(await drStack(state), "aws:rds/instance:Instance").filter((r) => r.name === "vbr-prod-db-replica");
                expect(replica.inputs.backupRetentionPeriod, state).to.equal(35);
            }
        });
    });

    describe("First install: ECS waits for steady state only on an image that can exist", () => {
        it("the primary with vbr:serviceEnabled false has its load balancer and no task definition, service or scaling", async () => {
            const first = await primaryStack({ "vbr:serviceEnabled": "false" });
            const types = new Set(first.resources.map((r) => r.type));
            expect(["aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service", "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"]
                .filter((t) => types.has(t))).to.deep.equal([]);
            expect(ofType(first, "aws:lb/loadBalancer:LoadBalancer")).to.have.length(1);
            expect(ofType(first, "aws:ecr/repository:Repository")).to.have.length(1);
            const [service] = ofType(await primaryStack(), "aws:ecs/service:Service");
            expect(service.inputs.waitForSteadyState).to.equal(true);
        });

        it("the task definition has no container health check (it would need curl in the image): the target group's check decides", async () => {
            const [task] = ofType(await primaryStack(), "aws:ecs/taskDefinition:TaskDefinition");
            const containers = JSON.parse(String(task.inputs.containerDefinitions)) as Array<Record<string, unknown>>;
            expect(containers.map((c) => c.healthCheck)).to.deep.equal([undefined]);
            const [group] = ofType(await primaryStack(), "aws:lb/targetGroup:TargetGroup");
            expect((group.inputs.healthCheck as Record<string, unknown>).path).to.equal("/health");
        });

        it("the stack files' placeholders are refused by a real engine, naming each key, and only warned about offline", async () => {
            const cfg = { hostedZoneId: "Z04719532Q4W8XEXAMPLE", domainName: "app.example.com" };
            expect(() => checkPlaceholders(cfg, "dr", true)).to.throw(ConfigError,
                /Invalid configuration for stack "dr" \(2 problems\):\n  vbr:hostedZoneId = "Z04719532Q4W8XEXAMPLE": is the stack file's placeholder.*\n  vbr:domainName = "app.example.com": is a reserved example name/);
            expect(checkPlaceholders(cfg, "dr", false)).to.match(/^stack "dr" still holds the stack files' placeholders \(accepted offline; pulumi preview and up refuse them until set\):/);
            expect(checkPlaceholders({ hostedZoneId: "Z0123456789ABCDEFGHIJ", domainName: "app.virtualbackroom.ai" }, "dr", true)).to.equal(undefined);
            for (const domain of ["example.com", "app.example.org", "x.test", "svc.example", "a.invalid", "localhost"]) {
                expect(() => checkPlaceholders({ hostedZoneId: "Z0123456789ABCDEFGHIJ", domainName: domain }, "dr", true), domain).to.throw(ConfigError);
            }
            const offline = await primaryStack();
            expect(offline.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message.split("\n")[0])).to.deep.equal([
                "stack \"primary\" still holds the stack files' placeholders (accepted offline; pulumi preview and up refuse them until set):",
            ]);
        });
    });

    describe("CloudTrail: trail names, advanced event selectors, key and bucket regions, recursive events, Object Lock replication", () => {
        const trails = async () => (await everyStackState()).flatMap(({ label, stack }) => ofType(stack, "aws:cloudtrail/trail:Trail").map((t) => ({ label, stack, t })));
        type FieldSelector = Record<string, string[] | string>;
        const selectors = (t: RecordedResource) => (t.inputs.advancedEventSelectors as Array<{ fieldSelectors: FieldSelector[] }>);

        it("the primary runs one trail in every state and the DR stack one only in failover", async () => {
            expect((await trails()).map(({ label, t }) => `${label} ${t.inputs.name}`)).to.deep.equal([
                "primary vbr-prod-trail-us-east-1", "dr failover (replica) vbr-prod-trail-us-west-2", "dr failover (restore) vbr-prod-trail-us-west-2",
            ]);
        });

        it("every trail name is 3-128 letters, digits, . _ -, starts and ends alphanumeric, no adjacent punctuation, not an IP address", async () => {
            for (const { label, t } of await trails()) {
                const name = t.inputs.name as string;
                expect(name, label).to.match(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{1,126})[A-Za-z0-9]$/);
                expect(name, label).not.to.match(/[._-]{2}/);
                expect(name, label).not.to.match(/^\d+\.\d+\.\d+\.\d+$/);
            }
        });

        it("at most 500 values across all conditions; readOnly, eventCategory and resources.type only with Equals", async () => {
            for (const { label, t } of await trails()) {
                const fields = selectors(t).flatMap((s) => s.fieldSelectors);
                const values = fields.flatMap((f) => Object.entries(f).filter(([k]) => k !== "field").flatMap(([, v]) => v as string[]));
                expect(values.length, label).to.be.at.most(500);
                for (const f of fields.filter((x) => ["readOnly", "eventCategory", "resources.type"].includes(x.field as string))) {
                    expect(Object.keys(f).sort(), `${label} ${f.field}`).to.deep.equal(["equals", "field"]);
                }
            }
        });

        it("the trail's KMS key and bucket are in the trail's region; its bucket is never among its data events (recursive events)", async () => {
            for (const { label, stack, t } of await trails()) {
                const region = t.inputs.region as string;
                expect((t.inputs.kmsKeyId as string).split(":")[3], label).to.equal(region);
                const bucket = ofType(stack, "aws:s3/bucket:Bucket").find((b) => b.inputs.bucket === t.inputs.s3BucketName)!;
                expect(bucket.region, label).to.equal(region);
                const arns = selectors(t).flatMap((s) => s.fieldSelectors).filter((f) => f.field === "resources.ARN").flatMap((f) => f.startsWiths as string[]);
                expect(arns.filter((a) => a.includes("-trail-")), label).to.deep.equal([]);
                expect(arns.every((a) => a.endsWith("/")), label).to.equal(true);
            }
        });

        it("both twins of every Object Lock bucket have Object Lock (S3 replicates locked objects only into a locked bucket)", async () => {
            const primary = await primaryStack();
            const dr = await drStack("standby");
            for (const b of ofType(primary, "aws:s3/bucket:Bucket").filter((x) => x.inputs.objectLockEnabled === true)) {
                const twin = (b.inputs.bucket as string).replace("us-east-1", "us-west-2");
                expect(ofType(dr, "aws:s3/bucket:Bucket").find((x) => x.inputs.bucket === twin)?.inputs.objectLockEnabled, twin).to.equal(true);
            }
            expect(ofType(primary, "aws:s3/bucket:Bucket").filter((x) => x.inputs.objectLockEnabled === true).map((x) => x.inputs.bucket))
                .to.deep.equal(["vbr-prod-audit-us-east-1", "vbr-prod-trail-us-east-1"]);
        });
    });
});
