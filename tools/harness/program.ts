// Loads a Pulumi program's entry point the way the Node.js language host does, afresh for every run.
//
// CommonJS (and TypeScript compiled to it): the program's own files are dropped from require's cache before each
// run, so module-level code (config reads, resources) runs again; node_modules stay loaded, so every run drives the
// same @pulumi/* instance. ES modules (`"type": "module"`, .mjs, .mts) are imported through esm-hooks.mjs, which
// gives each run's files their own URLs (Node never unloads an ES module).
import * as path from "path";
import { register } from "module";
import { pathToFileURL } from "url";
import type { Project } from "./project";
import { ensureTypeScript } from "./sdk";

/** Files of the program loaded by earlier runs; cleared so each run executes the program afresh. */
const programModules = new Set<string>();
let runs = 0;
let hooked = false;

export function isProgramFile(file: string, projectDir: string): boolean {
    return file.startsWith(projectDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);
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
    if (!hooked) {
        register(pathToFileURL(path.join(__dirname, "esm-hooks.mjs")).href);
        hooked = true;
    }
    const url = pathToFileURL(main);
    url.searchParams.set("plan-run", String(++runs));
    return dynamicImport(url.href);
}
