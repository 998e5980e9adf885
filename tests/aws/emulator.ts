// The AWS API emulator `npm run test:aws` started (tools/test-aws.ts): its endpoint, dummy credentials, a reset
// between tests, and client configs pointed at it.
export const ENDPOINT = process.env.AWS_EMULATOR_ENDPOINT ?? "";
if (!ENDPOINT) throw new Error("tests/aws run under npm run test:aws, which starts moto's server and sets AWS_EMULATOR_ENDPOINT");

export const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
export const emulator = { endpoint: ENDPOINT, credentials: CREDENTIALS };
/** A client config in `region` against the emulator (S3 with path-style addressing). */
export const client = (region: string, s3 = false) => ({ region, endpoint: ENDPOINT, credentials: CREDENTIALS, ...(s3 ? { forcePathStyle: true } : {}) });

/** Forgets every resource the emulator holds, and any state transition a test set. */
export async function resetEmulator(): Promise<void> {
    for (const url of [`${ENDPOINT}/moto-api/reset`, `${ENDPOINT}/moto-api/state-manager/unset-transition`]) {
        const res = await fetch(url, { method: "POST", ...(url.endsWith("unset-transition") ? { body: JSON.stringify({ model_name: "ecs::task" }) } : {}) });
        if (!res.ok) throw new Error(`moto ${url}: HTTP ${res.status}`);
    }
}
