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

/** An error as the report says it; fetch's "fetch failed" gets its cause (refused, certificate, DNS). */
export const message = (err: unknown): string => {
    if (!(err instanceof Error)) return String(err);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `${err.name}: ${err.message}${cause?.message ? ` (${cause.code ? `${cause.code}: ` : ""}${cause.message})` : ""}`;
};

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => { clearTimeout(timer); signal?.removeEventListener("abort", done); resolve(); };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done);
    });
}

/** A wait as a report says it: whole minutes from one minute on, else seconds. */
export const fmtWait = (ms: number): string => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/** An SDK error that says the object, version or resource does not exist. */
export const notFound = (err: unknown): boolean => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e?.$metadata?.httpStatusCode === 404 || ["NotFound", "NoSuchKey", "NoSuchVersion"].includes(e?.name ?? "");
};
