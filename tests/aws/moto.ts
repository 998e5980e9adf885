// Mocha helpers for the AWS-emulator tests (npm run test:aws): one moto server per spec file, reset before each test,
// and AWS SDK v3 clients pointed at it. The server itself is tools/lib/moto.ts.
import { S3Client } from "@aws-sdk/client-s3";
import { Moto, MOTO_CLIENT, startMoto } from "../../tools/lib/moto";

export interface MotoContext {
    /** Set once the server runs (in `before`). */
    moto: Moto;
    /** An S3 client for `region`, path-style (moto serves every bucket on one host). */
    s3(region: string): S3Client;
}

/**
 * moto answers GetObjectAttributes with an ISO 8601 Last-Modified header where S3 sends RFC 7231 (`Thu, 03 Dec 2026
 * 11:51:28 GMT`), which the SDK refuses to parse: this rewrites it before the SDK reads the response. Nothing else of
 * the response is touched.
 */
export function acceptMotoDates(client: S3Client): S3Client {
    client.middlewareStack.add((next) => async (args) => {
        const result = await next(args);
        const headers = (result.response as { headers?: Record<string, string> }).headers;
        const value = headers?.["last-modified"];
        if (headers && value && /^\d{4}-\d{2}-\d{2}T/.test(value)) headers["last-modified"] = new Date(value).toUTCString();
        return result;
    }, { step: "deserialize", priority: "low", name: "motoRfc7231LastModified" });
    return client;
}

/** Starts moto before the suite's tests, resets it before each, stops it after; call inside `describe`. */
export function useMoto(): MotoContext {
    const clients = new Map<string, S3Client>();
    const ctx = {
        moto: undefined as unknown as Moto,
        s3(region: string): S3Client {
            let c = clients.get(region);
            if (!c) clients.set(region, (c = acceptMotoDates(new S3Client({ ...MOTO_CLIENT, region, endpoint: ctx.moto.endpoint, forcePathStyle: true }))));
            return c;
        },
    };
    before(async function () {
        this.timeout(60_000);
        ctx.moto = await startMoto();
    });
    beforeEach(async () => { await ctx.moto.reset(); });
    after(async () => {
        for (const c of clients.values()) c.destroy();
        await ctx.moto?.stop();
    });
    return ctx;
}
