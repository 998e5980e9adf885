// drill:learn: the merge rule on the model's data, the command, and that merging a report twice counts it once.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as learn } from "../../tools/drill-learn";
import { drillKey, mergeMeasurements, quantile } from "../../tools/drill/learn";
import type { DrillReport } from "../../tools/drill/report";
import { loadProvisioningTimes } from "../../policies/lib/bringup";
import { ROOT, S } from "./fixtures";

describe("drill:learn", () => {
    const report = (resources: DrillReport["resources"]) => ({ start: "2026-01-01T10:00:00.000Z", resources } as DrillReport);
    const m = (type: string, key: string, seconds: number, p50: number, p90: number) =>
        ({ urn: `${S}${type}::x`, type, op: "create", status: "ok" as const, seconds, estimate: { key, p50, p90 } });

    it("nearest-rank quantiles", () => {
        expect(quantile([5, 1, 3, 2, 4], 0.5)).to.equal(3);
        expect(quantile([5, 1, 3, 2, 4], 0.9)).to.equal(5);
        expect(quantile([7], 0.9)).to.equal(7);
    });

    it("weighs the seed as priorWeight samples, then counts drills; p90 never below p50", () => {
        const times = loadProvisioningTimes();
        const nat = "aws:ec2/natGateway:NatGateway";
        const { times: next, changes } = mergeMeasurements(times, report([m(nat, nat, 95, 105, 125), m(nat, nat, 100, 105, 125), m(nat, nat, 140, 105, 125)]));
        // w = 5, n = 3: p50 (5 x 105 + 3 x 100) / 8 = 103.1 -> 103; p90 (5 x 125 + 3 x 140) / 8 = 130.6 -> 131.
        expect(next.types[nat]).to.deep.include({ p50: 103, p90: 131, samples: 8, lastMeasured: "2026-01-01" });
        expect(changes).to.deep.equal([`${nat}: p50/p90 105/125 -> 103/131 s (3 samples, measured 100/140 s)`]);
        expect(times.types[nat]).to.deep.include({ p50: 105, p90: 125 });
    });

    it("scales the restore model by measured / estimated, learns unlisted types, skips failures", () => {
        const times = loadProvisioningTimes();
        const failedOne = { ...m("aws:lb/loadBalancer:LoadBalancer", "aws:lb/loadBalancer:LoadBalancer", 999, 155, 172), status: "failed" as const };
        const { times: next } = mergeMeasurements(times, report([
            m("aws:rds/instance:Instance", "restore", 1800, 900, 1500),
            m("aws:made/up:Thing", "default", 40, 10, 30),
            failedOne,
        ]));
        // ratio p50 2.0, p90 1.2; w = 5, n = 1: f50 = (5 + 2) / 6, f90 = (5 + 1.2) / 6.
        expect(next.restore.p50).to.deep.equal({ baseSeconds: 700, perGiBSeconds: 3.5 });
        expect(next.restore.p90).to.deep.equal({ baseSeconds: 930, perGiBSeconds: 6.2 });
        expect(next.types["aws:made/up:Thing"]).to.deep.include({ p50: 15, p90: 32, samples: 6 });
        expect(next.types["aws:lb/loadBalancer:LoadBalancer"]).to.deep.equal(times.types["aws:lb/loadBalancer:LoadBalancer"]);
    });

    it("the command writes the data file given with --times", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-learn-"));
        const times = path.join(dir, "times.json");
        fs.copyFileSync(path.join(ROOT, "policies", "data", "provisioning-times.json"), times);
        fs.writeFileSync(path.join(dir, "r.json"), JSON.stringify(report([m("aws:ecs/service:Service", "aws:ecs/service:Service", 600, 420, 650)])));
        let out = "";
        const code = await learn(["r.json", "--times", times], { cwd: dir, stdout: (t) => { out += t; return true; }, stderr: (t) => { out += t; return true; } });
        expect(code).to.equal(0);
        expect(JSON.parse(fs.readFileSync(times, "utf8")).types["aws:ecs/service:Service"]).to.deep.include({ p50: 450, p90 : 642, samples: 6 });
        expect(out).to.contain("updated times.json");
        expect(await learn(["missing.json"], { cwd: dir, stdout: () => true, stderr: () => true })).to.equal(2);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is idempotent: the data file remembers merged drills, so a second merge of the same report changes nothing", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-learn-"));
        const times = path.join(dir, "times.json");
        fs.copyFileSync(path.join(ROOT, "policies", "data", "provisioning-times.json"), times);
        const drillReport = { ...report([m("aws:ecs/service:Service", "aws:ecs/service:Service", 600, 420, 650)]), scenario: { stack: "dr", drillId: "20260101t1000" } };
        fs.writeFileSync(path.join(dir, "r.json"), JSON.stringify(drillReport));
        const io = () => { const o = { out: "" }; return { o, io: { cwd: dir, stdout: (t: string) => { o.out += t; return true; }, stderr: (t: string) => { o.out += t; return true; } } }; };
        const first = io();
        expect(await learn(["r.json", "--times", times], first.io)).to.equal(0);
        const once = fs.readFileSync(times, "utf8");
        expect(JSON.parse(once).mergedDrills).to.deep.equal(["dr:20260101t1000"]);
        expect(JSON.parse(once).types["aws:ecs/service:Service"]).to.deep.include({ p50: 450, p90: 642, samples: 6 });
        const second = io();
        expect(await learn(["r.json", "--times", times], second.io)).to.equal(0);
        expect(fs.readFileSync(times, "utf8")).to.equal(once);
        expect(second.o.out).to.equal("drill dr:20260101t1000 is already merged into times.json: nothing changed\n");
        // Another drill is merged (and remembered) as usual.
        const other = mergeMeasurements(JSON.parse(once), { ...drillReport, scenario: { stack: "dr", drillId: "20260401t1000" } } as DrillReport);
        expect([other.alreadyMerged, other.times.types["aws:ecs/service:Service"].samples, other.times.mergedDrills]).to.deep.equal([false, 7, ["dr:20260101t1000", "dr:20260401t1000"]]);
        expect(drillKey(report([]))).to.equal("start:2026-01-01T10:00:00.000Z");
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
