// swc options for the TypeScript of ES module programs: esm-hooks.mjs compiles with them, and program.ts
// compiles again with them to map a failing line back to the TypeScript source (Node does not map the
// stack traces of hooked ES modules).
"use strict";

module.exports = function esmSwcOptions(filename) {
    return {
        filename, swcrc: false, configFile: false, sourceMaps: "inline",
        module: { type: "es6" },
        jsc: { target: "es2022", keepClassNames: true, parser: { syntax: "typescript", tsx: filename.endsWith(".tsx"), decorators: true } },
    };
};
