// What the drill keeps on disk: temporary copies of the DR stack's config file (one per state) and of the policy
// config derived for each, so the tracked `Pulumi.<stack>.yaml` is never modified (every CLI call passes
// `--config-file`); and the marker file that says a drill has left work to finish (the return to standby, the
// canaries' deletion), which every drill start checks and `npm run drill -- --resume` completes.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument } from "yaml";
import { policies as packPolicies } from "../../policies/pack";
import { policyConfigFromStack } from "../harness/policy-config";
import type { Canary } from "./checks";

export type DrillConfigState = "drill" | "standby";

/** The temporary files one drill (or resume) runs with; `remove()` deletes them. */
export interface DrillFiles {
    dir: string;
    /** `--config-file` for each state: the tracked stack file with vbr:drState (and vbr:drillId) set. */
    config: Record<DrillConfigState, string>;
    /** `--policy-pack-config` for each state (the offline plan's derivation, tools/harness/policy-config.ts). */
    policyConfig: Record<DrillConfigState, string>;
    /** `--policy-pack`: the project's pack. */
    policyPack: string;
    remove(): void;
}

/** The tracked stack file of `stack`. */
export const stackFile = (projectDir: string, stack: string) => path.join(projectDir, `Pulumi.${stack}.yaml`);

/**
 * Writes the drill's temporary config and policy-config files. `config` is the stack's effective config (stack file
 * and Pulumi.yaml defaults); the copies keep everything of the stack file (secrets provider, encrypted values) and
 * set only vbr:drState and vbr:drillId.
 */
export function drillFiles(projectDir: string, stack: string, config: Record<string, string>, drillId: string, parallel?: number): DrillFiles {
    const text = fs.readFileSync(stackFile(projectDir, stack), "utf8");
    // Everything that can fail (a config the pack refuses) before the temporary directory exists.
    const contents = (["drill", "standby"] as const).map((state) => {
        const doc = parseDocument(text);
        doc.setIn(["config", "vbr:drState"], state);
        doc.setIn(["config", "vbr:drillId"], drillId);
        const derived = policyConfigFromStack(packPolicies, { ...config, "vbr:drState": state, "vbr:drillId": drillId }, { parallel });
        return { state, stackFile: doc.toString(), policyConfig: JSON.stringify(derived, null, 2) + "\n" };
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vbr-drill-"));
    const files = { config: {} as Record<DrillConfigState, string>, policyConfig: {} as Record<DrillConfigState, string> };
    for (const c of contents) {
        files.config[c.state] = path.join(dir, `Pulumi.${stack}.${c.state}.yaml`);
        fs.writeFileSync(files.config[c.state], c.stackFile);
        files.policyConfig[c.state] = path.join(dir, `policy-config.${c.state}.json`);
        fs.writeFileSync(files.policyConfig[c.state], c.policyConfig);
    }
    return {
        dir, ...files, policyPack: path.join(projectDir, "policies"),
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

/** What a drill that has not finished leaves for the next start (or `--resume`) to complete. */
export interface DrillMarker {
    drillId: string;
    stack: string;
    primaryStack: string;
    /** ISO time the drill started. */
    startedAt: string;
    /** The drill's `pulumi up` was started: the stack may be in drill, so it must return to standby. */
    upStarted: boolean;
    /** The canaries written, to delete. */
    canaries: { object?: Canary; row?: { id: string } };
}

/** Where the marker of `stack` lives (the project's `.drill/`, ignored by git). */
export const markerFile = (projectDir: string, stack: string) => path.join(projectDir, ".drill", `${stack}.json`);

export function readMarker(projectDir: string, stack: string): DrillMarker | undefined {
    const file = markerFile(projectDir, stack);
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as DrillMarker;
}

/** Written through a temporary file and a rename: a crash never leaves half a marker. */
export function writeMarker(projectDir: string, m: DrillMarker): void {
    const file = markerFile(projectDir, m.stack);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + "\n");
    fs.renameSync(`${file}.tmp`, file);
}

export function removeMarker(projectDir: string, stack: string): void {
    fs.rmSync(markerFile(projectDir, stack), { force: true });
}
