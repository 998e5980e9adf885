// What a user sees of `npm start`: a status line on stderr only on a terminal, the files written and the verdict last,
// and a Markdown violation cell that names resources instead of holding their full URNs.
import { expect } from "chai";
import pc from "picocolors";
import { closingLines, shownPath } from "../../tools/plan/closing";
import { anchorId, violationTable, withNames } from "../../tools/plan/markdown-violations";
import { planProgress } from "../../tools/plan/progress";
import type { PlanReport, ReportViolation, StackReport } from "../../tools/plan/report";

const plain = pc.createColors(false);
const CLEAR = "\r\x1b[2K";

function io(terminal: boolean, columns?: number) {
    const out = { err: "", cwd: "/work", terminal, columns, stdout: () => undefined, stderr: (t: string) => { out.err += t; } };
    return out;
}

const stack = (name: string, mandatory: number, advisory: number): StackReport => ({
    stack: name, resources: [], violations: [], summary: { resources: 3, components: 1, mandatory, advisory }, diagnostics: [], policyConfig: {}, limitations: [],
});
const report = (...stacks: StackReport[]): PlanReport => ({ project: "vbr", policyPack: "vbr-dr", stacks });

describe("npm start's output for a person", () => {
    describe("progress", () => {
        it("off a terminal: nothing at all", () => {
            const o = io(false);
            const p = planProgress(o);
            p.step("stack \"dr\": synthesizing");
            p.end();
            expect(o.err).to.equal("");
        });

        it("on a terminal: one line rewritten per step with the elapsed time, cut to the width, erased at the end", () => {
            const o = io(true, 40);
            let t = 1_000;
            const p = planProgress(o, 60_000, () => t);
            p.step("stack \"dr\": synthesizing");
            t = 3_400;
            p.step("stack \"dr\": judging 102 resources with the policy pack, twice");
            p.end();
            expect(o.err.split(CLEAR)).to.deep.equal(["", "plan: stack \"dr\": synthesizing (0 s)", "plan: stack \"dr\": judging 102 resour...", ""]);
        });
    });

    describe("the closing lines", () => {
        it("PASS without files: says which flags write reports, the verdict with the exit code last", () => {
            expect(closingLines(report(stack("primary", 0, 0), stack("dr", 0, 2)), [], "/work", 0, plain)).to.equal([
                "", "No file written (--json, --markdown, --chart and --policy-config-out write the reports).",
                "Verdict: PASS: no mandatory violation in 2 stacks (2 advisory violations); exit 0", "",
            ].join("\n"));
        });

        it("FAIL: every file written, relative to the user's directory where it is inside it, then the stacks that failed", () => {
            const files = [{ file: "/work/out/plan.json", shown: "out/plan.json", content: "" }, { file: "/tmp/plan.md", shown: "/tmp/plan.md", content: "" }];
            expect(closingLines(report(stack("primary", 0, 1), stack("dr", 2, 0)), files, "/work", 1, plain)).to.equal([
                "", "Wrote 2 files:", "  out/plan.json", "  /tmp/plan.md",
                "Verdict: FAIL: 2 mandatory violations in dr (2 stacks checked, 1 advisory violation); exit 1", "",
            ].join("\n"));
            expect([shownPath("/work", "/work"), shownPath("/workspace/x", "/work"), shownPath("/work/a/b", "/work")]).to.deep.equal(["/work", "/workspace/x", "a/b"]);
        });
    });

    describe("the Markdown violation table", () => {
        const urn = (type: string, name: string) => `urn:pulumi:dr::vbr::vbr:platform:Platform$${type}::${name}`;
        const rto: ReportViolation = {
            policy: "dr-bringup-rto-objective", enforcementLevel: "mandatory", urn: null, foundIn: ["synthesized", "preview"],
            message: `Too slow. Critical path:\n  ${urn("aws:rds/instance:Instance", "db-replica")} (promote)\n  -> ${urn("aws:ecs/service:Service", "app|svc")} (create)`,
        };
        const plainOne: ReportViolation = { policy: "kms-key-rotation-enabled", enforcementLevel: "advisory", urn: urn("aws:kms/key:Key", "k"), foundIn: ["preview"], message: "Key <k> has no rotation" };

        it("withNames: each URN becomes its resource name", () => {
            expect(withNames(rto.message)).to.deep.equal({ text: "Too slow. Critical path:\n  db-replica (promote)\n  -> app|svc (create)", replaced: 2 });
            expect(withNames("no urn here")).to.deep.equal({ text: "no urn here", replaced: 0 });
        });

        it("a message with URNs shows names in its cell and links to the full message below; one without stays as it is", () => {
            const { rows, details } = violationTable("eu-dr", [plainOne, rto]);
            expect(rows).to.deep.equal([
                "| Level | Policy | Resource | Message | Found in |", "|---|---|---|---|---|",
                "| 🟡 advisory | `kms-key-rotation-enabled` | `k` | Key &lt;k&gt; has no rotation | preview |",
                "| 🔴 mandatory | `dr-bringup-rto-objective` | `(stack)` | Too slow. Critical path:<br>  db-replica (promote)<br>  -&gt; app\\|svc (create)" +
                    "<br>[Full message with the 2 URNs](#plan-eu-dr-violation-2) | synthesized, preview |",
            ]);
            expect(anchorId("eu/dr", 0)).to.equal("plan-eu-dr-violation-1");
            expect(details).to.deep.equal([
                "", "<a id=\"plan-eu-dr-violation-2\"></a>`dr-bringup-rto-objective` on `(stack)`, the full message:", "", "```", ...rto.message.split("\n"), "```",
            ]);
        });
    });
});
