// The primary's failback instance: after a failover, region A's new database is a cross-region read replica of the
// DR stack's serving instance while the primary recovers, then promoted in place to serve (RPO 0 once its lag is 0).
import * as aws from "@pulumi/aws";
import { PrimaryState } from "../policies/model/states";
import { checkRdsIdentifier, commonInstanceArgs, InstanceContext, rdsRetentionDays, restoreStamp } from "./database-instance";

/** The failback, as the primary's config says it (vbr:dbFailbackId, vbr:primaryState, the DR stack's serving instance). */
export interface FailbackSettings {
    /** The failback's UTC start (`20261204t0930`): names the instance and orders it against corruption restores. */
    id: string;
    /** `recovering`: a read replica of `source`; `serving`: promoted, it serves. */
    state: PrimaryState;
    /** The DR stack's serving instance, read through its StackReference. Required while recovering. @default - none: serving */
    source?: { arn: string; identifier: string };
}

/** The failback instance's RDS identifier: `vbr-<env>-postgres-fb<id>`. */
export const failbackSuffix = (id: string): string => `fb${id}`;

/**
 * Whether a corruption restore to `restoreTime` comes after the failback `failbackId` started: it then restores the
 * failback instance and serves instead of it. An earlier one predates the failover (it served before the disaster) and
 * is kept. Both are UTC stamps of the same form (restoreStamp), so they compare as strings.
 */
export function restoreFollowsFailback(restoreTime: string, failbackId: string): boolean {
    return restoreStamp(restoreTime) > failbackId;
}

/**
 * The failback instance: resource `${name}-failback-<id>`, identifier `vbr-<env>-postgres-fb<id>`, in this (the
 * primary's) region with this region's key. The same resource in both states: `serving` drops replicateSourceDb, which
 * promotes it in place (RDS keeps its endpoint, so the service's DB_HOST does not change), then Multi-AZ. It keeps
 * 35-day automated backups as a replica too (RDS for PostgreSQL 14.1+), so the promotion takes no backup of its own and
 * the DR stack can replicate its backups as soon as it serves. Protected and retained like every production instance.
 */
export function failbackInstance(ctx: InstanceContext, name: string, failback: FailbackSettings): aws.rds.Instance {
    const recovering = failback.state === "recovering";
    if (recovering && failback.source === undefined) {
        throw new Error("Database: a recovering primary needs the DR stack's serving instance (failback.source) to replicate from");
    }
    const identifier = checkRdsIdentifier(ctx.naming.dbIdentifier(failbackSuffix(failback.id)), `vbr:dbFailbackId ${failback.id}`);
    return new aws.rds.Instance(`${name}-failback-${failback.id}`, {
        ...commonInstanceArgs(ctx, identifier),
        replicateSourceDb: recovering ? failback.source!.arn : undefined,
        multiAz: !recovering,
        backupRetentionPeriod: rdsRetentionDays(ctx.settings.backupRetentionDays),
        deletionProtection: true,
        tags: { ...ctx.tags },
    }, { parent: ctx.parent, protect: true, retainOnDelete: true });
}
