// The failback model on this project's stacks: each phase from the synthesized states it moves between, the write
// downtime, and the plan's `failback` field for a DR stack in failover. What this cannot prove: AWS's real durations
// (npm run failback measures them; the data file marks the assumptions).
import { expect } from "chai";
import * as path from "path";
import pc from "picocolors";
import { estimateFailback, failbackExtension, failbackMarkdown } from "../../tools/bringup/failback-estimate";
import { loadProject, stackConfig } from "../../tools/harness/project";
import { synthesize } from "../../tools/harness/recorder";

const ROOT = path.resolve(__dirname, "..", "..");

describe("failback model on the project's stacks", function () {
    this.timeout(180_000);
    const config = stackConfig(loadProject(ROOT), "dr", { "vbr:drState": "failover" });

    it("estimates every phase, the duration and the write downtime (default config, parallel 8)", async () => {
        const f = await estimateFailback({ projectDir: ROOT, stack: "dr", config, parallel: 8 });
        expect(f.phases.map((p) => [p.phase, p.p50Minutes, p.p90Minutes, p.writesStopped])).to.deep.equal([
            // The links back: IAM roles (p90 30 s, retried) then the rules and the registry replication.
            ["replicate-back", 0.4, 1.8, false],
            ["backfill", 15, 60, false],
            // The cross-region replica (45 / 90 min), then the service redeploys onto it (7 / 10.8 min), then one
            // read-only task checks the replica (45 s / 2 min, as every one-off task).
            ["recover", 52.8, 102.8, false],
            ["stop-writes", 0.8, 1.5, true],
            // The seed task; the drain's task (catch-up + 45 s / 2 min) fits inside S3's drain (1 / 15 min).
            ["canary", 0.8, 2, true],
            ["drain", 1, 15, true],
            // Promotion 6 / 15 min; the PRIMARY record and one TTL fit inside it.
            ["promote", 6, 15, true],
            ["standby", 45, 90, false],
        ]);
        expect([f.durationMinutes, f.writeDowntimeMinutes]).to.deep.equal([{ p50: 121.8, p90: 288.1 }, { p50: 8.6, p90: 33.5 }]);
        expect(failbackMarkdown(f).slice(0, 3)).to.deep.equal([
            "#### Failback estimate (from failover, RPO 0)", "",
            "Duration p50 121.8 min, p90 288.1 min; write downtime p50 8.6 min, p90 33.5 min.",
        ]);
    });

    it("is the plan's `failback` field for a DR stack in failover only", async () => {
        const ext = failbackExtension({ parallel: 8 });
        const primary = await synthesize({ projectDir: ROOT, stack: "primary" });
        const ctx = (cfg: Record<string, string>) => ({ project: "vbr", stack: "dr", config: cfg, projectDir: ROOT, stackOutputs: { primary: primary.outputs } }) as never;
        expect(await ext.compute(ctx(stackConfig(loadProject(ROOT), "dr")))).to.equal(undefined);
        expect(await ext.compute(ctx(stackConfig(loadProject(ROOT), "primary")))).to.equal(undefined);
        const f = await ext.compute(ctx(config));
        expect(f?.writeDowntimeMinutes).to.deep.equal({ p50: 8.6, p90: 33.5 });
        expect(ext.text!(f, pc)[0]).to.equal("Failback estimate (failover -> both stacks normal): p50 121.8 min, p90 288.1 min; write downtime p50 8.6 min, p90 33.5 min");
    });
});
