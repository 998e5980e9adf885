// The whole program per DR state, synthesized offline (tools/harness/recorder.ts): identical stacks, safe drills, and
// every state for both database modes. What this cannot see: awsx's children (NAT gateways, subnets; the Vpc's
// natGateways input is checked instead) and provider-side replacement decisions beyond the inputs listed below.
import { expect } from "chai";
import type { Diagnostic, RecordedResource, SynthesizedStack } from "../../tools/harness/recorder";
import { DATA_BEARING, REPLACE_ON } from "../helpers/data-bearing";
import { drStack, primaryStack } from "../helpers/stacks";

const DR_STATES = ["standby", "drill", "failover"] as const;
const MODES = ["replica", "restore"] as const;
type Synth = SynthesizedStack;

const typeCounts = (s: Synth, keep: (r: RecordedResource) => boolean = () => true) => {
    const m: Record<string, number> = {};
    for (const r of s.resources) if (keep(r)) m[r.type] = (m[r.type] ?? 0) + 1;
    return m;
};
/** The data tier's components: everything that holds or protects data. */
const DATA_TIER = new Set(["vbr:keys:KeyRing", "vbr:storage:DocumentStore", "vbr:audit:AuditTrail", "vbr:database:Database", "vbr:backup:BackupPlan", "vbr:registry:ContainerRegistry"]);
const isDataTier = (treeEntry: string) => [...DATA_TIER].some((t) => treeEntry.includes(t));
/** Resources inside a data-tier component (at any depth). */
const dataTier = (s: Synth) => {
    const byUrn = new Map(s.resources.map((r) => [r.urn, r]));
    return (r: RecordedResource): boolean => {
        for (let at: RecordedResource | undefined = r; at; at = at.parent ? byUrn.get(at.parent) : undefined) {
            if (DATA_TIER.has(at.type)) return true;
        }
        return false;
    };
};
const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).filter(([t, n]) => n > (b[t] ?? 0)).map(([t, n]) => [t, n - (b[t] ?? 0)]));
/** The component tree without the stack name: parent chain of component types and names. */
const componentTree = (s: Synth) => s.resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack").map((r) => r.urn.split("::").slice(2).join("::")).sort();
const byUrn = (s: Synth) => new Map(s.resources.map((r) => [r.urn.replace(/^urn:pulumi:[^:]+::/, ""), r]));
const tag = (r: RecordedResource, k: string) => ((r.inputs.tags ?? {}) as Record<string, string>)[k];

describe("stacks by DR state (synthesized)", function () {
    this.timeout(120000);
    let primary: Synth;
    const dr: Record<string, Synth> = {};

    before(async () => {
        primary = await primaryStack();
        for (const mode of MODES) {
            for (const state of DR_STATES) dr[`${mode}/${state}`] = await drStack(state, mode);
        }
    });

    it("composes both tiers in the platform (otherwise every assertion below would judge an empty stack)", () => {
        const types = new Set(primary.resources.map((r) => r.type));
        expect(["vbr:keys:KeyRing", "vbr:storage:DocumentStore", "vbr:database:Database", "vbr:backup:BackupPlan",
            "vbr:registry:ContainerRegistry", "vbr:network:Network", "vbr:service:Service", "vbr:dns:Dns", "vbr:monitoring:Monitoring"]
            .filter((t) => !types.has(t))).to.deep.equal([]);
    });

    it("(d) DR standby builds the primary's data-tier components and resource types, apart from the documented list", () => {
        for (const mode of MODES) {
            const standby = dr[`${mode}/standby`];
            expect(componentTree(standby).filter(isDataTier), mode).to.deep.equal(componentTree(primary).filter(isDataTier));
            const a = typeCounts(primary, dataTier(primary));
            const b = typeCounts(standby, dataTier(standby));
            expect({ primaryOnly: minus(a, b), drOnly: minus(b, a) }, mode).to.deep.equal(STANDBY_DATA_TIER_DIFFERENCES[mode]);
        }
    });

    it("(c) synthesizes every state for both database modes, the active tier exactly when drill or failover", () => {
        for (const mode of MODES) {
            for (const state of DR_STATES) {
                const s = dr[`${mode}/${state}`];
                const albs = s.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer");
                const vpc = s.resources.find((r) => r.type === "awsx:ec2:Vpc")!;
                expect(albs, `${mode}/${state}`).to.have.length(state === "standby" ? 0 : 1);
                expect(vpc.inputs.natGateways, `${mode}/${state}`).to.deep.equal({ strategy: state === "standby" ? "None" : "OnePerAz" });
                expect(s.outputs.endpoint === null, `${mode}/${state}`).to.equal(state === "standby");
            }
        }
    });

    it("exports what a stack does not have as an explicit null, so no state warns \"Undefined value ... will not show as a stack output\"", () => {
        for (const [label, s] of [["primary", primary], ...Object.entries(dr)] as Array<[string, Synth]>) {
            const diagnostics = (s as Synth & { diagnostics?: Diagnostic[] }).diagnostics;
            expect(diagnostics, label).to.be.an("array");
            expect(diagnostics!.filter((d) => /Undefined value/.test(d.message)).map((d) => d.message), label).to.deep.equal([]);
        }
        const standby = dr["replica/standby"];
        expect([standby.outputs.database, standby.outputs.endpoint, standby.outputs.replicationSource]).to.deep.equal([null, null, null]);
    });

    it("(a) failover DR has the primary's component tree and resource types, apart from the documented list", () => {
        for (const mode of MODES) {
            const failover = dr[`${mode}/failover`];
            expect(componentTree(failover), mode).to.deep.equal(componentTree(primary));
            const differences = { primaryOnly: minus(typeCounts(primary), typeCounts(failover)), drOnly: minus(typeCounts(failover), typeCounts(primary)) };
            expect(differences, `${mode}: ${JSON.stringify(differences)}`).to.deep.equal(EXPECTED_DIFFERENCES[mode]);
        }
    });

    it("(b) drill -> standby deletes only what drill added and no data-bearing resource but the drill's own copy", () => {
        for (const mode of MODES) {
            const standby = byUrn(dr[`${mode}/standby`]);
            const drill = byUrn(dr[`${mode}/drill`]);
            // Nothing of standby is renamed or removed by a drill, so going back cannot touch it either.
            expect([...standby.keys()].filter((u) => !drill.has(u)), mode).to.deep.equal([]);
            const removedOnReturn = [...drill.entries()].filter(([u]) => !standby.has(u)).map(([, r]) => r);
            // The drill's database copy is the one data store drill adds; its final snapshot keeps its data.
            const dataRemoved = removedOnReturn.filter((r) => DATA_BEARING.has(r.type));
            for (const r of dataRemoved) {
                expect(tag(r, "vbr:lifecycle"), r.urn).to.equal("drill");
                expect(r.inputs.skipFinalSnapshot, r.urn).to.equal(false);
            }
            // Data-bearing resources present in both states keep every input that forces replacement, and protection.
            for (const [urn, s] of standby) {
                if (!DATA_BEARING.has(s.type)) continue;
                const d = drill.get(urn)!;
                for (const input of REPLACE_ON[s.type] ?? []) {
                    expect(d.inputs[input], `${urn} ${input}`).to.deep.equal(s.inputs[input]);
                }
                expect([d.protect, d.retainOnDelete], urn).to.deep.equal([s.protect, s.retainOnDelete]);
            }
        }
    });
});

/**
 * The documented differences between the primary and a failover DR stack, by resource type (count).
 * App tier: the primary health-checks its endpoint for the PRIMARY record (the DR stack's SECONDARY record needs
 * none) and alarms on the RTC metrics of the three buckets it replicates (2 alarms each).
 * Data tier (owned by the primary because the primary owns the data and its copy links):
 * S3 replication configurations and their role, the registry-wide ECR replication, the backup plan copying to
 * the peer vault; the DR stack holds the StackReference-fed automated backups replication instead.
 * The data-tier rows are checked against the composed Platform: update them with the data tier if it changes.
 */
const DATA_TIER_PRIMARY_ONLY: Record<string, number> = {
    // The three data buckets' and the trail's log bucket's.
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": 4,
    // Two S3 replication roles (the data key's, the logs key's) with their policies and attachments; the monthly
    // integrity verification's function role and its scheduler's role, each with an inline policy.
    "aws:iam/role:Role": 4,
    "aws:iam/policy:Policy": 2,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,
    "aws:iam/rolePolicy:RolePolicy": 2,
    // The integrity verification (the primary owns the replication rules it verifies): function, log group, schedule.
    "aws:lambda/function:Function": 1,
    "aws:cloudwatch/logGroup:LogGroup": 1,
    "aws:scheduler/schedule:Schedule": 1,
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": 1,
    // The primary owns the database secret; the DR stack uses its Secrets Manager replica (promoted by runbook).
    "aws:secretsmanager/secret:Secret": 1,
    "aws:secretsmanager/secretVersion:SecretVersion": 1,
};
/**
 * Data tier, primary vs DR in standby. The primary owns the data and every copy link of it; the DR stack in standby
 * only holds the copies and what a bring-up needs. So only the primary has: the CloudTrail trail and the monthly
 * integrity verification (function, roles, log group, schedule), the S3 replication rules, their roles,
 * policy and attachment; the registry-wide ECR replication; the database secret and its version (the DR stack uses
 * the secret's Secrets Manager replica); the backup plan, its selection, role (4 managed-policy attachments) and the
 * monthly restore test (the DR stack runs them only once it serves, in failover). In `restore` mode the DR stack
 * also has no database instance in standby (no replica: it restores on demand). Only the DR stack has the automated
 * backups replication, created in its region from the primary's database.
 */
const STANDBY_PRIMARY_ONLY: Record<string, number> = {
    // The data buckets' and the trail log bucket's replication, with their two roles, policies and attachments; the
    // backup plan's role and its 4 attachments; the integrity verification's function, roles, inline policies, log
    // group and schedule; the trail itself (the DR stack runs its own from failover on).
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": 4,
    "aws:iam/role:Role": 5,
    "aws:iam/policy:Policy": 2,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 6,
    "aws:iam/rolePolicy:RolePolicy": 2,
    "aws:lambda/function:Function": 1,
    "aws:cloudwatch/logGroup:LogGroup": 1,
    "aws:scheduler/schedule:Schedule": 1,
    "aws:cloudtrail/trail:Trail": 1,
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": 1,
    "aws:secretsmanager/secret:Secret": 1,
    "aws:secretsmanager/secretVersion:SecretVersion": 1,
    "aws:backup/plan:Plan": 1,
    "aws:backup/selection:Selection": 1,
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": 1,
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": 1,
};
const STANDBY_DATA_TIER_DIFFERENCES: Record<(typeof MODES)[number], { primaryOnly: Record<string, number>; drOnly: Record<string, number> }> = {
    replica: {
        primaryOnly: STANDBY_PRIMARY_ONLY,
        drOnly: { "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": 1 },
    },
    restore: {
        primaryOnly: { ...STANDBY_PRIMARY_ONLY, "aws:rds/instance:Instance": 1 },
        drOnly: { "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": 1 },
    },
};

/** The DR stack reads the primary through a StackReference and replicates its automated backups. */
const DATA_TIER_DR_ONLY: Record<string, number> = {
    "pulumi:pulumi:StackReference": 1,
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": 1,
};
const APP_TIER_PRIMARY_ONLY: Record<string, number> = {
    "aws:route53/healthCheck:HealthCheck": 1,
    // RTC latency and failures of the four replicated buckets (8), the integrity verification's problems and failures (2).
    "aws:cloudwatch/metricAlarm:MetricAlarm": 10,
};
/** The DR stack's one-off database check (drill and failover): its task definition, task role and policy. */
const APP_TIER_DR_ONLY: Record<string, number> = {
    "aws:ecs/taskDefinition:TaskDefinition": 1, "aws:iam/role:Role": 1, "aws:iam/rolePolicy:RolePolicy": 1,
};
/** Counts added up: what one side has beyond the shared tree. */
const sum = (...counts: Array<Record<string, number>>) => counts.reduce<Record<string, number>>((acc, c) => {
    for (const [k, n] of Object.entries(c)) acc[k] = (acc[k] ?? 0) + n;
    return acc;
}, {});
/** Each side's extras, netted against each other as the type counts are (roles and role policies cancel out). */
const netted = (primaryExtras: Record<string, number>, drExtras: Record<string, number>) => ({
    primaryOnly: minus(primaryExtras, drExtras), drOnly: minus(drExtras, primaryExtras),
});
const EXPECTED_DIFFERENCES: Record<(typeof MODES)[number], { primaryOnly: Record<string, number>; drOnly: Record<string, number> }> = {
    replica: netted(sum(APP_TIER_PRIMARY_ONLY, DATA_TIER_PRIMARY_ONLY), sum(DATA_TIER_DR_ONLY, APP_TIER_DR_ONLY)),
    restore: netted(sum(APP_TIER_PRIMARY_ONLY, DATA_TIER_PRIMARY_ONLY), sum(DATA_TIER_DR_ONLY, APP_TIER_DR_ONLY)),
};
