// `npm run test:aws`: the drill's real AWS checks (tools/drill/checks.ts, tasks.ts) against moto's AWS API emulator.
// Starts `python3 -m moto.server` on a free loopback port, runs the mocha suite in tests/aws/ with the SDK clients
// pointed at it (AWS_EMULATOR_ENDPOINT, dummy credentials), and stops the server on every path (the suite's end, an
// error, SIGINT/SIGTERM). Without python3 or moto it says so and exits 1. Exit code: mocha's.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as net from "net";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const say = (line: string) => process.stderr.write(`test:aws: ${line}\n`);

/** A port nothing listens on now (the OS picks it), on loopback. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

/** Why moto's server cannot start here, or undefined. */
function motoMissing(): string | undefined {
    const probe = spawnSync("python3", ["-c", "import moto, moto.server, flask, flask_cors; print(moto.__version__)"], { encoding: "utf8" });
    if (probe.error) return `python3 is not installed (${probe.error.message}): install Python 3, then python3 -m pip install 'moto[server]'`;
    if (probe.status !== 0) return `moto's server is not installed for python3 (${probe.stderr.trim().split("\n").pop()}): python3 -m pip install 'moto[server]'`;
    say(`moto ${probe.stdout.trim()}`);
    return undefined;
}

async function waitUntilUp(endpoint: string, server: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (server.exitCode !== null) throw new Error(`moto's server exited with code ${server.exitCode} before it answered`);
        try {
            const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
            if (res.ok) return;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`moto's server did not answer on ${endpoint} within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

async function main(): Promise<number> {
    const missing = motoMissing();
    if (missing) { say(missing); return 1; }
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const server = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let serverLog = "";
    server.stderr?.on("data", (d: Buffer) => { serverLog = (serverLog + d.toString()).slice(-4000); });
    const stop = () => {
        if (server.exitCode === null && server.pid !== undefined) {
            try { process.kill(-server.pid, "SIGTERM"); } catch { /* already gone */ }
        }
    };
    let suite: ChildProcess | undefined;
    const onSignal = (signal: NodeJS.Signals) => { suite?.kill(signal); stop(); process.exit(signal === "SIGINT" ? 130 : 143); };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("exit", stop);
    try {
        await waitUntilUp(endpoint, server, 30_000);
        say(`moto's server on ${endpoint} (pid ${server.pid})`);
        const mocha = require.resolve("mocha/bin/mocha.js");
        const run = suite = spawn(process.execPath, [mocha, "--no-config", "-r", "@swc-node/register", "--extension", "ts", "--timeout", "60000", "tests/aws/*.aws.ts"], {
            cwd: ROOT, stdio: "inherit",
            env: {
                ...process.env, AWS_EMULATOR_ENDPOINT: endpoint,
                AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_SESSION_TOKEN: "", AWS_PROFILE: "", AWS_REGION: "us-west-2",
            },
        });
        return await new Promise<number>((resolve) => run.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
    } catch (err) {
        say(`${(err as Error).message}${serverLog ? `\n${serverLog}` : ""}`);
        return 1;
    } finally {
        stop();
    }
}

main().then((code) => process.exit(code), (err) => { say(String(err)); process.exit(1); });
