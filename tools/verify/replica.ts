// Replica integrity: every object version in a source bucket has a replica in the DR bucket with the same checksum.
//
// S3 replication keeps a version's id, size and additional checksum on its replica, so the two buckets are compared by
// (key, version id): both sides are listed with ListObjectVersions (1,000 versions a request, in key order, merged like
// a sorted join), and each version present on both sides is compared with GetObjectAttributes (size and the stored
// checksum; S3 validated that checksum against the bytes when it stored each copy). A source version younger than the
// grace period (Replication Time Control's 15 minutes) without a replica yet is pending, not missing. A version or
// delete marker only in the replica is counted as extra (a version deleted on the source by id does not replicate)
// and is not a failure.
//
// This file runs in the verification Lambda too (components/integrity-check.ts packages it): it imports only the
// AWS SDK and its sibling modules.
import { GetObjectAttributesCommand, GetObjectAttributesCommandOutput, ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";

/** A source bucket and its replica in the DR region; `name` is the data bucket's name (`documents`). */
export interface BucketPair {
    name: string;
    source: { bucket: string; region: string };
    replica: { bucket: string; region: string };
}

export type ProblemKind = "missing" | "mismatch" | "missing-delete-marker";
export interface Problem { key: string; versionId: string; kind: ProblemKind; detail: string }

export interface Counts {
    /** Object versions in the source (delete markers not included). */
    versions: number;
    deleteMarkers: number;
    /** Versions whose replica has the same size and checksum, and delete markers present on both sides. */
    matched: number;
    mismatched: number;
    /** Versions and delete markers older than the grace period with no replica. */
    missing: number;
    /** Younger than the grace period and not replicated yet. */
    pending: number;
    /** Matched by size only: the source version has no additional checksum (stored before S3 added one to every upload). */
    noChecksum: number;
    /** Versions and delete markers only in the replica. */
    extra: number;
}

export interface PairResult extends BucketPair {
    /**
     * False when the deadline stopped the comparison: a continued run lists the source after `resumeAfter` (the last
     * key checked) and the replica after `replicaResumeAfter` (the last replica key read, when there was one).
     */
    complete: boolean;
    resumeAfter?: string;
    replicaResumeAfter?: string;
    counts: Counts;
    /** S3 requests made, both buckets together: what the comparison costs. */
    requests: Requests;
    /** The first MAX_PROBLEMS_LISTED problems; `counts` has them all. */
    problems: Problem[];
}

/** Problems listed per bucket; the counts are exact. Keeps a continued run's state under Lambda's 256 KB event limit. */
export const MAX_PROBLEMS_LISTED = 100;
/** S3 Replication Time Control replicates 99.99 % of objects within 15 minutes. */
export const DEFAULT_GRACE_MINUTES = 15;

export interface VerifyOptions {
    /** One client per region. @default a client of the default credential chain per region */
    client?: (region: string) => S3Client;
    /** Epoch ms now. @default Date.now */
    now?: () => number;
    /** @default DEFAULT_GRACE_MINUTES */
    graceMinutes?: number;
    /** Stop (complete: false) after the key being checked when this epoch ms has passed. @default - no deadline */
    deadline?: number;
    /** The unfinished result of an earlier run of the same pair: its counts are carried on, from its `resumeAfter`. */
    resume?: PairResult;
    /** GetObjectAttributes calls in flight. @default 16 */
    concurrency?: number;
    /** ListObjectVersions page size. @default 1000 */
    pageSize?: number;
}

export interface Requests { list: number; attributes: number }

export const emptyCounts = (): Counts => ({ versions: 0, deleteMarkers: 0, matched: 0, mismatched: 0, missing: 0, pending: 0, noChecksum: 0, extra: 0 });

/** Mismatched and missing: what fails a verification. */
export const problemCount = (c: Counts): number => c.mismatched + c.missing;

interface Entry { versionId: string; deleteMarker: boolean; size?: number; lastModified?: Date }
interface KeyVersions { key: string; entries: Entry[] }

/** S3 lists keys in UTF-8 byte order, which differs from JavaScript's UTF-16 order above U+FFFF. */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/**
 * Every key of a bucket after `skipThrough`, with all its versions and delete markers, in S3's key order. The listing
 * starts at `marker`, a key of this bucket at or before `skipThrough` (S3 lists the keys after it); what it returns up
 * to `skipThrough` is skipped.
 */
async function* keyVersions(s3: S3Client, bucket: string, marker: string | undefined, skipThrough: string | undefined, pageSize: number,
    requests: Requests): AsyncGenerator<KeyVersions> {
    let keyMarker = marker;
    let versionIdMarker: string | undefined;
    let current: KeyVersions | undefined;
    for (;;) {
        requests.list++;
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker, MaxKeys: pageSize }));
        const entries = [
            ...(page.Versions ?? []).map((v) => ({ key: v.Key!, entry: { versionId: v.VersionId ?? "null", deleteMarker: false, size: v.Size, lastModified: v.LastModified } })),
            ...(page.DeleteMarkers ?? []).map((d) => ({ key: d.Key!, entry: { versionId: d.VersionId ?? "null", deleteMarker: true, lastModified: d.LastModified } })),
        ].sort((a, b) => compareKeys(a.key, b.key));
        for (const { key, entry } of entries) {
            if (skipThrough !== undefined && compareKeys(key, skipThrough) <= 0) continue;
            if (current && current.key !== key) { yield current; current = undefined; }
            (current ??= { key, entries: [] }).entries.push(entry);
        }
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
    }
    if (current) yield current;
}

const ALGORITHMS = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"] as const;
type Attributes = Pick<GetObjectAttributesCommandOutput, "Checksum" | "ObjectSize">;

/** The stored checksums of a version: `SHA256:<base64>` etc., with the checksum's type (full object or composite). */
function checksums(a: Attributes): Map<string, string> {
    const out = new Map<string, string>();
    for (const alg of ALGORITHMS) {
        const value = a.Checksum?.[`Checksum${alg}`];
        if (value) out.set(alg, `${value}${a.Checksum?.ChecksumType ? ` (${a.Checksum.ChecksumType})` : ""}`);
    }
    return out;
}

/** Compares a version's attributes with its replica's: undefined when they match, else why not. */
export function compareAttributes(source: Attributes, replica: Attributes): { problem?: string; checksum: boolean } {
    if (source.ObjectSize !== replica.ObjectSize) return { problem: `size ${source.ObjectSize} in the source, ${replica.ObjectSize} in the replica`, checksum: false };
    const want = checksums(source);
    if (want.size === 0) return { checksum: false };
    const have = checksums(replica);
    for (const [alg, value] of want) {
        if (!have.has(alg)) return { problem: `the replica has no ${alg} checksum (source ${alg} ${value})`, checksum: true };
        if (have.get(alg) !== value) return { problem: `${alg} ${value} in the source, ${have.get(alg)} in the replica`, checksum: true };
    }
    return { checksum: true };
}

const isNotFound = (err: unknown): boolean => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e?.name === "NoSuchKey" || e?.name === "NoSuchVersion" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
};

/** Runs tasks with at most `size` in flight; the first error is rethrown by drain(). */
class Pool {
    private readonly active = new Set<Promise<void>>();
    private error: unknown;
    constructor(private readonly size: number) {}
    async add(task: () => Promise<void>): Promise<void> {
        while (this.active.size >= this.size) await Promise.race(this.active);
        const p: Promise<void> = task().catch((err) => { this.error ??= err; }).finally(() => this.active.delete(p));
        this.active.add(p);
    }
    async drain(): Promise<void> {
        await Promise.all(this.active);
        if (this.error !== undefined) throw this.error;
    }
}

const defaultClients = new Map<string, S3Client>();
const defaultClient = (region: string): S3Client => {
    let c = defaultClients.get(region);
    if (!c) defaultClients.set(region, (c = new S3Client({ region })));
    return c;
};

/** Compares every version of `pair.source` with its replica. Never throws for a data problem; AWS errors propagate. */
export async function verifyPair(pair: BucketPair, opts: VerifyOptions = {}): Promise<PairResult> {
    const client = opts.client ?? defaultClient;
    const now = opts.now ?? Date.now;
    const pendingSince = now() - (opts.graceMinutes ?? DEFAULT_GRACE_MINUTES) * 60_000;
    const pageSize = opts.pageSize ?? 1000;
    const source = client(pair.source.region);
    const replica = client(pair.replica.region);
    const result: PairResult = {
        name: pair.name, source: pair.source, replica: pair.replica, complete: true,
        counts: opts.resume ? { ...opts.resume.counts } : emptyCounts(), problems: opts.resume ? [...opts.resume.problems] : [],
        requests: opts.resume ? { ...opts.resume.requests } : { list: 0, attributes: 0 },
    };
    const c = result.counts;
    const problem = (p: Problem) => {
        if (p.kind === "mismatch") c.mismatched++; else c.missing++;
        if (result.problems.length < MAX_PROBLEMS_LISTED) result.problems.push(p);
    };
    const attributes = (s3: S3Client, bucket: string, key: string, versionId: string) => {
        result.requests.attributes++;
        return s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: key, VersionId: versionId, ObjectAttributes: ["Checksum", "ObjectSize"] }));
    };
    const pool = new Pool(opts.concurrency ?? 16);
    const after = opts.resume?.resumeAfter;
    // Each side resumes after a key it has (where a listing starts after an absent key is where emulators differ), and
    // skips what it lists up to `after`. `consumed` is the last replica key read past: the replica's resume point.
    let consumed = opts.resume?.replicaResumeAfter;
    const replicaKeys = keyVersions(replica, pair.replica.bucket, consumed, after, pageSize, result.requests);
    let r = await replicaKeys.next();
    const advance = async () => { if (!r.done) consumed = r.value.key; r = await replicaKeys.next(); };
    for await (const s of keyVersions(source, pair.source.bucket, after, after, pageSize, result.requests)) {
        while (!r.done && compareKeys(r.value.key, s.key) < 0) { c.extra += r.value.entries.length; await advance(); }
        const copies = new Map<string, Entry>();
        if (!r.done && r.value.key === s.key) {
            for (const e of r.value.entries) copies.set(e.versionId, e);
            await advance();
        }
        for (const e of s.entries) {
            if (e.deleteMarker) c.deleteMarkers++; else c.versions++;
            const copy = copies.get(e.versionId);
            copies.delete(e.versionId);
            const young = e.lastModified !== undefined && e.lastModified.getTime() > pendingSince;
            if (!copy) {
                if (young) c.pending++;
                else problem({ key: s.key, versionId: e.versionId, kind: e.deleteMarker ? "missing-delete-marker" : "missing",
                    detail: `${e.deleteMarker ? "delete marker" : "version"} of ${e.lastModified?.toISOString() ?? "unknown time"} has no replica in ${pair.replica.bucket}` });
                continue;
            }
            if (e.deleteMarker || copy.deleteMarker) {
                if (e.deleteMarker && copy.deleteMarker) c.matched++;
                else problem({ key: s.key, versionId: e.versionId, kind: "mismatch", detail: e.deleteMarker ? "a delete marker in the source, a version in the replica" : "a version in the source, a delete marker in the replica" });
                continue;
            }
            await pool.add(async () => {
                const [a, b] = await Promise.all([
                    attributes(source, pair.source.bucket, s.key, e.versionId),
                    attributes(replica, pair.replica.bucket, s.key, e.versionId).catch((err: unknown) => { if (isNotFound(err)) return undefined; throw err; }),
                ]);
                if (!b) return problem({ key: s.key, versionId: e.versionId, kind: "missing", detail: `listed in ${pair.replica.bucket} but not readable there (deleted since?)` });
                const verdict = compareAttributes(a, b);
                if (verdict.problem) return problem({ key: s.key, versionId: e.versionId, kind: "mismatch", detail: verdict.problem });
                c.matched++;
                if (!verdict.checksum) c.noChecksum++;
            });
        }
        c.extra += copies.size;
        if (opts.deadline !== undefined && now() > opts.deadline) {
            result.complete = false;
            result.resumeAfter = s.key;
            result.replicaResumeAfter = consumed;
            break;
        }
    }
    if (result.complete) {
        for (; !r.done; await advance()) c.extra += r.value.entries.length;
    } else {
        await replicaKeys.return(undefined);
    }
    await pool.drain();
    return result;
}
