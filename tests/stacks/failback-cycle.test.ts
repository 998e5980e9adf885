// The whole DR cycle of both stacks, synthesized offline step by step (tests/helpers/failback-cycle.ts): standby,
// failover, failover with region A available, primary recovering, switchover, both back to normal. At each step: the
// pack finds no mandatory violation, no data-bearing resource is deleted or replaced, every bucket and database that
// takes writes has a cross-region copy, and only one region can take traffic.
//
// What this cannot see: the engine's real diff (inputs the provider marks ForceNew are compared instead), AWS refusing
// a request, the time things take (the bring-up model's failback estimate does that), and what happens outside Pulumi
// during the switchover (B scaled to zero, the replica's lag): npm run failback does those, tested against a fake CLI.
import { expect } from "chai";
import { policies } from "../../policies/pack";
import { analyze } from "../../tools/harness/analyzer";
import { policyConfigFromStack } from "../../tools/harness/policy-config";
import { RecordedResource, synthesize } from "../../tools/harness/recorder";
import type { OneOffTask } from "../../components/service-validation";
import { retiredUrns } from "../../tools/failback/phases";
import { Failback } from "../../tools/failback/session";
import type { FailbackChecks } from "../../tools/failback/checks";
import { DATA_BEARING, replacingChanges } from "../helpers/data-bearing";
import { CycleStep, FAILBACK_ID, failbackCycle } from "../helpers/failback-cycle";
import type { SynthesizedStack } from "../helpers/stacks";

const DOMAIN = "app.example.com";
const REGIONS = { primary: "us-east-1", dr: "us-west-2" } as const;
const short = (r: RecordedResource) => `${r.type.split(":").pop()} ${r.name}`;
const byName = (s: SynthesizedStack, type: string) => s.resources.filter((r) => r.type === type);

/** The data buckets the stack's running tasks may write (an ECS service, whose task role's policy allows s3:PutObject on them). */
function writableBuckets(s: SynthesizedStack): string[] {
    const task = s.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("-app-task"));
    // The DR stack keeps its roles in standby, but runs no task there.
    if (!task || byName(s, "aws:ecs/service:Service").length === 0) return [];
    const doc = JSON.parse(task.inputs.policy as string) as { Statement: Array<{ Action: string | string[]; Resource: string | string[] }> };
    return doc.Statement.filter((st) => [st.Action].flat().includes("s3:PutObject"))
        .flatMap((st) => [st.Resource].flat()).map((arn) => arn.replace(/^arn:aws:s3:::/, "").replace(/\/\*$/, ""));
}

/** Buckets of the stack with an enabled rule into a bucket of the other region (its name ends with that region). */
function replicatedBuckets(s: SynthesizedStack, otherRegion: string): string[] {
    return byName(s, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").filter((c) => {
        const rules = c.inputs.rules as Array<{ status: string; destination: { bucket: string } }>;
        return rules.some((r) => r.status === "Enabled" && r.destination.bucket.endsWith(`-${otherRegion}`));
    }).map((c) => s.resources.find((b) => b.urn === c.propertyDependencies.bucket?.[0])!.inputs.bucket as string);
}

/** DB instances that take writes: not read replicas. */
const writableDatabases = (s: SynthesizedStack) => byName(s, "aws:rds/instance:Instance").filter((r) => !r.inputs.replicateSourceDb);

/** Whether the stack's backup plan selects `arn` and every rule copies to a vault in `otherRegion`. */
function backedUpCrossRegion(s: SynthesizedStack, arn: string, otherRegion: string): boolean {
    const selection = byName(s, "aws:backup/selection:Selection")[0];
    const plan = byName(s, "aws:backup/plan:Plan")[0];
    if (!selection || !plan) return false;
    const rules = plan.inputs.rules as Array<{ copyActions: Array<{ destinationVaultArn: string }> }>;
    return (selection.inputs.resources as string[]).includes(arn)
        && rules.every((r) => r.copyActions.some((c) => c.destinationVaultArn.startsWith(`arn:aws:backup:${otherRegion}:`)));
}

/** The failover records for the public name, per stack. */
function records(s: SynthesizedStack): string[] {
    return byName(s, "aws:route53/record:Record").filter((r) => r.inputs.name === DOMAIN)
        .map((r) => ((r.inputs.failoverRoutingPolicies as Array<{ type: string }> | undefined)?.[0]?.type ?? "SIMPLE"));
}

describe("the failback cycle: standby, failover, region A back, primary recovering, switchover, both back to normal", function () {
    this.timeout(300000);
    let steps: CycleStep[];
    before(async () => { steps = await failbackCycle(); });

    it("walks the documented steps, each stack as deployed after it", () => {
        expect(steps.map((s) => s.label)).to.deep.equal([
            "standby", "failover", "failover, region A available", "primary recovering", "switchover", "both back to normal",
        ]);
    });

    it("each step: zero mandatory violations in both stacks", async () => {
        for (const step of steps) {
            for (const s of [step.primary, step.dr]) {
                const { violations } = await analyze(policies, s.resources, { stackRegion: s.config["aws:region"], config: policyConfigFromStack(policies, s.config) });
                expect(violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy} ${v.urn}: ${v.message}`), `${step.label} ${s.stack}`)
                    .to.deep.equal([]);
            }
        }
    });

    it("between consecutive steps: no data-bearing resource deleted or replaced; the ones that leave the program are protected and retained", () => {
        const left: Record<string, string[]> = {};
        for (let i = 1; i < steps.length; i++) {
            for (const which of ["primary", "dr"] as const) {
                const before = steps[i - 1][which];
                const after = new Map(steps[i][which].resources.map((r) => [r.urn, r]));
                for (const r of before.resources.filter((x) => DATA_BEARING.has(x.type))) {
                    const now = after.get(r.urn);
                    if (now) {
                        expect(replacingChanges(r.type, r.inputs, now.inputs), `${steps[i].label} ${which} ${r.urn}`).to.deep.equal([]);
                        expect([now.protect, now.retainOnDelete], r.urn).to.deep.equal([r.protect, r.retainOnDelete]);
                    } else {
                        // Leaving the program: protect stops pulumi until an operator unprotects it; retainOnDelete keeps it in AWS.
                        expect([r.protect, r.retainOnDelete], `${steps[i].label} ${which} ${r.urn}`).to.deep.equal([true, true]);
                        (left[`${steps[i].label} ${which}`] ??= []).push(short(r));
                    }
                }
            }
        }
        // Only the instance that served in region B and its backups replication of the old source, when the DR stack
        // returns to standby and follows the failback instance (the replication is not data-bearing by type).
        expect(left).to.deep.equal({ "both back to normal dr": ["Instance vbr-prod-db-replica"] });
    });

    it("each step: every bucket and database that takes writes has a cross-region copy (the outage excepted: region A cannot receive)", () => {
        const writers: Record<string, string[]> = {};
        for (const step of steps) {
            for (const which of ["primary", "dr"] as const) {
                const s = step[which];
                const other = which === "primary" ? REGIONS.dr : REGIONS.primary;
                const buckets = writableBuckets(s);
                const dbs = writableDatabases(s).map((d) => d.inputs.identifier as string);
                writers[`${step.label} ${which}`] = [...buckets, ...dbs];
                if (step.label === "failover" && which === "dr") {
                    // Region A is down: nothing can copy there, and nothing in the DR stack names a resource in it to call.
                    expect(replicatedBuckets(s, other)).to.deep.equal([]);
                    expect(byName(s, "aws:ecr/replicationConfiguration:ReplicationConfiguration")).to.deep.equal([]);
                    continue;
                }
                expect(buckets.filter((b) => !replicatedBuckets(s, other).includes(b)), `${step.label} ${which} buckets`).to.deep.equal([]);
                for (const db of writableDatabases(s)) {
                    const arn = `arn:aws:rds:${REGIONS[which]}:123456789012:db:${db.inputs.identifier as string}`;
                    expect(backedUpCrossRegion(s, arn, other), `${step.label} ${which} ${db.name}`).to.equal(true);
                }
            }
        }
        const docs = (region: string) => ["documents", "reports", "audit"].map((b) => `vbr-prod-${b}-${region}`);
        const fb = `vbr-prod-postgres-fb${FAILBACK_ID}`;
        expect(writers).to.deep.equal({
            "standby primary": [...docs("us-east-1"), "vbr-prod-postgres"], "standby dr": [],
            "failover primary": [...docs("us-east-1"), "vbr-prod-postgres"], "failover dr": [...docs("us-west-2"), "vbr-prod-postgres"],
            "failover, region A available primary": [...docs("us-east-1"), "vbr-prod-postgres"],
            "failover, region A available dr": [...docs("us-west-2"), "vbr-prod-postgres"],
            // Recovering: the tasks read only, from the failback replica; the stale original keeps its copies.
            "primary recovering primary": ["vbr-prod-postgres"], "primary recovering dr": [...docs("us-west-2"), "vbr-prod-postgres"],
            "switchover primary": [...docs("us-east-1"), fb, "vbr-prod-postgres"], "switchover dr": [...docs("us-west-2"), "vbr-prod-postgres"],
            "both back to normal primary": [...docs("us-east-1"), fb, "vbr-prod-postgres"], "both back to normal dr": [],
        });
    });

    it("each step: only one region can take traffic (one PRIMARY, one SECONDARY at most; none while the primary recovers)", () => {
        const seen = steps.map((step) => [step.label, records(step.primary), records(step.dr)]);
        expect(seen).to.deep.equal([
            ["standby", ["PRIMARY"], []],
            ["failover", ["PRIMARY"], ["SECONDARY"]],
            ["failover, region A available", ["PRIMARY"], ["SECONDARY"]],
            ["primary recovering", [], ["SECONDARY"]],
            // Route 53 answers the PRIMARY while it is healthy, else the SECONDARY: never both. B takes no writes (scaled to zero).
            ["switchover", ["PRIMARY"], ["SECONDARY"]],
            ["both back to normal", ["PRIMARY"], []],
        ]);
        // A stack that can answer for the name serves from a database that takes writes; the recovering primary's is a replica.
        for (const step of steps) {
            for (const s of [step.primary, step.dr]) {
                const db = s.outputs.database as { identifier: string } | undefined;
                const serving = byName(s, "aws:rds/instance:Instance").find((r) => r.inputs.identifier === db?.identifier);
                if (records(s).length > 0) expect(serving && !serving.inputs.replicateSourceDb, `${step.label} ${s.stack}`).to.equal(true);
            }
        }
        const recovering = steps[3].primary;
        const fbInstance = byName(recovering, "aws:rds/instance:Instance").find((r) => r.name === `vbr-prod-db-failback-${FAILBACK_ID}`)!;
        expect(fbInstance.inputs.replicateSourceDb).to.equal("arn:aws:rds:us-west-2:123456789012:db:vbr-prod-postgres");
        expect((recovering.outputs.database as { identifier: string }).identifier).to.equal(`vbr-prod-postgres-fb${FAILBACK_ID}`);
    });

    it("per step and stack, adds and removes exactly the documented resources", () => {
        const diff = (a: SynthesizedStack, b: SynthesizedStack) => {
            const before = new Set(a.resources.map((r) => r.urn));
            const after = new Set(b.resources.map((r) => r.urn));
            return {
                added: b.resources.filter((r) => !before.has(r.urn)).map(short).sort(),
                removed: a.resources.filter((r) => !after.has(r.urn)).map(short).sort(),
            };
        };
        const changes = (i: number, which: "primary" | "dr") => diff(steps[i - 1][which], steps[i][which]);
        const links = [
            "BucketReplicationConfig vbr-prod-docs-audit", "BucketReplicationConfig vbr-prod-docs-documents", "BucketReplicationConfig vbr-prod-docs-reports",
            ...["audit", "documents", "reports", "trail"].flatMap((b) => [`MetricAlarm vbr-prod-monitoring-s3-${b}-replication-failed`, `MetricAlarm vbr-prod-monitoring-s3-${b}-replication-latency`]),
            "Policy vbr-prod-docs-replication", "ReplicationConfiguration vbr-prod-registry-replication",
            "Role vbr-prod-docs-batch-replication", "Role vbr-prod-docs-replication", "RolePolicy vbr-prod-docs-batch-replication",
            "RolePolicyAttachment vbr-prod-docs-replication",
            // The trail's log bucket in B replicates back too: the audit record written during the failover reaches A.
            "BucketReplicationConfig vbr-prod-trail-bucket", "Policy vbr-prod-trail-replication", "Role vbr-prod-trail-replication",
            "RolePolicyAttachment vbr-prod-trail-replication",
        ].sort();
        expect(changes(2, "dr")).to.deep.equal({ added: links, removed: [] });
        expect(changes(3, "primary")).to.deep.equal({
            added: [`Instance vbr-prod-db-failback-${FAILBACK_ID}`, "StackReference vbr-prod-dr"], removed: ["Record vbr-prod-dns-primary"],
        });
        expect(changes(3, "dr")).to.deep.equal({ added: [], removed: [] });
        expect(changes(4, "primary")).to.deep.equal({ added: ["Record vbr-prod-dns-primary"], removed: ["StackReference vbr-prod-dr"] });
        const back = changes(5, "dr");
        expect(back.added).to.deep.equal([`Instance vbr-prod-db-replica-fb${FAILBACK_ID}`, `InstanceAutomatedBackupsReplication vbr-prod-db-backups-fb${FAILBACK_ID}`]);
        // Everything failover added goes, with the links back to A, and the pieces of the old source (retained in AWS).
        const failoverAdded = diff(steps[0].dr, steps[1].dr).added;
        expect(back.removed).to.deep.equal([...failoverAdded, ...links, "Instance vbr-prod-db-replica", "InstanceAutomatedBackupsReplication vbr-prod-db-backups"].sort());
    });

    it("exports what npm run failback's one-off tasks need: each side's app task definition, pointing at the database it serves from", () => {
        const sides = [
            ["failover, region A available", steps[2].dr, "us-west-2", "vbr-prod-postgres"],
            ["primary recovering", steps[3].dr, "us-west-2", "vbr-prod-postgres"],
            ["primary recovering", steps[3].primary, "us-east-1", `vbr-prod-postgres-fb${FAILBACK_ID}`],
            ["switchover", steps[4].primary, "us-east-1", `vbr-prod-postgres-fb${FAILBACK_ID}`],
        ] as const;
        for (const [label, s, region, identifier] of sides) {
            const app = (s.outputs.tasks as { app?: OneOffTask }).app;
            const db = s.outputs.database as { identifier: string; address: string };
            expect([app?.taskDefinition.replace(/:\d+$/, ""), app?.container, db.identifier], `${label} ${s.stack}`)
                .to.deep.equal([`arn:aws:ecs:${region}:123456789012:task-definition/vbr-prod-app`, "app", identifier]);
            // The task definition's DB_HOST is the serving instance's (the runner passes it explicitly too).
            const td = s.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && r.name === "vbr-prod-app-task")!;
            const env = (JSON.parse(td.inputs.containerDefinitions as string) as Array<{ environment: Array<{ name: string; value: string }> }>)[0].environment;
            expect(env.find((e) => e.name === "DB_HOST")?.value, `${label} ${s.stack}`).to.equal(db.address);
        }
    });

    it("the DR stack's return to standby: npm run failback unprotects exactly the protected resources that leave the program", () => {
        const after = new Set(steps[5].dr.resources.map((r) => r.urn));
        const leaving = steps[4].dr.resources.filter((r) => r.protect && !after.has(r.urn));
        expect(leaving.every((r) => r.retainOnDelete)).to.equal(true);
        const f = new Failback({
            projectDir: ".", project: "vbr", primaryStack: "primary", drStack: "dr", reportBase: "unused",
            primaryConfig: steps[4].primary.config, drConfig: steps[4].dr.config,
        }, { checks: {} as FailbackChecks, estimate: async () => null, log: () => undefined, unprotect: async () => undefined });
        expect(retiredUrns(f, "vbr-prod-postgres").sort()).to.deep.equal(leaving.map((r) => r.urn).sort());
        f.close();
    });

    it("the switchover promotes the failback instance in place: Multi-AZ, 35-day backups, no source; the original stays protected and selected", () => {
        const [recovering, switched] = [steps[3].primary, steps[4].primary];
        const fb = (s: SynthesizedStack) => byName(s, "aws:rds/instance:Instance").find((r) => r.name === `vbr-prod-db-failback-${FAILBACK_ID}`)!;
        expect([fb(recovering).inputs.multiAz, fb(switched).inputs.multiAz, fb(switched).inputs.replicateSourceDb]).to.deep.equal([false, true, undefined]);
        for (const s of [recovering, switched]) {
            expect(fb(s).inputs).to.deep.include({ identifier: `vbr-prod-postgres-fb${FAILBACK_ID}`, backupRetentionPeriod: 35, deletionProtection: true, applyImmediately: true, storageEncrypted: true });
            expect([fb(s).protect, fb(s).retainOnDelete]).to.deep.equal([true, true]);
        }
        expect((switched.outputs.replicationSource as { identifier: string }).identifier).to.equal(`vbr-prod-postgres-fb${FAILBACK_ID}`);
        expect((recovering.outputs.replicationSource as { identifier: string }).identifier).to.equal("vbr-prod-postgres");
        const selected = (s: SynthesizedStack) => byName(s, "aws:backup/selection:Selection")[0].inputs.resources as string[];
        const arn = (id: string) => `arn:aws:rds:us-east-1:123456789012:db:${id}`;
        expect(selected(recovering).filter((a) => a.includes(":db:"))).to.deep.equal([arn("vbr-prod-postgres")]);
        expect(selected(switched).filter((a) => a.includes(":db:"))).to.deep.equal([arn(`vbr-prod-postgres-fb${FAILBACK_ID}`), arn("vbr-prod-postgres")]);
    });
});

describe("the failback cycle in a first preview (outputs unknown)", function () {
    this.timeout(300000);
    it("each step: zero mandatory violations and no policy that cannot decide (the destination rule counts an unknown policy as a write)", async () => {
        for (const step of await failbackCycle({ preview: true })) {
            for (const s of [step.primary, step.dr]) {
                const { violations } = await analyze(policies, s.resources, { stackRegion: s.config["aws:region"], config: policyConfigFromStack(policies, s.config) });
                expect(violations.map((v) => `${v.enforcementLevel} ${v.policy} ${v.urn}: ${v.message}`), `${step.label} ${s.stack}`).to.deep.equal([]);
            }
        }
    });
});

describe("a recovering primary whose DR stack serves nothing", function () {
    this.timeout(120000);
    it("stops before registering anything, naming the key, the DR stack and what to do", async () => {
        const primary = await synthesize({ projectDir: ".", stack: "primary" });
        const standby = await synthesize({ projectDir: ".", stack: "dr", stackOutputs: { primary: primary.outputs } });
        let err: Error | undefined;
        try {
            await synthesize({ projectDir: ".", stack: "primary", overrides: { "vbr:primaryState": "recovering", "vbr:drStack": "dr", "vbr:dbFailbackId": FAILBACK_ID }, stackOutputs: { dr: standby.outputs } });
        } catch (e) {
            err = e as Error;
        }
        expect(err?.message).to.contain('vbr:primaryState = "recovering": the DR stack organization/vbr/dr (vbr:drStack) exports no serving database');
        expect(err?.message).to.contain("Fail over first, or set vbr:primaryState serving.");
    });
});
