// The pack on this project's own stacks: zero mandatory violations in every state the program can be in.
//
// The stacks are synthesized under AwsMocks (tools/harness/recorder.ts): what this cannot prove is that AWS
// accepts the resources, nor anything about the children of awsx's remote components.
import { expect } from "chai";
import * as path from "path";
import { policies } from "../../policies/pack";
import { analyze } from "../../tools/harness/analyzer";
import { policyConfigFromStack } from "../../tools/harness/policy-config";
import { StackId, stackLoader } from "../../tools/harness/mutations";
import { UNKNOWN } from "../../tools/harness/recorder";
import { syntheses } from "../helpers/stacks";

const projectDir = path.join(__dirname, "..", "..");
const load = stackLoader(projectDir, syntheses);

/** The pack as the offline plan runs it on a stack: the policy config derived from the stack's config. */
const judge = (s: { resources: Parameters<typeof analyze>[1]; config: Record<string, string> }) =>
    analyze(policies, s.resources, { stackRegion: s.config["aws:region"], config: policyConfigFromStack(policies, s.config) });
const summary = (vs: { policy: string; urn: string | null; message: string }[]) => vs.map((v) => `${v.policy} ${v.urn}: ${v.message}`);

describe("policy pack on the project's stacks", () => {
    const stacks: StackId[] = ["primary", "dr-standby", "dr-drill", "dr-failover-replica", "dr-failover-restore"];
    for (const id of stacks) {
        it(`${id}: zero mandatory violations, and the data-guarantee policies all apply`, async () => {
            const s = await load(id);
            const { violations, notApplicable } = await judge(s);
            expect(summary(violations.filter((v) => v.enforcementLevel === "mandatory"))).to.deep.equal([]);
            // The core policies judged something: a stack without buckets or keys would pass vacuously.
            const skipped = new Set(notApplicable.filter((n) => n.urn === null).map((n) => n.policy));
            for (const p of ["s3-bucket-encryption-cmk", "s3-bucket-versioning-enabled", "kms-key-rotation-enabled", "aws-data-resources-protected", "s3-bucket-tls-only", "backup-vault-cmk"]) {
                expect(skipped.has(p), `${p} did not apply to ${id}`).to.equal(false);
            }
        });
    }

    it("dr-drill and dr-failover-restore: no advisory (restores keep backups from the start), each judged against its own RTO objective", async () => {
        for (const [id, objective] of [["dr-drill", 240], ["dr-failover-restore", 240], ["dr-failover-replica", 60]] as const) {
            const s = await load(id);
            expect(policyConfigFromStack(policies, s.config)["dr-bringup-rto-objective"].objectiveMinutes, id).to.equal(objective);
            const vs = await judge(s);
            expect(vs.violations.map((v) => [v.policy, v.urn?.split("::").pop()]), id).to.deep.equal([]);
        }
    });

    it("the restore paths miss the 1-hour bar: the baseline backup RDS takes after every restore is on the critical path", async () => {
        for (const id of ["dr-drill", "dr-failover-restore"] as const) {
            const s = await load(id);
            const vs = await analyze(policies, s.resources, { stackRegion: s.config["aws:region"], config: { "dr-bringup-rto-objective": { objectiveMinutes: 60, parallel: 8 } } });
            expect(vs.violations.map((v) => v.policy), id).to.deep.equal(["dr-bringup-rto-objective"]);
            expect(vs.violations[0].message, id).to.match(/\nEstimated DR bring-up p90 is 216\.5 min \(p50 142\.2 min\), above the objective of 60 min/);
        }
    });

    it("primary in the corruption runbook (vbr:dbRestoreTime): the kept damaged instance stays in the cross-region backup, in preview too", async () => {
        // The backup selection names both the restored instance and the damaged one kept for analysis, through
        // property dependencies, so the policy decides even while the ARNs are unknown.
        const overrides = { "vbr:dbRestoreTime": "2026-11-29T13:45:00Z" };
        for (const preview of [false, true]) {
            const s = await syntheses.run({ projectDir, stack: "primary", overrides, preview });
            const vs = await judge(s);
            expect(vs.violations.map((v) => [v.policy, v.enforcementLevel, v.urn?.split("::").pop() ?? null]), `preview=${preview}`)
                .to.deep.equal([]);
        }
    });

    describe("in a first preview (outputs unknown, the primary's exports read from its state)", () => {
        const loadPreview = (id: StackId) => load(id, true);
        // The same verdict as after deployment: no policy needs a value only known after `up` (no "can't run" advisory).
        const expectedAdvisories: Record<StackId, Array<[string, string]>> = {
            "primary": [], "dr-standby": [], "dr-failover-replica": [],
            "dr-drill": [], "dr-failover-restore": [],
        };
        for (const id of stacks) {
            it(`${id}: zero mandatory violations and only the intended advisories`, async () => {
                const s = await loadPreview(id);
                const vs = await judge(s);
                expect(summary(vs.violations.filter((v) => v.enforcementLevel === "mandatory"))).to.deep.equal([]);
                const adv = vs.violations.filter((v) => v.enforcementLevel === "advisory");
                expect(adv.map((v) => [v.policy, v.urn?.split("::").pop()]), summary(adv).join("\n")).to.deep.equal(expectedAdvisories[id]);
                expect(adv.filter((v) => v.message.startsWith("can't run policy")).map((v) => v.message)).to.deep.equal([]);
            });
        }

        it("every bucket policy is known and names its own bucket (ARNs from the deterministic name, not bucket.arn)", async () => {
            for (const id of ["primary", "dr-failover-replica"] as const) {
                const s = await loadPreview(id);
                const byUrn = new Map(s.resources.map((r) => [r.urn, r] as const));
                const bucketPolicies = s.resources.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy");
                // documents, reports, audit, the trail's log bucket + the ALB access-log bucket (the service is active in both).
                expect(bucketPolicies, id).to.have.length(5);
                for (const bp of bucketPolicies) {
                    // Linked to its bucket through the `bucket` input even though the bucket's id is unknown.
                    expect(bp.inputs.bucket, bp.name).to.equal(UNKNOWN);
                    const [bucketUrn] = bp.propertyDependencies.bucket ?? [];
                    const name = byUrn.get(bucketUrn)?.inputs.bucket as string;
                    expect(name, bp.name).to.match(/^vbr-prod-(documents|reports|audit|trail|alb-logs)-us-(east-1|west-2)$/);
                    expect(bp.inputs.policy, bp.name).to.be.a("string").and.not.equal(UNKNOWN);
                    const deny = JSON.parse(bp.inputs.policy as string).Statement.find((st: { Sid?: string }) => st.Sid === "DenyInsecureTransport");
                    expect(deny.Resource, bp.name).to.deep.equal([`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`]);
                }
            }
        });
    });
});
