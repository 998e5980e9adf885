// moto's AWS emulator as a local server (`python3 -m moto.server`), for the AWS-emulator tests and `npm run
// verify:cost`: started on a free port, ready once its API answers, stopped by its process id.
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";

export interface Moto {
    /** `http://127.0.0.1:<port>`: give it to AWS SDK v3 clients as `endpoint`, with `forcePathStyle: true` for S3. */
    endpoint: string;
    /** Forgets every resource (between tests). */
    reset(): Promise<void>;
    /** Seeds moto's random generator: two writes after the same seed get the same S3 version id, as replication keeps it. */
    seed(n: number): Promise<void>;
    stop(): Promise<void>;
}

/** Credentials and region for clients of the emulator (moto accepts any). */
export const MOTO_CLIENT = { region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } } as const;

/**
 * An S3 client of the emulator at `endpoint`, path-style (moto serves every bucket on one host). moto answers
 * GetObjectAttributes with an ISO 8601 Last-Modified header where S3 sends RFC 7231 (`Thu, 03 Dec 2026 11:51:28 GMT`),
 * which the SDK refuses to parse: the client rewrites that header before the SDK reads the response, nothing else.
 */
export function motoS3Client(endpoint: string, region: string, config: S3ClientConfig = {}): S3Client {
    const client = new S3Client({ ...MOTO_CLIENT, region, endpoint, forcePathStyle: true, ...config });
    client.middlewareStack.add((next) => async (args) => {
        const result = await next(args);
        const headers = (result.response as { headers?: Record<string, string> }).headers;
        const value = headers?.["last-modified"];
        if (headers && value && /^\d{4}-\d{2}-\d{2}T/.test(value)) headers["last-modified"] = new Date(value).toUTCString();
        return result;
    }, { step: "deserialize", priority: "low", name: "motoRfc7231LastModified" });
    return client;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

function exited(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once("exit", () => resolve());
    });
}

/** Starts moto's server; rejects with what the process said when it cannot (moto not installed: pip install 'moto[server]'). */
export async function startMoto(opts: { python?: string; timeoutMs?: number } = {}): Promise<Moto> {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    // No AWS profile reaches the server: moto answers some errors through botocore, which fails on a profile it cannot
    // find (test:aws sets none; a developer's may not exist here) and turns NoSuchBucket into a 500 page.
    const env = { ...process.env };
    delete env.AWS_PROFILE;
    const child = spawn(opts.python ?? "python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"], env });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    let spawnError: Error | undefined;
    child.once("error", (err) => { spawnError = err; });
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
        if (spawnError || child.exitCode !== null) {
            throw new Error(`moto's server did not start (${spawnError?.message ?? `exit ${child.exitCode}`}): ${stderr.trim().split("\n").slice(-3).join(" | ")}; install it with pip install 'moto[server]'`);
        }
        try {
            if ((await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2000) })).ok) break;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            child.kill("SIGKILL");
            throw new Error(`moto's server did not answer on ${endpoint} within ${(opts.timeoutMs ?? 30_000) / 1000} s: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    const post = async (path: string) => {
        const res = await fetch(`${endpoint}${path}`, { method: "POST" });
        if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status}`);
    };
    return {
        endpoint,
        reset: () => post("/moto-api/reset"),
        seed: (n) => post(`/moto-api/seed?a=${n}`),
        stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited(child);
            clearTimeout(timer);
        },
    };
}
