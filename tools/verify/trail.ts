// The CloudTrail digest chain for a time window: proof that no log file of the trail was changed or removed and that
// logging did not stop, the way `aws cloudtrail validate-logs` checks it (CloudTrail User Guide, "Custom implementations
// of CloudTrail log file integrity validation"; docs/aws-facts.md).
//
// For each region the trail records, the digest files whose end falls in [start, end + 1 h] (CloudTrail delivers one
// about every hour, signed with the region's private key) are read in time order, and for each:
//   - it is where it says it is (digestS3Bucket/digestS3Object) and carries its signature in the object's metadata;
//   - the signature (SHA256withRSA, hex) verifies against the public key ListPublicKeys returns for its fingerprint,
//     over "<digestEndTime>\n<bucket>/<key>\n<hex SHA-256 of the uncompressed digest>\n<previous signature or null>";
//   - every log file it lists hashes (SHA-256 of the uncompressed file) to the value it records;
//   - it links to the digest before it: the same key, signature and SHA-256. A digest without a previous link after
//     the first one, or a first one whose predecessor exists but does not match, is a broken chain (logging or
//     validation was stopped, or a digest was replaced).
// The newest digest must end no earlier than `end` minus the delivery tolerance (2 h): a trail that stopped delivering
// during the window fails. Backfill digests (`_backfill`) are verified but are not links of the chain.
import * as crypto from "crypto";
import * as zlib from "zlib";
import { CloudTrailClient, ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

export interface TrailChainOptions {
    /** The bucket the trail delivers to. */
    bucket: string;
    /** The trail's S3 key prefix. @default - none */
    prefix?: string;
    /** The account folder under AWSLogs/. @default the only one in the bucket */
    accountId?: string;
    trailName: string;
    /** The trail's home region (part of every digest's name). */
    homeRegion: string;
    /** The regions whose chains to validate. @default every region with digests under CloudTrail-Digest/ */
    regions?: string[];
    /** The window (epoch ms). */
    start: number;
    end: number;
    /** @default 2 h */
    deliveryToleranceMs?: number;
    /** S3 client for the bucket's region. @default a default-chain client in homeRegion */
    s3?: S3Client;
    /** The public keys valid in [start, end] for a region. @default CloudTrail ListPublicKeys in that region */
    publicKeys?: (region: string, start: Date, end: Date) => Promise<PublicKey[]>;
}

export interface PublicKey { fingerprint: string; value: Uint8Array }

export interface RegionChain {
    region: string;
    digests: number;
    logFiles: number;
    /** digestStartTime of the oldest and digestEndTime of the newest digest validated. */
    from: string | null;
    to: string | null;
    problems: string[];
    notes: string[];
}

export interface TrailChainResult {
    ok: boolean;
    bucket: string;
    trailName: string;
    window: { start: string; end: string };
    regions: RegionChain[];
    /** One line for a terminal or a report. */
    detail: string;
}

interface Digest {
    key: string;
    /** From the key: `20261129T201501Z`. */
    stamp: string;
    backfill: boolean;
    raw?: Buffer;
    data?: Record<string, unknown>;
    signature?: string;
}

const HOUR = 3_600_000;
/** `20261129T201501Z` from an epoch: how digest names spell their end time. */
const basic = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
const sha256hex = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

async function readBody(s3: S3Client, bucket: string, key: string): Promise<{ body: Buffer; metadata: Record<string, string> }> {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await out.Body!.transformToByteArray();
    return { body: Buffer.from(bytes), metadata: out.Metadata ?? {} };
}

/**
 * A public key as ListPublicKeys returns it: DER PKCS#1. The service's JSON carries the blob base64-encoded twice (the
 * AWS CLI decodes the SDK's bytes once more), so bytes that are themselves base64 text are decoded again.
 */
export function publicKeyObject(value: Uint8Array): crypto.KeyObject {
    let der = Buffer.from(value);
    const text = der.toString("latin1");
    if (/^[A-Za-z0-9+/=\s]+$/.test(text)) der = Buffer.from(text, "base64");
    try {
        return crypto.createPublicKey({ key: der, format: "der", type: "pkcs1" });
    } catch {
        return crypto.createPublicKey({ key: der, format: "der", type: "spki" });
    }
}

/** The string CloudTrail signs for a digest file. */
export function stringToSign(data: Record<string, unknown>, inflated: Buffer): string {
    const previous = data.previousDigestSignature ?? "null";
    return `${data.digestEndTime}\n${data.digestS3Bucket}/${data.digestS3Object}\n${sha256hex(inflated)}\n${previous}`;
}

async function defaultPublicKeys(region: string, start: Date, end: Date): Promise<PublicKey[]> {
    const out = await new CloudTrailClient({ region }).send(new ListPublicKeysCommand({ StartTime: start, EndTime: end }));
    return (out.PublicKeyList ?? []).map((k) => ({ fingerprint: k.Fingerprint ?? "", value: k.Value ?? new Uint8Array() }));
}

export async function validateTrailChain(options: TrailChainOptions): Promise<TrailChainResult> {
    const s3 = options.s3 ?? new S3Client({ region: options.homeRegion });
    const root = `${options.prefix ? `${options.prefix}/` : ""}AWSLogs/`;
    const result: TrailChainResult = {
        ok: false, bucket: options.bucket, trailName: options.trailName,
        window: { start: new Date(options.start).toISOString(), end: new Date(options.end).toISOString() }, regions: [], detail: "",
    };
    let opts: Resolved;
    let regions: string[];
    try {
        opts = { ...options, accountId: options.accountId ?? await onlyAccount(s3, options.bucket, root) };
        regions = opts.regions ?? await listFolders(s3, opts.bucket, `${root}${opts.accountId}/CloudTrail-Digest/`);
    } catch (err) {
        result.detail = `trail ${options.trailName}: cannot read s3://${options.bucket}/${root}: ${message(err)}`;
        return result;
    }
    const base = `${root}${opts.accountId}/CloudTrail-Digest/`;
    const tolerance = opts.deliveryToleranceMs ?? 2 * HOUR;
    if (regions.length === 0) {
        result.detail = `no digest files under s3://${opts.bucket}/${base}: log file validation is off or the trail never delivered`;
        return result;
    }
    for (const region of regions) {
        const chain: RegionChain = { region, digests: 0, logFiles: 0, from: null, to: null, problems: [], notes: [] };
        try {
            await validateRegion(s3, opts, base, region, tolerance, chain);
        } catch (err) {
            chain.problems.push(`could not validate: ${message(err)}`);
        }
        result.regions.push(chain);
    }
    const broken = result.regions.filter((r) => r.problems.length > 0);
    result.ok = broken.length === 0;
    const totals = `${result.regions.reduce((n, r) => n + r.digests, 0)} digest files and ${result.regions.reduce((n, r) => n + r.logFiles, 0)} log files in ${result.regions.length} regions`;
    result.detail = result.ok
        ? `trail ${opts.trailName}: chain valid from ${result.window.start} to ${result.window.end}: ${totals}`
        : `trail ${opts.trailName}: chain BROKEN in ${broken.map((r) => `${r.region} (${r.problems[0]}${r.problems.length > 1 ? ` and ${r.problems.length - 1} more` : ""})`).join(", ")}; ${totals}`;
    return result;
}

/** The account whose logs the bucket holds, when it holds one account's only. */
async function onlyAccount(s3: S3Client, bucket: string, root: string): Promise<string> {
    const accounts = (await listFolders(s3, bucket, root)).filter((a) => /^\d{12}$/.test(a));
    if (accounts.length !== 1) throw new Error(`s3://${bucket}/${root} holds ${accounts.length ? `the logs of ${accounts.join(", ")}` : "no account's logs"}: name the account`);
    return accounts[0];
}

async function listFolders(s3: S3Client, bucket: string, base: string): Promise<string[]> {
    const regions: string[] = [];
    let token: string | undefined;
    do {
        const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: base, Delimiter: "/", ContinuationToken: token }));
        for (const p of out.CommonPrefixes ?? []) if (p.Prefix) regions.push(p.Prefix.slice(base.length, -1));
        token = out.NextContinuationToken;
    } while (token);
    return regions.sort();
}

/** The trail's digest keys of `region` whose end stamp is in [from, to], oldest first (one listing per UTC day). */
type Resolved = TrailChainOptions & { accountId: string };

async function digestKeys(s3: S3Client, opts: Resolved, base: string, region: string, from: number, to: number): Promise<Digest[]> {
    const name = new RegExp(`/${opts.accountId}_CloudTrail-Digest_${region}_${opts.trailName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}_${opts.homeRegion}_(\\d{8}T\\d{6}Z)(_backfill)?\\.json\\.gz$`);
    const found: Digest[] = [];
    for (let day = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), new Date(from).getUTCDate()); day <= to; day += 24 * HOUR) {
        const prefix = `${base}${region}/${new Date(day).toISOString().slice(0, 10).replace(/-/g, "/")}/`;
        let token: string | undefined;
        do {
            const out = await s3.send(new ListObjectsV2Command({ Bucket: opts.bucket, Prefix: prefix, ContinuationToken: token }));
            for (const o of out.Contents ?? []) {
                const m = o.Key ? name.exec(o.Key) : null;
                if (m && m[1] >= basic(from) && m[1] <= basic(to)) found.push({ key: o.Key!, stamp: m[1], backfill: m[2] !== undefined });
            }
            token = out.NextContinuationToken;
        } while (token);
    }
    return found.sort((a, b) => a.stamp.localeCompare(b.stamp));
}

async function load(s3: S3Client, bucket: string, d: Digest): Promise<void> {
    const { body, metadata } = await readBody(s3, bucket, d.key);
    d.raw = zlib.gunzipSync(body);
    d.data = JSON.parse(d.raw.toString("utf8")) as Record<string, unknown>;
    d.signature = metadata.signature;
    if (metadata["signature-algorithm"] && metadata["signature-algorithm"] !== "SHA256withRSA") {
        throw new Error(`${d.key}: signature algorithm ${metadata["signature-algorithm"]}, expected SHA256withRSA`);
    }
}

async function validateRegion(s3: S3Client, opts: Resolved, base: string, region: string, tolerance: number, chain: RegionChain): Promise<void> {
    const inWindow = await digestKeys(s3, opts, base, region, opts.start, opts.end + HOUR);
    // The digest before the window anchors its first link (a day back covers a trail that delivers hourly).
    const before = (await digestKeys(s3, opts, base, region, opts.start - 24 * HOUR, opts.start - 1)).filter((d) => !d.backfill).pop();
    const keys = (await (opts.publicKeys ?? defaultPublicKeys)(region, new Date(opts.start - 24 * HOUR), new Date(opts.end + HOUR)))
        .reduce((m, k) => m.set(k.fingerprint, k), new Map<string, PublicKey>());
    const links = inWindow.filter((d) => !d.backfill);
    if (links.length === 0) {
        if (opts.end - opts.start >= tolerance) chain.problems.push(`no digest file ends between ${new Date(opts.start).toISOString()} and ${new Date(opts.end + HOUR).toISOString()}: the trail did not deliver`);
        else chain.notes.push("the window is shorter than the delivery tolerance and no digest covers it yet");
    }
    let previous = before;
    if (previous) {
        try {
            await load(s3, opts.bucket, previous);
        } catch (err) {
            chain.problems.push(`the digest before the window ${previous.key} cannot be read: ${message(err)}`);
            previous = undefined;
        }
    }
    for (const d of inWindow) {
        try {
            await load(s3, opts.bucket, d);
        } catch (err) {
            chain.problems.push(`${d.key}: cannot be read: ${message(err)}`);
            if (!d.backfill) previous = undefined;
            continue;
        }
        chain.digests++;
        const data = d.data!;
        chain.from ??= String(data.digestStartTime);
        chain.to = String(data.digestEndTime);
        const where = `digest ${d.stamp}${d.backfill ? " (backfill)" : ""}`;
        if (data.digestS3Bucket !== opts.bucket || data.digestS3Object !== d.key) chain.problems.push(`${where}: moved from its original location s3://${data.digestS3Bucket}/${data.digestS3Object}`);
        const key = keys.get(String(data.digestPublicKeyFingerprint));
        if (!d.signature) chain.problems.push(`${where}: no signature in its metadata`);
        else if (!key) chain.problems.push(`${where}: no public key in ${region} for fingerprint ${data.digestPublicKeyFingerprint}`);
        else if (!crypto.verify("sha256", Buffer.from(stringToSign(data, d.raw!)), publicKeyObject(key.value), Buffer.from(d.signature, "hex"))) {
            chain.problems.push(`${where}: signature does not verify (the digest was changed)`);
        }
        for (const f of (data.logFiles ?? []) as Array<{ s3Bucket: string; s3Object: string; hashValue: string; hashAlgorithm?: string }>) {
            chain.logFiles++;
            try {
                const { body } = await readBody(s3, f.s3Bucket, f.s3Object);
                if (sha256hex(zlib.gunzipSync(body)) !== f.hashValue) chain.problems.push(`${where}: log file ${f.s3Object} was changed (SHA-256 differs)`);
            } catch (err) {
                chain.problems.push(`${where}: log file ${f.s3Object} is missing or unreadable: ${message(err)}`);
            }
        }
        if (d.backfill) continue;
        if (data.previousDigestS3Object === null || data.previousDigestS3Object === undefined) {
            if (previous) chain.problems.push(`${where}: no link to the digest before it (${previous.stamp}): logging or log file validation was stopped`);
            else chain.notes.push(`${where}: the chain starts here (the trail started, or nothing was delivered the day before)`);
        } else if (!previous) {
            if (d === links[0]) chain.problems.push(`${where}: its previous digest ${data.previousDigestS3Object} is missing`);
            else chain.problems.push(`${where}: the digest before it could not be validated`);
        } else if (data.previousDigestS3Object !== previous.key || data.previousDigestS3Bucket !== opts.bucket) {
            chain.problems.push(`${where}: links to ${data.previousDigestS3Object}, but the digest before it is ${previous.key} (one is missing or was added)`);
        } else if (data.previousDigestSignature !== previous.signature || data.previousDigestHashValue !== sha256hex(previous.raw!)) {
            chain.problems.push(`${where}: the digest before it (${previous.stamp}) is not the one it signed (hash or signature differs)`);
        }
        previous = d;
    }
    const newest = links.length ? Date.parse(String(links[links.length - 1].data?.digestEndTime ?? "")) : NaN;
    if (links.length && newest < Math.min(opts.end, Date.now()) - tolerance) {
        chain.problems.push(`the newest digest ends ${new Date(newest).toISOString()}, more than ${tolerance / HOUR} h before the window's end: the trail stopped delivering`);
    }
}
