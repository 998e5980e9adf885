// `npm run verify`: the monthly integrity verification on demand, against the real account (tools/verify/replica.ts, the
// code the scheduled Lambda runs): every object version of each replicated bucket against its replica in the DR region,
// and optionally the CloudTrail digest chain since a given time. Prints the result; exit 0 when every copy matches,
// 1 on a mismatch, a missing replica, an unfinished comparison, a broken chain or an unwritable record, 2 on a usage error.
import * as fs from "fs";
import * as path from "path";
import { S3Client } from "@aws-sdk/client-s3";
import { Command, InvalidArgumentError } from "commander";
import { replicaPairs } from "../components/integrity-check";
import { Naming, REPLICATED_BUCKETS, TRAIL_BUCKET } from "../policies/model/naming";
import { RTC_MINUTES } from "../policies/model/plan";
import { ConfigError, parseStackConfig, StackConfig } from "../stacks/config";
import { auditLock } from "../stacks/platform-args";
import { findProjectDir, loadProject, missingStackFile, ProjectError, PROJECT_OPTION_HELP, stackConfig } from "./harness/project";
import { CliIO, EXIT_USAGE, parseArgs, processIO, runMain } from "./lib/cli";
import { recordEvent } from "./verify/record";
import { problemCount, verifyPair } from "./verify/replica";
import { buildReport, pairLine, verificationMarkdown } from "./verify/report";
import { PublicKey, validateTrailChain } from "./verify/trail";

export interface VerifyDeps {
    now?: () => number;
    /** S3 clients by region (tests pass the emulator's). @default per --endpoint, else AWS */
    client?: (region: string) => S3Client;
}

const nonNegativeInt = (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError("must be a whole number of minutes >= 0");
    return Number(v);
};
/** An ISO instant, or a duration back from now: `36h`, `7d`. */
const since = (v: string): string => {
    if (/^\d+[hd]$/.test(v) || !Number.isNaN(Date.parse(v))) return v;
    throw new InvalidArgumentError("must be a UTC instant such as 2026-11-29T00:00:00Z or a duration back from now such as 36h or 7d");
};
const sinceEpoch = (v: string, now: number) => {
    const m = /^(\d+)([hd])$/.exec(v);
    return m ? now - Number(m[1]) * (m[2] === "h" ? 3_600_000 : 86_400_000) : Date.parse(v);
};

/** Public keys saved from ListPublicKeys as JSON: [{ "Fingerprint": "...", "Value": "<base64>" }]. */
function readPublicKeys(file: string): PublicKey[] {
    const list = JSON.parse(fs.readFileSync(file, "utf8")) as Array<{ Fingerprint: string; Value: string }>;
    return list.map((k) => ({ fingerprint: k.Fingerprint, value: Buffer.from(k.Value, "base64") }));
}

export async function main(argv: string[], io: CliIO = processIO(), deps: VerifyDeps = {}): Promise<number> {
    const program = new Command("verify")
        .description("Compare every object version of the replicated buckets with its replica in the DR region (size and checksum); optionally validate the CloudTrail digest chain.")
        .option("--project <dir>", PROJECT_OPTION_HELP)
        .option("--stack <name>", "a stack of the pair (its stack file names the environment and regions)", "primary")
        .option("--bucket <name>", `only this bucket (repeatable): ${REPLICATED_BUCKETS.join(", ")}`, (v: string, all: string[]) => [...all, v], [] as string[])
        .option("--grace <minutes>", "versions younger than this without a replica are pending, not missing (RTC)", nonNegativeInt, RTC_MINUTES)
        .option("--trail-since <when>", "also validate the trail's digest chain from this UTC instant, or this long ago (36h, 7d), to now", since)
        .option("--public-keys <file>", "CloudTrail public keys saved from ListPublicKeys (JSON), instead of asking CloudTrail")
        .option("--out <dir>", "also write the report as verification-<id>.{json,md} here")
        .option("--record", "write the report to the audit bucket under Object Lock, as the monthly run does", false)
        .option("--endpoint <url>", "an S3-compatible endpoint instead of AWS (moto's server in the tests)")
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const o = program.opts<{ project?: string; stack: string; bucket: string[]; grace: number; trailSince?: string; publicKeys?: string; out?: string; record: boolean; endpoint?: string }>();
    const unknown = o.bucket.filter((b) => !(REPLICATED_BUCKETS as readonly string[]).includes(b));
    if (unknown.length > 0) {
        io.stderr(`error: --bucket ${unknown.join(", ")}: not a replicated bucket; allowed: ${REPLICATED_BUCKETS.join(", ")}\n`);
        return EXIT_USAGE;
    }
    let cfg: StackConfig;
    try {
        const project = loadProject(findProjectDir(io.cwd, o.project));
        // The stack file names the environment and the regions: a stack without one is a typo or the wrong project.
        if (!project.stacks.includes(o.stack)) throw missingStackFile(project, o.stack);
        cfg = parseStackConfig(o.stack, stackConfig(project, o.stack));
    } catch (err) {
        if (err instanceof ProjectError || err instanceof ConfigError) { io.stderr(`error: ${err.message}\n`); return EXIT_USAGE; }
        throw err;
    }
    let publicKeys: PublicKey[] | undefined;
    if (o.publicKeys) {
        try {
            publicKeys = readPublicKeys(path.resolve(io.cwd, o.publicKeys));
        } catch (err) {
            io.stderr(`error: --public-keys ${o.publicKeys}: ${(err as Error).message}\n`);
            return EXIT_USAGE;
        }
    }
    const now = deps.now ?? Date.now;
    // The primary's buckets are the sources, whichever stack of the pair was named.
    const [source, replica] = cfg.role === "primary" ? [cfg.region, cfg.peerRegion] : [cfg.peerRegion, cfg.region];
    const naming = new Naming(cfg.environment);
    const clients = new Map<string, S3Client>();
    const client = deps.client ?? ((region: string) => {
        let c = clients.get(region);
        if (!c) clients.set(region, (c = new S3Client(o.endpoint ? { region, endpoint: o.endpoint, forcePathStyle: true } : { region })));
        return c;
    });
    const startedAt = now();
    const pairs = replicaPairs(naming, source, replica).filter((p) => o.bucket.length === 0 || o.bucket.includes(p.name));
    const results = [];
    for (const pair of pairs) {
        const r = await verifyPair(pair, { client, now, graceMinutes: o.grace });
        io.stdout(`${pairLine(r)}\n`);
        for (const p of r.problems.slice(0, 20)) io.stdout(`  ${p.kind} ${p.key} (version ${p.versionId}): ${p.detail}\n`);
        if (problemCount(r.counts) > 20) io.stdout(`  ... ${problemCount(r.counts) - 20} more in the report\n`);
        results.push(r);
    }
    let trail;
    if (o.trailSince) {
        const chain = await validateTrailChain({
            bucket: naming.bucketName(TRAIL_BUCKET, source), trailName: naming.trailName(source), homeRegion: source,
            start: sinceEpoch(o.trailSince, startedAt), end: now(), s3: client(source), publicKeys: publicKeys && (async () => publicKeys!),
        });
        trail = { ok: chain.ok, detail: chain.detail };
        io.stdout(`${chain.ok ? "OK" : "FAIL"} ${chain.detail}\n`);
        for (const r of chain.regions) for (const p of r.problems.slice(0, 10)) io.stdout(`  ${r.region}: ${p}\n`);
    }
    const report = buildReport({ startedAt, finishedAt: now(), graceMinutes: o.grace, pairs: results, trail });
    io.stdout(`${report.ok ? "PASS" : "FAIL"}: ${report.totals.versions} versions compared, ${problemCount(report.totals)} problems; ` +
        `${report.requests.list} LIST and ${report.requests.attributes} GetObjectAttributes requests ($${report.requestCostUsd.toFixed(6)} at us-east-1 prices)\n`);
    let recorded = true;
    if (o.out || o.record) {
        const r = await recordEvent({ kind: "verification", id: `verification-${report.id}`, at: startedAt, json: report, markdown: verificationMarkdown(report) }, {
            targets: o.record ? [{ bucket: naming.bucketName("audit", source), region: source }, { bucket: naming.bucketName("audit", replica), region: replica }] : [],
            lock: auditLock(cfg), localDir: o.out && path.resolve(io.cwd, o.out), client, now,
        });
        io.stdout(`Report: ${r.detail}\n`);
        recorded = r.ok;
    }
    for (const c of clients.values()) c.destroy();
    return report.ok && recorded ? 0 : 1;
}

if (require.main === module) runMain((argv) => main(argv));
