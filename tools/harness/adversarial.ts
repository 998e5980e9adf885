// Adversarial mutations and compliant variants of this project's synthesized stacks: the evasions and false alarms
// a reviewer trying to break the pack would write (partial replication filters, bucket policies spelled
// differently, backup selections that exclude, exemption tags without the facts behind them, keys of another
// region, data stores beyond S3 and RDS), each mutation caught by its intended policy on the resource it breaks,
// each variant passing the whole pack with no mandatory violation.
import type { Policies } from "@pulumi/policy";
import { evaluatePolicies, Violation } from "./analyzer";
import {
    addSibling, B, DB, editStatement, find, KEY, LOCK, Mutation, MUTATIONS, PLAN, POL, REP, remove, SEL, set, SSE, StackId, VAULT, VER, PAB,
} from "./mutations";
import { policyConfigFromStack } from "./policy-config";
import type { RecordedResource, SynthesizedStack } from "./records";

const PEER = "us-west-2";
const ACCT = "123456789012";
const PEER_KEY = `arn:aws:kms:${PEER}:${ACCT}:alias/vbr-prod-data`;
/** The other region of the pair, seen from the stack `rs` (its data key's region). */
const peerOf = (rs: RecordedResource[]): string => (String(find(rs, KEY, "data").outputs.arn).split(":")[3] === "us-west-2" ? "us-east-1" : "us-west-2");
const peerKeyOf = (rs: RecordedResource[]): string => `arn:aws:kms:${peerOf(rs)}:${ACCT}:alias/vbr-prod-data`;
const T = {
    table: "aws:dynamodb/table:Table", efs: "aws:efs/fileSystem:FileSystem", efsBackup: "aws:efs/backupPolicy:BackupPolicy",
    efsReplication: "aws:efs/replicationConfiguration:ReplicationConfiguration", volume: "aws:ebs/volume:Volume", dlm: "aws:dlm/lifecyclePolicy:LifecyclePolicy",
    redshift: "aws:redshift/cluster:Cluster", redshiftCopy: "aws:redshift/snapshotCopy:SnapshotCopy", cache: "aws:elasticache/replicationGroup:ReplicationGroup",
    docdb: "aws:docdb/cluster:Cluster", search: "aws:opensearch/domain:Domain", secret: "aws:secretsmanager/secret:Secret",
} as const;
const KEPT = { protect: true, retainOnDelete: true };

/** The stack's data key, for stores added next to its database (an input taken from the key, with its dependency). */
function dataKey(rs: RecordedResource[]): { arn: string; key: RecordedResource } {
    const key = find(rs, KEY, "data");
    return { arn: String(key.outputs.arn), key };
}

/** Adds a compliant store of `type` next to the database, as a code change would. */
function store(rs: RecordedResource[], type: string, name: string, inputs: (arn: string) => Record<string, unknown>, keyInput: string): RecordedResource {
    const { arn, key } = dataKey(rs);
    return addSibling(rs, find(rs, DB), type, name, inputs(arn), { [keyInput]: [key] }, KEPT);
}

const table = (rs: RecordedResource[]) => store(rs, T.table, "vbr-prod-sessions", (arn) => ({
    name: "vbr-prod-sessions", hashKey: "id", serverSideEncryption: { enabled: true, kmsKeyArn: arn }, pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: true, replicas: [{ regionName: peerOf(rs), kmsKeyArn: peerKeyOf(rs) }],
}), "serverSideEncryption");

function efs(rs: RecordedResource[]): RecordedResource {
    const fs = store(rs, T.efs, "vbr-prod-shared", (arn) => ({ encrypted: true, kmsKeyId: arn }), "kmsKeyId");
    addSibling(rs, fs, T.efsBackup, "vbr-prod-shared-backup", { fileSystemId: "fs-1", backupPolicy: { status: "ENABLED" } }, { fileSystemId: [fs] });
    addSibling(rs, fs, T.efsReplication, "vbr-prod-shared-replication", { sourceFileSystemId: "fs-1", destination: { region: peerOf(rs), kmsKeyId: peerKeyOf(rs) } }, { sourceFileSystemId: [fs] });
    return fs;
}

function redshift(rs: RecordedResource[]): RecordedResource {
    const c = store(rs, T.redshift, "vbr-prod-warehouse", (arn) => ({
        clusterIdentifier: "vbr-prod-warehouse", nodeType: "ra3.xlplus", encrypted: true, kmsKeyId: arn, automatedSnapshotRetentionPeriod: 35,
        skipFinalSnapshot: false, finalSnapshotIdentifier: "vbr-prod-warehouse-final",
    }), "kmsKeyId");
    addSibling(rs, c, T.redshiftCopy, "vbr-prod-warehouse-copy", { clusterIdentifier: "vbr-prod-warehouse", destinationRegion: peerOf(rs), retentionPeriod: 35 }, { clusterIdentifier: [c] });
    return c;
}

function volume(rs: RecordedResource[]): RecordedResource {
    const v = store(rs, T.volume, "vbr-prod-scratch", (arn) => ({ availabilityZone: "us-east-1a", size: 100, encrypted: true, kmsKeyId: arn, tags: { "vbr:snapshots": "daily" } }), "kmsKeyId");
    addSibling(rs, v, T.dlm, "vbr-prod-snapshots", {
        description: "daily EBS snapshots", executionRoleArn: `arn:aws:iam::${ACCT}:role/dlm`, state: "ENABLED",
        policyDetails: {
            resourceTypes: ["VOLUME"], targetTags: { "vbr:snapshots": "daily" },
            schedules: [{ name: "daily", createRule: { interval: 24 }, retainRule: { count: 35 }, crossRegionCopyRules: [{ target: peerOf(rs), encrypted: true, cmkArn: peerKeyOf(rs), retainRule: { interval: 35, intervalUnit: "DAYS" } }] }],
        },
    });
    return v;
}

const docdb = (rs: RecordedResource[]): RecordedResource => {
    const c = store(rs, T.docdb, "vbr-prod-docdb", (arn) => ({
        clusterIdentifier: "vbr-prod-docdb", storageEncrypted: true, kmsKeyId: arn, backupRetentionPeriod: 35, deletionProtection: true,
        skipFinalSnapshot: false, finalSnapshotIdentifier: "vbr-prod-docdb-final",
    }), "kmsKeyId");
    // Selected in the stack's backup plan, which copies to the peer region.
    const sel = find(rs, SEL);
    sel.propertyDependencies.resources = [...(sel.propertyDependencies.resources ?? []), c.urn];
    return c;
};

const cache = (rs: RecordedResource[]) => store(rs, T.cache, "vbr-prod-cache", (arn) => ({
    description: "sessions", engine: "valkey", atRestEncryptionEnabled: true, kmsKeyId: arn, transitEncryptionEnabled: true, snapshotRetentionLimit: 35,
}), "kmsKeyId");

const search = (rs: RecordedResource[]) => store(rs, T.search, "vbr-prod-search", (arn) => ({ domainName: "vbr-prod-search", encryptAtRest: { enabled: true, kmsKeyId: arn } }), "encryptAtRest");

/** A bucket policy document with `extra` statements after the TLS deny. */
function addStatements(policy: RecordedResource, ...extra: Array<Record<string, unknown>>): void {
    const doc = JSON.parse(String(policy.inputs.policy)) as { Statement: unknown[] };
    doc.Statement.push(...extra);
    set(policy, ["policy"], JSON.stringify(doc), true);
}

/** Moves the weekly rule into a second plan with a selection of the same resources (a valid layout). */
function splitPlans(rs: RecordedResource[]): RecordedResource {
    const plan = find(rs, PLAN);
    const rules = plan.inputs.rules as Array<{ ruleName?: string }>;
    set(plan, ["rules"], rules.filter((r) => r.ruleName !== "weekly"));
    const weekly = addSibling(rs, plan, PLAN, "vbr-prod-backup-plan-weekly", { name: "vbr-prod-plan-weekly", rules: rules.filter((r) => r.ruleName === "weekly") },
        Object.fromEntries(Object.entries(plan.propertyDependencies).map(([k, us]) => [k, rs.filter((x) => us.includes(x.urn))])), { outputs: { id: "plan-weekly-0001" } });
    const sel = find(rs, SEL);
    addSibling(rs, sel, SEL, "vbr-prod-backup-selection-weekly", { ...sel.inputs, name: "vbr-prod-data-weekly", planId: "plan-weekly-0001" },
        { planId: [weekly], resources: rs.filter((x) => (sel.propertyDependencies.resources ?? []).includes(x.urn)) });
    return weekly;
}

const at = (type: string, name: string) => ({ type, name });
const DOCS = "vbr-prod-docs-documents";

export const ADVERSARIAL: Mutation[] = [
    // replication that covers part of the bucket, or an exemption tag without a rule behind it
    { id: "replication-prefix-filter", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: at(B, DOCS),
        apply: (rs) => set(find(rs, REP, "documents"), ["rules", 0, "filter"], { prefix: "invoices/" }) },
    { id: "replication-tag-filter", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: at(B, "vbr-prod-docs-reports"),
        apply: (rs) => set(find(rs, REP, "reports"), ["rules", 0, "filter"], { tag: { key: "replicate", value: "true" } }) },
    { id: "replica-tag-on-source-bucket", area: "cross-region", stack: "primary", policy: "s3-bucket-cross-region-replication", at: at(B, "vbr-prod-docs-reports"),
        apply: (rs) => { set(find(rs, B, "reports"), ["tags", "vbr:replication"], "destination"); remove(rs, find(rs, REP, "reports")); } },
    // bucket policies: public grants, conflicting policies, TLS denies with a hole
    { id: "bucket-policy-public-read", area: "exposure", stack: "primary", policy: "s3-bucket-public-access-blocked", at: at(POL, DOCS),
        apply: (rs) => addStatements(find(rs, POL, "documents"), { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::vbr-prod-documents-us-east-1/*" }) },
    { id: "bucket-policy-allow-all-but-one", area: "exposure", stack: "dr-standby", policy: "s3-bucket-public-access-blocked", at: at(POL, "vbr-prod-docs-reports"),
        apply: (rs) => addStatements(find(rs, POL, "reports"), { Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:role/blocked` }, Action: "s3:*", Resource: "arn:aws:s3:::vbr-prod-reports-us-west-2/*" }) },
    { id: "second-bucket-policy-without-tls", area: "exposure", stack: "primary", policy: "s3-bucket-tls-only", at: at(POL, "vbr-prod-docs-audit-extra"),
        apply: (rs) => {
            const bucket = find(rs, B, "audit");
            addSibling(rs, find(rs, POL, "audit"), POL, "vbr-prod-docs-audit-extra", {
                bucket: bucket.inputs.bucket,
                policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "s3:GetObject", Resource: "arn:aws:s3:::vbr-prod-audit-us-east-1/*" }] }),
            }, { bucket: [bucket] });
        } },
    { id: "tls-deny-notprincipal-exemption", area: "exposure", stack: "primary", policy: "s3-bucket-tls-only", at: at(POL, DOCS),
        apply: (rs) => editStatement(find(rs, POL, "documents"), "DenyInsecureTransport", (st) => { delete st.Principal; st.NotPrincipal = { AWS: `arn:aws:iam::${ACCT}:role/etl` }; }) },
    { id: "tls-deny-narrowed-to-vpce", area: "exposure", stack: "dr-standby", policy: "s3-bucket-tls-only", at: at(POL, "vbr-prod-docs-audit"),
        apply: (rs) => editStatement(find(rs, POL, "audit"), "DenyInsecureTransport", (st) => { st.Condition = { ...(st.Condition as object), StringEquals: { "aws:SourceVpce": "vpce-0123" } }; }) },
    // backup selections that exclude, and backup layouts
    { id: "backup-selection-notresources-db", area: "cross-region", stack: "primary", policy: "rds-instance-cross-region-backup", at: at(DB, "vbr-prod-db-postgres"),
        apply: (rs) => set(find(rs, SEL), ["notResources"], [find(rs, DB, "postgres").outputs.arn]) },
    { id: "backup-selection-conditions-exclude-db", area: "cross-region", stack: "primary", policy: "rds-instance-cross-region-backup", at: at(DB, "vbr-prod-db-postgres"),
        apply: (rs) => set(find(rs, SEL), ["conditions"], [{ stringEquals: [{ key: "aws:ResourceTag/backup", value: "true" }] }]) },
    { id: "plans-split-weekly-turned-monthly", area: "retention", stack: "primary", policy: "backup-plan-retention", at: at(DB, "vbr-prod-db-postgres"),
        apply: (rs) => { const w = splitPlans(rs); set(w, ["rules", 0, "schedule"], "cron(0 4 1 * ? *)"); } },
    { id: "vault-lock-removed", area: "retention", stack: "dr-standby", policy: "backup-vaultlock-min-retention", at: at(VAULT, "vbr-prod-backup-vault"),
        apply: (rs) => remove(rs, find(rs, LOCK)) },
    // the drill tag without the facts behind it
    { id: "drill-tag-on-production-db", area: "no-data-loss", stack: "primary", policy: "aws-data-resources-protected", at: at(DB, "vbr-prod-db-postgres"),
        apply: (rs) => { const db = find(rs, DB, "postgres"); set(db, ["tags", "vbr:lifecycle"], "drill"); db.protect = false; } },
    { id: "drill-tag-waives-cross-region", area: "cross-region", stack: "primary", policy: "rds-instance-cross-region-backup", at: at(DB, "vbr-prod-db-postgres"),
        apply: (rs) => { set(find(rs, DB, "postgres"), ["tags", "vbr:lifecycle"], "drill"); remove(rs, find(rs, SEL)); } },
    // keys of another region (AWS refuses them at deploy time)
    { id: "db-key-other-region", area: "encryption", stack: "primary", policy: "rds-instance-storage-cmk", at: at(DB, "vbr-prod-db-postgres"),
        apply: (rs) => set(find(rs, DB, "postgres"), ["kmsKeyId"], `arn:aws:kms:${PEER}:${ACCT}:key/0000`, true) },
    { id: "bucket-sse-key-other-region", area: "encryption", stack: "dr-standby", policy: "s3-bucket-encryption-cmk", at: at(SSE, DOCS),
        apply: (rs) => set(find(rs, SSE, "documents"), ["rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"], `arn:aws:kms:us-east-1:${ACCT}:alias/vbr-prod-data`, true) },
    { id: "vault-key-other-region", area: "encryption", stack: "primary", policy: "backup-vault-cmk", at: at(VAULT, "vbr-prod-backup-vault"),
        apply: (rs) => set(find(rs, VAULT), ["kmsKeyArn"], `arn:aws:kms:${PEER}:${ACCT}:alias/vbr-prod-backup`, true) },
    { id: "secret-replica-key-home-region", area: "encryption", stack: "primary", policy: "secretsmanager-secret-cmk", at: at(T.secret, "vbr-prod-db-credentials"),
        apply: (rs) => set(find(rs, T.secret), ["replicas", 0, "kmsKeyId"], `arn:aws:kms:us-east-1:${ACCT}:alias/vbr-prod-secrets`) },
    // data stores beyond S3 and RDS
    { id: "dynamodb-aws-owned-key", area: "encryption", stack: "primary", policy: "datastore-encryption-cmk", at: at(T.table, "vbr-prod-sessions"),
        apply: (rs) => set(table(rs), ["serverSideEncryption"], { enabled: false }, true) },
    { id: "dynamodb-no-pitr", area: "retention", stack: "primary", policy: "datastore-backup-retention", at: at(T.table, "vbr-prod-sessions"),
        apply: (rs) => set(table(rs), ["pointInTimeRecovery"], { enabled: false }) },
    { id: "dynamodb-no-replica", area: "cross-region", stack: "primary", policy: "datastore-cross-region-copy", at: at(T.table, "vbr-prod-sessions"),
        apply: (rs) => set(table(rs), ["replicas"], []) },
    { id: "dynamodb-unprotected", area: "no-data-loss", stack: "primary", policy: "aws-data-resources-protected", at: at(T.table, "vbr-prod-sessions"),
        apply: (rs) => { table(rs).protect = false; } },
    { id: "dynamodb-deletion-protection-off", area: "no-data-loss", stack: "dr-standby", policy: "datastore-deletion-protection", at: at(T.table, "vbr-prod-sessions"),
        apply: (rs) => set(table(rs), ["deletionProtectionEnabled"], false) },
    { id: "efs-unencrypted", area: "encryption", stack: "primary", policy: "datastore-encryption-cmk", at: at(T.efs, "vbr-prod-shared"),
        apply: (rs) => set(efs(rs), ["encrypted"], false) },
    { id: "efs-no-replication", area: "cross-region", stack: "primary", policy: "datastore-cross-region-copy", at: at(T.efs, "vbr-prod-shared"),
        apply: (rs) => { efs(rs); remove(rs, find(rs, T.efsReplication)); } },
    { id: "ebs-volume-no-snapshots", area: "retention", stack: "primary", policy: "datastore-backup-retention", at: at(T.volume, "vbr-prod-scratch"),
        apply: (rs) => { volume(rs); remove(rs, find(rs, T.dlm)); } },
    { id: "redshift-skips-final-snapshot", area: "no-data-loss", stack: "primary", policy: "datastore-deletion-protection", at: at(T.redshift, "vbr-prod-warehouse"),
        apply: (rs) => set(redshift(rs), ["skipFinalSnapshot"], true) },
    { id: "redshift-copy-same-region", area: "cross-region", stack: "primary", policy: "datastore-cross-region-copy", at: at(T.redshift, "vbr-prod-warehouse"),
        apply: (rs) => { redshift(rs); set(find(rs, T.redshiftCopy), ["destinationRegion"], "us-east-1"); } },
    { id: "docdb-retention-7", area: "retention", stack: "primary", policy: "datastore-backup-retention", at: at(T.docdb, "vbr-prod-docdb"),
        apply: (rs) => set(docdb(rs), ["backupRetentionPeriod"], 7) },
    { id: "elasticache-not-encrypted-at-rest", area: "encryption", stack: "primary", policy: "datastore-encryption-cmk", at: at(T.cache, "vbr-prod-cache"),
        apply: (rs) => set(cache(rs), ["atRestEncryptionEnabled"], false) },
    { id: "opensearch-aws-managed-key", area: "encryption", stack: "primary", policy: "datastore-encryption-cmk", at: at(T.search, "vbr-prod-search"),
        apply: (rs) => set(search(rs), ["encryptAtRest", "kmsKeyId"], "alias/aws/es", true) },
    // exposure of the other stores
    { id: "db-publicly-accessible", area: "exposure", stack: "dr-failover-replica", policy: "datastore-not-public", at: at(DB, "vbr-prod-db-replica"),
        apply: (rs) => set(find(rs, DB, "replica"), ["publiclyAccessible"], true) },
    { id: "opensearch-open-access-policy", area: "exposure", stack: "primary", policy: "datastore-not-public", at: at(T.search, "vbr-prod-search"),
        apply: (rs) => set(search(rs), ["accessPolicies"], JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "es:ESHttp*", Resource: `arn:aws:es:us-east-1:${ACCT}:domain/vbr-prod-search/*` }] })) },
];

/** Every mutation: this project's own and the adversarial ones. */
export const ALL_MUTATIONS: Mutation[] = [...MUTATIONS, ...ADVERSARIAL];

/** A compliant change: the whole pack must report no mandatory violation on it. */
export interface Variant { id: string; stack: StackId; apply(resources: RecordedResource[]): void }

export const VARIANTS: Variant[] = [
    { id: "tls-deny-bool-if-exists", stack: "primary",
        apply: (rs) => editStatement(find(rs, POL, "documents"), "DenyInsecureTransport", (st) => { st.Condition = { BoolIfExists: { "aws:SecureTransport": "false" } }; }) },
    { id: "tls-deny-split-bucket-and-objects", stack: "dr-standby",
        apply: (rs) => {
            const policy = find(rs, POL, "audit");
            const doc = JSON.parse(String(policy.inputs.policy)) as { Statement: Array<Record<string, unknown>> };
            const i = doc.Statement.findIndex((st) => st.Sid === "DenyInsecureTransport");
            const [bucket, objects] = doc.Statement[i].Resource as string[];
            doc.Statement.splice(i, 1,
                { ...doc.Statement[i], Sid: "DenyInsecureTransportBucket", Resource: bucket },
                { ...doc.Statement[i], Sid: "DenyInsecureTransportObjects", Action: "*", Resource: objects });
            set(policy, ["policy"], JSON.stringify(doc), true);
        } },
    { id: "public-statement-narrowed-to-the-organisation", stack: "primary",
        apply: (rs) => addStatements(find(rs, POL, "documents"), { Sid: "OrgRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::vbr-prod-documents-us-east-1/*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } } }) },
    { id: "daily-and-weekly-rules-in-two-plans", stack: "primary", apply: (rs) => { splitPlans(rs); } },
    { id: "daily-rule-kept-a-year-instead-of-a-weekly-one", stack: "primary",
        apply: (rs) => {
            const plan = find(rs, PLAN);
            const rules = (plan.inputs.rules as Array<{ ruleName?: string; lifecycle?: object; copyActions?: Array<{ lifecycle?: object }> }>).filter((r) => r.ruleName !== "weekly");
            for (const r of rules) { r.lifecycle = { deleteAfter: 365 }; for (const c of r.copyActions ?? []) c.lifecycle = { deleteAfter: 365 }; }
            set(plan, ["rules"], rules);
        } },
    { id: "replica-bucket-proven-by-an-in-stack-rule", stack: "primary",
        apply: (rs) => {
            // A bucket of this stack in the peer region that the documents rule writes into: untagged, proven by the rule.
            const src = find(rs, B, "documents");
            const name = "vbr-prod-documents-us-west-2";
            const b = addSibling(rs, src, B, "vbr-prod-docs-documents-replica", { bucket: name, forceDestroy: false, region: PEER, tags: { "vbr:data-class": "documents" } }, {}, { ...KEPT, outputs: { arn: `arn:aws:s3:::${name}` } });
            addSibling(rs, find(rs, VER, "documents"), VER, "vbr-prod-docs-documents-replica", { bucket: name, region: PEER, versioningConfiguration: { status: "Enabled" } }, { bucket: [b] });
            addSibling(rs, find(rs, SSE, "documents"), SSE, "vbr-prod-docs-documents-replica", { bucket: name, region: PEER, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: PEER_KEY }, bucketKeyEnabled: true }] }, { bucket: [b] });
            addSibling(rs, find(rs, PAB, "documents"), PAB, "vbr-prod-docs-documents-replica", { bucket: name, region: PEER, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { bucket: [b] });
            const policy = String(find(rs, POL, "documents").inputs.policy).split("vbr-prod-documents-us-east-1").join(name);
            addSibling(rs, find(rs, POL, "documents"), POL, "vbr-prod-docs-documents-replica", { bucket: name, region: PEER, policy }, { bucket: [b] });
        } },
    { id: "account-public-access-block-instead-of-per-bucket", stack: "dr-standby",
        apply: (rs) => {
            for (const b of rs.filter((x) => x.type === PAB)) remove(rs, b);
            addSibling(rs, find(rs, B, "documents"), "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "vbr-prod-account-pab",
                { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        } },
    { id: "compliant-dynamodb-table", stack: "primary", apply: (rs) => { table(rs); } },
    { id: "compliant-efs-file-system", stack: "primary", apply: (rs) => { efs(rs); } },
    { id: "compliant-redshift-cluster", stack: "dr-standby", apply: (rs) => { redshift(rs); } },
    { id: "compliant-ebs-volume-with-lifecycle-policy", stack: "primary", apply: (rs) => { volume(rs); } },
    { id: "compliant-documentdb-cache-and-search", stack: "primary", apply: (rs) => { docdb(rs); cache(rs); search(rs); } },
];

export interface VariantResult { variant: Variant; mandatory: Violation[]; error?: string }

/** Applies each variant to a fresh copy of its stack; a variant passes when the pack reports nothing mandatory. */
export async function runVariants(policies: Policies, load: (id: StackId) => Promise<SynthesizedStack>, variants: Variant[] = VARIANTS): Promise<VariantResult[]> {
    const out: VariantResult[] = [];
    for (const v of variants) {
        const stack = await load(v.stack);
        const resources = JSON.parse(JSON.stringify(stack.resources)) as RecordedResource[];
        try {
            v.apply(resources);
        } catch (e) {
            out.push({ variant: v, mandatory: [], error: e instanceof Error ? e.message : String(e) });
            continue;
        }
        const vs = await evaluatePolicies(policies, resources, { stackRegion: stack.config["aws:region"], config: policyConfigFromStack(policies, stack.config) });
        out.push({ variant: v, mandatory: vs.filter((x) => x.enforcementLevel === "mandatory") });
    }
    return out;
}
