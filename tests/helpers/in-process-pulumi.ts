// The fake `pulumi` CLI (tests/fixtures/fake-pulumi/fake.js) run in the test's own process, as the Automation API's
// PulumiCommand. A drill or a failback runs about 19 CLI commands; as processes, each one is a Node start-up (about
// 65 ms of CPU on the test machines), which made the drill and failback tests most of the suite's time. The answers are
// the same function's: the runners' own code and the Automation API's (its arguments, its event-log tail, its errors)
// run as they do against the real CLI. What only a process shows (the event stream over gRPC from another process,
// a signal reaching the CLI) stays covered by the tests that run the executable (tests/fixtures/fake-pulumi/pulumi).
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";

// The SDK's own internals, as its PulumiCommand.run uses them (not in its type declarations): the result it returns,
// the error it throws for a non-zero exit (StackNotFoundError, ConcurrentUpdateError, ... by the stderr), and the
// semver it compares the CLI's version with.
interface CommandResult { stdout: string; stderr: string; code: number }
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number) => CommandResult };
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError(r: CommandResult): Error };
const semver = require(require.resolve("semver", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] })) as { parse(v: string): object | null };
const { runFake } = require("../fixtures/fake-pulumi/fake") as {
    runFake(args: string[], env: NodeJS.ProcessEnv, cwd: string, io: { stdout(t: string): void; stderr(t: string): void; onSignal(h: (sig: string) => void): void }): Promise<number>;
};

/** What the Automation API calls on a PulumiCommand (`run` is internal to the SDK: cmd.js). */
interface CommandShape {
    command: string;
    version: object | null;
    run(args: string[], cwd: string, additionalEnv: Record<string, string>, onOutput?: (d: string) => void,
        onError?: (d: string) => void, signal?: AbortSignal): Promise<CommandResult>;
}

async function runInProcess(args: string[], cwd: string, additionalEnv: Record<string, string>, onOutput?: (d: string) => void,
    onError?: (d: string) => void, signal?: AbortSignal): Promise<CommandResult> {
    // As PulumiCommand.run: every command non-interactive, PULUMI_AUTOMATION_API set, the process's own environment under it.
    if (!args.includes("--non-interactive")) args.push("--non-interactive");
    const env = { ...process.env, ...additionalEnv, PULUMI_AUTOMATION_API: "true" };
    let stdout = "";
    let stderr = "";
    const code = await runFake(args, env, cwd, {
        stdout: (t) => { stdout += t; onOutput?.(t); },
        stderr: (t) => { stderr += t; onError?.(t); },
        // The Automation API stops a command by sending its process SIGINT when the caller's signal aborts.
        onSignal: (handler) => signal?.addEventListener("abort", () => handler("SIGINT")),
    });
    // As execa, which PulumiCommand.run uses: the output without its final newline.
    const strip = (text: string) => text.replace(/\r?\n$/, "");
    const result = new CommandResult(strip(stdout), strip(stderr), code);
    if (code !== 0) throw createCommandError(result);
    return result;
}

/** A PulumiCommand answering as the fake CLI would, at the version the scenario gives (`pulumi version`). */
export async function inProcessPulumi(): Promise<PulumiCommand> {
    let out = "";
    // Read without logging it: the version is what a workspace would learn, not a command the runner ran.
    await runFake(["version"], { ...process.env, FAKE_PULUMI_LOG: "" }, process.cwd(), { stdout: (t) => { out += t; }, stderr: () => undefined, onSignal: () => undefined });
    const shape: CommandShape = { command: "pulumi", version: semver.parse(out.trim()), run: runInProcess };
    return shape as unknown as PulumiCommand;
}
