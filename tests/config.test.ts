import { expect } from "chai";
import { parseStackConfig, ConfigError } from "../stacks/config";
import { loadProject, stackConfig } from "../tools/lib/project";

const project = loadProject(".");

describe("stack configuration", () => {
    it("parses the primary stack file with Pulumi.yaml defaults", () => {
        const cfg = parseStackConfig("primary", stackConfig(project, "primary"));
        expect(cfg.region).to.equal("us-east-1");
        expect(cfg.peerRegion).to.equal("us-west-2");
        expect(cfg.role).to.equal("primary");
        expect(cfg.backupRetentionDays).to.equal(35);
        expect(cfg.weeklyRetentionDays).to.equal(365);
    });

    it("rejects a peer region equal to the region, naming the key", () => {
        const raw = stackConfig(project, "primary", { "vbr:peerRegion": "us-east-1" });
        expect(() => parseStackConfig("primary", raw)).to.throw(ConfigError, /vbr:peerRegion = "us-east-1": must differ from aws:region/);
    });
});
