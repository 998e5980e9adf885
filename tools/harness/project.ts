// Reads a Pulumi project the way the CLI does: Pulumi.yaml (with its config defaults) and Pulumi.<stack>.yaml.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export interface ProjectConfigDeclaration {
    type?: string;
    description?: string;
    default?: unknown;
}

export interface Project {
    dir: string;
    name: string;
    /** The program entry file, resolved against `dir`. */
    main: string;
    /** Declared config keys, fully qualified (`vbr:role`). */
    config: Record<string, ProjectConfigDeclaration>;
    /** Stack names that have a `Pulumi.<stack>.yaml` file, sorted. */
    stacks: string[];
}

/** A problem with the project on disk, reported to the user as-is (exit code 2 in the CLI). */
export class ProjectError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProjectError";
    }
}

function readYaml(file: string): Record<string, unknown> {
    let parsed: unknown;
    try {
        parsed = parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ProjectError(`${file}: cannot be read as YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ProjectError(`${file}: must be a YAML mapping`);
    return parsed as Record<string, unknown>;
}

export function loadProject(dir: string): Project {
    const projectDir = path.resolve(dir);
    const file = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(projectDir) || !fs.statSync(projectDir).isDirectory()) {
        throw new ProjectError(`project directory ${dir} does not exist`);
    }
    if (!fs.existsSync(file)) throw new ProjectError(`${dir} is not a Pulumi project: it has no Pulumi.yaml`);
    const doc = readYaml(file);
    const name = doc.name;
    if (typeof name !== "string" || name.length === 0) throw new ProjectError(`${file}: "name" is missing`);
    const config: Record<string, ProjectConfigDeclaration> = {};
    const declared = (doc.config ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(declared)) {
        const qualified = key.includes(":") ? key : `${name}:${key}`;
        config[qualified] = value !== null && typeof value === "object" && !Array.isArray(value)
            ? (value as ProjectConfigDeclaration)
            : { default: value };
    }
    const main = resolveMain(projectDir, typeof doc.main === "string" ? doc.main : undefined);
    const stacks = fs.readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
    return { dir: projectDir, name, main, config, stacks };
}

function resolveMain(dir: string, main: string | undefined): string {
    const base = path.resolve(dir, main ?? ".");
    const candidates = [base, `${base}.ts`, path.join(base, "index.ts"), path.join(base, "index.js")];
    const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (!found) throw new ProjectError(`${path.join(dir, "Pulumi.yaml")}: entry point ${main ?? "index.ts"} not found`);
    return found;
}

/**
 * The config the engine would hand the program for `stack`: declared defaults, then the stack file, then
 * overrides (`--config key=value`). Values are strings, as in PULUMI_CONFIG.
 */
export function stackConfig(project: Project, stack: string, overrides: Record<string, string> = {}): Record<string, string> {
    const file = path.join(project.dir, `Pulumi.${stack}.yaml`);
    if (!project.stacks.includes(stack) || !fs.existsSync(file)) {
        const known = project.stacks.length ? project.stacks.join(", ") : "none";
        throw new ProjectError(`stack "${stack}" has no stack file Pulumi.${stack}.yaml in ${project.dir} (stacks: ${known})`);
    }
    const result: Record<string, string> = {};
    for (const [key, decl] of Object.entries(project.config)) {
        if (decl.default !== undefined) result[key] = stringify(decl.default);
    }
    const stackDoc = readYaml(file);
    const values = (stackDoc.config ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(values)) {
        const qualified = key.includes(":") ? key : `${project.name}:${key}`;
        result[qualified] = stringify(value);
    }
    return { ...result, ...overrides };
}

function stringify(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
