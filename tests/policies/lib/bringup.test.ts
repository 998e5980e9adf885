// The bring-up model on small hand-built graphs: durations, step selection, and the scheduler's exact totals and paths.
import { expect } from "chai";
import {
    BringUpStep, buildSteps, childUrn, diffSelector, estimateBringUp, estimateFor, GraphResource, loadProvisioningTimes,
    natGatewayCount, simulate, stepsFromDiff, stepsFromTags, tagSelector, toMinutes,
} from "../../../policies/lib/bringup";

const times = loadProvisioningTimes();

/** A step with the same duration at p50 and p90 unless p90 is given. */
function step(urn: string, seconds: number, dependencies: string[] = [], p90 = seconds): BringUpStep {
    return { urn, type: "test:index:Step", name: urn, operation: "create", dependencies, estimate: { p50: seconds, p90, source: "test", key: "test" } };
}
const path = (s: { criticalPath: { urn: string }[] }) => s.criticalPath.map((x) => x.urn);

const URN = (type: string, name: string, parents: string[] = []) =>
    `urn:pulumi:dr::vbr::${[...parents, type].join("$")}::${name}`;

function res(type: string, name: string, extra: Partial<GraphResource> = {}): GraphResource {
    const custom = extra.custom ?? !(type.startsWith("vbr:") || type.startsWith("awsx:"));
    return {
        urn: extra.urn ?? URN(type, name), type, name, parent: null, custom, remote: type.startsWith("awsx:"),
        dependencies: [], propertyDependencies: {}, inputs: {}, ...extra,
    };
}

describe("bring-up model: scheduler", () => {
    it("a chain takes the sum of its steps and is its own critical path", () => {
        const s = simulate([step("a", 10), step("b", 20, ["a"]), step("c", 30, ["b"])], "p50", 4);
        expect(s.total).to.equal(60);
        expect(path(s)).to.deep.equal(["a", "b", "c"]);
        expect(s.steps.map((x) => [x.start, x.finish])).to.deep.equal([[0, 10], [10, 30], [30, 60]]);
    });

    it("a fan waits for its slowest branch", () => {
        const steps = [step("root", 5), step("x", 100, ["root"]), step("y", 50, ["root"]), step("z", 10, ["root"]), step("join", 7, ["x", "y", "z"])];
        const s = simulate(steps, "p50", 4);
        expect(s.total).to.equal(112);
        expect(path(s)).to.deep.equal(["root", "x", "join"]);
        expect(s.criticalPath.map((x) => x.waitedBecause)).to.deep.equal([null, "dependency", "dependency"]);
    });

    it("the parallelism limit queues independent steps, and the path goes through the slots", () => {
        const steps = ["s0", "s1", "s2", "s3", "s4"].map((u) => step(u, 10));
        const two = simulate(steps, "p50", 2);
        expect(two.total).to.equal(30);
        expect(path(two)).to.deep.equal(["s0", "s2", "s4"]);
        expect(two.criticalPath.map((x) => x.waitedBecause)).to.deep.equal([null, "slot", "slot"]);
        expect(simulate(steps, "p50", 5).total).to.equal(10);
        expect(simulate(steps, "p50", 1).total).to.equal(50);
    });

    it("serves ready steps first come first served (ties in registration order)", () => {
        // parallel 1: b was ready at t=0, c only at t=10 when a finished, so b runs before c.
        const s = simulate([step("a", 10), step("b", 5), step("c", 1, ["a"])], "p50", 1);
        expect(s.steps.map((x) => [x.urn, x.start, x.finish])).to.deep.equal([["a", 0, 10], ["b", 10, 15], ["c", 15, 16]]);
        expect(s.total).to.equal(16);
        expect(path(s)).to.deep.equal(["a", "b", "c"]);
    });

    it("p50 and p90 are separate runs, each with its own critical path", () => {
        const steps = [step("fast-median", 100, [], 100), step("slow-tail", 60, [], 300)];
        const e = estimateBringUp(steps, times, 4);
        expect([e.p50Seconds, e.p90Seconds]).to.deep.equal([100, 300]);
        expect(path(e.p50)).to.deep.equal(["fast-median"]);
        expect(e.criticalPath.map((x) => x.urn)).to.deep.equal(["slow-tail"]);
        expect(e.dnsServes).to.equal(null);
    });

    it("DNS with no service behind the record: one TTL after the record is INSYNC", () => {
        const rec: BringUpStep = { ...step("record", 60, ["alb"], 90), type: "aws:route53/record:Record" };
        const e = estimateBringUp([step("alb", 155, [], 172), rec], times, 4);
        expect(e.dnsServes).to.deep.include({ p50: 155 + 60 + 60, p90: 172 + 90 + 60, ttlSeconds: 60, gatedBy: { p50: "record", p90: "record" } });
    });

    describe("DNS serves = max(record INSYNC, ECS service behind the record's target ready) + TTL", () => {
        const typed = (type: string, s: BringUpStep, key = s.estimate.key): BringUpStep => ({ ...s, type, estimate: { ...s.estimate, key } });
        const SVC = "aws:ecs/service:Service";
        const alb = step("alb", 155, [], 172);
        const listener = step("listener", 3, ["alb"], 15);
        const db = step("db", 360, [], 900);
        const rec = typed("aws:route53/record:Record", step("record", 60, ["alb"], 90));

        it("the service behind the load balancer (through its listener) gates DNS, not the record", () => {
            const svc = typed(SVC, step("svc", 420, ["listener", "db"], 650));
            const e = estimateBringUp([alb, listener, db, svc, rec], times, 8);
            // Record INSYNC at 155+60 / 172+90; the service is steady at 360+420 / 900+650.
            expect(e.dnsServes).to.deep.include({ p50: 780 + 60, p90: 1550 + 60, gatedBy: { p50: "svc", p90: "svc" } });
            expect(e.p90Seconds).to.equal(1550);
        });

        it("a record that finishes after the service still gates", () => {
            const slowRec = typed("aws:route53/record:Record", step("record", 600, ["alb"], 1500));
            const svc = typed(SVC, step("svc", 100, ["listener"], 200));
            const e = estimateBringUp([alb, listener, svc, slowRec], times, 8);
            expect(e.dnsServes).to.deep.include({ p50: 155 + 600 + 60, p90: 172 + 1500 + 60, gatedBy: { p50: "record", p90: "record" } });
        });

        it("a service without waitForSteadyState is ready one steady-state estimate after its API call", () => {
            const svc = typed(SVC, step("svc", 2, ["listener"], 2), "operations.ecs-service-no-wait");
            const e = estimateBringUp([alb, listener, svc, rec], times, 8);
            // API call done at 155+3+2 / 172+15+2; then the data file's steady state 420 / 650 s.
            expect(e.dnsServes).to.deep.include({ p50: 160 + 420 + 60, p90: 189 + 650 + 60, gatedBy: { p50: "svc", p90: "svc" } });
        });

        it("a service that is not behind the record's target does not count", () => {
            const other = step("other-alb", 155, [], 172);
            const elsewhere = typed(SVC, step("svc-elsewhere", 420, ["other-alb", "db"], 650));
            const e = estimateBringUp([alb, other, db, elsewhere, rec], times, 8);
            expect(e.dnsServes).to.deep.include({ p50: 155 + 60 + 60, p90: 172 + 90 + 60, gatedBy: { p50: "record", p90: "record" } });
        });
    });

    it("rejects cycles and bad parallelism with a message", () => {
        expect(() => simulate([step("a", 1, ["b"]), step("b", 1, ["a"])], "p50", 2)).to.throw(/cycle: a, b/);
        expect(() => simulate([step("a", 1)], "p50", 0)).to.throw(/parallel must be a whole number >= 1, got 0/);
    });

    it("reports minutes with one decimal", () => {
        expect(toMinutes(2574)).to.equal(42.9);
        expect(toMinutes(3600)).to.equal(60);
    });
});

describe("bring-up model: durations", () => {
    const rds = "aws:rds/instance:Instance";
    it("restore grows with allocated storage (base + per GiB), plus the baseline backup RDS takes after every restore", () => {
        const baseline = { p50: 7200, p90: 10800 };
        const plus = (p50: number, p90: number) => ({ p50: p50 + baseline.p50, p90: p90 + baseline.p90 });
        expect(estimateFor(rds, "restore", { allocatedStorage: 100 }, times)).to.deep.include({ ...plus(900, 1500), key: "restore" });
        expect(estimateFor(rds, "restore", { allocatedStorage: 500 }, times)).to.deep.include(plus(2100, 3900));
        // No allocatedStorage input: the option, else the data file's default (the Pulumi.yaml default, 100 GiB).
        expect(estimateFor(rds, "restore", {}, times, { allocatedStorageGiB: 1000 })).to.deep.include(plus(3600, 6900));
        expect(estimateFor(rds, "restore", {}, times)).to.deep.include(plus(900, 1500));
    });

    it("the baseline-backup wait does not depend on the retention the program asks for: the provider cannot send it", () => {
        for (const backupRetentionPeriod of [0, 35, undefined]) {
            expect(estimateFor(rds, "restore", { allocatedStorage: 100, backupRetentionPeriod }, times), String(backupRetentionPeriod))
                .to.deep.include({ p50: 900 + 7200, p90: 1500 + 10800 });
        }
    });

    it("promotion, create, ECS with and without steady state, unlisted types", () => {
        expect(estimateFor(rds, "promote", {}, times)).to.deep.include({ p50: 360, p90: 900, key: "operations.rds-promote" });
        expect(estimateFor(rds, "create", {}, times)).to.deep.include({ p50: 840, p90: 1020 });
        expect(estimateFor("aws:ecs/service:Service", "create", { waitForSteadyState: true }, times)).to.deep.include({ p50: 420, p90: 650 });
        expect(estimateFor("aws:ecs/service:Service", "create", {}, times)).to.deep.include({ p50: 2, p90: 2 });
        expect(estimateFor("aws:ec2/natGateway:NatGateway", "create", {}, times)).to.deep.include({ p50: 105, p90: 125 });
        expect(estimateFor("aws:lb/loadBalancer:LoadBalancer", "create", {}, times)).to.deep.include({ p50: 155, p90: 172 });
        expect(estimateFor("aws:made/up:Thing", "create", {}, times)).to.deep.include({ p50: 10, p90: 30, key: "default" });
        // A new cross-region read replica (a failback's in region A, a DR replica of a new source).
        expect(estimateFor(rds, "replica", {}, times)).to.deep.include({ p50: 2700, p90: 5400, key: "operations.rds-cross-region-replica" });
    });

    it("selects a new DB instance with replicateSourceDb as a read replica, from two graphs and from the tags alone", () => {
        const replica = res("aws:rds/instance:Instance", "fb", { inputs: { replicateSourceDb: "arn:aws:rds:us-west-2:1:db:x", tags: {} } });
        const plain = res("aws:rds/instance:Instance", "new", { inputs: { tags: {} } });
        expect(stepsFromDiff([], [replica, plain], times).map((s) => [s.name, s.operation, s.estimate.key]))
            .to.deep.equal([["fb", "replica", "operations.rds-cross-region-replica"], ["new", "create", "aws:rds/instance:Instance"]]);
        expect(stepsFromTags([replica, plain], times).map((s) => [s.name, s.operation])).to.deep.equal([["fb", "replica"], ["new", "create"]]);
    });

    it("every data-file entry names its source", () => {
        const entries = [times.default, ...Object.values(times.types), ...Object.values(times.operations)];
        for (const e of entries) expect(e.source, JSON.stringify(e)).to.match(/docs\/aws-facts\.md|assumption/);
        expect(times.restore.source).to.match(/docs\/aws-facts\.md/);
    });
});

describe("bring-up model: step selection", () => {
    const vpcStandby = res("awsx:ec2:Vpc", "net", { inputs: { natGateways: { strategy: "None" }, numberOfAvailabilityZones: 3, tags: { "vbr:standby": "kept" } } });
    const vpcActive = { ...vpcStandby, inputs: { ...vpcStandby.inputs, natGateways: { strategy: "OnePerAz" } } };
    const key = res("aws:kms/key:Key", "data", { inputs: { tags: { "vbr:standby": "kept" } } });
    const replicaStandby = res("aws:rds/instance:Instance", "db", { inputs: { replicateSourceDb: "arn:aws:rds:us-east-1:1:db:x", tags: { "vbr:standby": "kept" } } });
    const promoted = { ...replicaStandby, inputs: { tags: { "vbr:standby": "kept" }, multiAz: true } };
    const alb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { inputs: { tags: {} }, dependencies: [vpcActive.urn] });
    const svc = res("aws:ecs/service:Service", "svc", { inputs: { waitForSteadyState: true, tags: {} }, dependencies: [alb.urn, promoted.urn, vpcActive.urn] });
    const record = res("aws:route53/record:Record", "secondary", { inputs: {}, dependencies: [alb.urn] });
    const versioning = res("aws:s3/bucketVersioning:BucketVersioning", "docs", { inputs: {}, dependencies: [key.urn] });
    const standby = [key, vpcStandby, replicaStandby, versioning];
    const failover = [key, vpcActive, promoted, versioning, alb, svc, record];

    it("counts an awsx VPC's NAT gateways by strategy and AZs", () => {
        expect(natGatewayCount({ natGateways: { strategy: "None" } })).to.equal(0);
        expect(natGatewayCount({ natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 3 })).to.equal(1);
        expect(natGatewayCount({ natGateways: { strategy: "OnePerAz" }, availabilityZoneNames: ["a", "b"] })).to.equal(2);
        expect(natGatewayCount({})).to.equal(3);
    });

    it("from two graphs: the promoted replica, the VPC's new NAT gateways and everything added", () => {
        const steps = stepsFromDiff(standby, failover, times);
        const nat = (i: number) => childUrn(vpcActive.urn, "aws:ec2/natGateway:NatGateway", `net-${i}`);
        const eip = (i: number) => childUrn(vpcActive.urn, "aws:ec2/eip:Eip", `net-${i}`);
        expect(steps.map((s) => [s.urn, s.operation])).to.deep.equal([
            [eip(1), "create"], [nat(1), "create"], [eip(2), "create"], [nat(2), "create"], [eip(3), "create"], [nat(3), "create"],
            [promoted.urn, "promote"], [alb.urn, "create"], [svc.urn, "create"], [record.urn, "create"],
        ]);
        expect(nat(1)).to.equal("urn:pulumi:dr::vbr::awsx:ec2:Vpc$aws:ec2/natGateway:NatGateway::net-1");
        expect(steps.find((s) => s.urn === nat(2))!.dependencies).to.deep.equal([eip(2)]);
        // The service waits for the VPC component, hence for all its NAT gateways.
        expect(steps.find((s) => s.urn === svc.urn)!.dependencies.sort())
            .to.deep.equal([alb.urn, promoted.urn, eip(1), nat(1), eip(2), nat(2), eip(3), nat(3)].sort());
        const e = estimateBringUp(steps, times, 8);
        // p90: NAT 15+125 = 140; ALB 140+172 = 312; promotion 900; service max(312, 900) + 650 = 1550; record 312 + 90.
        expect(e.p90Seconds).to.equal(1550);
        expect(e.criticalPath.map((s) => s.urn)).to.deep.equal([promoted.urn, svc.urn]);
        expect(e.p50Seconds).to.equal(360 + 420);
        // The record is INSYNC at 402 s, but the ALB it aliases has healthy targets only when the service is steady.
        expect(e.dnsServes).to.deep.include({ p50: 360 + 420 + 60, p90: 1550 + 60, gatedBy: { p50: svc.urn, p90: svc.urn } });
    });

    it("by tag: the same steps as the diff on the same graphs", () => {
        const byTag = stepsFromTags(failover, times);
        const byDiff = stepsFromDiff(standby, failover, times);
        expect(byTag).to.deep.equal(byDiff);
    });

    it("by tag: an untaggable resource follows its dependencies, a tagged one its tag", () => {
        const select = tagSelector(failover);
        const sel = failover.map((r) => select(r));
        expect(sel).to.deep.equal([
            null, { kind: "component", part: "nat" }, { kind: "custom", operation: "promote" }, null,
            { kind: "custom", operation: "create" }, { kind: "custom", operation: "create" }, { kind: "custom", operation: "create" },
        ]);
    });

    it("a read replica still replicating in the active state is no step; a restored copy is a restore", () => {
        const drillCopy = res("aws:rds/instance:Instance", "drill-db", {
            inputs: { restoreToPointInTime: { useLatestRestorableTime: true }, allocatedStorage: 100, backupRetentionPeriod: 0, tags: { "vbr:lifecycle": "drill" } },
        });
        const drill = [key, vpcActive, replicaStandby, versioning, drillCopy];
        const steps = buildSteps(drill, diffSelector(standby), times);
        expect(steps.filter((s) => s.type === "aws:rds/instance:Instance").map((s) => [s.name, s.operation, s.estimate.p90]))
            .to.deep.equal([["drill-db", "restore", 1500 + 10800]]);
        expect(stepsFromTags(drill, times)).to.deep.equal(steps);
    });

    it("a VPC created from scratch counts its network, then its NAT gateways", () => {
        const vpc = res("awsx:ec2:Vpc", "cold", { inputs: { natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 2 } });
        const steps = stepsFromDiff([], [vpc], times);
        expect(steps.map((s) => `${s.type}::${s.name}`)).to.deep.equal([
            "aws:ec2/vpc:Vpc::cold", "aws:ec2/internetGateway:InternetGateway::cold",
            "aws:ec2/subnet:Subnet::cold-public-1", "aws:ec2/subnet:Subnet::cold-private-1",
            "aws:ec2/subnet:Subnet::cold-public-2", "aws:ec2/subnet:Subnet::cold-private-2",
            "aws:ec2/eip:Eip::cold-1", "aws:ec2/natGateway:NatGateway::cold-1",
        ]);
        // p90: VPC 40, subnet 40, NAT 125 (the EIP's 15 runs alongside the VPC).
        expect(estimateBringUp(steps, times, 16).p90Seconds).to.equal(40 + 40 + 125);
    });

    it("a dependency on a local component waits for the steps inside it", () => {
        const comp = res("vbr:service:Service", "svc-comp");
        const inner = res("aws:lb/loadBalancer:LoadBalancer", "inner", { parent: comp.urn, inputs: { tags: {} } });
        const outer = res("aws:route53/record:Record", "rec", { dependencies: [comp.urn] });
        const steps = stepsFromDiff([], [comp, inner, outer], times);
        expect(steps.map((s) => [s.name, s.dependencies])).to.deep.equal([["inner", []], ["rec", [inner.urn]]]);
    });
});
