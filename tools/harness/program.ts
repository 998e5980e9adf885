// Loads a Pulumi program's entry point the way the Node.js language host does, afresh for every run.
//
// CommonJS (and TypeScript compiled to it): the program's own files are dropped from require's cache before each
// run, so module-level code (config reads, resources) runs again; node_modules stay loaded, so every run drives the
// same @pulumi/* instance. ES modules (`"type": "module"`, .mjs, .mts) are imported through esm-hooks.mjs, which
// gives each run's files their own URLs (Node never unloads an ES module).
import * as fs from "fs";
import * as path from "path";
import Module, { isBuiltin, register } from "module";
import { fileURLToPath, pathToFileURL } from "url";
import type { Project } from "./project";
import { ensureTypeScript } from "./sdk";

/** Files of the program loaded by earlier runs; cleared so each run executes the program afresh. */
const programModules = new Set<string>();
let runs = 0;
let hooked = false;

export function isProgramFile(file: string, projectDir: string): boolean {
    return file.startsWith(projectDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);
}

/** The directory whose node_modules the offline plan itself loads from (this repository's root). */
const HOST_DIR = path.join(__dirname, "..", "..");

/** The package a bare specifier names (`@pulumi/aws/s3` -> `@pulumi/aws`), or undefined for a path or a builtin. */
export function packageOf(specifier: string): string | undefined {
    if (/^(\.{1,2}(\/|$)|\/|file:|node:|data:)/.test(specifier) || path.isAbsolute(specifier) || isBuiltin(specifier)) return undefined;
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The error for a package neither the project nor the offline plan has: which one, and how to get it. */
export function missingPackageMessage(pkg: string): string {
    return `the program imports "${pkg}", which is installed neither in the project nor beside the offline plan: ` +
        `run \`npm install\` in the project directory (or \`npm install ${pkg}\` there)`;
}

/**
 * Prepares the module loader for a run of the program, before the recorder moves into the project directory;
 * returns the undo. Two things a program outside this repository needs:
 *
 * - A program without its own node_modules (a checked-out example, never `npm install`ed) gets the packages the
 *   offline plan has: a bare import the project cannot resolve is resolved from this repository's node_modules,
 *   so `@pulumi/aws` is the very instance the recorder drives. A package neither has fails with its name and the
 *   command that installs it.
 * - ES module programs: the hooks are registered here, not at the first import. module.register() starts the
 *   loader thread, which inherits the process's `-r` preloads; `-r ./tools/register.js` is relative to the
 *   working directory, and after the recorder's chdir it named a file in the program's directory.
 */
export function prepareLoader(project: Project): () => void {
    if (project.esm && !hooked) {
        register(pathToFileURL(path.join(__dirname, "esm-hooks.mjs")).href, { data: { hostURL: pathToFileURL(path.join(HOST_DIR, "package.json")).href } });
        hooked = true;
    }
    type Resolve = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean, options?: object) => string;
    const loader = Module as unknown as { _resolveFilename: Resolve };
    const original = loader._resolveFilename;
    loader._resolveFilename = function (this: unknown, request, parent, isMain, options) {
        try {
            return original.call(this, request, parent, isMain, options);
        } catch (err) {
            const pkg = packageOf(request);
            if ((err as { code?: string })?.code !== "MODULE_NOT_FOUND" || pkg === undefined || !parent?.filename || !isProgramFile(parent.filename, project.dir)) throw err;
            try {
                return original.call(this, request, parent, isMain, { paths: [HOST_DIR] });
            } catch {
                throw Object.assign(new Error(missingPackageMessage(pkg)), { code: "MODULE_NOT_FOUND" });
            }
        }
    };
    return () => { loader._resolveFilename = original; };
}

/** The package.json of `pkg` as Node would find it from `dir` (each node_modules up the tree), if any. */
function installedManifest(pkg: string, dir: string): { version?: string } | undefined {
    const lookup = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(dir);
    for (const nodeModules of lookup) {
        const file = path.join(nodeModules, pkg, "package.json");
        if (fs.existsSync(file)) {
            try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch { return {}; }
        }
    }
    return undefined;
}

/**
 * The dependencies the project's package.json declares that the project has not installed but the offline plan
 * has (so a program importing them ran with the plan's copy, maybe another version), as one line for the
 * run's limitations, or undefined when there are none.
 */
export function lentPackagesNotice(project: Project): string | undefined {
    let declared: Record<string, string>;
    try {
        const manifest = JSON.parse(fs.readFileSync(path.join(project.dir, "package.json"), "utf8"));
        declared = { ...manifest.devDependencies, ...manifest.dependencies };
    } catch {
        return undefined;
    }
    const lent: string[] = [];
    for (const [pkg, range] of Object.entries(declared).sort(([a], [b]) => a.localeCompare(b))) {
        if (installedManifest(pkg, project.dir)) continue;
        const host = installedManifest(pkg, HOST_DIR);
        if (host) lent.push(`${pkg} ${host.version ?? "?"} (package.json: ${range})`);
    }
    if (lent.length === 0) return undefined;
    return `the project has not installed ${lent.length === 1 ? "a dependency" : "dependencies"} the offline plan has, so the program ran with the plan's: ` +
        `${lent.join(", ")}; \`npm install\` in the project directory runs it with its own`;
}

/** `import()` as Node runs it: the transpiler turns a literal `import()` in this file into `require`. */
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;

/**
 * Runs the entry point and returns the stack's outputs. The language host's rule: a module that exports a function
 * (`export =`, or a default export) is that function, and what it returns are the outputs; otherwise the module's
 * exports are.
 */
export async function runProgram(project: Project): Promise<unknown> {
    const mod = project.esm ? await importFresh(project.main) : requireFresh(project);
    const program = typeof mod === "function" ? mod : typeof mod?.default === "function" ? mod.default : undefined;
    if (program) return await (program as () => unknown)();
    // An ES module namespace (exotic, null prototype) as the plain object of its exports.
    return project.esm ? { ...mod } : mod;
}

function requireFresh(project: Project): Record<string, unknown> | undefined {
    ensureTypeScript();
    for (const file of programModules) delete require.cache[file];
    delete require.cache[project.main];
    const before = new Set(Object.keys(require.cache));
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(project.main);
    } finally {
        for (const file of Object.keys(require.cache)) {
            if (!before.has(file) && isProgramFile(file, project.dir)) programModules.add(file);
        }
    }
}

function importFresh(main: string): Promise<Record<string, unknown>> {
    if (!hooked) throw new Error("internal: prepareLoader() was not called before running an ES module program");
    const url = pathToFileURL(main);
    url.searchParams.set("plan-run", String(++runs));
    return dynamicImport(url.href);
}

/**
 * A stack frame's file and line as the program's source has them. CommonJS frames are already mapped (register.js);
 * an ES module's frame names its run's URL (`file:///.../index.ts?plan-run=2`) and the compiled line, mapped here
 * by compiling the file again as esm-hooks.mjs did.
 */
export function sourcePosition(file: string, line: number, column: number): { file: string; line: number; column: number } {
    if (!file.startsWith("file:")) return { file, line, column };
    const url = new URL(file);
    const local = fileURLToPath(url);
    if (!url.searchParams.has("plan-run") || !/\.(m?ts|tsx)$/.test(local)) return { file: local, line, column };
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const options = { ...require("./esm-swc.cjs")(local), sourceMaps: true };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const out = require("@swc/core").transformSync(fs.readFileSync(local, "utf8"), options);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { SourceMapConsumer } = require("source-map");
        const pos = new SourceMapConsumer(JSON.parse(out.map)).originalPositionFor({ line, column: column - 1 });
        if (pos.line == null) return { file: local, line, column };
        return { file: local, line: pos.line, column: pos.column + 1 };
    } catch {
        return { file: local, line, column };
    }
}
