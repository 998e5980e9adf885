// Reads a Pulumi project the way the CLI does: Pulumi.yaml (with its config defaults) and Pulumi.<stack>.yaml.
import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, load } from "js-yaml";

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
    /** The entry is an ES module (`"type": "module"` in its package.json, or .mjs/.mts), loaded with import(). */
    esm: boolean;
    /** Declared config keys, fully qualified (`vbr:role`). */
    config: Record<string, ProjectConfigDeclaration>;
    /** Where the stack files are (`stackConfigDir`, else the project directory). */
    stackDir: string;
    /** Stack names that have a `Pulumi.<stack>.yaml` file, sorted. */
    stacks: string[];
}

/** A stack's config as the engine would pass it, and what the offline plan could not give the program as is. */
export interface StackConfig {
    config: Record<string, string>;
    /** Keys whose value is secret (`secure:` in the stack file): the SDK marks what the program reads from them. */
    secretKeys: string[];
    /** One line each: a stack without a stack file, an encrypted value replaced by a placeholder. */
    notices: string[];
}

/** What an encrypted (`secure:`) value becomes offline, where nothing can decrypt it, unless `--config` gives one. */
export const SECRET_PLACEHOLDER = "offline-plan-placeholder-for-an-encrypted-value";

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
        // YAML 1.2's core schema, as the CLI reads stack files: a date stays the string it is written as.
        parsed = load(fs.readFileSync(file, "utf8"), { schema: CORE_SCHEMA, filename: file });
    } catch (err) {
        throw new ProjectError(`${file}: cannot be read as YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ProjectError(`${file}: must be a YAML mapping`);
    return parsed as Record<string, unknown>;
}

/** What `--project` says when the user leaves it out, in every tool's help. */
export const PROJECT_OPTION_HELP = "the Pulumi project directory (default: the nearest directory holding Pulumi.yaml, from where you ran the command upward)";

/**
 * The project a tool works on: `--project` resolved against the user's directory, or without it the nearest
 * directory from there upward that holds a Pulumi.yaml, as the Pulumi CLI finds its project. When there is none,
 * the user's directory itself (loadProject then says it is not a project).
 */
export function findProjectDir(cwd: string, given?: string): string {
    if (given !== undefined) return path.resolve(cwd, given);
    for (let d = path.resolve(cwd); ; d = path.dirname(d)) {
        if (isFile(path.join(d, "Pulumi.yaml")) || isFile(path.join(d, "Pulumi.yml"))) return d;
        if (path.dirname(d) === d) return path.resolve(cwd);
    }
}

export function loadProject(dir: string): Project {
    const projectDir = path.resolve(dir);
    const file = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(projectDir) || !fs.statSync(projectDir).isDirectory()) {
        throw new ProjectError(`project directory ${dir} does not exist`);
    }
    const yml = fs.existsSync(file) ? file : path.join(projectDir, "Pulumi.yml");
    if (!fs.existsSync(yml)) throw new ProjectError(`${dir} is not a Pulumi project: it has no Pulumi.yaml`);
    const doc = readYaml(yml);
    const name = doc.name;
    if (typeof name !== "string" || name.length === 0) throw new ProjectError(`${yml}: "name" is missing`);
    const runtime = typeof doc.runtime === "string" ? doc.runtime : (doc.runtime as { name?: unknown } | undefined)?.name;
    if (runtime !== "nodejs") {
        throw new ProjectError(`${yml}: runtime ${JSON.stringify(runtime ?? null)} is not supported: the offline plan runs Node.js programs (runtime: nodejs)`);
    }
    const config: Record<string, ProjectConfigDeclaration> = {};
    const declared = (doc.config ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(declared)) {
        const qualified = key.includes(":") ? key : `${name}:${key}`;
        config[qualified] = value !== null && typeof value === "object" && !Array.isArray(value)
            ? (value as ProjectConfigDeclaration)
            : { default: value };
    }
    const main = resolveMain(projectDir, typeof doc.main === "string" ? doc.main : undefined, yml);
    const stackDir = path.resolve(projectDir, typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : ".");
    const stacks = (isDirectory(stackDir) ? fs.readdirSync(stackDir) : [])
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
    return { dir: projectDir, name, main, esm: isEsm(main), config, stackDir, stacks };
}

const isFile = (f: string) => fs.existsSync(f) && fs.statSync(f).isFile();
const isDirectory = (f: string) => fs.existsSync(f) && fs.statSync(f).isDirectory();

/** The nearest package.json's fields, from `dir` up to the filesystem root. */
function packageJson(dir: string): { main?: unknown; type?: unknown } | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
        const f = path.join(d, "package.json");
        if (isFile(f)) {
            try {
                return JSON.parse(fs.readFileSync(f, "utf8"));
            } catch {
                return undefined;
            }
        }
        if (path.dirname(d) === d) return undefined;
    }
}

/** As Node decides: .mjs/.mts are ES modules, .cjs/.cts CommonJS, the rest by the nearest package.json's `type`. */
function isEsm(file: string): boolean {
    if (/\.m[jt]s$/.test(file)) return true;
    if (/\.c[jt]s$/.test(file)) return false;
    return packageJson(path.dirname(file))?.type === "module";
}

/**
 * The entry point as the Node.js language host finds it: Pulumi.yaml `main` (a file, or a directory), else the
 * project directory; a directory's package.json `main`, else its index.ts or index.js.
 */
function resolveMain(dir: string, main: string | undefined, yml: string): string {
    const base = path.resolve(dir, main ?? ".");
    // Without `main` the entry point is inside the project directory: `<dir>.ts` beside it is another file.
    const candidates = main === undefined ? [] : [base, `${base}.ts`, `${base}.js`];
    if (isDirectory(base)) {
        const pkgMain = fs.existsSync(path.join(base, "package.json")) ? packageJson(base)?.main : undefined;
        if (typeof pkgMain === "string") {
            const m = path.resolve(base, pkgMain);
            candidates.push(m, `${m}.ts`, `${m}.js`, path.join(m, "index.ts"), path.join(m, "index.js"));
        }
        for (const index of ["index.ts", "index.js", "index.mts", "index.mjs"]) candidates.push(path.join(base, index));
    }
    const found = candidates.find(isFile);
    if (!found) throw new ProjectError(`${yml}: entry point ${main ?? "index.ts (or package.json main, index.js)"} not found in ${dir}`);
    return found;
}

/**
 * The bare stack name a stack name of this project gives (`stack`, `project/stack`, `org/project/stack`, as the CLI
 * and StackReference accept them), or undefined when it names another project's stack.
 */
export function projectStackName(name: string, projectName: string): string | undefined {
    const parts = name.split("/");
    return parts.length === 1 || parts[parts.length - 2] === projectName ? parts[parts.length - 1] : undefined;
}

/** Why a stack cannot be run without its file: a typo is likelier than a stack with no config at all. */
export function missingStackFile(project: Project, stack: string): ProjectError {
    const known = project.stacks.length ? project.stacks.join(", ") : "none";
    return new ProjectError(`stack "${stack}" has no stack file Pulumi.${stack}.yaml in ${project.stackDir} (stacks: ${known})`);
}

/**
 * The config the engine would hand the program for `stack`: declared defaults, then the stack file (if the stack
 * has one: a stack without a file runs on defaults and overrides, as `pulumi stack init` leaves it), then
 * overrides (`--config key=value`). Values are strings, as in PULUMI_CONFIG.
 */
export function stackConfigDetails(project: Project, stack: string, overrides: Record<string, string> = {}): StackConfig {
    const file = path.join(project.stackDir, `Pulumi.${stack}.yaml`);
    const result: Record<string, string> = {};
    const secretKeys: string[] = [];
    const notices: string[] = [];
    for (const [key, decl] of Object.entries(project.config)) {
        if (decl.default !== undefined) result[key] = stringify(decl.default);
    }
    if (project.stacks.includes(stack) && fs.existsSync(file)) {
        const values = (readYaml(file).config ?? {}) as Record<string, unknown>;
        for (const [key, value] of Object.entries(values)) {
            const qualified = key.includes(":") ? key : `${project.name}:${key}`;
            if (isSecure(value)) {
                secretKeys.push(qualified);
                if (overrides[qualified] === undefined) {
                    notices.push(`${qualified} is encrypted in Pulumi.${stack}.yaml and cannot be decrypted offline: the program got the placeholder ` +
                        `"${SECRET_PLACEHOLDER}"; give a value with --config ${qualified}=<value> to judge a real one`);
                }
                result[qualified] = SECRET_PLACEHOLDER;
            } else {
                result[qualified] = stringify(value);
            }
        }
    } else {
        notices.push(`stack "${stack}" has no stack file (Pulumi.${stack}.yaml): its config is Pulumi.yaml's defaults and --config`);
    }
    return { config: { ...result, ...overrides }, secretKeys, notices };
}

/** The config values alone (see stackConfigDetails). */
export function stackConfig(project: Project, stack: string, overrides: Record<string, string> = {}): Record<string, string> {
    return stackConfigDetails(project, stack, overrides).config;
}

/** `key: { secure: v1:... }`: a value encrypted by the stack's secrets provider. */
const isSecure = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v) &&
    Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string";

function stringify(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
