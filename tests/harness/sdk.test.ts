// What the recorder changes in the SDK while a program runs, and what a finished run leaves behind: memory.
import * as path from "path";
import { expect } from "chai";
import { releaseRun, synthesize } from "../../tools/harness/recorder";
import { cheapPromiseBookkeeping, lazyOutputProperties, loadSdk } from "../../tools/harness/sdk";

const projectDir = path.join(__dirname, "..", "fixtures", "offline-project");
const sdk = loadSdk(projectDir);

type Resolver = (v: unknown, isKnown: boolean, isSecret: boolean, deps?: unknown[], err?: Error) => void;
interface OutputLike { promise(): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean>; resources(): Set<unknown> }

describe("sdk: output properties built when first read (lazyOutputProperties)", () => {
    let restore: Array<() => void> = [];
    beforeEach(() => { restore = [cheapPromiseBookkeeping(sdk), lazyOutputProperties(sdk)]; });
    afterEach(() => { for (const r of restore.reverse()) r(); });

    const transfer = (onto: object, props: Record<string, unknown>) =>
        sdk.rpc.transferProperties(onto, "resource:b[aws:s3/bucket:Bucket]", props) as Record<string, Resolver>;

    it("gives every property but id and urn, as the SDK does, without building an Output until it is read", () => {
        const onto = {};
        const resolvers = transfer(onto, { id: undefined, urn: undefined, arn: undefined, bucket: "b" });
        expect(Object.keys(resolvers)).to.deep.equal(["arn", "bucket"]);
        expect(Object.keys(onto)).to.deep.equal(["arn", "bucket"]);
        const d = Object.getOwnPropertyDescriptor(onto, "arn")!;
        expect([typeof d.get, typeof d.set, d.enumerable, d.configurable]).to.deep.equal(["function", "function", true, true]);
        expect(() => transfer(onto, { arn: undefined })).to.throw("Property 'arn' is already initialized on target 'resource:b[aws:s3/bucket:Bucket]");
    });

    it("replays an answer given before the read; passes one given after it straight on", async () => {
        const onto: Record<string, unknown> = {};
        const resolvers = transfer(onto, { arn: undefined, tags: undefined });
        resolvers.arn("arn:aws:s3:::b", true, true, []);
        const arn = onto.arn as OutputLike;
        expect(Object.getOwnPropertyDescriptor(onto, "arn")).to.deep.equal({ value: arn, writable: true, enumerable: true, configurable: true });
        expect(onto.arn).to.equal(arn);
        expect([await arn.promise(), await arn.isKnown, await arn.isSecret, [...arn.resources()]]).to.deep.equal(["arn:aws:s3:::b", true, true, [onto]]);
        const tags = onto.tags as OutputLike;
        resolvers.tags(undefined, false, false, []);
        expect([await tags.isKnown, await tags.isSecret]).to.deep.equal([false, false]);
    });

    it("rejects on an error answer, and ignores a cancelled call (gRPC CANCELLED) as the SDK does", async () => {
        const onto: Record<string, unknown> = {};
        const resolvers = transfer(onto, { arn: undefined, id2: undefined });
        resolvers.arn(undefined, false, false, [], new Error("registration failed"));
        expect(await (onto.arn as OutputLike).promise().then(() => "resolved", (e: Error) => e.message)).to.equal("registration failed");
        const cancelled = Object.assign(new Error("cancelled"), { code: 1 });
        resolvers.id2(undefined, false, false, [], cancelled);
        resolvers.id2("second", true, false, []);
        expect(await (onto.id2 as OutputLike).promise()).to.equal("second");
    });

    it("keeps an assignment over a property not read yet", () => {
        const onto: Record<string, unknown> = {};
        transfer(onto, { arn: undefined });
        onto.arn = "replaced";
        expect(Object.getOwnPropertyDescriptor(onto, "arn")).to.deep.equal({ value: "replaced", writable: true, enumerable: true, configurable: true });
    });

    it("leaves the properties' promises out of the leak candidates (the URN's and id's name the resource)", () => {
        const candidates = sdk.state.getStore().leakCandidates as Set<unknown>;
        const before = candidates.size;
        const onto: Record<string, unknown> = {};
        transfer(onto, { arn: undefined });
        void onto.arn;
        expect(candidates.size).to.equal(before);
        // Outside transferProperties, a promise is tracked as before.
        const p = sdk.debuggable.debuggablePromise(new Promise<void>(() => undefined), "resolveURN(resource:b[aws:s3/bucket:Bucket])");
        expect(candidates.size).to.equal(before + 1);
        void p;
        for (const c of [...candidates].slice(before)) candidates.delete(c);
    });

    it("restores the SDK's own transferProperties", () => {
        const patched = sdk.rpc.transferProperties;
        for (const r of restore.reverse()) r();
        restore = [];
        expect(sdk.rpc.transferProperties).to.not.equal(patched);
        const onto: Record<string, unknown> = {};
        sdk.rpc.transferProperties(onto, "resource:b[aws:s3/bucket:Bucket]", { arn: undefined });
        expect(typeof Object.getOwnPropertyDescriptor(onto, "arn")!.value).to.equal("object");
    });
});

describe("sdk: what a finished synthesis keeps (releaseRun)", () => {
    it("drops the stack resource (which holds every resource object) and the mock monitor's states", async () => {
        const s = await synthesize({ projectDir, stack: "east" });
        expect(s.resources.length).to.equal(8);
        const store = sdk.state.getStore() as { stackResource?: unknown; settings: { monitor?: { resources?: Map<string, unknown> } } };
        expect(store.stackResource).to.equal(undefined);
        expect((globalThis as { stackResource?: unknown }).stackResource).to.equal(undefined);
        expect(store.settings.monitor?.resources?.size).to.equal(0);
    });

    it("releaseRun on its own", () => {
        const store = sdk.state.getStore() as { stackResource?: unknown };
        store.stackResource = { name: "stack" };
        (globalThis as { stackResource?: unknown }).stackResource = store.stackResource;
        const monitor = { resources: new Map([["urn", {}]]) };
        releaseRun(sdk, monitor);
        expect([store.stackResource, (globalThis as { stackResource?: unknown }).stackResource, monitor.resources.size]).to.deep.equal([undefined, undefined, 0]);
    });
});
