// Before anything is written or changed: what the drill needs (the Pulumi CLI, AWS credentials, the policy pack, both
// stacks) and the guards on the DR stack (in standby by its config and its outputs, no pending operation, no earlier
// drill left unfinished). A problem is one message naming what is missing and how to fix it; the CLI exits 2.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { DrillChecks } from "./checks";
import { openStacks } from "./prepare";
import { errorText, OutputMap, outputValue } from "./session";
import { DrillMarker, readMarker } from "./workspace";

export interface PreflightInput {
    projectDir: string;
    stack: string;
    primaryStack: string;
    /** The DR stack's effective config (its tracked stack file and the project's defaults). */
    config: Record<string, string>;
    checks: DrillChecks;
    /** `--resume`: finish an earlier drill, which needs its marker and not the standby guard. */
    resume: boolean;
    /** The CLI the Automation API runs. @default the first `pulumi` on PATH */
    pulumiCommand?: PulumiCommand;
}

export type PreflightResult =
    | { ok: true; cliVersion: string; identity: string; stack: Stack; drOutputs: OutputMap; primaryOutputs: OutputMap; marker?: DrillMarker }
    | { ok: false; message: string };

const INSTALL_CLI = "install it (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`), " +
    "put it on PATH and log in to the state backend (`pulumi login`)";

/** `pulumi version`, or why it cannot run. */
export function pulumiVersion(): Promise<{ version?: string; problem?: string }> {
    return new Promise((resolve) => {
        execFile("pulumi", ["version"], { timeout: 60_000 }, (err, stdout) => {
            const e = err as NodeJS.ErrnoException | null;
            if (e?.code === "ENOENT") resolve({ problem: `the Pulumi CLI is not on PATH: ${INSTALL_CLI}` });
            else if (e) resolve({ problem: `\`pulumi version\` failed (${e.message.split("\n")[0]}): reinstall the Pulumi CLI (${INSTALL_CLI})` });
            else resolve({ version: stdout.trim() });
        });
    });
}

const refuse = (message: string): PreflightResult => ({ ok: false, message });

export async function preflight(p: PreflightInput): Promise<PreflightResult> {
    const cli = await pulumiVersion();
    if (!cli.version) return refuse(cli.problem!);
    const region = p.config["aws:region"];
    const who = await p.checks.callerIdentity(region);
    if (!who.ok) {
        return refuse(`${who.detail}: configure credentials for both regions (aws configure, AWS_PROFILE or aws sso login) ` +
            "with the IAM actions docs/drill.md \"What it needs\" lists");
    }
    if (!fs.existsSync(path.join(p.projectDir, "policies", "PulumiPolicy.yaml"))) {
        return refuse(`the policy pack is missing (${path.join(p.projectDir, "policies", "PulumiPolicy.yaml")}): the drill's updates run with it; restore the policies/ folder and run npm ci`);
    }
    let opened: Awaited<ReturnType<typeof openStacks>>;
    try {
        opened = await openStacks(p.projectDir, [p.stack, p.primaryStack], p.pulumiCommand);
    } catch (err) {
        return refuse(`the stacks ${p.stack} and ${p.primaryStack} must both exist in the state backend you are logged in to ` +
            `(${errorText(err)}): check \`pulumi whoami -v\` and \`pulumi stack ls\`, and deploy them first (docs/deploy.md)`);
    }
    const [dr, primary] = opened;
    const marker = readMarker(p.projectDir, p.stack);
    if (p.resume && !marker) return refuse(`nothing to resume: no unfinished drill of ${p.stack} is recorded (.drill/${p.stack}.json)`);
    if (!p.resume && marker) {
        return refuse(`the drill ${marker.drillId} of ${p.stack} (started ${marker.startedAt}) did not finish: ` +
            `${marker.upStarted ? `${p.stack} may still be in drill and ` : ""}its canaries may still exist. ` +
            "Run `npm run drill -- --resume` to finish it, then start a new drill");
    }
    if (!p.resume) {
        const configured = p.config["vbr:drState"] ?? "standby";
        const deployed = outputValue<string>(dr.outputs, "drState");
        if (configured !== "standby" || deployed !== "standby") {
            return refuse(`a drill starts only from standby, but ${p.stack} has vbr:drState=${configured} in Pulumi.${p.stack}.yaml and ` +
                `${deployed === undefined ? "no drState output (never deployed?)" : `drState=${deployed} in its outputs (the last update)`}: ` +
                "a DR stack in failover serves production; finish or undo what changed it before a drill");
        }
    }
    const pending = await pendingOperations(dr.stack);
    if (pending.problem) return refuse(pending.problem);
    return {
        ok: true, cliVersion: cli.version, identity: who.arn ?? who.detail, stack: dr.stack,
        drOutputs: dr.outputs, primaryOutputs: primary.outputs, marker,
    };
}

/**
 * An update holds the stack while it runs and records its in-flight steps as pending operations in the checkpoint;
 * an interrupted one leaves them. `pulumi stack export` reads them without taking the lock (a concurrent update
 * itself is refused later with the CLI's lock error, at the refresh, before anything changes).
 */
async function pendingOperations(stack: Stack): Promise<{ problem?: string }> {
    let state: { deployment?: { pending_operations?: Array<{ type?: string; resource?: { urn?: string } }> } };
    try {
        state = await stack.exportStack() as typeof state;
    } catch (err) {
        return { problem: `could not read ${stack.name}'s state (pulumi stack export: ${errorText(err)})` };
    }
    const ops = state.deployment?.pending_operations ?? [];
    if (ops.length === 0) return {};
    const sample = ops.slice(0, 3).map((o) => `${o.type ?? "an operation on"} ${o.resource?.urn ?? "a resource the state does not name"}`).join(", ");
    return {
        problem: `${stack.name} has ${ops.length} pending operation(s) (${sample}): an update is running, or one was interrupted. ` +
            `Wait for it to finish; if none is running, check the resources and clear them with \`pulumi refresh -s ${stack.name}\``,
    };
}
