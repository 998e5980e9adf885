// The one mapping from the typed stack config to what each component is told (PlatformArgs).
import { defaultMaxConnections } from "../components/monitoring";
import { replicationRules } from "../components/document-store";
import { replicaPairs } from "../components/integrity-check";
import type { PlatformArgs } from "../components/platform";
import { DATA_BUCKETS, Naming, REPLICATED_BUCKETS } from "../policies/model/naming";
import { RTC_MINUTES } from "../policies/model/plan";
import { isActive } from "../policies/model/states";
import { STANDBY_KEPT, TAGS } from "../policies/model/tags";
import { StackConfig } from "./config";
import { readDr, readPrimary } from "./primary-reference";

/** `vbr:standby = kept` on what the DR stack keeps in standby; the primary has no standby to mark. */
export function keptTags(cfg: Pick<StackConfig, "role">): Record<string, string> {
    return cfg.role === "dr" ? { [TAGS.standby]: STANDBY_KEPT } : {};
}

/**
 * The audit record's Object Lock: vbr:auditLockMode for as long as weekly recovery points are kept, so every restore
 * point of the last year finds the record of who did what before it. The trail's log bucket and the runners' DR event
 * records (tools/verify/record.ts) both use it.
 */
export function auditLock(cfg: Pick<StackConfig, "auditLockMode" | "weeklyRetentionDays">): { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } {
    return { mode: cfg.auditLockMode === "compliance" ? "COMPLIANCE" : "GOVERNANCE", days: cfg.weeklyRetentionDays };
}

export function platformArgs(cfg: StackConfig): PlatformArgs {
    const naming = new Naming(cfg.environment);
    const { role, region, peerRegion, drState, domainName, hostedZoneId } = cfg;
    const active = isActive(cfg);
    const kept = keptTags(cfg);
    const recovering = cfg.role === "primary" && cfg.primaryState === "recovering";
    // The serving DR stack owns the copy links back to region A once it answers again, as the primary does normally.
    const replicateToPeer = role === "primary" || (drState === "failover" && cfg.peerRegionAvailable);
    return {
        naming,
        primary: cfg.role === "dr" ? { stackName: cfg.primaryStack, read: (reference) => readPrimary(reference, cfg.primaryStack) } : undefined,
        // Validation guarantees vbr:drStack while recovering.
        dr: recovering && cfg.drStack ? { stackName: cfg.drStack, read: (reference) => readDr(reference, cfg.drStack as string) } : undefined,
        keys: { region, tags: kept },
        network: { region, availabilityZoneCount: cfg.availabilityZoneCount, active, keptTags: kept },
        documents: { role, region, peerRegion, replicateToPeer, tags: kept },
        audit: {
            role, region, peerRegion, replicateToPeer, lock: auditLock(cfg), tags: kept,
            // The DR stack keeps the trail going from region B once it serves.
            trail: role === "primary" || drState === "failover",
            // Both regions' data buckets (a multi-region trail records a drill's reads in B and a failover's writes) and the
            // Pulumi state backend's buckets (stacks/state-backend, `<environment>-state`), deployed before any trail.
            dataEventBuckets: [
                ...DATA_BUCKETS.flatMap((b) => [naming.bucketName(b, region), naming.bucketName(b, peerRegion)]),
                ...[region, peerRegion].map((r) => new Naming(`${cfg.environment}-state`).stateBucketName(r)),
            ],
            // The primary owns the replication rules, so it verifies them.
            verification: role === "primary" ? {
                pairs: replicaPairs(naming, region, peerRegion), graceMinutes: RTC_MINUTES,
                record: { bucket: naming.bucketName("audit", region), region, ...auditLock(cfg) },
            } : undefined,
        },
        database: {
            role, region, peerRegion,
            instanceClass: cfg.dbInstanceClass, allocatedStorageGiB: cfg.dbAllocatedStorageGiB, engineVersion: cfg.dbEngineVersion,
            backupRetentionDays: cfg.backupRetentionDays,
            restore: cfg.dbRestoreTime === undefined ? undefined : { time: cfg.dbRestoreTime, source: cfg.dbRestoreSource },
            dr: cfg.role === "dr" ? { state: drState, mode: cfg.drDatabase, drillId: cfg.drillId } : undefined,
            // The failback instance's source (the DR stack's serving instance) is read by the platform.
            failback: cfg.role === "primary" && cfg.dbFailbackId !== undefined ? { id: cfg.dbFailbackId, state: cfg.primaryState } : undefined,
            tags: kept,
        },
        backups: {
            // The stack that serves traffic runs the plan (the DR stack from failover on: the same service, copying back).
            serving: role === "primary" || drState === "failover", peerRegion,
            backupRetentionDays: cfg.backupRetentionDays, weeklyRetentionDays: cfg.weeklyRetentionDays,
            lockMode: cfg.vaultLockMode, lockGraceDays: cfg.vaultLockGraceDays, tags: kept,
        },
        registry: { role, peerRegion, replicateToPeer, tags: kept },
        app: {
            service: {
                region, active, runTasks: cfg.serviceEnabled, domainName, hostedZoneId,
                accessLogBucketName: naming.bucketName("alb-logs", region),
                imageTag: cfg.appImageTag, desiredCount: cfg.serviceDesiredCount, maxCount: cfg.serviceMaxCount,
                // Only the primary's first install may wait for ACM; the DR stack validated its certificate in standby.
                waitForCertificateValidation: role === "primary",
                // A drill serves from the DR copies of production's data: it must not write into them. Nor may a
                // recovering primary, whose buckets are the destinations of the serving DR stack's replication.
                documentAccess: drState === "drill" || recovering ? "read-only" : "read-write",
                // The drill's database check from inside the VPC (also there for a failover's own check).
                validationTask: role === "dr" && active,
                keptTags: kept,
            },
            dns: { role, drState, primaryState: cfg.primaryState, domainName, hostedZoneId },
            monitoring: {
                alertEmail: cfg.alertEmail,
                // The stack that owns the replication rules (data buckets and the trail's) alarms on their RTC metrics.
                replicatedBuckets: replicateToPeer
                    ? replicationRules(naming, region, peerRegion, REPLICATED_BUCKETS).map((r) => ({ key: r.bucket, source: r.source, destination: r.destination, ruleId: r.ruleId }))
                    : [],
                database: { allocatedStorageGiB: cfg.dbAllocatedStorageGiB, maxConnections: defaultMaxConnections(cfg.dbInstanceClass) },
                keptTags: kept,
            },
        },
    };
}
