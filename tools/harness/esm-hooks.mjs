// Module hooks for ES module programs (`"type": "module"`), registered by the recorder with module.register().
//
// Node caches an ES module by URL for the life of the process and has no way to unload one, while the offline
// plan runs the same program once per stack and pass. So every file of the program (not node_modules) is loaded
// under a URL that carries the run (`?plan-run=<n>`, inherited from the module that imports it): each run
// evaluates the program afresh, and every run shares the one @pulumi/* instance the recorder drives.
// TypeScript (.ts, .mts) is compiled with swc, as ts-node's ESM loader does for the CLI; `./x.js` finds `./x.ts`.
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const esmSwcOptions = createRequire(import.meta.url)("./esm-swc.cjs");

const RUN = "plan-run";
/** A file of this repository: a package the program's project does not have resolves from here (program.ts). */
let hostURL;
export function initialize(data) { hostURL = data?.hostURL; }
const isBare = (s) => !/^(\.{1,2}(\/|$)|\/|[a-z]+:)/.test(s);
const packageOf = (s) => (s.startsWith("@") ? s.split("/").slice(0, 2) : s.split("/").slice(0, 1)).join("/");
const isProgramFile = (url) => url.startsWith("file:") && !url.includes("/node_modules/");
const runOf = (url) => (url ? new URL(url).searchParams.get(RUN) : null);

// Only the program's own imports are touched (they carry the run): the host's modules (mocha's specs, the tools)
// resolve and load as if these hooks were not there.
export async function resolve(specifier, context, next) {
    const run = runOf(context.parentURL);
    if (run === null) return next(specifier, context);
    let resolved;
    try {
        resolved = await next(specifier, context);
    } catch (err) {
        if (err?.code === "ERR_MODULE_NOT_FOUND" && isBare(specifier) && hostURL) {
            try {
                return withRun(await next(specifier, { ...context, parentURL: hostURL }), run);
            } catch {
                const e = new Error(`the program imports "${packageOf(specifier)}", which is installed neither in the project nor beside the offline plan: ` +
                    `run \`npm install\` in the project directory (or \`npm install ${packageOf(specifier)}\` there)`);
                e.code = "ERR_MODULE_NOT_FOUND";
                throw e;
            }
        }
        // TypeScript's ES module convention: import "./util.js" names ./util.ts.
        const ts = /^\.{1,2}\//.test(specifier) && /\.[cm]?js$/.test(specifier) ? specifier.replace(/js$/, "ts") : undefined;
        if (!ts || !context.parentURL || !existsSync(fileURLToPath(new URL(ts, context.parentURL)))) throw err;
        resolved = await next(ts, context);
    }
    return withRun(resolved, run);
}

function withRun(resolved, run) {
    if (!isProgramFile(resolved.url) || runOf(resolved.url) !== null) return resolved;
    const url = new URL(resolved.url);
    url.searchParams.set(RUN, run);
    return { ...resolved, url: url.href };
}

let swc;
export async function load(url, context, next) {
    const path = url.startsWith("file:") && runOf(url) !== null ? fileURLToPath(url) : "";
    if (!/\.(m?ts|tsx)$/.test(path)) return next(url, context);
    swc ??= (await import("@swc/core")).default;
    const { code } = await swc.transform(await readFile(path, "utf8"), esmSwcOptions(path));
    return { format: "module", source: code, shortCircuit: true };
}
