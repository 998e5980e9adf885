// `node -r ./tools/register.js`: compiles TypeScript on require with swc, for the tools, mocha and the CommonJS
// programs the offline plan runs. Plain JavaScript, so it loads before anything is compiled.
//
// Why not @swc-node/register: on a warm run every file comes from a cache, yet it loads swc's native binding, a
// native hash and the source-map stack on start, about 80 ms of the 600 ms budget `npm start -- --stack primary`
// has beyond loading the AWS SDK. Here the output of each file is cached on disk by a hash of its source, swc
// loads only on a cache miss, and stack traces are mapped back to TypeScript lines by source-map-support, loaded
// the first time a stack is formatted. The options are what tsconfig.json says (ES2022, CommonJS, transpile only).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const Module = require("module");

const HOOKED = Symbol.for("vbr.tools.register");

/** swc options for one file. `import()` becomes `require`, as under ts-node (tools/harness/program.ts imports for real). */
function swcOptions(filename) {
    return {
        filename, swcrc: false, configFile: false, sourceMaps: true,
        module: { type: "commonjs" },
        jsc: {
            target: "es2022", keepClassNames: true,
            parser: { syntax: "typescript", tsx: filename.endsWith(".tsx"), decorators: true, dynamicImport: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
        },
    };
}

function install() {
    if (globalThis[HOOKED]) return globalThis[HOOKED];
    const swcVersion = JSON.parse(fs.readFileSync(require.resolve("@swc/core/package.json"), "utf8")).version;
    const user = typeof process.getuid === "function" ? String(process.getuid()) : "user";
    const cacheDir = process.env.VBR_REGISTER_CACHE || path.join(os.tmpdir(), `vbr-register-${user}`, swcVersion);
    /** Source maps of compiled files, by file name: read only when a stack trace is formatted. */
    const maps = new Map();

    /** This process's compiled files: a program run once per stack reloads the same sources. */
    const compiled = new Map();
    const compile = (source, filename) => {
        const seen = compiled.get(filename);
        if (seen && seen.source === source) return seen.code;
        const options = swcOptions(filename);
        const key = crypto.createHash("sha256").update(JSON.stringify(options)).update("\0").update(source).digest("hex");
        const file = path.join(cacheDir, `${key}.json`);
        let out;
        try {
            out = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch {
            out = require("@swc/core").transformSync(source, options);
            try {
                fs.mkdirSync(cacheDir, { recursive: true });
                const tmp = `${file}.${process.pid}.tmp`;
                fs.writeFileSync(tmp, JSON.stringify({ code: out.code, map: out.map }));
                fs.renameSync(tmp, file);
            } catch {
                // A cache that cannot be written only costs time.
            }
        }
        if (out.map) maps.set(filename, out.map);
        compiled.set(filename, { source, code: out.code });
        return out.code;
    };

    for (const ext of [".ts", ".tsx", ".cts", ".mts"]) {
        Module._extensions[ext] = function (module, filename) {
            module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
        };
    }

    // Stack traces name TypeScript lines: source-map-support formats them, loaded for the first stack formatted.
    let formatter;
    Error.prepareStackTrace = function prepareStackTrace(error, frames) {
        if (!formatter) {
            const mine = Error.prepareStackTrace;
            require("source-map-support").install({
                environment: "node", handleUncaughtExceptions: false,
                retrieveSourceMap: (source) => (maps.has(source) ? { url: source, map: maps.get(source) } : null),
            });
            formatter = Error.prepareStackTrace;
            Error.prepareStackTrace = mine;
        }
        return formatter(error, frames);
    };

    globalThis[HOOKED] = { compile, swcOptions };
    return globalThis[HOOKED];
}

module.exports = install();
