// Mutation testing of the policy pack: break one DR guarantee at a time in this project's synthesized stacks
// and check that the intended policy reports a mandatory violation.
//
// Each mutation edits recorded resources the way a code change would: a changed input is changed in both the
// inputs (what `Analyze` sees) and the echoed outputs (what `AnalyzeStack` sees); a removed link removes its
// property dependency too. Stacks are synthesized once and copied per mutation.
import type { Policies } from "@pulumi/policy";
import { evaluatePolicies, Violation } from "./analyzer";
import { policyConfigFromStack } from "./policy-config";
import { RecordedResource, SynthesizedStack } from "./recorder";
import { Syntheses } from "./syntheses";
import { DR_PLAN_RTO_MINUTES } from "../../policies/model/plan";

export type StackId = "primary" | "dr-standby" | "dr-drill" | "dr-failover-replica" | "dr-failover-restore";
export type Area = "encryption" | "retention" | "versioning" | "cross-region" | "residency" | "no-data-loss" | "exposure" | "audit";

export interface Mutation {
    id: string;
    area: Area;
    stack: StackId;
    /** The policy that must catch it. */
    policy: string;
    /** The resource the violation must name (its URN ends in `<type>::<name>`): the mutated one, or the one it leaves unprotected. */
    at: { type: string; name: string };
    apply(resources: RecordedResource[]): void;
}

export interface MutationResult {
    mutation: Mutation;
    caught: boolean;
    /** The intended policy's mandatory violations on the mutation's resource (`at`). */
    violations: Violation[];
    error?: string;
}

/** The mutation's target is not in the stack (the program changed): the mutation must be updated. */
export class MissingTarget extends Error {}

export const STACK_OVERRIDES: Record<Exclude<StackId, "primary">, Record<string, string>> = {
    "dr-standby": { "vbr:drState": "standby" },
    "dr-drill": { "vbr:drState": "drill" },
    "dr-failover-replica": { "vbr:drState": "failover", "vbr:drDatabase": "replica" },
    // Every restore waits for RDS's baseline backup: a restore-mode stack is held to the DR plan's 4-hour RTO.
    "dr-failover-restore": { "vbr:drState": "failover", "vbr:drDatabase": "restore", "vbr:rtoObjectiveMinutes": String(DR_PLAN_RTO_MINUTES) },
};

/** Synthesizes the project's stacks (the DR ones reading the primary's outputs), once per StackId and mode. */
export function stackLoader(projectDir: string, syntheses = new Syntheses()): (id: StackId, preview?: boolean) => Promise<SynthesizedStack> {
    const load = async (id: StackId, preview = false): Promise<SynthesizedStack> => {
        if (id === "primary") return syntheses.run({ projectDir, stack: "primary", preview });
        const primary = await load("primary");
        return syntheses.run({ projectDir, stack: "dr", overrides: STACK_OVERRIDES[id], preview, stackOutputs: { primary: primary.outputs } });
    };
    return load;
}

// ---- editing helpers -------------------------------------------------------------------------------------

export const DELETE = Symbol("delete");
type Path = Array<string | number>;

export function find(resources: RecordedResource[], type: string, nameIncludes = ""): RecordedResource {
    const r = resources.find((x) => x.type === type && x.name.includes(nameIncludes));
    if (!r) throw new MissingTarget(`no ${type} named *${nameIncludes}*`);
    return r;
}

function setPath(obj: Record<string, unknown>, path: Path, value: unknown): void {
    let cur: Record<string | number, unknown> = obj;
    for (const k of path.slice(0, -1)) {
        if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== "object") cur[k] = typeof k === "number" ? [] : {};
        cur = cur[k] as Record<string | number, unknown>;
    }
    const last = path[path.length - 1];
    if (value === DELETE) {
        if (Array.isArray(cur) && typeof last === "number") cur.splice(last, 1);
        else delete cur[last];
    } else cur[last] = value;
}

/** Sets (or deletes) an input, in inputs and echoed outputs; a literal value no longer depends on a resource. */
export function set(r: RecordedResource, path: Path, value: unknown, dropDeps = false): void {
    setPath(r.inputs, path, value);
    if (String(path[0]) in r.outputs) setPath(r.outputs, path, value);
    if (dropDeps) delete r.propertyDependencies[String(path[0])];
}

export function remove(resources: RecordedResource[], r: RecordedResource): void {
    resources.splice(resources.indexOf(r), 1);
}

/**
 * Adds a resource next to `of` (same parent chain in its URN), as a code change adding it would record it:
 * its inputs, and property dependencies on the resources its inputs come from.
 */
export function addSibling(resources: RecordedResource[], of: RecordedResource, type: string, name: string,
    inputs: Record<string, unknown>, deps: Record<string, RecordedResource[]> = {}, extra: Partial<RecordedResource> = {}): RecordedResource {
    const propertyDependencies = Object.fromEntries(Object.entries(deps).map(([k, rs]) => [k, rs.map((r) => r.urn)]));
    const r: RecordedResource = {
        ...of, urn: of.urn.replace(`${of.type}::${of.name}`, `${type}::${name}`), type, name, protect: false, retainOnDelete: false,
        dependencies: [...new Set(Object.values(propertyDependencies).flat())], propertyDependencies, inputs, outputs: {}, ...extra,
    };
    resources.push(r);
    return r;
}

/** Rewrites one statement (by Sid) of a bucket policy's JSON. */
export function editStatement(policy: RecordedResource, sid: string, edit: (s: Record<string, unknown>) => void): void {
    const doc = JSON.parse(String(policy.inputs.policy)) as { Statement: Array<Record<string, unknown>> };
    const st = doc.Statement.find((x) => x.Sid === sid);
    if (!st) throw new MissingTarget(`${policy.name} has no statement ${sid}`);
    edit(st);
    set(policy, ["policy"], JSON.stringify(doc), true);
}

export const B = "aws:s3/bucket:Bucket";
export const B_V2 = "aws:s3/bucketV2:BucketV2";
export const ACL_V2 = "aws:s3/bucketAclV2:BucketAclV2";
export const CLUSTER = "aws:rds/cluster:Cluster";
export const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
export const VER = "aws:s3/bucketVersioning:BucketVersioning";
export const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const POL = "aws:s3/bucketPolicy:BucketPolicy";
export const REP = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
export const TRAIL = "aws:cloudtrail/trail:Trail";
export const DB = "aws:rds/instance:Instance";
export const ABR = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
export const PLAN = "aws:backup/plan:Plan";
export const SEL = "aws:backup/selection:Selection";
export const VAULT = "aws:backup/vault:Vault";
export const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
export const KEY = "aws:kms/key:Key";
export const ECR_REP = "aws:ecr/replicationConfiguration:ReplicationConfiguration";
const RESIDENCY = "data-residency-copy-links";

type Rule = { ruleName?: string; copyActions?: unknown[] };
export const ruleIndex = (plan: RecordedResource, name: string): number => {
    const i = ((plan.inputs.rules as Rule[] | undefined) ?? []).findIndex((r) => r.ruleName === name);
    if (i < 0) throw new MissingTarget(`plan ${plan.name} has no rule ${name}`);
    return i;
};

// ---- the mutations ---------------------------------------------------------------------------------------

export const MUTATIONS: Mutation[] = [
    // 1. encryption
    { id: "bucket-sse-aws-managed-key", area: "encryption", stack: "primary", policy: "s3-bucket-encryption-cmk", at: { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, SSE, "documents"), ["rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"], "alias/aws/s3", true) },
    { id: "bucket-sse-removed", area: "encryption", stack: "primary", policy: "s3-bucket-encryption-cmk", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-reports" },
        apply: (rs) => remove(rs, find(rs, SSE, "reports")) },
    { id: "bucket-sse-s3-instead-of-kms", area: "encryption", stack: "dr-standby", policy: "s3-bucket-encryption-cmk", at: { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name: "vbr-prod-docs-audit" },
        apply: (rs) => set(find(rs, SSE, "audit"), ["rules", 0, "applyServerSideEncryptionByDefault"], { sseAlgorithm: "AES256" }, true) },
    { id: "db-storage-key-removed", area: "encryption", stack: "primary", policy: "rds-instance-storage-cmk", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-postgres" },
        apply: (rs) => set(find(rs, DB, "postgres"), ["kmsKeyId"], DELETE, true) },
    { id: "db-storage-unencrypted", area: "encryption", stack: "primary", policy: "rds-instance-storage-cmk", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-postgres" },
        apply: (rs) => set(find(rs, DB, "postgres"), ["storageEncrypted"], false) },
    { id: "vault-aws-managed-key", area: "encryption", stack: "primary", policy: "backup-vault-cmk", at: { type: "aws:backup/vault:Vault", name: "vbr-prod-backup-vault" },
        apply: (rs) => set(find(rs, VAULT), ["kmsKeyArn"], "arn:aws:kms:us-east-1:123456789012:alias/aws/backup", true) },
    { id: "secret-key-removed", area: "encryption", stack: "primary", policy: "secretsmanager-secret-cmk", at: { type: "aws:secretsmanager/secret:Secret", name: "vbr-prod-db-credentials" },
        apply: (rs) => set(find(rs, "aws:secretsmanager/secret:Secret"), ["kmsKeyId"], DELETE, true) },
    { id: "secret-replica-key-removed", area: "encryption", stack: "primary", policy: "secretsmanager-secret-cmk", at: { type: "aws:secretsmanager/secret:Secret", name: "vbr-prod-db-credentials" },
        apply: (rs) => set(find(rs, "aws:secretsmanager/secret:Secret"), ["replicas", 0, "kmsKeyId"], DELETE) },
    { id: "ecr-aes256", area: "encryption", stack: "dr-standby", policy: "ecr-repository-cmk", at: { type: "aws:ecr/repository:Repository", name: "vbr-prod-registry-app" },
        apply: (rs) => set(find(rs, "aws:ecr/repository:Repository"), ["encryptionConfigurations"], [{ encryptionType: "AES256" }], true) },
    { id: "loggroup-key-removed", area: "encryption", stack: "primary", policy: "cloudwatch-loggroup-cmk", at: { type: "aws:cloudwatch/logGroup:LogGroup", name: "vbr-prod-net-flow-logs" },
        apply: (rs) => set(find(rs, "aws:cloudwatch/logGroup:LogGroup"), ["kmsKeyId"], DELETE, true) },
    { id: "replica-key-aws-managed", area: "encryption", stack: "primary", policy: "s3-replication-replica-cmk", at: { type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, REP, "documents"), ["rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"], "alias/aws/s3") },
    { id: "backups-replication-key-removed", area: "encryption", stack: "dr-standby", policy: "rds-backupreplication-cmk", at: { type: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", name: "vbr-prod-db-backups" },
        apply: (rs) => set(find(rs, ABR), ["kmsKeyId"], DELETE, true) },
    { id: "aurora-cluster-unencrypted", area: "encryption", stack: "primary", policy: "rds-instance-storage-cmk", at: { type: "aws:rds/cluster:Cluster", name: "vbr-prod-aurora" },
        apply: (rs) => {
            const db = find(rs, DB, "postgres");
            addSibling(rs, db, CLUSTER, "vbr-prod-aurora", {
                engine: "aurora-postgresql", storageEncrypted: false, backupRetentionPeriod: 35, deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "vbr-prod-aurora-final",
            }, {}, { protect: true, retainOnDelete: true });
        } },
    { id: "access-logs-tag-on-data-bucket", area: "encryption", stack: "primary", policy: "s3-bucket-encryption-cmk", at: { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name: "vbr-prod-docs-documents" },
        apply: (rs) => {
            // A pull request that relabels a data bucket as access logs to drop its CMK: the tag alone proves nothing.
            set(find(rs, B, "documents"), ["tags", "vbr:data-class"], "access-logs");
            set(find(rs, SSE, "documents"), ["rules"], [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }], true);
        } },
    { id: "kms-rotation-off", area: "encryption", stack: "primary", policy: "kms-key-rotation-enabled", at: { type: "aws:kms/key:Key", name: "vbr-prod-keys-data" },
        apply: (rs) => set(find(rs, KEY, "data"), ["enableKeyRotation"], false) },
    // 2. retention
    { id: "db-retention-34", area: "retention", stack: "primary", policy: "rds-instance-backup-retention", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-postgres" },
        apply: (rs) => set(find(rs, DB, "postgres"), ["backupRetentionPeriod"], 34) },
    { id: "db-retention-unset", area: "retention", stack: "dr-failover-replica", policy: "rds-instance-backup-retention", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-replica" },
        apply: (rs) => set(find(rs, DB, "replica"), ["backupRetentionPeriod"], DELETE) },
    { id: "restored-db-retention-0", area: "retention", stack: "dr-failover-restore", policy: "rds-instance-backup-retention", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-failover" },
        apply: (rs) => set(find(rs, DB, "failover"), ["backupRetentionPeriod"], 0) },
    { id: "aurora-cluster-retention-7", area: "retention", stack: "primary", policy: "rds-instance-backup-retention", at: { type: "aws:rds/cluster:Cluster", name: "vbr-prod-aurora" },
        apply: (rs) => {
            const db = find(rs, DB, "postgres");
            addSibling(rs, db, CLUSTER, "vbr-prod-aurora", {
                engine: "aurora-postgresql", storageEncrypted: true, kmsKeyId: db.inputs.kmsKeyId, backupRetentionPeriod: 7, deletionProtection: true,
            }, {}, { protect: true, retainOnDelete: true });
        } },
    { id: "plan-daily-34", area: "retention", stack: "primary", policy: "backup-plan-retention", at: { type: "aws:backup/plan:Plan", name: "vbr-prod-backup-plan" },
        apply: (rs) => { const p = find(rs, PLAN); set(p, ["rules", ruleIndex(p, "daily"), "lifecycle", "deleteAfter"], 34); } },
    { id: "plan-weekly-364", area: "retention", stack: "primary", policy: "backup-plan-retention", at: { type: "aws:backup/plan:Plan", name: "vbr-prod-backup-plan" },
        apply: (rs) => { const p = find(rs, PLAN); set(p, ["rules", ruleIndex(p, "weekly"), "lifecycle", "deleteAfter"], 364); } },
    { id: "plan-daily-copy-30", area: "retention", stack: "primary", policy: "backup-plan-retention", at: { type: "aws:backup/plan:Plan", name: "vbr-prod-backup-plan" },
        apply: (rs) => { const p = find(rs, PLAN); set(p, ["rules", ruleIndex(p, "daily"), "copyActions", 0, "lifecycle", "deleteAfter"], 30); } },
    { id: "plan-weekly-rule-removed", area: "retention", stack: "primary", policy: "backup-plan-retention", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-postgres" },
        apply: (rs) => { const p = find(rs, PLAN); set(p, ["rules", ruleIndex(p, "weekly")], DELETE); } },
    { id: "vault-lock-7", area: "retention", stack: "dr-standby", policy: "backup-vaultlock-min-retention", at: { type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration", name: "vbr-prod-backup-lock" },
        apply: (rs) => set(find(rs, LOCK), ["minRetentionDays"], 7) },
    { id: "backups-replication-retention-7", area: "retention", stack: "dr-standby", policy: "rds-backupreplication-retention", at: { type: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", name: "vbr-prod-db-backups" },
        apply: (rs) => set(find(rs, ABR), ["retentionPeriod"], 7) },
    // 3. versioning
    { id: "versioning-suspended", area: "versioning", stack: "primary", policy: "s3-bucket-versioning-enabled", at: { type: "aws:s3/bucketVersioning:BucketVersioning", name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, VER, "documents"), ["versioningConfiguration", "status"], "Suspended") },
    { id: "replica-versioning-removed", area: "versioning", stack: "dr-standby", policy: "s3-bucket-versioning-enabled", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-reports" },
        apply: (rs) => remove(rs, find(rs, VER, "reports")) },
    { id: "bucket-v2-without-versioning", area: "versioning", stack: "primary", policy: "s3-bucket-versioning-enabled", at: { type: "aws:s3/bucketV2:BucketV2", name: "vbr-prod-exports" },
        apply: (rs) => {
            // A new bucket declared with the deprecated V2 type and no versioning resource.
            const b = find(rs, B, "documents");
            addSibling(rs, b, B_V2, "vbr-prod-exports", { bucket: "vbr-prod-exports-us-east-1", forceDestroy: false, region: b.inputs.region, tags: { "vbr:data-class": "documents" } },
                {}, { protect: true, retainOnDelete: true });
        } },
    // 4. cross-region copies
    { id: "replication-to-same-region-bucket", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-documents" },
        apply: (rs) => {
            const rep = find(rs, REP, "documents");
            const other = find(rs, B, "reports");
            set(rep, ["rules", 0, "destination", "bucket"], other.outputs.arn ?? `arn:aws:s3:::${String(other.inputs.bucket)}`);
            set(rep, ["rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"], "arn:aws:kms:us-east-1:123456789012:alias/vbr-prod-data");
        } },
    { id: "replication-key-same-region", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-audit" },
        apply: (rs) => set(find(rs, REP, "audit"), ["rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"], "arn:aws:kms:us-east-1:123456789012:alias/vbr-prod-data") },
    { id: "replication-rtc-off", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-reports" },
        apply: (rs) => set(find(rs, REP, "reports"), ["rules", 0, "destination", "replicationTime", "status"], "Disabled") },
    { id: "replication-rule-disabled", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, REP, "documents"), ["rules", 0, "status"], "Disabled") },
    { id: "replication-removed", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-audit" },
        apply: (rs) => remove(rs, find(rs, REP, "audit")) },
    { id: "replication-region-unprovable", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-reports" },
        apply: (rs) => set(find(rs, REP, "reports"), ["rules", 0, "destination", "encryptionConfiguration"], DELETE) },
    { id: "plan-copy-action-dropped", area: "cross-region", stack: "primary", policy: "backup-plan-cross-region-copy", at: { type: "aws:backup/plan:Plan", name: "vbr-prod-backup-plan" },
        apply: (rs) => { const p = find(rs, PLAN); set(p, ["rules", ruleIndex(p, "daily"), "copyActions"], [], true); } },
    { id: "plan-copy-same-region", area: "cross-region", stack: "primary", policy: "backup-plan-cross-region-copy", at: { type: "aws:backup/plan:Plan", name: "vbr-prod-backup-plan" },
        apply: (rs) => { const p = find(rs, PLAN); set(p, ["rules", ruleIndex(p, "weekly"), "copyActions", 0, "destinationVaultArn"], "arn:aws:backup:us-east-1:123456789012:backup-vault:vbr-prod-vault", true); } },
    { id: "aurora-cluster-not-in-backup-plan", area: "cross-region", stack: "primary", policy: "rds-instance-cross-region-backup", at: { type: "aws:rds/cluster:Cluster", name: "vbr-prod-aurora" },
        apply: (rs) => {
            // Compliant in every other way; Aurora has no automated backups replication, only a backup plan copies it.
            const db = find(rs, DB, "postgres");
            addSibling(rs, db, CLUSTER, "vbr-prod-aurora", {
                engine: "aurora-postgresql", storageEncrypted: true, kmsKeyId: db.inputs.kmsKeyId, backupRetentionPeriod: 35, deletionProtection: true,
            }, {}, { protect: true, retainOnDelete: true });
        } },
    { id: "db-backup-selection-removed", area: "cross-region", stack: "primary", policy: "rds-instance-cross-region-backup", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-postgres" },
        apply: (rs) => remove(rs, find(rs, SEL)) },
    // 5. no data loss
    { id: "db-unprotected", area: "no-data-loss", stack: "primary", policy: "aws-data-resources-protected", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-postgres" },
        apply: (rs) => { find(rs, DB, "postgres").protect = false; } },
    { id: "bucket-unprotected", area: "no-data-loss", stack: "dr-standby", policy: "aws-data-resources-protected", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-audit" },
        apply: (rs) => { find(rs, B, "audit").protect = false; } },
    { id: "key-unprotected", area: "no-data-loss", stack: "primary", policy: "aws-data-resources-protected", at: { type: "aws:kms/key:Key", name: "vbr-prod-keys-backup" },
        apply: (rs) => { find(rs, KEY, "backup").protect = false; } },
    { id: "drill-copy-skips-final-snapshot", area: "no-data-loss", stack: "dr-drill", policy: "aws-data-resources-protected", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-drill" },
        apply: (rs) => set(find(rs, DB, "drill"), ["skipFinalSnapshot"], true) },
    { id: "db-deletion-protection-off", area: "no-data-loss", stack: "primary", policy: "rds-instance-deletion-protection", at: { type: "aws:rds/instance:Instance", name: "vbr-prod-db-postgres" },
        apply: (rs) => set(find(rs, DB, "postgres"), ["deletionProtection"], false) },
    { id: "bucket-force-destroy", area: "no-data-loss", stack: "primary", policy: "s3-bucket-no-force-destroy", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, B, "documents"), ["forceDestroy"], true) },
    { id: "kms-deletion-window-7", area: "no-data-loss", stack: "dr-standby", policy: "kms-key-deletion-window", at: { type: "aws:kms/key:Key", name: "vbr-prod-keys-data" },
        apply: (rs) => set(find(rs, KEY, "data"), ["deletionWindowInDays"], 7) },
    // 6. data exposure
    { id: "public-access-block-policy-off", area: "exposure", stack: "primary", policy: "s3-bucket-public-access-blocked", at: { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, PAB, "documents"), ["blockPublicPolicy"], false) },
    { id: "public-access-block-removed", area: "exposure", stack: "dr-standby", policy: "s3-bucket-public-access-blocked", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-reports" },
        apply: (rs) => remove(rs, find(rs, PAB, "reports")) },
    { id: "bucket-public-acl", area: "exposure", stack: "primary", policy: "s3-bucket-public-access-blocked", at: { type: "aws:s3/bucketAcl:BucketAcl", name: "reports-acl" },
        apply: (rs) => {
            const b = find(rs, B, "reports");
            rs.push({
                ...b, urn: b.urn.replace("aws:s3/bucket:Bucket", "aws:s3/bucketAcl:BucketAcl").replace(/::[^:]+$/, "::reports-acl"),
                type: "aws:s3/bucketAcl:BucketAcl", name: "reports-acl", protect: false, retainOnDelete: false,
                dependencies: [b.urn], propertyDependencies: { bucket: [b.urn] }, inputs: { bucket: b.inputs.bucket, acl: "public-read" }, outputs: {},
            });
        } },
    { id: "bucket-acl-v2-public-grant", area: "exposure", stack: "dr-standby", policy: "s3-bucket-public-access-blocked", at: { type: "aws:s3/bucketAclV2:BucketAclV2", name: "vbr-prod-docs-reports-acl" },
        apply: (rs) => {
            const b = find(rs, B, "reports");
            addSibling(rs, b, ACL_V2, `${b.name}-acl`, {
                bucket: b.inputs.bucket, region: b.inputs.region,
                accessControlPolicy: { owner: { id: "owner" }, grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" }] },
            }, { bucket: [b] });
        } },
    { id: "bucket-policy-tls-deny-bucket-arn-only", area: "exposure", stack: "primary", policy: "s3-bucket-tls-only", at: { type: "aws:s3/bucketPolicy:BucketPolicy", name: "vbr-prod-docs-documents" },
        apply: (rs) => editStatement(find(rs, POL, "documents"), "DenyInsecureTransport", (st) => { st.Resource = (st.Resource as string[])[0]; }) },
    { id: "bucket-policy-tls-deny-removed", area: "exposure", stack: "primary", policy: "s3-bucket-tls-only", at: { type: "aws:s3/bucketPolicy:BucketPolicy", name: "vbr-prod-docs-audit" },
        apply: (rs) => set(find(rs, POL, "audit"), ["policy"], JSON.stringify({ Version: "2012-10-17", Statement: [] }), true) },
    { id: "bucket-policy-removed", area: "exposure", stack: "dr-standby", policy: "s3-bucket-tls-only", at: { type: "aws:s3/bucket:Bucket", name: "vbr-prod-docs-documents" },
        apply: (rs) => remove(rs, find(rs, POL, "documents")) },
    // 7. audit trail: the trail, and its log bucket held to the data rules like any other
    { id: "trail-log-file-validation-off", area: "audit", stack: "primary", policy: "s3-bucket-access-audited", at: { type: B, name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, TRAIL), ["enableLogFileValidation"], false) },
    { id: "trail-single-region", area: "audit", stack: "dr-failover-replica", policy: "s3-bucket-access-audited", at: { type: B, name: "vbr-prod-docs-documents" },
        apply: (rs) => set(find(rs, TRAIL), ["isMultiRegionTrail"], false) },
    { id: "trail-data-events-drop-reports", area: "audit", stack: "primary", policy: "s3-bucket-access-audited", at: { type: B, name: "vbr-prod-docs-reports" },
        apply: (rs) => {
            const trail = find(rs, TRAIL);
            const fields = (trail.inputs.advancedEventSelectors as Array<{ fieldSelectors: Array<{ field: string; startsWiths?: string[] }> }>)[1].fieldSelectors;
            const i = fields.findIndex((f) => f.field === "resources.ARN");
            set(trail, ["advancedEventSelectors", 1, "fieldSelectors", i, "startsWiths"], fields[i].startsWiths!.filter((a) => !a.includes("-reports-")));
        } },
    { id: "trail-removed", area: "audit", stack: "primary", policy: "s3-bucket-access-audited", at: { type: B, name: "vbr-prod-docs-audit" },
        apply: (rs) => remove(rs, find(rs, TRAIL)) },
    { id: "trail-log-bucket-not-replicated", area: "audit", stack: "primary", policy: "s3-bucket-cross-region-replication", at: { type: B, name: "vbr-prod-trail-bucket" },
        apply: (rs) => remove(rs, find(rs, REP, "trail")) },
    { id: "trail-log-bucket-unprotected", area: "audit", stack: "dr-standby", policy: "aws-data-resources-protected", at: { type: B, name: "vbr-prod-trail-bucket" },
        apply: (rs) => { find(rs, "aws:s3/bucket:Bucket", "trail").protect = false; } },
    // 8. residency: a copy that leaves the stack's zone (us), one per kind of copy link the stacks hold
    { id: "s3-replication-leaves-zone", area: "residency", stack: "primary", policy: RESIDENCY, at: { type: REP, name: "vbr-prod-docs-documents" },
        apply: (rs) => {
            set(find(rs, REP, "documents"), ["rules", 0, "destination", "bucket"], "arn:aws:s3:::vbr-prod-documents-eu-west-1");
            set(find(rs, REP, "documents"), ["rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"], "arn:aws:kms:eu-west-1:123456789012:alias/vbr-prod-data", true);
        } },
    { id: "backup-copy-leaves-zone", area: "residency", stack: "primary", policy: RESIDENCY, at: { type: PLAN, name: "vbr-prod-backup-plan" },
        apply: (rs) => { const p = find(rs, PLAN); set(p, ["rules", ruleIndex(p, "weekly"), "copyActions", 0, "destinationVaultArn"], "arn:aws:backup:eu-central-1:123456789012:backup-vault:vbr-prod-vault", true); } },
    { id: "secret-replica-leaves-zone", area: "residency", stack: "primary", policy: RESIDENCY, at: { type: "aws:secretsmanager/secret:Secret", name: "vbr-prod-db-credentials" },
        apply: (rs) => set(find(rs, "aws:secretsmanager/secret:Secret"), ["replicas", 0, "region"], "eu-west-2") },
    { id: "ecr-replication-leaves-zone", area: "residency", stack: "primary", policy: RESIDENCY, at: { type: ECR_REP, name: "vbr-prod-registry-replication" },
        apply: (rs) => set(find(rs, ECR_REP), ["replicationConfiguration", "rules", 0, "destinations", 0, "region"], "ca-central-1") },
    { id: "backups-replication-from-another-zone", area: "residency", stack: "dr-standby", policy: RESIDENCY, at: { type: ABR, name: "vbr-prod-db-backups" },
        apply: (rs) => set(find(rs, ABR), ["sourceDbInstanceArn"], "arn:aws:rds:eu-central-1:123456789012:db:vbr-prod-postgres", true) },
    { id: "read-replica-from-another-zone", area: "residency", stack: "dr-standby", policy: RESIDENCY, at: { type: DB, name: "vbr-prod-db-replica" },
        apply: (rs) => set(find(rs, DB, "replica"), ["replicateSourceDb"], "arn:aws:rds:ap-northeast-1:123456789012:db:vbr-prod-postgres", true) },
];

const copy = (rs: RecordedResource[]): RecordedResource[] => JSON.parse(JSON.stringify(rs)) as RecordedResource[];

/** Applies each mutation to a fresh copy of its stack and checks the intended policy's mandatory verdict. */
export async function runMutations(policies: Policies, load: (id: StackId) => Promise<SynthesizedStack>,
    mutations: Mutation[] = MUTATIONS): Promise<MutationResult[]> {
    const results: MutationResult[] = [];
    for (const m of mutations) {
        const stack = await load(m.stack);
        const resources = copy(stack.resources);
        try {
            m.apply(resources);
        } catch (e) {
            results.push({ mutation: m, caught: false, violations: [], error: e instanceof Error ? e.message : String(e) });
            continue;
        }
        const vs = await evaluatePolicies(policies, resources, { stackRegion: stack.config["aws:region"], config: policyConfigFromStack(policies, stack.config) });
        const hits = vs.filter((v) => v.policy === m.policy && v.enforcementLevel === "mandatory" && v.urn?.endsWith(`${m.at.type}::${m.at.name}`));
        results.push({ mutation: m, caught: hits.length > 0, violations: hits });
    }
    return results;
}
