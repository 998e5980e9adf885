// The RTO policy through the offline analyzer (the engine's own handlers): a compliant DR failover passes,
// a slow resource on the critical path fails it, and the message names the path and its p90.
import { expect } from "chai";
import { drBringupRtoObjective, RTO_POLICY_NAME } from "../../policies/dr-bringup-rto-objective";
import { analyze, evaluatePolicies, UNKNOWN } from "../../tools/harness/analyzer";
import { RecordedResource } from "../../tools/harness/records";

const STACK = "urn:pulumi:dr::vbr::";
const urn = (qualifiedType: string, name: string) => `${STACK}${qualifiedType}::${name}`;
const KEPT = { "vbr:standby": "kept" };

function r(type: string, name: string, extra: Partial<RecordedResource> = {}): RecordedResource {
    const remote = type.startsWith("awsx:");
    const custom = !remote && type.split(":")[1].includes("/");
    return {
        urn: urn(type, name), type, name, parent: null, custom, remote, provider: null, region: "us-west-2",
        protect: false, retainOnDelete: false, dependencies: [], propertyDependencies: {}, inputs: {}, outputs: {}, ...extra,
    };
}

/** A DR stack in failover (replica mode), shaped like the project's: pilot light kept, app tier created. */
function failoverStack(): RecordedResource[] {
    const bucket = r("aws:s3/bucket:Bucket", "documents", { inputs: { tags: { ...KEPT, "vbr:replication": "destination" } } });
    const backups = r("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "db-backups", { inputs: { retentionPeriod: 35 } });
    const vpc = r("awsx:ec2:Vpc", "vpc", { inputs: { natGateways: { strategy: "OnePerAz" }, numberOfAvailabilityZones: 3, tags: KEPT } });
    const db = r("aws:rds/instance:Instance", "db", { inputs: { multiAz: true, backupRetentionPeriod: 35, tags: KEPT } });
    const alb = r("aws:lb/loadBalancer:LoadBalancer", "alb", { inputs: { tags: {} }, dependencies: [vpc.urn] });
    const listener = r("aws:lb/listener:Listener", "https", { inputs: { tags: {} }, dependencies: [alb.urn] });
    const service = r("aws:ecs/service:Service", "svc", { inputs: { waitForSteadyState: true, tags: {} }, dependencies: [listener.urn, db.urn, vpc.urn] });
    const record = r("aws:route53/record:Record", "secondary", { dependencies: [alb.urn] });
    return [bucket, backups, vpc, db, alb, listener, service, record];
}

async function violations(resources: RecordedResource[], config: Record<string, unknown> = {}) {
    return evaluatePolicies([drBringupRtoObjective], resources, { config: { [RTO_POLICY_NAME]: config }, stackRegion: "us-west-2" });
}

describe(`policy ${RTO_POLICY_NAME}`, () => {
    it("passes a replica failover that fits the hour (p90 25.8 min: promotion 15 + steady state 10.8)", async () => {
        expect(await violations(failoverStack(), { parallel: 8 })).to.deep.equal([]);
    });

    it("fails when a slow restore sits on the critical path, naming the path and its p90", async () => {
        const stack = failoverStack();
        const service = stack.find((x) => x.name === "svc")!;
        // restore mode with 2 TB and backups left on: restore 900 + 6 x 2000 s, plus the baseline backup 10800 s.
        const restored = r("aws:rds/instance:Instance", "db-restored", {
            inputs: { restoreToPointInTime: { useLatestRestorableTime: true }, allocatedStorage: 2000, backupRetentionPeriod: 7, tags: {} },
        });
        service.dependencies = [...service.dependencies, restored.urn];
        const v = await violations([...stack.slice(0, 6), restored, ...stack.slice(6)], { parallel: 8 });
        expect(v).to.have.length(1);
        expect(v[0]).to.deep.include({ policy: RTO_POLICY_NAME, enforcementLevel: "mandatory", urn: null });
        // p90: restore 900 + 12000 + 10800 = 23700 s = 395 min, then the service's 650 s.
        expect(v[0].message).to.contain("Estimated DR bring-up p90 is 405.8 min (p50 ");
        expect(v[0].message).to.contain("above the objective of 60 min");
        expect(v[0].message).to.contain(`Critical path (p90, 405.8 min):\n  ${restored.urn} (restore, 0 min -> 395 min)\n  -> ${service.urn} (create, 395 min -> 405.8 min)`);
    });

    it("fails a tighter objective when the parallelism limit serializes the bring-up", async () => {
        expect(await violations(failoverStack(), { parallel: 8, objectiveMinutes: 30 })).to.deep.equal([]);
        // parallel 1: every step waits for a slot; p90 = 3 x (15 + 125) + 900 + 172 + 15 + 650 + 90 = 2247 s.
        const v = await violations(failoverStack(), { parallel: 1, objectiveMinutes: 30 });
        expect(v).to.have.length(1);
        expect(v[0].message).to.contain("Estimated DR bring-up p90 is 37.5 min");
        expect(v[0].message).to.contain("at parallelism 1");
        expect(v[0].message).to.contain(`${STACK}aws:route53/record:Record::secondary (create, 25.1 min -> 26.6 min)\n  -> ${STACK}aws:ecs/service:Service::svc (create, 26.6 min -> 37.5 min)`);
    });

    it("does not judge a stack that is not a DR stack, nor a DR stack in standby", async () => {
        const primary = failoverStack().slice(2);
        expect(await violations(primary, { objectiveMinutes: 1 })).to.deep.equal([]);
        const standby = failoverStack().slice(0, 3).map((x) => x.type === "awsx:ec2:Vpc" ? { ...x, inputs: { ...x.inputs, natGateways: { strategy: "None" } } } : x);
        expect(await violations(standby, { objectiveMinutes: 1 })).to.deep.equal([]);
    });

    it("refuses an objective above 240 minutes", async () => {
        let err: unknown;
        try { await violations(failoverStack(), { objectiveMinutes: 300 }); } catch (e) { err = e; }
        expect(String(err)).to.match(/objectiveMinutes: 300 is above the maximum 240/);
    });

    it("is not applicable to a stack that is not a DR stack", async () => {
        const r = await analyze([drBringupRtoObjective], failoverStack().slice(2), { stackRegion: "us-east-1" });
        expect(r.violations).to.deep.equal([]);
        expect(r.notApplicable).to.deep.equal([{
            policy: RTO_POLICY_NAME, urn: null,
            reason: "not a DR stack (no InstanceAutomatedBackupsReplication, no bucket tagged vbr:replication = destination)",
        }]);
    });

    it("unknown in preview: a resource whose tags are unknown counts as created by the bring-up (decided conservatively)", async () => {
        // Known and kept: p90 25.8 min, within 26. Tags unknown: the database counts as created, p90 27.8 min.
        const probe = async (tags: unknown) => {
            const stack = failoverStack();
            stack.find((x) => x.name === "db")!.inputs.tags = tags;
            return violations(stack, { parallel: 8, objectiveMinutes: 26 });
        };
        expect(await probe(KEPT)).to.deep.equal([]);
        const v = await probe(UNKNOWN);
        expect(v.map((x) => [x.policy, x.enforcementLevel])).to.deep.equal([[RTO_POLICY_NAME, "mandatory"]]);
        expect(v[0].message).to.contain("Estimated DR bring-up p90 is 27.8 min");
        expect(v[0].message).to.contain(`${STACK}aws:rds/instance:Instance::db (create,`);
    });
});

