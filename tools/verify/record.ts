// DR events on record: a drill, failback or verification report written, as JSON and Markdown, to the audit bucket
// under Object Lock (the compliance record) and, when asked, to a local directory.
//
// Each file is one object version with an explicit retention (mode and retain-until date) and a SHA-256 checksum that
// S3 validates on upload and keeps with the version: an auditor reads the checksum back with GetObjectAttributes and
// compares it with the file. The audit bucket replicates to the DR region with its retention. Targets are tried in
// order, the first that takes both files wins: the primary's audit bucket, then (while region A is down) its DR twin.
// Runs in the verification Lambda too: it imports only the AWS SDK and Node.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

export type DrEventKind = "drill" | "failback" | "verification";

export interface DrEvent {
    kind: DrEventKind;
    /** Unique per kind: the report's file name without extension (`drill-dr-2026-11-29T20-15-00-000Z`). */
    id: string;
    /** When the event started (epoch ms): the record's folder. */
    at: number;
    json: unknown;
    markdown: string;
}

export interface RecordTarget { bucket: string; region: string }
export type LockMode = "GOVERNANCE" | "COMPLIANCE";

export interface RecordOptions {
    /** Audit buckets to try, in order; none writes `localDir` only. */
    targets: RecordTarget[];
    /** The records' retention (vbr:auditLockMode, vbr:weeklyRetentionDays). */
    lock: { mode: LockMode; days: number };
    /** Also write `<id>.json` and `<id>.md` here. @default - S3 only */
    localDir?: string;
    /** @default a client of the default credential chain per region */
    client?: (region: string) => S3Client;
    /** Epoch ms now (the retention starts now). @default Date.now */
    now?: () => number;
}

/** One file of a record, where it landed. */
export interface RecordedFile {
    bucket: string;
    region: string;
    key: string;
    versionId: string | null;
    /** Base64 SHA-256 of the file, as S3 stores and returns it (ChecksumSHA256). */
    sha256: string;
    lockMode: LockMode;
    retainUntil: string;
}

export interface RecordResult {
    ok: boolean;
    local: string[];
    s3: RecordedFile[];
    /** Why the local copy or each target before the one that took the record failed, in order. */
    errors: string[];
    /** One line for a terminal or a report. */
    detail: string;
}

/** Where a record lives in the audit bucket: `dr-events/<kind>/<yyyy>/<mm>/<id>.<ext>`. */
export function recordKey(e: Pick<DrEvent, "kind" | "id" | "at">, ext: "json" | "md"): string {
    const iso = new Date(e.at).toISOString();
    return `dr-events/${e.kind}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${e.id}.${ext}`;
}

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Writes the event's two files; never throws (an unwritable record is a failed result the caller reports). */
export async function recordEvent(event: DrEvent, opts: RecordOptions): Promise<RecordResult> {
    const files = [
        { ext: "json" as const, body: `${JSON.stringify(event.json, null, 2)}\n`, contentType: "application/json" },
        { ext: "md" as const, body: event.markdown, contentType: "text/markdown; charset=utf-8" },
    ];
    const local: string[] = [];
    const errors: string[] = [];
    let localFailed = false;
    if (opts.localDir) {
        try {
            fs.mkdirSync(opts.localDir, { recursive: true });
            for (const f of files) {
                const file = path.join(opts.localDir, `${event.id}.${f.ext}`);
                fs.writeFileSync(`${file}.tmp`, f.body);
                fs.renameSync(`${file}.tmp`, file);
                local.push(file);
            }
        } catch (err) {
            localFailed = true;
            errors.push(`local ${opts.localDir}: ${message(err)}`);
        }
    }
    if (opts.targets.length === 0) {
        return { ok: !localFailed && local.length > 0, local, s3: [], errors, detail: local.length ? `written to ${local.join(" and ")} (not to the audit bucket)` : errors.join("; ") || "nowhere to write" };
    }
    const client = opts.client ?? ((region: string) => new S3Client({ region }));
    const retainUntil = new Date((opts.now ?? Date.now)() + opts.lock.days * 86_400_000);
    for (const target of opts.targets) {
        const s3 = client(target.region);
        const written: RecordedFile[] = [];
        try {
            for (const f of files) {
                const key = recordKey(event, f.ext);
                const sha256 = crypto.createHash("sha256").update(f.body).digest("base64");
                const out = await s3.send(new PutObjectCommand({
                    Bucket: target.bucket, Key: key, Body: f.body, ContentType: f.contentType,
                    // S3 checks the body against the checksum and keeps it with the version. A PUT with a retention
                    // period is refused without Content-MD5 or x-amz-sdk-checksum-algorithm (docs/aws-facts.md).
                    ChecksumAlgorithm: "SHA256", ChecksumSHA256: sha256, ObjectLockMode: opts.lock.mode, ObjectLockRetainUntilDate: retainUntil,
                }));
                written.push({ bucket: target.bucket, region: target.region, key, versionId: out.VersionId ?? null, sha256, lockMode: opts.lock.mode, retainUntil: retainUntil.toISOString() });
            }
            const where = `s3://${target.bucket}/${recordKey(event, "json").replace(/\.json$/, ".{json,md}")} (${target.region})`;
            return {
                ok: !localFailed, local, s3: written, errors,
                detail: `recorded in ${where}, Object Lock ${opts.lock.mode} until ${retainUntil.toISOString()}${errors.length ? `; ${errors.join("; ")}` : ""}`,
            };
        } catch (err) {
            errors.push(`s3://${target.bucket} (${target.region}): ${message(err)}${written.length ? ` (after writing ${written.map((w) => w.key).join(", ")})` : ""}`);
        }
    }
    return { ok: false, local, s3: [], errors, detail: `NOT recorded in the audit bucket: ${errors.join("; ")}` };
}
