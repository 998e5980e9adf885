// Mocha helpers for the AWS-emulator tests (npm run test:aws): one moto server per spec file, reset before each test,
// and AWS SDK v3 clients pointed at it. The server itself is tools/lib/moto.ts.
import { S3Client } from "@aws-sdk/client-s3";
import { Moto, motoS3Client, startMoto } from "../../tools/lib/moto";

export interface MotoContext {
    /** Set once the server runs (in `before`). */
    moto: Moto;
    /** An S3 client of the emulator for `region` (one per region). */
    s3(region: string): S3Client;
}

/** Starts moto before the suite's tests, resets it before each, stops it after; call inside `describe`. */
export function useMoto(): MotoContext {
    const clients = new Map<string, S3Client>();
    const ctx = {
        moto: undefined as unknown as Moto,
        s3(region: string): S3Client {
            let c = clients.get(region);
            if (!c) clients.set(region, (c = motoS3Client(ctx.moto.endpoint, region)));
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
