// `npm run test:aws`: the code that calls AWS (the drill's checks, the verification, the DR records, the trail's
// digest chain) against moto's AWS API emulator. Starts `python3 -m moto.server` on a free loopback port, runs the
// mocha suite in tests/aws/ with the SDK clients pointed at it (AWS_EMULATOR_ENDPOINT, dummy credentials), and stops
// the server on every path (the suite's end, an error, SIGINT/SIGTERM). Without python3 or moto it says so and exits
// 1. Exit code: mocha's.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as path from "path";
import { Moto, startMoto } from "./lib/moto";

const ROOT = path.resolve(__dirname, "..");
const say = (line: string) => process.stderr.write(`test:aws: ${line}\n`);

/** Why moto's server cannot start here, or undefined. */
function motoMissing(): string | undefined {
    const probe = spawnSync("python3", ["-c", "import moto, moto.server, flask, flask_cors; print(moto.__version__)"], { encoding: "utf8" });
    if (probe.error) return `python3 is not installed (${probe.error.message}): install Python 3, then python3 -m pip install 'moto[server]'`;
    if (probe.status !== 0) return `moto's server is not installed for python3 (${probe.stderr.trim().split("\n").pop()}): python3 -m pip install 'moto[server]'`;
    say(`moto ${probe.stdout.trim()}`);
    return undefined;
}

async function main(): Promise<number> {
    const missing = motoMissing();
    if (missing) { say(missing); return 1; }
    let moto: Moto | undefined;
    let suite: ChildProcess | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
        suite?.kill(signal);
        void (moto?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        moto = await startMoto();
        say(`moto's server on ${moto.endpoint}`);
        const mocha = require.resolve("mocha/bin/mocha.js");
        const run = suite = spawn(process.execPath, [mocha, "--no-config", "-r", "@swc-node/register", "-r", "./tests/helpers/environment.ts", "--extension", "ts", "--timeout", "120000",
            "--reporter", "dot", "tests/aws/*.aws.ts", "tests/aws/*.test.ts"], {
            cwd: ROOT, stdio: "inherit",
            env: {
                ...process.env, AWS_EMULATOR_ENDPOINT: moto.endpoint,
                AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_SESSION_TOKEN: "", AWS_PROFILE: "", AWS_REGION: "us-west-2",
            },
        });
        return await new Promise<number>((resolve) => run.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
    } catch (err) {
        say((err as Error).message);
        return 1;
    } finally {
        await moto?.stop();
    }
}

if (require.main === module) main().then((code) => process.exit(code), (err) => { say(String(err)); process.exit(1); });
