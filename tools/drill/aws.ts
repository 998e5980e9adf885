// How the drill's AWS SDK v3 clients are built: the default credential chain and each region's endpoint, or, for
// `npm run test:aws`, one emulator endpoint with dummy credentials (S3 then needs path-style addressing).
export interface AwsClientOptions {
    /** One endpoint for every service and region (an AWS API emulator). @default - AWS's own per region */
    endpoint?: string;
    /** @default - the SDK's default credential chain */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The config of a client in `region`; `s3` adds path-style addressing when an endpoint is set. */
export function clientConfig(o: AwsClientOptions, region: string, s3 = false): Record<string, unknown> {
    return {
        region,
        ...(o.endpoint ? { endpoint: o.endpoint, ...(s3 ? { forcePathStyle: true } : {}) } : {}),
        ...(o.credentials ? { credentials: o.credentials } : {}),
    };
}

export const message = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => { clearTimeout(timer); signal?.removeEventListener("abort", done); resolve(); };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done);
    });
}
