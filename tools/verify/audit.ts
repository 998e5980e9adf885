// What every recovery operation checks of the audit record (DR plan 7.1), in one call: the CloudTrail digest chain of
// each trail that logged during the operation's window (the primary's; a failback adds the DR stack's failover trail),
// and the audit bucket's replica in the DR region. The drill runner calls it in its validate step; the failback runner
// after its last phase. Where the runners record their reports, too.
//
//     const audit = await verifyAuditRecord({ environment: "prod", primaryRegion: "us-east-1", drRegion: "us-west-2",
//         start: operationStart, end: Date.now(), trailRegions: ["us-east-1", "us-west-2"] });
//     if (!audit.ok) fail(audit.detail);            // a broken chain or a bad replica fails the operation
//     await recordEvent({ kind: "failback", id, at: operationStart, json: report, markdown },
//         { targets: auditTargets("prod", "us-east-1", "us-west-2"), lock: { mode: "COMPLIANCE", days: 365 } });
import { S3Client } from "@aws-sdk/client-s3";
import { Naming, TRAIL_BUCKET } from "../../policies/model/naming";
import type { RecordTarget } from "./record";
import { PairResult, problemCount, verifyPair } from "./replica";
import { pairLine } from "./report";
import { PublicKey, TrailChainResult, validateTrailChain } from "./trail";

export interface AuditRecordOptions {
    environment: string;
    /** Where the primary's trail and audit bucket live (the DR stack's vbr:peerRegion). */
    primaryRegion: string;
    drRegion: string;
    /** The operation's window (epoch ms). */
    start: number;
    end: number;
    /**
     * The home regions of the trails whose chains to validate: each trail `vbr-<env>-trail-<region>` delivers to the log
     * bucket of the same name. @default [primaryRegion]: the primary's multi-region trail
     */
    trailRegions?: string[];
    /** @default default-chain clients */
    client?: (region: string) => S3Client;
    /** @default CloudTrail ListPublicKeys */
    publicKeys?: (region: string, start: Date, end: Date) => Promise<PublicKey[]>;
    /** @default Date.now */
    now?: () => number;
}

/** What a runner says of the record it checks: the rest of the options are the clients (tests, the emulator). */
export type AuditRecordWindow = Pick<AuditRecordOptions, "environment" | "primaryRegion" | "drRegion" | "start" | "end" | "trailRegions">;

export interface AuditRecordResult {
    ok: boolean;
    detail: string;
    /** One per trail, in the order of `trailRegions`. */
    trails: TrailChainResult[];
    replica: PairResult | null;
}

/** The audit buckets a runner records its report in, in order: the primary's, then its DR twin (region A down). */
export function auditTargets(environment: string, primaryRegion: string, drRegion: string): RecordTarget[] {
    const naming = new Naming(environment);
    return [{ bucket: naming.bucketName("audit", primaryRegion), region: primaryRegion }, { bucket: naming.bucketName("audit", drRegion), region: drRegion }];
}

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Never throws: an AWS error is a failed result naming what could not be read. */
export async function verifyAuditRecord(o: AuditRecordOptions): Promise<AuditRecordResult> {
    const naming = new Naming(o.environment);
    const client = o.client ?? ((region: string) => new S3Client({ region }));
    const trails: TrailChainResult[] = [];
    for (const home of o.trailRegions ?? [o.primaryRegion]) {
        trails.push(await validateTrailChain({
            bucket: naming.bucketName(TRAIL_BUCKET, home), trailName: naming.trailName(home), homeRegion: home,
            start: o.start, end: o.end, s3: client(home), publicKeys: o.publicKeys,
        }));
    }
    let replica: PairResult | null = null;
    let replicaDetail: string;
    try {
        replica = await verifyPair({
            name: "audit", source: { bucket: naming.bucketName("audit", o.primaryRegion), region: o.primaryRegion },
            replica: { bucket: naming.bucketName("audit", o.drRegion), region: o.drRegion },
        }, { client, now: o.now });
        replicaDetail = pairLine(replica);
    } catch (err) {
        replicaDetail = `the audit bucket's replica could not be compared: ${message(err)}`;
    }
    const ok = trails.every((t) => t.ok) && replica !== null && replica.complete && problemCount(replica.counts) === 0;
    return { ok, detail: [...trails.map((t) => t.detail), replicaDetail].join("; "), trails, replica };
}
