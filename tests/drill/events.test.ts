// Duplicate engine events, the cause of the drill test that once reported every resource twice: the Automation API
// tails the CLI's --event-log file (CLIs up to 3.205) with @logdna/tail-file, whose quit() starts a last poll while
// the timer's poll may still be reading; both read from the same position. Proven here on the library itself, then
// the drill's guard (onceEach, by the engine's sequence numbers) on the events and through the whole runner.
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { estimateIndex, EventTimer, onceEach } from "../../tools/drill/events";
import { DB, done, drillEvents, Env, FAKE_DIR, MODEL, pre, runDrill, S, scratchProject, shortUrn, SVC, T0 } from "./fixtures";

// The exact copy the SDK loads (a dependency of @pulumi/pulumi).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TailFile = require(require.resolve("@logdna/tail-file", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }));

describe("duplicate engine events", function () {
    this.timeout(60_000);

    it("the root cause: @logdna/tail-file reads the same lines twice when quit() overlaps a poll in flight", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-tail-"));
        const file = path.join(dir, "eventlog.txt");
        fs.writeFileSync(file, "");
        // As the SDK's readLines does: from position 0, split into lines.
        const tail = new TailFile(file, { startPos: 0, pollFileIntervalMs: 200 });
        await tail.start();
        const lines: string[] = [];
        readline.createInterface({ input: tail }).on("line", (l: string) => lines.push(l));
        await new Promise((r) => setTimeout(r, 20));
        // The CLI writes its events and exits; the SDK's cleanUp calls quit() just as the 200 ms timer's poll started
        // (called here directly: the timer's own call, at that moment).
        fs.writeFileSync(file, "{\"sequence\":0}\n{\"sequence\":1}\n");
        const inFlight = tail._pollFileForChanges();
        await tail.quit();
        await inFlight;
        await new Promise((r) => setTimeout(r, 50));
        fs.rmSync(dir, { recursive: true, force: true });
        expect(lines).to.deep.equal(["{\"sequence\":0}", "{\"sequence\":1}", "{\"sequence\":0}", "{\"sequence\":1}"]);
    });

    it("onceEach passes each sequence number once, and events without one always", () => {
        const seen: unknown[] = [];
        const handle = onceEach((e) => seen.push(e.sequence ?? "none"));
        for (const s of [0, 1, 0, 2, 1]) handle({ sequence: s } as EngineEvent);
        handle({} as EngineEvent);
        handle({} as EngineEvent);
        expect(seen).to.deep.equal([0, 1, 2, "none", "none"]);
    });

    it("a timer fed through onceEach measures each resource once when the stream repeats", () => {
        const timer = new EventTimer(1, T0, 3_600_000, new Map(), () => undefined);
        const events = [pre(0, SVC), done(30, SVC)];
        const handle = onceEach((e) => timer.handle(e, e.timestamp * 1000));
        for (const e of [...events, ...events]) handle(e);
        expect(timer.measured.map((m) => [shortUrn(m.urn), m.seconds])).to.deep.equal([["svc", 30]]);
    });

    it("matches engine events to the model by the full-chain URN the offline recorder also builds", () => {
        // `pulumi up` names every ancestor; so does the recorder (tests/harness/recorder.test.ts pins it).
        const index = estimateIndex([MODEL.timeline[2]]);
        const timer = new EventTimer(2, T0, 3_600_000, index, () => undefined);
        timer.handle(pre(0, DB), T0);
        timer.handle(done(988, DB), T0 + 988_000);
        // A resource the model did not plan (another parent chain) gets no estimate rather than a guessed one.
        const other = `${S}vbr:other:Other$aws:rds/instance:Instance::vbr-prod-db-drill`;
        timer.handle(pre(0, other), T0);
        timer.handle(done(5, other), T0 + 5_000);
        expect(timer.measured).to.deep.equal([
            { urn: DB, type: "aws:rds/instance:Instance", op: "create", status: "ok", seconds: 988, estimate: { key: "restore", p50: 900, p90: 1500 } },
            { urn: other, type: "aws:rds/instance:Instance", op: "create", status: "ok", seconds: 5, estimate: null },
        ]);
        // The drill copy's restore request is the moment its data is taken (the database RPO's reference).
        expect(timer.drillCopyStartedAt).to.equal(T0);
    });

    describe("through the runner", () => {
        const env = {} as Env;
        const saved = process.env.PATH;
        beforeEach(() => {
            env.dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-drill-dup-"));
            env.project = scratchProject(env.dir);
            process.env.PATH = `${FAKE_DIR}${path.delimiter}${saved}`;
            process.env.FAKE_PULUMI_STATE = path.join(env.dir, "state.json");
            process.env.FAKE_PULUMI_LOG = path.join(env.dir, "calls.jsonl");
            process.env.FAKE_PULUMI_SCENARIO = path.join(env.dir, "scenario.json");
        });
        afterEach(() => { process.env.PATH = saved; fs.rmSync(env.dir, { recursive: true, force: true }); });

        for (const version of ["v3.200.0", "v3.248.0"]) {
            it(`every event delivered twice (${version}): each resource is reported once`, async () => {
                const { code, report } = await runDrill(env, { events: drillEvents(500), duplicate: true } as never, [], { version });
                expect(code).to.equal(0);
                expect(report.resources.map((m) => [shortUrn(m.urn), m.seconds])).to.deep.equal([["vpc-1", 115], ["alb", 158], ["vbr-prod-db-drill", 988], ["svc", 500]]);
            });
        }
    });
});
