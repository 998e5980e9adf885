// The engine's side of resource transforms, offline: the `transforms` resource option and
// `pulumi.runtime.registerResourceTransform`.
//
// The SDK hands each transform to a callback server and sends the engine a token; the engine, on every
// registration, calls the resource's own transforms, then each ancestor's (nearest first), then the stack's, each
// with the previous one's properties and options, and registers what the last one returned. Here the SDK's own
// callback server code does the marshalling (so a transform sees exactly what it sees under the CLI), without its
// gRPC listener: the recorder calls the callbacks directly and applies the result to the registration.
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";

type Bytes = Uint8Array;
type Invoke = (request: Bytes) => Promise<{ serializeBinary(): Bytes; getProperties(): unknown; getOptions(): unknown }>;

interface CallbackServerLike {
    _callbacks: Map<string, Invoke>;
    _pendingRegistrations: number;
    _awaitQueue: unknown[];
    _monitor: { registerStackTransform(req: { getToken(): string }, cb: (err: Error | null, resp: unknown) => void): void };
    _target: Promise<string>;
}

export interface TransformsSdk {
    callbacks: { CallbackServer: { prototype: object } };
    resproto: typeof resproto;
}

export class OfflineTransforms {
    /** Tokens of the stack's transforms, in registration order. */
    private readonly stackTokens: string[] = [];
    /** Each registered resource's own transforms (children inherit them), and its parent. */
    private readonly own = new Map<string, string[]>();
    private readonly parents = new Map<string, string>();
    /** The callback server the SDK registers transforms with (store.callbacks). */
    readonly server: CallbackServerLike;

    constructor(private readonly sdk: TransformsSdk) {
        const server = Object.create(sdk.callbacks.CallbackServer.prototype) as CallbackServerLike;
        server._callbacks = new Map();
        server._pendingRegistrations = 0;
        server._awaitQueue = [];
        server._target = Promise.resolve("offline");
        server._monitor = {
            registerStackTransform: (req, cb) => { this.stackTokens.push(req.getToken()); cb(null, {}); },
        };
        this.server = server;
    }

    /**
     * Runs the transforms that apply to a registration and writes their result into it: properties, protect,
     * retainOnDelete, dependsOn, provider, ignoreChanges, and the other options the engine reads back.
     */
    apply(req: resproto.RegisterResourceRequest): Promise<void> | undefined {
        const tokens = req.getTransformsList().map((cb) => cb.getToken());
        for (let p = req.getParent(); p !== "" && p !== undefined; p = this.parents.get(p) ?? "") tokens.push(...(this.own.get(p) ?? []));
        tokens.push(...this.stackTokens);
        // Most registrations have none: no await, so they keep their place in the program's order.
        return tokens.length === 0 ? undefined : this.run(req, tokens);
    }

    private async run(req: resproto.RegisterResourceRequest, tokens: string[]): Promise<void> {
        const { resproto: rp } = this.sdk;
        const request = new rp.TransformRequest();
        request.setType(req.getType());
        request.setName(req.getName());
        request.setCustom(req.getCustom());
        request.setParent(req.getParent());
        request.setProperties(req.getObject());
        request.setOptions(optionsOf(req, rp));
        for (const token of tokens) {
            const invoke = this.server._callbacks.get(token);
            if (!invoke) continue;
            const response = await invoke(request.serializeBinary()) as unknown as resproto.TransformResponse;
            request.setProperties(response.getProperties());
            request.setOptions(response.getOptions());
        }
        writeBack(req, request);
    }

    /** Remembers a registered resource's own transforms (for its children) and its parent. */
    registered(urn: string, req: resproto.RegisterResourceRequest): void {
        const tokens = req.getTransformsList().map((cb) => cb.getToken());
        if (tokens.length) this.own.set(urn, tokens);
        if (req.getParent()) this.parents.set(urn, req.getParent());
    }
}

/** The options the engine gives a transform, from the registration (the engine's RegisterResource does the same). */
function optionsOf(req: resproto.RegisterResourceRequest, rp: typeof resproto): resproto.TransformResourceOptions {
    const o = new rp.TransformResourceOptions();
    o.setDependsOnList(req.getDependenciesList());
    const protect = req.getProtect();
    if (protect !== undefined) o.setProtect(protect);
    o.setIgnoreChangesList(req.getIgnorechangesList());
    o.setReplaceOnChangesList(req.getReplaceonchangesList());
    o.setVersion(req.getVersion());
    o.setAliasesList(req.getAliasesList());
    o.setProvider(req.getProvider());
    req.getProvidersMap().forEach((v, k) => o.getProvidersMap().set(k, v));
    const timeouts = req.getCustomtimeouts();
    if (timeouts) o.setCustomTimeouts(timeouts);
    o.setPluginDownloadUrl(req.getPlugindownloadurl());
    const retain = req.getRetainondelete();
    if (retain !== undefined) o.setRetainOnDelete(retain);
    o.setDeletedWith(req.getDeletedwith());
    if (req.getDeletebeforereplacedefined() || req.getDeletebeforereplace()) o.setDeleteBeforeReplace(req.getDeletebeforereplace());
    o.setAdditionalSecretOutputsList(req.getAdditionalsecretoutputsList());
    return o;
}

function writeBack(req: resproto.RegisterResourceRequest, transformed: resproto.TransformRequest): void {
    const props = transformed.getProperties();
    if (props) req.setObject(props);
    const o = transformed.getOptions();
    if (!o) return;
    const protect = o.getProtect();
    if (protect !== undefined) req.setProtect(protect);
    const retain = o.getRetainOnDelete();
    if (retain !== undefined) req.setRetainondelete(retain);
    req.setDependenciesList(o.getDependsOnList());
    req.setProvider(o.getProvider());
    req.setIgnorechangesList(o.getIgnoreChangesList());
    req.setReplaceonchangesList(o.getReplaceOnChangesList());
    req.setVersion(o.getVersion());
    req.setAliasesList(o.getAliasesList());
    req.setDeletedwith(o.getDeletedWith());
    req.setAdditionalsecretoutputsList(o.getAdditionalSecretOutputsList());
    const timeouts = o.getCustomTimeouts();
    if (timeouts) req.setCustomtimeouts(timeouts);
    const dbr = o.getDeleteBeforeReplace();
    if (dbr !== undefined) {
        req.setDeletebeforereplace(dbr);
        req.setDeletebeforereplacedefined(true);
    }
    const providers = req.getProvidersMap();
    providers.clear();
    o.getProvidersMap().forEach((v, k) => providers.set(k, v));
}
