// The recorder: what the engine would be sent for each registration of the fixture program, field by field.
//
// What a mock cannot prove: that AWS accepts these requests, or what a remote component (awsx) creates inside.
import * as path from "path";
import { expect } from "chai";
import { engineUrn, RecordedResource, synthesize, SynthesisError, SynthesizedStack, UNKNOWN } from "../../tools/harness/recorder";

const projectDir = path.join(__dirname, "..", "fixtures", "offline-project");
// Engine URNs: the stack's type never prefixes its children's; a component's child chains the component's type.
const S = "urn:pulumi:east::fixture::";
const STACK = `${S}pulumi:pulumi:Stack::fixture-east`;
const STORE = `${S}fixture:index:Store::store`;
const STORE_BUCKET = `${S}fixture:index:Store$aws:s3/bucket:Bucket::store-bucket`;
const WEST = `${S}pulumi:providers:aws::west`;
const REPLICA = `${S}aws:s3/bucket:Bucket::replica`;
const VERSIONING = `${S}aws:s3/bucketVersioning:BucketVersioning::replica-versioning`;

function byName(s: SynthesizedStack, name: string): RecordedResource {
    const r = s.resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource named ${name}`);
    return r;
}

describe("recorder: synthesize", () => {
    let east: SynthesizedStack;
    let westProviderId: string;

    before(async () => {
        east = await synthesize({ projectDir, stack: "east" });
        westProviderId = byName(east, "west").urn === WEST ? (byName(east, "replica").provider ?? "").split("::").pop()! : "";
    });

    it("records every registration once, in registration order, with the stack first", () => {
        expect(east.project).to.equal("fixture");
        expect(east.stack).to.equal("east");
        expect(east.config).to.deep.equal({ "fixture:mode": "ok", "aws:region": "us-east-1" });
        expect(east.resources.map((r) => r.name)).to.have.members([
            "fixture-east", "store", "store-bucket", "west", "replica", "replica-versioning", "eu-topic", "store-replication",
        ]);
        expect(east.resources[0].urn).to.equal(STACK);
        expect(new Set(east.resources.map((r) => r.urn)).size).to.equal(east.resources.length);
    });

    it("records a component child: parent, protect, retainOnDelete, stack region", () => {
        expect(byName(east, "store")).to.deep.equal({
            urn: STORE, type: "fixture:index:Store", name: "store", parent: STACK, custom: false, remote: false,
            provider: null, region: null, protect: false, retainOnDelete: false, dependencies: [],
            propertyDependencies: {}, inputs: {}, outputs: { bucketArn: "arn:aws:s3:::store-source" },
        });
        const bucket = byName(east, "store-bucket");
        expect(bucket).to.deep.include({
            urn: STORE_BUCKET, type: "aws:s3/bucket:Bucket", parent: STORE, custom: true, remote: false, provider: null,
            region: "us-east-1", protect: true, retainOnDelete: true, dependencies: [],
            propertyDependencies: { bucket: [] }, inputs: { bucket: "store-source" },
        });
        expect(bucket.outputs.arn).to.equal("arn:aws:s3:::store-source");
        expect(bucket.outputs.bucketRegionalDomainName).to.equal("store-source.s3.us-east-1.amazonaws.com");
    });

    it("records the provider reference and takes the region from the provider", () => {
        expect(westProviderId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
        expect(byName(east, "west")).to.deep.include({
            urn: WEST, type: "pulumi:providers:aws", custom: true, provider: null, region: "us-west-2", protect: false,
        });
        expect(byName(east, "replica")).to.deep.equal({
            urn: REPLICA, type: "aws:s3/bucket:Bucket", name: "replica", parent: STACK, custom: true, remote: false,
            provider: `${WEST}::${westProviderId}`, region: "us-west-2", protect: true, retainOnDelete: false,
            dependencies: [], propertyDependencies: { bucket: [] }, inputs: { bucket: "fixture-replica" },
            outputs: {
                arn: "arn:aws:s3:::fixture-replica", bucket: "fixture-replica", region: "us-west-2",
                bucketDomainName: "fixture-replica.s3.amazonaws.com",
                bucketRegionalDomainName: "fixture-replica.s3.us-west-2.amazonaws.com", hostedZoneId: "Z3AQBSTGFYJSTF",
            },
        });
    });

    it("takes a per-resource region input over the stack region", () => {
        expect(byName(east, "eu-topic")).to.deep.include({
            region: "eu-west-1", provider: null, inputs: { name: "fixture-events", region: "eu-west-1" },
            propertyDependencies: { name: [], region: [] },
        });
        expect(byName(east, "eu-topic").outputs.arn).to.equal("arn:aws:sns:eu-west-1:123456789012:fixture-events");
    });

    it("records dependencies (dependsOn + inputs) and property dependencies across regions", () => {
        expect(byName(east, "replica-versioning")).to.deep.include({
            dependencies: [REPLICA], propertyDependencies: { bucket: [REPLICA], versioningConfiguration: [] },
            inputs: { bucket: "fixture-replica", versioningConfiguration: { status: "Enabled" } },
        });
        const repl = byName(east, "store-replication");
        expect(repl.region).to.equal("us-east-1");
        expect(repl.dependencies).to.deep.equal([VERSIONING, STORE_BUCKET, REPLICA]);
        expect(repl.propertyDependencies).to.deep.equal({ bucket: [STORE_BUCKET], role: [], rules: [REPLICA] });
        expect(repl.inputs).to.deep.equal({
            bucket: "store-source", role: "arn:aws:iam::123456789012:role/replication",
            rules: [{ id: "all", status: "Enabled", destination: { bucket: "arn:aws:s3:::fixture-replica" } }],
        });
    });

    it("returns the stack outputs", () => {
        expect(east.outputs).to.deep.equal({
            storeBucketArn: "arn:aws:s3:::store-source", topicArn: "arn:aws:sns:eu-west-1:123456789012:fixture-events",
        });
    });

    it("in preview, marks outputs of created resources unknown, as a first `pulumi preview` does", async () => {
        const p = await synthesize({ projectDir, stack: "east", preview: true });
        expect(byName(p, "replica").provider).to.equal(`${WEST}::${UNKNOWN}`);
        expect(byName(p, "replica").region).to.equal("us-west-2");
        expect(byName(p, "replica-versioning").inputs).to.deep.equal({ bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } });
        expect(byName(p, "store-replication").inputs).to.deep.equal({
            bucket: UNKNOWN, role: "arn:aws:iam::123456789012:role/replication",
            rules: [{ id: "all", status: "Enabled", destination: { bucket: UNKNOWN } }],
        });
        // Property dependencies are known even when values are not: stack policies can still follow them.
        expect(byName(p, "store-replication").propertyDependencies.rules).to.deep.equal([REPLICA]);
        expect(p.outputs.storeBucketArn).to.equal(UNKNOWN);
    });

    it("resolves a StackReference to the referenced stack's synthesized outputs", async () => {
        const west = await synthesize({ projectDir, stack: "west", stackOutputs: { east: east.outputs } });
        expect(west.outputs.peerBucketArn).to.equal("arn:aws:s3:::store-source");
        expect(byName(west, "acme/fixture/east")).to.deep.include({ type: "pulumi:pulumi:StackReference", custom: true, region: null });
    });

    it("names an unresolvable StackReference", async () => {
        const err = await synthesize({ projectDir, stack: "west" }).catch((e) => e);
        expect(err).to.be.instanceOf(SynthesisError);
        expect(err.message).to.equal(`StackReference "acme/fixture/east" cannot be resolved offline: no synthesized stack of project "fixture" and no --stack-outputs has that name; give its outputs with --stack-outputs acme/fixture/east=<file.json>`);
    });

    it("turns a program that throws into a SynthesisError naming the cause and the line", async () => {
        const err = await synthesize({ projectDir, stack: "east", overrides: { "fixture:mode": "throw" } }).catch((e) => e);
        expect(err).to.be.instanceOf(SynthesisError);
        expect(err.message, err.message).to.match(/^the program failed while constructing resources: fixture program failed on purpose \(at index\.ts:8:\d+\)$/);
    });

    it("reports a RunError (config validation) with its message alone", async () => {
        const err = await synthesize({ projectDir, stack: "east", overrides: { "fixture:mode": "invalid" } }).catch((e) => e);
        expect(err).to.be.instanceOf(SynthesisError);
        expect(err.message).to.equal(`Invalid configuration: fixture:mode = "invalid" is rejected on purpose`);
    });

    it("runs the program afresh for every stack in one process", async () => {
        const again = await synthesize({ projectDir, stack: "east" });
        expect(again.resources.map((r) => r.urn)).to.deep.equal(east.resources.map((r) => r.urn));
    });

    describe("URNs as the engine builds them (every ancestor's type, never the stack's)", () => {
        const urnsDir = path.join(__dirname, "..", "fixtures", "urn-project");
        const U = "urn:pulumi:dev::urns::";
        const OUTER = `${U}urns:index:Outer::outer`;
        const INNER = `${U}urns:index:Outer$urns:index:Inner::outer-inner`;
        const CHAIN = "urns:index:Outer$urns:index:Inner";
        let dev: SynthesizedStack;
        before(async () => { dev = await synthesize({ projectDir: urnsDir, stack: "dev" }); });

        it("gives a resource three levels deep the full ancestor chain (the SDK mock would give `Inner$aws:kms/key:Key`)", () => {
            const key = byName(dev, "outer-inner-key");
            expect(key.urn).to.equal(`${U}${CHAIN}$aws:kms/key:Key::outer-inner-key`);
            expect(key.parent).to.equal(INNER);
            expect(byName(dev, "outer-inner").parent).to.equal(OUTER);
            expect(byName(dev, "outer").parent).to.equal(`${U}pulumi:pulumi:Stack::urns-dev`);
        });

        it("chains a provider and a read inside the component the same way, and wires the provider by that URN", () => {
            const provider = byName(dev, "outer-inner-west");
            expect(provider.urn).to.equal(`${U}${CHAIN}$pulumi:providers:aws::outer-inner-west`);
            expect(byName(dev, "outer-inner-key").provider?.startsWith(`${provider.urn}::`)).to.equal(true);
            expect(byName(dev, "outer-inner-key").region).to.equal("us-west-2");
            expect(byName(dev, "outer-inner-existing").urn).to.equal(`${U}${CHAIN}$aws:s3/bucket:Bucket::outer-inner-existing`);
        });

        it("leaves a child of the stack and the stack itself unprefixed", () => {
            expect(byName(dev, "top").urn).to.equal(`${U}aws:sns/topic:Topic::top`);
            expect(byName(dev, "urns-dev").urn).to.equal(`${U}pulumi:pulumi:Stack::urns-dev`);
            expect(dev.resources.map((r) => r.urn).every((u) => !u.includes("pulumi:pulumi:Stack$"))).to.equal(true);
        });

        it("engineUrn: the rule on its own (a name may contain `::`)", () => {
            expect(engineUrn("s", "p", null, "pulumi:pulumi:Stack", "p-s")).to.equal("urn:pulumi:s::p::pulumi:pulumi:Stack::p-s");
            expect(engineUrn("s", "p", "urn:pulumi:s::p::a:b:C$d:e:F::x::y", "aws:kms/key:Key", "k")).to.equal("urn:pulumi:s::p::a:b:C$d:e:F$aws:kms/key:Key::k");
        });
    });
});

describe("recorder: programs that export a function (the language host's rule)", () => {
    const fixtures = path.join(__dirname, "..", "fixtures");

    it("runs a TypeScript program's async `export =` function; what it returns are the stack's outputs", async () => {
        const s = await synthesize({ projectDir: path.join(fixtures, "async-project"), stack: "dev" });
        expect(s.resources.map((r) => `${r.type}::${r.name}`)).to.deep.equal(["pulumi:pulumi:Stack::asyncfix-dev", "aws:sns/topic:Topic::topic-events"]);
        expect(byName(s, "topic-events")).to.deep.include({ region: "eu-west-1", inputs: { name: "fixture-events" } });
        expect(s.outputs).to.deep.equal({ topicName: "fixture-events", answer: 42 });
    });

    it("runs a JavaScript program whose module.exports is its function", async () => {
        const s = await synthesize({ projectDir: path.join(fixtures, "js-function-project"), stack: "dev" });
        expect(s.resources.map((r) => `${r.type}::${r.name}`)).to.deep.equal(["pulumi:pulumi:Stack::jsfix-dev", "aws:sqs/queue:Queue::jobs"]);
        expect(s.outputs).to.deep.equal({ queueName: "fixture-jobs" });
    });
});
