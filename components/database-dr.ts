// The DR stack's database: the primary's automated backups replicated into this region, a read replica (replica
// mode), a drill's own copy and the failover restore, each named per replication source.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../policies/model/naming";
import { REPLICATED_BACKUP_RETENTION_DAYS } from "../policies/model/plan";
import { DrDatabaseMode, DrState } from "../policies/model/states";
import { checkRdsIdentifier, commonInstanceArgs, InstanceContext, restoredInstance } from "./database-instance";
import { corruptionRestore, CorruptionRestore } from "./database-primary";

/** What the DR stack knows of the primary, read from its stack outputs as plain values before anything is built. */
export interface PrimarySource {
    /** The primary stack's fully qualified name, for messages. */
    stack: string;
    /**
     * The instance the primary replicates from (its `replicationSource` output): its original one, or a corruption
     * restore once that has backups. @default - none: the primary has not been deployed yet
     */
    replicationSource?: { arn: string; identifier: string };
    /** ARN of the primary's database secret, in the primary region. @default - none: not deployed yet */
    secretArn?: string;
}

/** What the DR stack runs and how it gets a writable database. */
export interface DrDatabaseSettings {
    state: DrState;
    mode: DrDatabaseMode;
    /** Names a drill copy's final snapshot (`<identifier>-final-<drillId>`). */
    drillId: string;
}

/**
 * How the DR stack names what it creates per replication source: undefined (today's names, `-backups`,
 * `-replica`, identifier `vbr-<env>-postgres`) for the primary's original instance, else the source identifier's
 * suffix after `vbr-<env>-postgres-` (`r20261129t1345`), or the whole identifier when it has another form.
 */
export function drSourceSuffix(naming: Naming, sourceIdentifier: string): string | undefined {
    const original = naming.dbIdentifier();
    if (sourceIdentifier === original) return undefined;
    return sourceIdentifier.startsWith(`${original}-`) ? sourceIdentifier.slice(original.length + 1) : sourceIdentifier;
}

/** The ARN of a Secrets Manager replica: the primary secret's, in this region (only the region differs). */
export function replicaSecretArn(primarySecretArn: string | undefined, peerRegion: string, region: string): string | undefined {
    return primarySecretArn?.replace(`:${peerRegion}:`, `:${region}:`);
}

export interface DrInstances {
    serving?: aws.rds.Instance;
    /** A production instance kept (and backed up) next to a corruption restore that serves now. */
    kept?: aws.rds.Instance;
    /** What to tell the operator when the primary replicates from an instance other than its original one. */
    warning?: pulumi.Output<string>;
}

/**
 * The DR side, once the primary has exported its replication source. Returns the serving instance, if any, and
 * the warning to give when the primary replicates from an instance other than its original one.
 *
 * The backups replication (sourceDbInstanceArn) and the read replica (replicateSourceDb) cannot follow a new
 * source: both inputs force replacement, and RDS refuses a new source for an existing replica. So they are
 * named per source: today's names for the original `vbr-<env>-postgres`, suffixed ones for a corruption
 * restore. Pieces of an earlier source leave the program; protect stops `pulumi up` until an operator
 * unprotects them, and retainOnDelete keeps them replicating in AWS until the new replica is in sync.
 */
export function drInstances(ctx: InstanceContext, name: string, dr: DrDatabaseSettings, source: { arn: string; identifier: string },
    restore: CorruptionRestore | undefined): DrInstances {
    const { naming, parent } = ctx;
    const suffix = drSourceSuffix(naming, source.identifier);
    const perSource = (piece: string) => (suffix === undefined ? `${name}-${piece}` : `${name}-${piece}-${suffix}`);
    const replicaIdentifier = checkRdsIdentifier(naming.dbIdentifier(suffix),
        `the primary's replicationSource "${source.identifier}" (vbr:dbRestoreSource / vbr:dbRestoreTime on the primary)`);
    const warning = suffix === undefined ? undefined : newSourceWarning(ctx, name, dr.mode, source.identifier, perSource, replicaIdentifier);
    // Created in the destination (this) region: the DR stack never calls the primary region's API.
    const backups = new aws.rds.InstanceAutomatedBackupsReplication(perSource("backups"), {
        sourceDbInstanceArn: source.arn, retentionPeriod: REPLICATED_BACKUP_RETENTION_DAYS, kmsKeyId: ctx.dataKeyArn,
    }, { parent, protect: true, retainOnDelete: true });
    const fromBackups = { sourceDbInstanceAutomatedBackupsArn: backups.id, useLatestRestorableTime: true };
    let serving: aws.rds.Instance | undefined;
    if (dr.mode === "replica") {
        const failover = dr.state === "failover";
        // Same resource in every state: failover drops replicateSourceDb, which promotes it in place.
        serving = new aws.rds.Instance(perSource("replica"), {
            ...commonInstanceArgs(ctx, replicaIdentifier),
            replicateSourceDb: failover ? undefined : source.arn,
            multiAz: failover,
            // Backups on the standby replica too (RDS for PostgreSQL 14.1 and later): AWS's advice before a
            // promotion, so promoting takes no backup of its own and the retention does not change then.
            backupRetentionPeriod: REPLICATED_BACKUP_RETENTION_DAYS,
            deletionProtection: true,
            tags: { ...ctx.tags },
        }, { parent, protect: true, retainOnDelete: true });
        if (!failover) serving = undefined;
    } else if (dr.state === "failover") {
        serving = restoredInstance(ctx, `${name}-failover`, naming.dbIdentifier(), fromBackups, { production: true });
    }
    if (dr.state === "drill") {
        // Its own copy of the data: never the live replica.
        const copy = restoredInstance(ctx, `${name}-drill`, naming.dbIdentifier("drill"), fromBackups, { production: false, drillId: dr.drillId });
        return { serving: copy, warning };
    }
    if (serving !== undefined && dr.state === "failover") {
        const restored = corruptionRestore(ctx, name, restore, serving);
        if (restored) return { serving: restored, kept: serving, warning };
    }
    return { serving, warning };
}

/** The warning when the primary has not exported its replication source yet (the DR stack's first install). */
export function notExportedWarning(primaryStack: string): string {
    return `stack ${primaryStack} has not exported "replicationSource" yet: skipping the automated backups ` +
        "replication, read replica and restores. Run `pulumi up -s primary`, then this stack again.";
}

/** What the operator must do when the primary's replication source is no longer its original instance. */
function newSourceWarning(ctx: InstanceContext, name: string, mode: DrDatabaseMode, source: string, perSource: (piece: string) => string,
    replicaIdentifier: string): pulumi.Output<string> {
    const stack = pulumi.getStack();
    const urn = (piece: string, type: string) => pulumi.createUrn(`${name}-${piece}`, type, ctx.parent);
    const backupsType = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
    const instanceType = "aws:rds/instance:Instance";
    const replica = mode === "replica";
    return pulumi.all([urn("backups", backupsType), urn("replica", instanceType)]).apply(([backupsUrn, replicaUrn]) => [
        `the primary replicates from "${source}", not from its original instance "${ctx.naming.dbIdentifier()}" (a corruption restore).`,
        `This stack creates a new automated backups replication "${perSource("backups")}"` +
            (replica ? ` and a new read replica "${perSource("replica")}" (identifier ${replicaIdentifier})` : "") +
            " for it: RDS cannot point the existing ones at a new source.",
        "The pieces of the previous source leave the program and are protected, so `pulumi preview` and `pulumi up` " +
            `on this stack fail with "currently marked for protection" until you unprotect each URN they name; for the original source:`,
        `  pulumi state unprotect -s ${stack} --yes '${backupsUrn}'`,
        ...(replica ? [`  pulumi state unprotect -s ${stack} --yes '${replicaUrn}'`] : []),
        `then \`pulumi up -s ${stack}\`. They are retainOnDelete: Pulumi only forgets them and they keep replicating in AWS.` +
            (replica ? ` Once "${replicaIdentifier}" is in sync, delete the old read replica with the AWS CLI;` : "") +
            ` stop the old backups replication only when its source is retired (docs/runbooks.md, "Database corruption").`,
    ].join("\n"));
}
