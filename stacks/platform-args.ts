// The one mapping from the typed stack config to what each component is told (PlatformArgs).
import { defaultMaxConnections } from "../components/monitoring";
import { replicationRules } from "../components/document-store";
import type { PlatformArgs } from "../components/platform";
import { Naming } from "../policies/model/naming";
import { isActive } from "../policies/model/states";
import { STANDBY_KEPT, TAGS } from "../policies/model/tags";
import { StackConfig } from "./config";
import { readPrimary } from "./primary-reference";

/** `vbr:standby = kept` on what the DR stack keeps in standby; the primary has no standby to mark. */
export function keptTags(cfg: Pick<StackConfig, "role">): Record<string, string> {
    return cfg.role === "dr" ? { [TAGS.standby]: STANDBY_KEPT } : {};
}

export function platformArgs(cfg: StackConfig): PlatformArgs {
    const naming = new Naming(cfg.environment);
    const { role, region, peerRegion, drState, domainName, hostedZoneId } = cfg;
    const active = isActive(cfg);
    const kept = keptTags(cfg);
    return {
        naming,
        primary: cfg.role === "dr" ? { stackName: cfg.primaryStack, read: (reference) => readPrimary(reference, cfg.primaryStack) } : undefined,
        keys: { region, tags: kept },
        network: { region, availabilityZoneCount: cfg.availabilityZoneCount, active, keptTags: kept },
        documents: { role, region, peerRegion, tags: kept },
        database: {
            role, region, peerRegion,
            instanceClass: cfg.dbInstanceClass, allocatedStorageGiB: cfg.dbAllocatedStorageGiB, engineVersion: cfg.dbEngineVersion,
            backupRetentionDays: cfg.backupRetentionDays,
            restore: cfg.dbRestoreTime === undefined ? undefined : { time: cfg.dbRestoreTime, source: cfg.dbRestoreSource },
            dr: cfg.role === "dr" ? { state: drState, mode: cfg.drDatabase, drillId: cfg.drillId } : undefined,
            tags: kept,
        },
        backups: {
            // The stack that serves traffic runs the plan (the DR stack from failover on: the same service, copying back).
            serving: role === "primary" || drState === "failover", peerRegion,
            backupRetentionDays: cfg.backupRetentionDays, weeklyRetentionDays: cfg.weeklyRetentionDays,
            lockMode: cfg.vaultLockMode, lockGraceDays: cfg.vaultLockGraceDays, tags: kept,
        },
        registry: { role, peerRegion, tags: kept },
        app: {
            service: {
                region, active, runTasks: cfg.serviceEnabled, domainName, hostedZoneId,
                accessLogBucketName: naming.bucketName("alb-logs", region),
                imageTag: cfg.appImageTag, desiredCount: cfg.serviceDesiredCount, maxCount: cfg.serviceMaxCount,
                // Only the primary's first install may wait for ACM; the DR stack validated its certificate in standby.
                waitForCertificateValidation: role === "primary",
                // A drill serves from the DR copies of production's data: it must not write into them.
                documentAccess: drState === "drill" ? "read-only" : "read-write",
                // The drill's database check from inside the VPC (also there for a failover's own check).
                validationTask: role === "dr" && active,
                keptTags: kept,
            },
            dns: { role, drState, domainName, hostedZoneId },
            monitoring: {
                alertEmail: cfg.alertEmail,
                // The primary owns the replication rules; it alarms on their RTC metrics.
                replicatedBuckets: role === "primary"
                    ? replicationRules(naming, region, peerRegion).map((r) => ({ key: r.bucket, source: r.source, destination: r.destination, ruleId: r.ruleId }))
                    : [],
                database: { allocatedStorageGiB: cfg.dbAllocatedStorageGiB, maxConnections: defaultMaxConnections(cfg.dbInstanceClass) },
                keptTags: kept,
            },
        },
    };
}
