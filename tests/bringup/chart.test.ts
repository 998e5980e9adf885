// The bring-up chart and report rendering on a hand-built scenario: exact bars, the objective line, the critical path.
import { expect } from "chai";
import { BringUpField, BringUpScenario, bringUpMarkdown, bringUpText } from "../../tools/bringup/bringup-report";
import { renderGantt } from "../../tools/bringup/chart";
import { identityColors } from "../../tools/plan/report";

const U = (t: string, n: string) => `urn:pulumi:dr::vbr::${t}::${n}`;
const scenario: BringUpScenario = {
    state: "failover", database: "replica", objectiveMinutes: 60, p50Minutes: 13, p90Minutes: 25.8, parallel: 8, resources: 3,
    criticalPath: [U("aws:rds/instance:Instance", "db"), U("aws:ecs/service:Service", "svc")],
    dnsServesMinutes: { p50: 14, p90: 26.8 },
    timeline: [
        { urn: U("aws:rds/instance:Instance", "db"), type: "aws:rds/instance:Instance", operation: "promote", key: "operations.rds-promote", start: 0, finish: 900, p50Start: 0, p50Finish: 360, critical: true },
        { urn: U("aws:lb/loadBalancer:LoadBalancer", "alb"), type: "aws:lb/loadBalancer:LoadBalancer", operation: "create", key: "aws:lb/loadBalancer:LoadBalancer", start: 0, finish: 172, p50Start: 0, p50Finish: 155, critical: false },
        { urn: U("aws:ecs/service:Service", "svc"), type: "aws:ecs/service:Service", operation: "create", key: "aws:ecs/service:Service", start: 900, finish: 1550, p50Start: 360, p50Finish: 780, critical: true },
    ],
};
const field: BringUpField = { ...scenario, scenarios: [scenario, { ...scenario, state: "drill", database: "replica", p90Minutes: 61.2 }] };

describe("bring-up chart", () => {
    const svg = renderGantt(scenario);
    it("draws one bar per resource, the critical ones highlighted, on a minutes axis", () => {
        expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).to.equal(true);
        expect(svg.match(/fill="#d84315"><title>/g)).to.have.length(2);
        expect(svg.match(/fill="#90a4ae"><title>/g)).to.have.length(1);
        // Axis 0..65 min (max(25.8, 60) x 1.05 = 63 -> ticks every 5 min): the objective at 60/65 of 760 px after the labels.
        expect(svg).to.contain(">65</text>");
        expect(svg).to.contain(`<line x1="${380 + (60 / 65) * 760}"`);
        expect(svg).to.contain("objective 60 min");
        expect(svg).to.contain("p90 25.8 min, p50 13.0 min against a 60 min objective (within)");
    });
    it("escapes names and is well-formed enough for a renderer (balanced tags)", () => {
        const opens = (svg.match(/<(rect|text|line|title)\b/g) ?? []).length;
        const closes = (svg.match(/<\/(rect|text|line|title)>|\/>/g) ?? []).length;
        expect(opens).to.equal(closes);
    });
});

describe("bring-up report rendering", () => {
    it("text: every scenario with its verdict, then the critical path in start order", () => {
        const lines = bringUpText(field, identityColors());
        expect(lines).to.deep.equal([
            "DR bring-up estimate (standby ->)",
            "  failover with the replica database: p50 13.0 min, p90 25.8 min, objective 60 min (3 resources, parallel 8) within objective",
            "    DNS serves from the DR region after p50 14.0 min, p90 26.8 min (the later of record INSYNC and the ECS service behind it steady, + TTL)",
            "  drill with the replica database: p50 13.0 min, p90 61.2 min, objective 60 min (3 resources, parallel 8) OVER objective",
            "    DNS serves from the DR region after p50 14.0 min, p90 26.8 min (the later of record INSYNC and the ECS service behind it steady, + TTL)",
            "  Critical path (failover, p90):",
            "       0.0 ->   15.0 min  promote Instance db",
            "      15.0 ->   25.8 min  create  Service svc",
        ]);
    });
    it("markdown: a scenario table and the numbered path", () => {
        const md = bringUpMarkdown(field);
        expect(md).to.include("| failover | replica | 13.0 min | 25.8 min | 60 min | 26.8 min | ✅ |");
        expect(md).to.include("| drill | replica | 13.0 min | 61.2 min | 60 min | 26.8 min | ❌ |");
        expect(md).to.include("2. 15.0 -> 25.8 min: create `Service` `svc`");
    });
});
