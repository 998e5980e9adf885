// The bring-up model on this project's DR stack: both step selections agree, the critical path and totals are
// the ones the offline plan reports, and the RTO policy passes the real stack through the analyzer.
// What a mock cannot prove: awsx's real children (the model adds NAT gateways by the VPC's strategy) and AWS's
// real durations (the drill measures those).
import { expect } from "chai";
import * as path from "path";
import { drBringupRtoObjective, RTO_POLICY_NAME } from "../../policies/dr-bringup-rto-objective";
import { estimateBringUp, loadProvisioningTimes, stepsFromDiff, stepsFromTags, toMinutes } from "../../policies/lib/bringup";
import { evaluatePolicies } from "../../tools/harness/analyzer";
import { estimateScenario } from "../../tools/bringup/bringup-report";
import { stackConfig, loadProject } from "../../tools/harness/project";
import { DbMode, drStack, DrState, primaryStack, syntheses } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "..", "..");
const times = loadProvisioningTimes();

describe("bring-up model on the project's DR stack", function () {
    this.timeout(120_000);
    let outputs: Record<string, Record<string, unknown>>;
    const dr = (state: string, database: string) => drStack(state as DrState, database as DbMode);

    before(async () => {
        outputs = { primary: (await primaryStack()).outputs };
    });

    for (const database of ["replica", "restore"]) {
        for (const state of ["drill", "failover"]) {
            it(`${state} with the ${database} database: the vbr:standby tags select exactly what the standby diff selects`, async () => {
                const standby = await dr("standby", database);
                const active = await dr(state, database);
                const byDiff = stepsFromDiff(standby.resources, active.resources, times);
                const byTags = stepsFromTags(active.resources, times);
                expect(byDiff.length).to.be.greaterThan(0);
                expect(byTags.map((s) => [s.urn, s.operation, s.dependencies, s.estimate])).to.deep.equal(byDiff.map((s) => [s.urn, s.operation, s.dependencies, s.estimate]));
            });
        }
    }

    it("promotes the replica on failover and restores a copy on drill; the drill never promotes", async () => {
        const ops = async (state: string, database: string) => {
            const steps = stepsFromDiff((await dr("standby", database)).resources, (await dr(state, database)).resources, times);
            return steps.filter((s) => s.type === "aws:rds/instance:Instance").map((s) => `${s.name}:${s.operation}`);
        };
        expect(await ops("failover", "replica")).to.deep.equal(["vbr-prod-db-replica:promote"]);
        expect(await ops("drill", "replica")).to.deep.equal(["vbr-prod-db-drill:restore"]);
        expect(await ops("drill", "restore")).to.deep.equal(["vbr-prod-db-drill:restore"]);
        expect(await ops("failover", "restore")).to.deep.equal(["vbr-prod-db-failover:restore"]);
    });

    describe("pinned estimates at the default config (parallel 8, 100 GiB)", () => {
        // The engine's URNs: every ancestor's type chained (`vbr:platform:Platform$vbr:database:Database$aws:rds/...`),
        // as the recorder builds them (tools/harness/recorder.ts engineUrn) and `npm start -- --stack dr` prints them.
        const U = (component: string, type: string, name: string) => `urn:pulumi:dr::vbr::vbr:platform:Platform$${component}$${type}::${name}`;
        const db = (name: string) => U("vbr:database:Database", "aws:rds/instance:Instance", name);
        const APP = [
            U("vbr:service:Service", "aws:ecs/taskDefinition:TaskDefinition", "vbr-prod-app-task"),
            U("vbr:service:Service", "aws:ecs/service:Service", "vbr-prod-app-service"),
            U("vbr:service:Service", "aws:appautoscaling/target:Target", "vbr-prod-app-scaling"),
            U("vbr:service:Service", "aws:appautoscaling/policy:Policy", "vbr-prod-app-scale-cpu"),
        ];
        const SERVICE = APP[1];
        // p90: the database step, task definition 10 s, service to steady state 650 s, scaling target 15 s, policy 15 s.
        // p50: the database step, 3 s, 420 s, 3 s, 3 s. Promotion 360 / 900 s; restore of 100 GiB 900 / 1500 s plus
        // the baseline backup RDS takes after every restore, 7200 / 10800 s (docs/aws-facts.md).
        const RESTORE = { p50: 900 + 7200, p90: 1500 + 10800 };
        const restoreCase = (state: "drill" | "failover", database: "replica" | "restore", name: string, resources: number) => ({
            state, database, p50: 142.2, p90: 216.5, p90Seconds: RESTORE.p90 + 10 + 650 + 15 + 15,
            dns: { p50: toMinutes(RESTORE.p50 + 3 + 420 + 60), p90: toMinutes(RESTORE.p90 + 10 + 650 + 60) }, resources, path: [db(name), ...APP], target: 240,
        });
        const cases = [
            { state: "failover", database: "replica", p50: 13.2, p90: 26.5, p90Seconds: 900 + 10 + 650 + 15 + 15, dns: { p50: 14.1, p90: 27 }, resources: 40, path: [db("vbr-prod-db-replica"), ...APP], target: 45 },
            restoreCase("failover", "restore", "vbr-prod-db-failover", 40),
            restoreCase("drill", "restore", "vbr-prod-db-drill", 30),
            restoreCase("drill", "replica", "vbr-prod-db-drill", 30),
        ] as const;
        const scenario = async (state: "drill" | "failover", database: "replica" | "restore") => {
            const cfg = stackConfig(loadProject(ROOT), "dr");
            // The targets are stated for the default storage.
            expect(cfg["vbr:dbAllocatedStorageGiB"]).to.equal("100");
            // The shared syntheses, as the plan passes its own: the states are the ones every other spec reads.
            const synthesize = (config: Record<string, string>) => syntheses.run({ projectDir: ROOT, stack: "dr", overrides: config, stackOutputs: outputs });
            return estimateScenario({ projectDir: ROOT, stack: "dr", config: cfg, stackOutputs: outputs, parallel: 8, synthesize }, state, database);
        };

        for (const c of cases) {
            it(`${c.state} with the ${c.database} database: p50 ${c.p50} / p90 ${c.p90} min, DNS at ${c.dns.p90} min, under ${c.target} min`, async () => {
                const s = await scenario(c.state, c.database);
                expect([s.p50Minutes, s.p90Minutes, s.parallel, s.resources]).to.deep.equal([c.p50, c.p90, 8, c.resources]);
                expect(s.criticalPath).to.deep.equal(c.path);
                expect(Math.max(...s.timeline.map((t) => t.finish))).to.equal(c.p90Seconds);
                expect(s.dnsServesMinutes).to.deep.equal(c.dns);
                // p90 under 45 min for failover with the replica; a 100 GiB restore (with its baseline backup) within the
                // DR plan's 4 hours.
                expect(s.p90Minutes).to.be.below(c.target);
            });
        }

        it("DNS serves one TTL after the ECS service is steady, not when the record is INSYNC", async () => {
            for (const [state, record] of [["failover", "vbr-prod-dns-secondary"], ["drill", "vbr-prod-dns-drill"]] as const) {
                const s = await scenario(state, "restore");
                const rec = s.timeline.find((t) => t.urn === U("vbr:dns:Dns", "aws:route53/record:Record", record))!;
                const svc = s.timeline.find((t) => t.urn === SERVICE)!;
                const alb = s.timeline.find((t) => t.urn === U("vbr:service:Service", "aws:lb/loadBalancer:LoadBalancer", "vbr-prod-app-alb"))!;
                // The record aliases the ALB: INSYNC one record's time after it (90 / 60 s), minutes before the tasks
                // behind it are healthy. (When the ALB starts depends on what else takes the 8 slots first: failover
                // creates more at t = 0 than drill, and its third NAT gateway, which the ALB waits for, starts 15 s later.)
                expect([rec.finish - alb.finish, rec.p50Finish - alb.p50Finish], state).to.deep.equal([90, 60]);
                expect(alb.finish, state).to.be.below(7 * 60);
                expect([svc.finish, svc.p50Finish], state).to.deep.equal([RESTORE.p90 + 10 + 650, RESTORE.p50 + 3 + 420]);
                expect(s.dnsServesMinutes, state).to.deep.equal({ p50: toMinutes(RESTORE.p50 + 3 + 420 + 60), p90: toMinutes(RESTORE.p90 + 10 + 650 + 60) });
            }
        });
    });

    it("the RTO policy passes the project's DR stack in every state at its objective, and fails it when a 2 TB restore lands on the path", async () => {
        // Replica failover is held to 60 min; anything that restores (a drill, a restore-mode failover) to the DR plan's 240.
        for (const [state, database, objectiveMinutes] of [["standby", "replica", 60], ["failover", "replica", 60], ["drill", "restore", 240], ["failover", "restore", 240]] as const) {
            const s = await dr(state, database);
            const v = await evaluatePolicies([drBringupRtoObjective], s.resources, { config: { [RTO_POLICY_NAME]: { parallel: 8, objectiveMinutes } }, stackRegion: "us-west-2" });
            expect(v, `${state}/${database}`).to.deep.equal([]);
        }
        const big = await drStack("failover", "restore", { "vbr:dbAllocatedStorageGiB": "2000" });
        // The restored instance inherits its storage from the backup: the policy's allocatedStorageGiB mirrors the stack config.
        const v = await evaluatePolicies([drBringupRtoObjective], big.resources, {
            config: { [RTO_POLICY_NAME]: { parallel: 8, allocatedStorageGiB: 2000, objectiveMinutes: 240 } }, stackRegion: "us-west-2",
        });
        expect(v).to.have.length(1);
        expect(v[0].message).to.contain("above the objective of 240 min");
        expect(v[0].message).to.match(/Critical path \(p90, [\d.]+ min\):\n {2}urn:pulumi:dr::vbr::[^\n]*aws:rds\/instance:Instance::vbr-prod-db-failover \(restore, 0 min -> 395 min\)/);
        const e = estimateBringUp(stepsFromTags(big.resources, times, { allocatedStorageGiB: 2000 }), times, 8);
        expect(e.criticalPath[0].finish).to.equal(900 + 6 * 2000 + 10800);
    });
});
