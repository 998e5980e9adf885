import { expect } from "chai";
import { projectStackName } from "../../tools/harness/project";

describe("projectStackName (tools/harness/project.ts)", () => {
    it("gives the bare stack of this project in each form the CLI and StackReference accept, undefined for another project's", () => {
        expect(["dr", "vbr/dr", "organization/vbr/dr", "acme/vbr/eu-dr"].map((n) => projectStackName(n, "vbr"))).to.deep.equal(["dr", "dr", "dr", "eu-dr"]);
        expect(["net/prod", "acme/net/prod"].map((n) => projectStackName(n, "vbr"))).to.deep.equal([undefined, undefined]);
    });
});
