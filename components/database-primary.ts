// The primary's database: its instance, the credentials secret it owns, the corruption runbook's restores and the
// failback instance, and which of them serves.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkRdsIdentifier, commonInstanceArgs, InstanceContext, rdsRetentionDays, restoredInstance, restoreStamp } from "./database-instance";
import { failbackInstance, FailbackSettings, restoreFollowsFailback } from "./database-failback";

export const MASTER_USERNAME = "vbr_admin";

/** The corruption runbook's restore: the last good instant and the instance to restore from. */
export interface CorruptionRestore {
    /** UTC instant to restore to, e.g. `2026-11-29T13:45:00Z`; names the new instance. */
    time: string;
    /**
     * The RDS identifier to restore from: for a second corruption, the restore that serves now.
     * @default - the instance the stack serves from without a restore
     */
    source?: string;
}

/** The primary instance and its credentials secret, replicated to `peerRegion` under the peer's secrets key. */
export function primaryInstance(ctx: InstanceContext, name: string, secret: {
    peerRegion: string; accountId: pulumi.Input<string>; secretsKeyArn: pulumi.Input<string>;
}): { instance: aws.rds.Instance; secretArn: pulumi.Output<string> } {
    const { naming, parent } = ctx;
    // Our own secret, not manageMasterUserPassword: RDS refuses cross-region read replicas with the latter.
    const credentials = new aws.secretsmanager.Secret(`${name}-credentials`, {
        name: naming.secretName(), kmsKeyId: secret.secretsKeyArn, recoveryWindowInDays: 30,
        replicas: [{ region: secret.peerRegion, kmsKeyId: naming.keyAliasArn("secrets", secret.peerRegion, secret.accountId) }],
        tags: { ...ctx.tags },
    }, { parent, protect: true });
    // The invoke answers anew on every run: ignoreChanges keeps the first password in the secret and the instance.
    const password = pulumi.secret(aws.secretsmanager.getRandomPasswordOutput({
        passwordLength: 32, excludePunctuation: true, requireEachIncludedType: true,
    }, { parent }).randomPassword);
    new aws.secretsmanager.SecretVersion(`${name}-credentials`, {
        secretId: credentials.id,
        secretString: pulumi.jsonStringify({ username: MASTER_USERNAME, password }),
    }, { parent, ignoreChanges: ["secretString"] });
    const instance = new aws.rds.Instance(`${name}-postgres`, {
        ...commonInstanceArgs(ctx, naming.dbIdentifier()),
        engine: "postgres", engineVersion: ctx.settings.engineVersion, allocatedStorage: ctx.settings.allocatedStorageGiB,
        multiAz: true, backupRetentionPeriod: rdsRetentionDays(ctx.settings.backupRetentionDays), deletionProtection: true,
        username: MASTER_USERNAME, password,
        tags: { ...ctx.tags },
    }, { parent, protect: true, ignoreChanges: ["password"] });
    return { instance, secretArn: credentials.arn };
}

/**
 * Corruption runbook: a new instance restored to `restore.time` from `restore.source` (default: the instance the
 * stack serves from, `original`), named after the instant: `${name}-restored-<stamp>`, identifier
 * `vbr-<env>-postgres-r<stamp>`. A later restore time therefore adds an instance instead of replacing this one
 * (restoreToPointInTime forces replacement); the earlier restore leaves the program, where protect makes
 * Pulumi refuse until an operator unprotects it, and retainOnDelete keeps it running in AWS even then.
 */
export function corruptionRestore(ctx: InstanceContext, name: string, restore: CorruptionRestore | undefined,
    original: aws.rds.Instance): aws.rds.Instance | undefined {
    if (restore === undefined) return undefined;
    const stamp = restoreStamp(restore.time);
    const identifier = checkRdsIdentifier(ctx.naming.dbIdentifier(`r${stamp}`), `vbr:dbRestoreTime ${restore.time}`);
    return restoredInstance(ctx, `${name}-restored-${stamp}`, identifier,
        { sourceDbInstanceIdentifier: restore.source ?? original.identifier, restoreTime: restore.time }, { production: true });
}

/** The primary's instances by role: what the service uses, what takes the writes, and what AWS Backup selects. */
export interface PrimaryInstances {
    /** The instance the service connects to (the `database` output): the failback replica while recovering. */
    serving: aws.rds.Instance;
    /** The instance that holds the newest writes (the `replicationSource` output). */
    writer: aws.rds.Instance;
    /** Every production instance with writes of its own, the writer first, then the newest kept one. */
    backedUp: aws.rds.Instance[];
}

/**
 * Which instance serves. In time order the primary may hold: the original; a corruption restore made before the
 * failover; the failback instance; a corruption restore made after the failback (its restore time is later than the
 * failback's id, and by default it restores the failback instance). The newest promoted one takes the writes; while the
 * primary recovers, the service reads from the failback replica and the writer is still the one from before the
 * failover. Every other one stays in the program, protected and selected by AWS Backup.
 */
export function primaryInstances(ctx: InstanceContext, name: string, original: aws.rds.Instance, restore: CorruptionRestore | undefined,
    failback: FailbackSettings | undefined): PrimaryInstances {
    const fb = failback && failbackInstance(ctx, name, failback);
    const promoted = failback?.state === "serving" ? fb : undefined;
    const restoreAfter = restore !== undefined && failback !== undefined && restoreFollowsFailback(restore.time, failback.id);
    const restored = corruptionRestore(ctx, name, restore, restoreAfter && promoted ? promoted : original);
    const history = [original, restoreAfter ? undefined : restored, promoted, restoreAfter ? restored : undefined]
        .filter((i): i is aws.rds.Instance => i !== undefined);
    const writer = history[history.length - 1];
    return { serving: fb && !promoted ? fb : writer, writer, backedUp: [writer, ...history.slice(0, -1).reverse()] };
}
