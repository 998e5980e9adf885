// The pack as the Pulumi CLI loads it: policies/index.ts run by the nodejs policy runtime in its own process,
// asked over gRPC what it is; PulumiPolicy.yaml as the CLI reads it; policies/ self-contained for publishing.
//
// This is the nearest honest boundary to `pulumi preview --policy-pack policies` without the CLI: the runtime
// (`@pulumi/pulumi/cmd/run-policy-pack`, what the CLI's nodejs analyzer plugin starts, with cwd = the pack) type-checks
// and loads index.ts, `new PolicyPack` reads package.json from the cwd and prints its gRPC port. What it cannot
// prove: the CLI's own steps (installing a published pack, `pulumi policy enable`, stack tags, remediation).
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as analyzer_grpc_pb from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer_pb from "@pulumi/pulumi/proto/analyzer_pb";
import { load as parse } from "js-yaml";

const packDir = path.join(__dirname, "..", "..", "policies");
const manifest = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as {
    version: string; main?: string; dependencies?: Record<string, string>;
};

/** The policies, in the pack's order, with the level the engine is told (the contract the README lists). */
const EXPECTED_POLICIES: Array<[string, "mandatory" | "advisory"]> = [
    ["s3-bucket-encryption-cmk", "mandatory"],
    ["rds-instance-storage-cmk", "mandatory"],
    ["backup-vault-cmk", "mandatory"],
    ["secretsmanager-secret-cmk", "mandatory"],
    ["ecr-repository-cmk", "mandatory"],
    ["sns-topic-cmk", "mandatory"],
    ["cloudwatch-loggroup-cmk", "mandatory"],
    ["rds-backupreplication-cmk", "mandatory"],
    ["s3-replication-replica-cmk", "mandatory"],
    ["kms-key-rotation-enabled", "mandatory"],
    ["datastore-encryption-cmk", "mandatory"],
    ["rds-instance-backup-retention", "mandatory"],
    ["rds-instance-backups-deferred", "advisory"],
    ["rds-backupreplication-retention", "mandatory"],
    ["backup-plan-retention", "mandatory"],
    ["backup-vaultlock-min-retention", "mandatory"],
    ["backup-vaultlock-compliance-mode", "advisory"],
    ["datastore-backup-retention", "mandatory"],
    ["s3-bucket-versioning-enabled", "mandatory"],
    ["s3-bucket-cross-region-replication", "mandatory"],
    ["backup-plan-cross-region-copy", "mandatory"],
    ["rds-instance-cross-region-backup", "mandatory"],
    ["datastore-cross-region-copy", "mandatory"],
    ["data-residency-copy-links", "mandatory"],
    ["aws-data-resources-protected", "mandatory"],
    ["rds-instance-deletion-protection", "mandatory"],
    ["s3-bucket-no-force-destroy", "mandatory"],
    ["kms-key-deletion-window", "mandatory"],
    ["datastore-deletion-protection", "mandatory"],
    ["s3-bucket-public-access-blocked", "mandatory"],
    ["s3-bucket-tls-only", "mandatory"],
    ["datastore-not-public", "mandatory"],
    ["s3-bucket-access-audited", "mandatory"],
    ["dr-bringup-rto-objective", "mandatory"],
];

const LEVELS: Record<number, string> = {
    [analyzer_pb.EnforcementLevel.ADVISORY]: "advisory", [analyzer_pb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzer_pb.EnforcementLevel.DISABLED]: "disabled", [analyzer_pb.EnforcementLevel.REMEDIATE]: "remediate",
};

/** Starts the pack as the CLI does; resolves with the port it prints on stdout, rejects with its stderr if it exits. */
function startPack(): { child: ChildProcess; port: Promise<number> } {
    // The runtime is resolved from the pack's directory, as the analyzer plugin resolves it.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const port = new Promise<number>((resolve, reject) => {
        child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
        child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before printing a port:\n${err}${out}`)));
    });
    return { child, port };
}

function analyzerInfo(client: analyzer_grpc_pb.AnalyzerClient): Promise<analyzer_pb.AnalyzerInfo> {
    return new Promise((resolve, reject) => client.getAnalyzerInfo(new Empty(), (e, info) => (e ? reject(e) : resolve(info!))));
}

describe("policy pack entry (policies/index.ts under the nodejs policy runtime)", function () {
    // Type-checking the pack at load takes a few seconds; more on a busy machine.
    this.timeout(120000);
    let pack: ReturnType<typeof startPack>;
    let client: analyzer_grpc_pb.AnalyzerClient;
    let info: analyzer_pb.AnalyzerInfo;

    before(async () => {
        pack = startPack();
        const port = await pack.port;
        client = new analyzer_grpc_pb.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        info = await analyzerInfo(client);
    });

    after(async () => {
        client?.close();
        if (pack && pack.child.exitCode === null) {
            const exited = new Promise((resolve) => pack.child.once("exit", resolve));
            pack.child.kill();
            await exited;
        }
    });

    it("serves the pack named vbr-dr with the version from policies/package.json, configurable", () => {
        expect([info.getName(), info.getVersion(), info.getSupportsconfig()]).to.deep.equal(["vbr-dr", manifest.version, true]);
    });

    it("serves exactly the expected policies, in order, with their enforcement levels", () => {
        const served = info.getPoliciesList().map((p) => [p.getName(), LEVELS[p.getEnforcementlevel()]]);
        expect(served).to.deep.equal(EXPECTED_POLICIES);
    });

    it("gives every policy a description (the engine prints it above each violation)", () => {
        for (const p of info.getPoliciesList()) expect(p.getDescription().length, p.getName()).to.be.above(20);
    });
});

describe("PulumiPolicy.yaml (what the CLI reads before starting the pack)", () => {
    // The keys the Pulumi CLI knows in a policy pack project (PolicyPackProject).
    const KNOWN = ["runtime", "version", "main", "description", "author", "website", "license"];
    const doc = parse(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;

    it("declares the nodejs runtime and a description, and no other keys than the CLI knows", () => {
        const runtime = typeof doc.runtime === "string" ? doc.runtime : (doc.runtime as { name?: unknown } | undefined)?.name;
        expect(runtime).to.equal("nodejs");
        expect(doc.description).to.be.a("string").with.length.above(20);
        expect(Object.keys(doc).filter((k) => !KNOWN.includes(k))).to.deep.equal([]);
    });

    it("does not override package.json's version (a PulumiPolicy.yaml version wins over it in the CLI)", () => {
        expect(doc.version === undefined || doc.version === manifest.version, `version ${String(doc.version)} vs ${manifest.version}`).to.equal(true);
    });

    it("leads the runtime to the entry file: package.json main (no `main` override) is index.ts, which constructs the pack", () => {
        const entry = (doc.main as string | undefined) ?? manifest.main;
        expect(entry).to.equal("index.ts");
        expect(fs.readFileSync(path.join(packDir, entry!), "utf8")).to.match(/new PolicyPack\(packName, \{ policies \}\)/);
    });
});

// ---- self-containment: `pulumi policy publish` ships policies/ alone and installs its package.json -------------

/** Every module specifier a TypeScript file loads: static and type imports, re-exports, require() and import(). */
function specifiersOf(source: string): string[] {
    const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
    return [...source.matchAll(re)].map((m) => m[1]);
}

/** The package a bare specifier belongs to (`@scope/name/sub` -> `@scope/name`). */
const packageOf = (spec: string): string => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");

/** What would break if `dir` were published alone: imports leaving it, and packages its package.json does not list. */
function selfContainmentProblems(dir: string): string[] {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    const deps = new Set(Object.keys(pkg.dependencies ?? {}));
    const problems: string[] = [];
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.name === "node_modules" ? [] : e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".ts") ? [path.join(d, e.name)] : []);
    for (const file of walk(dir)) {
        const rel = path.relative(dir, file);
        for (const spec of specifiersOf(fs.readFileSync(file, "utf8"))) {
            if (spec.startsWith(".")) {
                const target = path.relative(dir, path.resolve(path.dirname(file), spec));
                if (target.startsWith("..") || path.isAbsolute(target)) problems.push(`${rel} imports ${spec}, outside the pack`);
            } else if (!builtinModules.includes(spec.replace(/^node:/, "")) && !deps.has(packageOf(spec))) {
                problems.push(`${rel} imports ${spec}, but ${packageOf(spec)} is not in the pack's package.json dependencies`);
            }
        }
    }
    return problems;
}

describe("policies/ is self-contained for `pulumi policy publish`", () => {
    it("imports only its own files, Node builtins and packages its package.json lists", () => {
        expect(selfContainmentProblems(packDir)).to.deep.equal([]);
    });

    it("lists what the nodejs runtime needs to load a TypeScript pack, pinned to the versions tested here", () => {
        // run-policy-pack comes from @pulumi/pulumi; without typescript/ts-node in the install it falls back to its
        // vendored TypeScript 3.8.3, which rejects this tsconfig (target ES2022); tsconfig's types: ["node"] needs
        // @types/node to type-check at load.
        const deps = manifest.dependencies ?? {};
        const tsconfig = JSON.parse(fs.readFileSync(path.join(packDir, "tsconfig.json"), "utf8")) as { compilerOptions: { types?: string[] } };
        const needed = ["@pulumi/policy", "@pulumi/pulumi", "typescript", "ts-node", ...(tsconfig.compilerOptions.types ?? []).map((t) => `@types/${t}`)];
        for (const name of needed) {
            const installed = (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [packDir] }), "utf8")) as { version: string }).version;
            expect(deps[name], name).to.equal(installed.replace(/^v/, ""));
        }
    });

    it("catches an import from the rest of the repository and an unlisted package (the check bites)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-"));
        fs.mkdirSync(path.join(dir, "lib"));
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ dependencies: { "@pulumi/policy": "1.21.0" } }));
        fs.writeFileSync(path.join(dir, "index.ts"), 'import { PolicyPack } from "@pulumi/policy";\nimport * as fs from "fs";\nimport { x } from "./lib/x";\n');
        fs.writeFileSync(path.join(dir, "lib", "x.ts"), 'import type { R } from "../../tools/harness/records";\nimport * as aws from "@pulumi/aws/s3";\nconst y = require("zod");\nexport const x = 1;\n');
        expect(selfContainmentProblems(dir)).to.deep.equal([
            "lib/x.ts imports ../../tools/harness/records, outside the pack",
            "lib/x.ts imports @pulumi/aws/s3, but @pulumi/aws is not in the pack's package.json dependencies",
            "lib/x.ts imports zod, but zod is not in the pack's package.json dependencies",
        ]);
    });
});
