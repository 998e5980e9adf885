// The verification report: totals over the bucket pairs, the verdict, what the run cost in S3 requests, and its two
// renderings (JSON is the report itself; Markdown for people). Runs in the verification Lambda too: AWS SDK-free.
import { Counts, emptyCounts, PairResult, problemCount, Requests } from "./replica";

/**
 * S3 Standard request prices in us-east-1 (USD per 1,000 requests; us-west-2 is the same): LIST is billed with
 * PUT/COPY/POST, GetObjectAttributes with GET and "all other requests". The verification downloads no object data.
 */
export const S3_PRICES_PER_1000 = { list: 0.005, attributes: 0.0004 } as const;

export interface TrailSummary { ok: boolean; detail: string }

export interface VerificationReport {
    kind: "verification";
    /** The UTC start in CloudTrail's basic format, `20261202T060000Z`: names the record. */
    id: string;
    startedAt: string;
    finishedAt: string;
    /** How the copies were compared, for the reader. */
    method: string;
    graceMinutes: number;
    pairs: PairResult[];
    totals: Counts;
    requests: Requests;
    /** The S3 request cost of this run at S3_PRICES_PER_1000. */
    requestCostUsd: number;
    /** The CloudTrail digest chain, when the run validated it too (npm run verify -- --trail-since). */
    trail?: TrailSummary;
    /** No mismatch, nothing missing, every pair compared to the end, and a valid trail chain when checked. */
    ok: boolean;
}

export const METHOD = "ListObjectVersions on both buckets, joined by key and version id (replication keeps version ids); " +
    "GetObjectAttributes (ObjectSize, Checksum) on both copies of every version, compared; versions younger than the grace " +
    "period without a replica are pending; delete markers must be on both sides";

/** A run's id from its start: the UTC instant in ISO 8601 basic format, `20261202T060000Z`. */
export const runId = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;

export function requestCost(r: Requests): number {
    return Math.round((r.list * S3_PRICES_PER_1000.list + r.attributes * S3_PRICES_PER_1000.attributes) / 1000 * 1e6) / 1e6;
}

export function buildReport(a: { startedAt: number; finishedAt: number; graceMinutes: number; pairs: PairResult[]; trail?: TrailSummary }): VerificationReport {
    const totals = emptyCounts();
    const requests: Requests = { list: 0, attributes: 0 };
    for (const p of a.pairs) {
        for (const k of Object.keys(totals) as Array<keyof Counts>) totals[k] += p.counts[k];
        requests.list += p.requests.list;
        requests.attributes += p.requests.attributes;
    }
    const ok = problemCount(totals) === 0 && a.pairs.every((p) => p.complete) && (a.trail?.ok ?? true);
    return {
        kind: "verification", id: runId(a.startedAt), startedAt: new Date(a.startedAt).toISOString(), finishedAt: new Date(a.finishedAt).toISOString(),
        method: METHOD, graceMinutes: a.graceMinutes, pairs: a.pairs, totals, requests, requestCostUsd: requestCost(requests),
        ...(a.trail ? { trail: a.trail } : {}), ok,
    };
}

/** One line per bucket: what a terminal and the Markdown both show. */
export function pairLine(p: PairResult): string {
    const c = p.counts;
    const verdict = problemCount(c) > 0 ? "FAIL" : p.complete ? "OK" : "INCOMPLETE";
    return `${verdict} ${p.name}: s3://${p.source.bucket} (${p.source.region}) -> s3://${p.replica.bucket} (${p.replica.region}): ` +
        `${c.versions} versions, ${c.deleteMarkers} delete markers; ${c.matched} matched, ${c.mismatched} mismatched, ${c.missing} missing, ` +
        `${c.pending} pending, ${c.noChecksum} without checksum (size only), ${c.extra} only in the replica`;
}

export function verificationMarkdown(r: VerificationReport): string {
    const t = r.totals;
    const lines = [
        `# Replica integrity verification ${r.id}: ${r.ok ? "PASS" : "FAIL"}`, "",
        `Started ${r.startedAt}, finished ${r.finishedAt}.`, "",
        `Method: ${r.method} (grace ${r.graceMinutes} min).`, "",
        "| Bucket | Source | Replica | Versions | Delete markers | Matched | Mismatched | Missing | Pending | Size only | Only in replica | Complete |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ...r.pairs.map((p) => {
            const c = p.counts;
            return `| ${p.name} | ${p.source.bucket} (${p.source.region}) | ${p.replica.bucket} (${p.replica.region}) | ${c.versions} | ${c.deleteMarkers} | ${c.matched} | ${c.mismatched} | ${c.missing} | ${c.pending} | ${c.noChecksum} | ${c.extra} | ${p.complete ? "yes" : `no (stopped after ${p.resumeAfter})`} |`;
        }),
        `| **total** | | | ${t.versions} | ${t.deleteMarkers} | ${t.matched} | ${t.mismatched} | ${t.missing} | ${t.pending} | ${t.noChecksum} | ${t.extra} | |`, "",
        `S3 requests: ${r.requests.list} LIST, ${r.requests.attributes} GetObjectAttributes: $${r.requestCostUsd.toFixed(6)} at us-east-1 prices.`,
    ];
    if (r.trail) lines.push("", `CloudTrail digest chain: ${r.trail.ok ? "valid" : "BROKEN"}: ${r.trail.detail}`);
    const problems = r.pairs.flatMap((p) => p.problems.map((x) => ({ ...x, bucket: p.name })));
    if (problems.length > 0) {
        lines.push("", "## Problems", "", "| Bucket | Key | Version | Kind | Detail |", "|---|---|---|---|---|",
            ...problems.map((x) => `| ${x.bucket} | \`${x.key.replace(/\|/g, "\\|")}\` | ${x.versionId} | ${x.kind} | ${x.detail} |`));
        const listed = problems.length, all = problemCount(t);
        if (all > listed) lines.push("", `Listed: the first ${listed} of ${all}; the counts above are exact.`);
    }
    if (t.noChecksum > 0) {
        lines.push("", `${t.noChecksum} versions have no additional checksum (stored before S3 added one to every upload) and were compared by size only: ` +
            "copy them in place with a checksum (aws s3api copy-object --checksum-algorithm SHA256 ...) so the next run compares their content.");
    }
    return lines.join("\n") + "\n";
}
