// The plan's coverage field: data-bearing resources no policy judged, remote components the plan cannot look into.
import { expect } from "chai";
import { policies } from "../../policies/pack";
import { coverageMarkdown, coverageOf, coverageText } from "../../tools/plan/coverage";
import { identityColors } from "../../tools/plan/report";
import { res } from "../policies/fixtures";

const stack = () => [
    res("aws:kinesis/stream:Stream", "events", { shardCount: 1 }),
    res("aws:dynamodb/table:Table", "table", { name: "t" }),
    res("aws:fsx/lustreFileSystem:LustreFileSystem", "scratch", { storageCapacity: 1200 }),
    res("aws:iam/role:Role", "role", { name: "r" }),
    res("awsx:ec2:Vpc", "vpc", {}, {}, { custom: false, remote: true }),
    res("aws:kinesis/stream:Stream", "clicks", { shardCount: 1 }),
];

describe("offline plan coverage", () => {
    it("lists the data-bearing resources no policy applies to, and the remote components", async () => {
        const v = await coverageOf(stack(), policies, "us-east-1");
        expect(v.unjudged.map((e) => [e.urn.split("::").pop(), e.type])).to.deep.equal([
            ["events", "aws:kinesis/stream:Stream"], ["scratch", "aws:fsx/lustreFileSystem:LustreFileSystem"], ["clicks", "aws:kinesis/stream:Stream"],
        ]);
        expect(v.remoteComponents).to.deep.equal([{ urn: "urn:pulumi:primary::vbr::awsx:ec2:Vpc::vpc", type: "awsx:ec2:Vpc" }]);
    });

    it("measures what the pack judges: a pack without the datastore and residency policies leaves the table unjudged", async () => {
        const v = await coverageOf(stack(), policies.filter((p) => !p.name.startsWith("datastore-") && !["aws-data-resources-protected", "data-residency-copy-links"].includes(p.name)), "us-east-1");
        expect(v.unjudged.map((e) => e.urn.split("::").pop())).to.deep.equal(["events", "table", "scratch", "clicks"]);
    });

    it("renders both lists in the terminal and in Markdown", async () => {
        const v = await coverageOf(stack().slice(0, 5), policies, "us-east-1");
        expect(coverageText(v, identityColors())).to.deep.equal([
            "Not judged by any policy (2 data-bearing resources)",
            "  ? events  aws:kinesis/stream:Stream",
            "  ? scratch  aws:fsx/lustreFileSystem:LustreFileSystem",
            "Remote components whose children the offline plan cannot see (1)",
            "  ~ vpc  awsx:ec2:Vpc",
        ]);
        expect(coverageMarkdown(v)).to.deep.equal([
            "**Not judged by any policy** (2 data-bearing resources):", "",
            "- `events` `aws:kinesis/stream:Stream`",
            "- `scratch` `aws:fsx/lustreFileSystem:LustreFileSystem`",
            "",
            "**Remote components whose children the offline plan cannot see** (1):", "",
            "- `vpc` `awsx:ec2:Vpc`",
        ]);
    });

    it("is empty for a stack whose stores are all judged", async () => {
        expect(await coverageOf([res("aws:dynamodb/table:Table", "table", {})], policies, "us-east-1")).to.deep.equal({ unjudged: [], remoteComponents: [] });
    });
});
