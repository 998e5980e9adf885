// The policy harness: policies run through @pulumi/policy's own handlers see what the engine gives them.
import { expect } from "chai";
import * as aws from "@pulumi/aws";
import { Policies, validateResourceOfType, validateStackResourcesOfType } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { packName, packVersion, policies as realPolicies } from "../../policies/pack";
import { s3BucketTlsOnly } from "../../policies/s3-bucket-tls-only";
import { analyze, evaluatePolicies, HARNESS_PACK, packIdentityOf, parseProviderRef, RecordedResource, UNKNOWN } from "../../tools/harness/analyzer";
import { POLICY_CONFIG_SOURCES, policyConfigFromStack, PolicyConfigError } from "../../tools/harness/policy-config";

const urnOf = (type: string, name: string) => `urn:pulumi:test::vbr::${type}::${name}`;

function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
    return {
        urn: urnOf(type, name), type, name, parent: null, custom: true, remote: false, provider: null, region: null,
        protect: false, retainOnDelete: false, dependencies: [], propertyDependencies: {}, inputs, outputs: {}, ...extra,
    };
}

const readsBucket: Policies = [{
    name: "reads-bucket-name", description: "Reads the bucket name.", enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.s3.Bucket, (b, _args, report) => {
        if (b.bucket !== "good") report(`bucket is ${b.bucket}`);
    }),
}];

describe("tools/harness/analyzer", () => {
    it("turns the UNKNOWN sentinel into the engine's can't-run-during-preview advisory", async () => {
        const vs = await evaluatePolicies(readsBucket, [res("aws:s3/bucket:Bucket", "docs", { bucket: UNKNOWN })]);
        expect(vs).to.have.length(1);
        expect(vs[0].policy).to.equal("reads-bucket-name");
        expect(vs[0].enforcementLevel).to.equal("advisory");
        expect(vs[0].urn).to.equal(urnOf("aws:s3/bucket:Bucket", "docs"));
        expect(vs[0].message).to.equal("can't run policy 'reads-bucket-name' from policy pack 'vbr-dr-harness@v0.0.0' during preview: string value at .bucket can't be known during preview");
    });

    it("reports a mandatory violation with the description and the reported message", async () => {
        const vs = await evaluatePolicies(readsBucket, [res("aws:s3/bucket:Bucket", "docs", { bucket: "bad" })]);
        expect(vs).to.deep.equal([{ policy: "reads-bucket-name", enforcementLevel: "mandatory", urn: urnOf("aws:s3/bucket:Bucket", "docs"), message: "Reads the bucket name.\nbucket is bad" }]);
    });

    it("answers notApplicable for other types and reports nothing", async () => {
        const r = await analyze(readsBucket, [res("aws:kms/key:Key", "k", {})]);
        expect(r.violations).to.deep.equal([]);
        expect(r.notApplicable).to.deep.equal([{ policy: "reads-bucket-name", urn: urnOf("aws:kms/key:Key", "k"), reason: "Policy only applies to resources of type 'aws:s3/bucket:Bucket'" }]);
    });

    it("passes the explicit provider's inputs, and the stack region for the default provider", async () => {
        const seen: Record<string, unknown> = {};
        const policies: Policies = [{
            name: "sees-provider", description: "Records provider regions.", enforcementLevel: "advisory",
            validateResource: (args) => { seen[args.name] = { type: args.provider?.type, region: args.provider?.props.region }; },
        }];
        const prov = res("pulumi:providers:aws", "west", { region: "us-west-2" });
        const explicit = res("aws:s3/bucket:Bucket", "a", {}, { provider: `${prov.urn}::0b6d7f3e-1` });
        const implicit = res("aws:s3/bucket:Bucket", "b", {});
        await evaluatePolicies(policies, [prov, explicit, implicit], { stackRegion: "eu-west-1" });
        expect(seen.a).to.deep.equal({ type: "pulumi:providers:aws", region: "us-west-2" });
        expect(seen.b).to.deep.equal({ type: "pulumi:providers:aws", region: "eu-west-1" });
        expect(seen.west).to.deep.equal({ type: undefined, region: undefined });
    });

    it("splits a provider reference on its last ::", () => {
        expect(parseProviderRef("urn:pulumi:s::p::pulumi:providers:aws::west::abc")).to.deep.equal({ urn: "urn:pulumi:s::p::pulumi:providers:aws::west", id: "abc" });
    });

    it("resolves propertyDependencies and parents for stack policies, and sends protect", async () => {
        const found: string[] = [];
        const policies: Policies = [{
            name: "follows-deps", description: "Follows property dependencies.", enforcementLevel: "mandatory",
            validateStack: validateStackResourcesOfType(aws.s3.BucketVersioning, (_vs, args, report) => {
                for (const r of args.resources) {
                    const target = r.propertyDependencies.bucket?.[0];
                    found.push(`${r.name}->${target?.name}:${target?.props.bucket}:${target?.opts.protect}:${r.parent?.name}`);
                    if (!target) report("no bucket", r.urn);
                }
            }),
        }];
        const comp = res("vbr:storage:Storage", "storage", {}, { custom: false });
        const bucket = res("aws:s3/bucket:Bucket", "docs", { bucket: "docs-1" }, { protect: true, parent: comp.urn });
        const ver = res("aws:s3/bucketVersioning:BucketVersioning", "docs-ver", { bucket: UNKNOWN }, { parent: comp.urn, propertyDependencies: { bucket: [bucket.urn] } });
        const orphan = res("aws:s3/bucketVersioning:BucketVersioning", "orphan", { bucket: "x" });
        const vs = await evaluatePolicies(policies, [comp, bucket, ver, orphan]);
        expect(found).to.deep.equal(["docs-ver->docs:docs-1:true:storage", "orphan->undefined:undefined:undefined:undefined"]);
        expect(vs).to.deep.equal([{ policy: "follows-deps", enforcementLevel: "mandatory", urn: orphan.urn, message: "Follows property dependencies.\nno bucket" }]);
    });

    describe("the pack named in the engine's diagnostics", () => {
        // What the engine would say: `new PolicyPack(packName)` with the version read from policies/package.json.
        const manifestVersion: string = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "package.json"), "utf8")).version;
        const bucket = res("aws:s3/bucket:Bucket", "docs", { bucket: "vbr-prod-documents-us-east-1" });
        const unknownPolicy = () => res("aws:s3/bucketPolicy:BucketPolicy", "docs-policy", { bucket: UNKNOWN, policy: UNKNOWN }, { propertyDependencies: { bucket: [bucket.urn] } });

        it("is the real pack (vbr-dr, version from policies/package.json) when evaluating the real pack", async () => {
            expect([packName, packVersion]).to.deep.equal(["vbr-dr", manifestVersion]);
            const vs = await evaluatePolicies(realPolicies, [bucket, unknownPolicy()]);
            expect(vs.filter((v) => v.policy === "s3-bucket-tls-only")).to.deep.equal([{
                policy: "s3-bucket-tls-only", enforcementLevel: "advisory", urn: null,
                message: `can't run policy 's3-bucket-tls-only' from policy pack 'vbr-dr@v${manifestVersion}' during preview: string value at .policy can't be known during preview`,
            }]);
        });

        it("is the real pack for a subset of its policies, the harness for a list with a foreign policy", () => {
            expect(packIdentityOf([s3BucketTlsOnly])).to.deep.equal({ name: "vbr-dr", version: manifestVersion });
            expect(packIdentityOf([s3BucketTlsOnly, ...readsBucket])).to.deep.equal({ name: "vbr-dr-harness", version: "0.0.0" });
            expect(packIdentityOf([])).to.equal(HARNESS_PACK);
        });

        it("is the one given in opts.pack", async () => {
            const vs = await evaluatePolicies([s3BucketTlsOnly], [bucket, unknownPolicy()], { pack: { name: "acme-guard", version: "2.3.4" } });
            expect(vs.map((v) => v.message)).to.deep.equal([
                "can't run policy 's3-bucket-tls-only' from policy pack 'acme-guard@v2.3.4' during preview: string value at .policy can't be known during preview",
            ]);
        });
    });

    describe("config", () => {
        const withConfig: Policies = [{
            name: "retention", description: "Retention.", enforcementLevel: "mandatory",
            configSchema: { properties: { minimumDays: { type: "integer", default: 35, minimum: 35 } } },
            validateResource: validateResourceOfType(aws.rds.Instance, (db, args, report) => {
                const { minimumDays } = args.getConfig<{ minimumDays: number }>();
                if ((db.backupRetentionPeriod ?? 0) < minimumDays) report(`retention ${db.backupRetentionPeriod} < ${minimumDays}`);
            }),
        }];
        const db = res("aws:rds/instance:Instance", "db", { backupRetentionPeriod: 40 });

        it("applies schema defaults like the CLI", async () => {
            const vs = await evaluatePolicies(withConfig, [res("aws:rds/instance:Instance", "db", { backupRetentionPeriod: 34 })]);
            expect(vs.map((v) => v.message)).to.deep.equal(["Retention.\nretention 34 < 35"]);
        });

        it("uses a config above the floor", async () => {
            const vs = await evaluatePolicies(withConfig, [db], { config: { retention: { minimumDays: 45 } } });
            expect(vs.map((v) => v.message)).to.deep.equal(["Retention.\nretention 40 < 45"]);
        });

        it("rejects a config below the floor, of the wrong type, or for unknown keys, listing every problem", async () => {
            const err = await evaluatePolicies(withConfig, [db], { config: { retention: { minimumDays: 34, typo: 1 }, nope: {} } }).then(() => undefined, (e: unknown) => e);
            expect(err).to.be.instanceOf(PolicyConfigError);
            expect((err as PolicyConfigError).problems).to.deep.equal([
                "nope: no such policy in the pack",
                "retention.minimumDays: 34 is below the minimum 35",
                "retention.typo: not in the policy's config schema (known: minimumDays)",
            ]);
            const typeErr = await evaluatePolicies(withConfig, [db], { config: { retention: { minimumDays: "40" } } }).then(() => undefined, (e: unknown) => e);
            expect((typeErr as PolicyConfigError).problems).to.deep.equal(['retention.minimumDays: "40" is not of type "integer"']);
        });

        it("checks every JSON Schema keyword a policy's config uses (a full validator, not a subset)", async () => {
            const named: Policies = [{ ...withConfig[0], configSchema: { properties: { prefix: { type: "string", pattern: "^vbr-", maxLength: 8 } } } }];
            const err = await evaluatePolicies(named, [db], { config: { retention: { prefix: "acme-production" } } }).then(() => undefined, (e: unknown) => e);
            expect((err as PolicyConfigError).problems).to.deep.equal([
                'retention.prefix: "acme-production" must NOT have more than 8 characters',
                'retention.prefix: "acme-production" must match pattern "^vbr-"',
            ]);
        });

        it("lets config change the enforcement level", async () => {
            const vs = await evaluatePolicies(withConfig, [res("aws:rds/instance:Instance", "db", { backupRetentionPeriod: 1 })], { config: { retention: { enforcementLevel: "advisory" } } });
            expect(vs.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
        });
    });

    describe("policy config from the stack's config (POLICY_CONFIG_SOURCES)", () => {
        const RTO = "dr-bringup-rto-objective";
        const vbr = { "vbr:rtoObjectiveMinutes": "20", "vbr:dbAllocatedStorageGiB": "300", "aws:region": "us-west-2" };

        it("maps the RTO policy's objective and storage from the stack, parallel from the run, as the schema's integers", () => {
            expect(policyConfigFromStack(realPolicies, vbr, { parallel: 6 })).to.deep.equal({
                [RTO]: { objectiveMinutes: 20, allocatedStorageGiB: 300, parallel: 6 },
            });
        });

        it("applies a stack key only when the stack's config has it (another project's stacks are unaffected)", () => {
            expect(policyConfigFromStack(realPolicies, { "aws:region": "us-east-1", "fixture:mode": "ok" }, {})).to.deep.equal({});
            expect(policyConfigFromStack(realPolicies, { "vbr:rtoObjectiveMinutes": "45" }, {})).to.deep.equal({ [RTO]: { objectiveMinutes: 45 } });
        });

        it("applies nothing for a policy the pack does not have", () => {
            expect(policyConfigFromStack(readsBucket, vbr, { parallel: 6 })).to.deep.equal({});
        });

        it("names the stack key when a derived value breaks the policy's schema", () => {
            const err = (() => {
                try {
                    policyConfigFromStack(realPolicies, { "vbr:rtoObjectiveMinutes": "600", "vbr:dbAllocatedStorageGiB": "lots" }, { parallel: 0 });
                } catch (e) {
                    return e as PolicyConfigError;
                }
                return undefined;
            })();
            expect(err).to.be.instanceOf(PolicyConfigError);
            expect(err!.problems).to.deep.equal([
                `${RTO}.objectiveMinutes: 600 is above the maximum 240 (from stack config vbr:rtoObjectiveMinutes = "600")`,
                `${RTO}.allocatedStorageGiB: "lots" is not of type "integer" (from stack config vbr:dbAllocatedStorageGiB = "lots")`,
                `${RTO}.parallel: 0 is below the minimum 1 (from --parallel 0)`,
            ]);
        });

        it("every mapping names a property in its policy's config schema", () => {
            for (const src of POLICY_CONFIG_SOURCES) {
                const policy = realPolicies.find((p) => p.name === src.policy);
                expect(Object.keys(policy?.configSchema?.properties ?? {}), `${src.policy}.${src.property}`).to.include(src.property);
            }
        });
    });
});
