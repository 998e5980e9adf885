// The pack on this project's own stacks: zero mandatory violations in every state the program can be in.
//
// The stacks are synthesized under AwsMocks (tools/lib/recorder.ts): what this cannot prove is that AWS
// accepts the resources, nor anything about the children of awsx's remote components.
import { expect } from "chai";
import * as path from "path";
import { policies } from "../../policies/pack";
import { analyze } from "../../tools/lib/analyzer";
import { StackId, stackLoader } from "../../tools/lib/mutations";
import { synthesize } from "../../tools/lib/recorder";

const projectDir = path.join(__dirname, "..", "..");
const load = stackLoader(projectDir);

const summary = (vs: { policy: string; urn: string | null; message: string }[]) => vs.map((v) => `${v.policy} ${v.urn}: ${v.message}`);

describe("policy pack on the project's stacks", () => {
    const stacks: StackId[] = ["primary", "dr-standby", "dr-drill", "dr-failover-replica", "dr-failover-restore"];
    for (const id of stacks) {
        it(`${id}: zero mandatory violations, and the data-guarantee policies all apply`, async () => {
            const s = await load(id);
            const { violations, notApplicable } = await analyze(policies, s.resources, { stackRegion: s.config["aws:region"] });
            expect(summary(violations.filter((v) => v.enforcementLevel === "mandatory"))).to.deep.equal([]);
            // The core policies judged something: a stack without buckets or keys would pass vacuously.
            const skipped = new Set(notApplicable.filter((n) => n.urn === null).map((n) => n.policy));
            for (const p of ["s3-bucket-encryption-cmk", "s3-bucket-versioning-enabled", "kms-key-rotation-enabled", "aws-data-resources-protected", "s3-bucket-tls-only", "backup-vault-cmk"]) {
                expect(skipped.has(p), `${p} did not apply to ${id}`).to.equal(false);
            }
        });
    }

    it("dr-drill and dr-failover-restore: the only advisory is the deferred-backups reminder for the restored DB", async () => {
        for (const [id, db] of [["dr-drill", "vbr-prod-db-drill"], ["dr-failover-restore", "vbr-prod-db-failover"]] as const) {
            const s = await load(id);
            const vs = await analyze(policies, s.resources, { stackRegion: s.config["aws:region"] });
            const adv = vs.violations.filter((v) => v.enforcementLevel === "advisory");
            expect(adv.map((v) => [v.policy, v.urn?.split("::").pop()])).to.deep.equal([["rds-instance-backups-deferred", db]]);
        }
    });

    it("primary in preview (unknown ARNs): no mandatory violation, and the undecidable TLS check surfaces the engine's advisory", async () => {
        const s = await synthesize({ projectDir, stack: "primary", preview: true });
        const vs = await analyze(policies, s.resources, { stackRegion: s.config["aws:region"] });
        expect(summary(vs.violations.filter((v) => v.enforcementLevel === "mandatory"))).to.deep.equal([]);
        const adv = vs.violations.filter((v) => v.enforcementLevel === "advisory");
        expect(adv.map((v) => v.policy)).to.deep.equal(["s3-bucket-tls-only"]);
        expect(adv[0].message).to.match(/^can't run policy 's3-bucket-tls-only' from policy pack .* during preview: string value at \.policy can't be known during preview$/);
    });
});
