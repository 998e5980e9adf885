// The datastore-* policies (policies/lib/stores.ts) on one compliant store of each kind, changed one thing per case.
import { expect } from "chai";
import { baseline, find, policySpec, reported, res, set, UNKNOWN, withStores } from "./fixtures";
import type { RecordedResource } from "../../tools/harness/analyzer";

const KEY = "a customer-managed KMS key ARN in the resource's region";
/** A case on the baseline with every store added. */
const on = (change: (rs: RecordedResource[]) => void) => (rs: RecordedResource[]) => { withStores(rs); change(rs); };
const drop = (rs: RecordedResource[], name: string) => rs.splice(rs.indexOf(find(rs, name)), 1);
/** A Neptune cluster, compliant but for what `over` changes (not selected by any backup plan). */
const neptune = (rs: RecordedResource[], over: Record<string, unknown> = {}) => { rs.push(res("aws:neptune/cluster:Cluster", "graph", {
    clusterIdentifier: "vbr-graph", storageEncrypted: true, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/data-0000", backupRetentionPeriod: 35,
    deletionProtection: true, finalSnapshotIdentifier: "vbr-graph-final", ...over,
}, {}, { protect: true })); return find(rs, "graph"); };

policySpec("datastore-encryption-cmk", {
    cases: [
        { name: "every store compliant", change: on(() => undefined), expect: [] },
        { name: "DynamoDB on a key AWS owns", change: on((rs) => set(find(rs, "table"), ["serverSideEncryption"], { enabled: false })),
            expect: [{ name: "table", message: `Table "table" is encrypted with a key AWS owns, not a customer-managed key (serverSideEncryption.enabled false). Fix: set serverSideEncryption: { enabled: true, kmsKeyArn: ${KEY} }.` }] },
        { name: "DynamoDB with the AWS-managed key", change: on((rs) => { const t = find(rs, "table"); set(t, ["serverSideEncryption", "kmsKeyArn"], undefined); delete t.propertyDependencies.serverSideEncryption; }),
            expect: [{ name: "table", message: `Table "table" encrypts with no KMS key (DynamoDB then uses its AWS-managed key aws/dynamodb) (serverSideEncryption.kmsKeyArn). Fix: set serverSideEncryption.kmsKeyArn to ${KEY}.` }] },
        { name: "a DynamoDB replica with the table's key (of another region)", change: on((rs) => set(find(rs, "table"), ["replicas", 0, "kmsKeyArn"], "arn:aws:kms:us-east-1:123456789012:key/data-0000")),
            expect: [{ name: "table", message: `Table "table" encrypts with the key "arn:aws:kms:us-east-1:123456789012:key/data-0000" of us-east-1, while the resource is in us-west-2 (AWS accepts only a key of the resource's own region) (replicas[0].kmsKeyArn). Fix: set replicas[0].kmsKeyArn to ${KEY}.` }] },
        { name: "EFS unencrypted", change: on((rs) => set(find(rs, "efs"), ["encrypted"], false)),
            expect: [{ name: "efs", message: `FileSystem "efs" is not encrypted at rest (encrypted false). Fix: set encrypted: true and kmsKeyId to ${KEY}.` }] },
        { name: "EBS volume encrypted with a key of another region", change: on((rs) => { const v = find(rs, "volume"); set(v, ["kmsKeyId"], "arn:aws:kms:us-west-2:123456789012:key/x"); delete v.propertyDependencies.kmsKeyId; }),
            expect: [{ name: "volume", message: `Volume "volume" encrypts with the key "arn:aws:kms:us-west-2:123456789012:key/x" of us-west-2, while the resource is in us-east-1 (AWS accepts only a key of the resource's own region) (kmsKeyId). Fix: set kmsKeyId to ${KEY}.` }] },
        { name: "Redshift unencrypted (one violation, not one per missing field)", change: on((rs) => { const w = find(rs, "warehouse"); set(w, ["encrypted"], false); set(w, ["kmsKeyId"], undefined); delete w.propertyDependencies.kmsKeyId; }),
            expect: [{ name: "warehouse", message: `Cluster "warehouse" is not encrypted with a customer-managed key (encrypted false). Fix: set encrypted: true and kmsKeyId to ${KEY}.` }] },
        { name: "ElastiCache without encryption at rest", change: on((rs) => set(find(rs, "cache"), ["atRestEncryptionEnabled"], undefined)),
            expect: [{ name: "cache", message: `ReplicationGroup "cache" is not encrypted at rest (atRestEncryptionEnabled "unset"). Fix: set atRestEncryptionEnabled: true and kmsKeyId to ${KEY}.` }] },
        { name: "DocumentDB with the AWS-managed key", change: on((rs) => set(find(rs, "docs"), ["kmsKeyId"], "alias/aws/rds")),
            expect: [{ name: "docs", message: `Cluster "docs" encrypts with the AWS-managed key "alias/aws/rds" (kmsKeyId). Fix: set kmsKeyId to ${KEY}.` }] },
        { name: "OpenSearch without encryption at rest", change: on((rs) => set(find(rs, "search"), ["encryptAtRest"], undefined)),
            expect: [{ name: "search", message: `Domain "search" is not encrypted at rest (encryptAtRest.enabled "unset"). Fix: set encryptAtRest: { enabled: true, kmsKeyId: ${KEY} }.` }] },
        { name: "a single-node Redis cluster", change: on((rs) => { rs.push(res("aws:elasticache/cluster:Cluster", "redis", { engine: "redis", nodeType: "cache.t4g.small", numCacheNodes: 1, snapshotRetentionLimit: 35 }, {}, { protect: true })); }),
            expect: [{ name: "redis", message: `Cluster "redis" is a single-node Redis/Valkey cluster, which cannot encrypt at rest with a customer-managed key. Fix: use an aws.elasticache.ReplicationGroup with atRestEncryptionEnabled: true and kmsKeyId set to ${KEY}.` }] },
        { name: "Memcached and replication-group members hold nothing of their own", change: on((rs) => {
            rs.push(res("aws:elasticache/cluster:Cluster", "memcached", { engine: "memcached", nodeType: "cache.t4g.small", numCacheNodes: 2 }));
            rs.push(res("aws:elasticache/cluster:Cluster", "member", { replicationGroupId: "vbr-cache", engine: UNKNOWN }));
        }), expect: [] },
        { name: "a Neptune cluster without a key", change: on((rs) => { neptune(rs, { kmsKeyArn: undefined }); }),
            expect: [{ name: "graph", message: `Cluster "graph" encrypts with no KMS key (Neptune then uses its AWS-managed key aws/rds) (kmsKeyArn). Fix: set kmsKeyArn to ${KEY}.` }] },
        { name: "a DynamoDB TableReplica with the AWS-managed key", change: on((rs) => { rs.push(res("aws:dynamodb/tableReplica:TableReplica", "table-west", { globalTableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/vbr-table", region: "us-west-2", kmsKeyArn: "alias/aws/dynamodb", deletionProtectionEnabled: true }, {}, { protect: true })); }),
            expect: [{ name: "table-west", message: `TableReplica "table-west" encrypts with the AWS-managed key "alias/aws/dynamodb" (kmsKeyArn). Fix: set kmsKeyArn to ${KEY}.` }] },
        { name: "an EBS snapshot copy without a key", change: on((rs) => { rs.push(res("aws:ebs/snapshotCopy:SnapshotCopy", "snap-copy", { sourceSnapshotId: "snap-1", sourceRegion: "us-west-2", encrypted: true }, {}, { protect: true })); }),
            expect: [{ name: "snap-copy", message: `SnapshotCopy "snap-copy" encrypts with no KMS key (EBS then uses the account's default EBS key, aws/ebs unless it was changed) (kmsKeyId). Fix: set kmsKeyId to ${KEY}.` }] },
    ],
    unknown: { name: "an EFS key ARN unknown and not from a key of this stack", change: on((rs) => { const e = find(rs, "efs"); set(e, ["kmsKeyId"], UNKNOWN); e.propertyDependencies = {}; }), expect: "advisory" },
});

policySpec("datastore-backup-retention", {
    cases: [
        { name: "every store compliant", change: on(() => undefined), expect: [] },
        { name: "DynamoDB without point-in-time recovery", change: on((rs) => set(find(rs, "table"), ["pointInTimeRecovery"], undefined)),
            expect: [{ name: "table", message: 'Table "table" has no point-in-time recovery (pointInTimeRecovery.enabled "unset"). Fix: set pointInTimeRecovery: { enabled: true }.' }] },
        { name: "DynamoDB recovery period 7 days", change: on((rs) => set(find(rs, "table"), ["pointInTimeRecovery", "recoveryPeriodInDays"], 7)),
            expect: [{ name: "table", message: 'Table "table" keeps backups 7 days (pointInTimeRecovery.recoveryPeriodInDays), below 35 days. Fix: set pointInTimeRecovery.recoveryPeriodInDays: 35.' }] },
        { name: "EFS with its backup policy disabled and no plan", change: on((rs) => set(find(rs, "efs-backup"), ["backupPolicy", "status"], "DISABLED")),
            expect: [{ name: "efs", message: 'FileSystem "efs" has no backups (no aws.efs.BackupPolicy with status ENABLED). Fix: add an aws.efs.BackupPolicy with backupPolicy: { status: "ENABLED" } (daily backups kept 35 days), or select it in an AWS Backup plan.' }] },
        { name: "EBS volume no lifecycle policy targets", change: on((rs) => set(find(rs, "volume"), ["tags"], { backup: "never" })),
            expect: [{ name: "volume", message: 'Volume "volume" has no backups (no Data Lifecycle Manager policy targets its tags). Fix: add an aws.dlm.LifecyclePolicy whose targetTags match it, or select it in an AWS Backup plan.' }] },
        { name: "Redshift default retention", change: on((rs) => set(find(rs, "warehouse"), ["automatedSnapshotRetentionPeriod"], undefined)),
            expect: [{ name: "warehouse", message: 'Cluster "warehouse" keeps backups 1 day (automatedSnapshotRetentionPeriod unset), below 35 days. Fix: set automatedSnapshotRetentionPeriod: 35.' }] },
        { name: "ElastiCache without snapshots", change: on((rs) => set(find(rs, "cache"), ["snapshotRetentionLimit"], 0)),
            expect: [{ name: "cache", message: 'ReplicationGroup "cache" keeps backups 0 days (snapshotRetentionLimit), below 35 days. Fix: set snapshotRetentionLimit: 35.' }] },
        { name: "an ElastiCache serverless cache without snapshots", change: on((rs) => { rs.push(res("aws:elasticache/serverlessCache:ServerlessCache", "sessions", { engine: "valkey", name: "sessions", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/data-0000" }, {}, { protect: true })); }),
            expect: [{ name: "sessions", message: 'ServerlessCache "sessions" takes no automatic snapshots (snapshotRetentionLimit unset), below 35 days. Fix: set snapshotRetentionLimit: 35.' }] },
        { name: "a Neptune cluster at the default 1 day", change: on((rs) => { neptune(rs, { backupRetentionPeriod: undefined }); }),
            expect: [{ name: "graph", message: 'Cluster "graph" keeps backups 1 day (backupRetentionPeriod unset), below 35 days. Fix: set backupRetentionPeriod: 35.' }] },
        { name: "DocumentDB 7 days", change: on((rs) => set(find(rs, "docs"), ["backupRetentionPeriod"], 7)),
            expect: [{ name: "docs", message: 'Cluster "docs" keeps backups 7 days (backupRetentionPeriod), below 35 days. Fix: set backupRetentionPeriod: 35.' }] },
        { name: "an EFS file system selected by a backup plan needs no backup policy", change: on((rs) => {
            drop(rs, "efs-backup"); const s = find(rs, "selection"); const e = find(rs, "efs");
            s.propertyDependencies.resources = [...s.propertyDependencies.resources, e.urn];
        }), expect: [] },
    ],
    unknown: { name: "DocumentDB retention unknown", change: on((rs) => set(find(rs, "docs"), ["backupRetentionPeriod"], UNKNOWN)), expect: "advisory" },
});

policySpec("datastore-deletion-protection", {
    cases: [
        { name: "every store compliant", change: on(() => undefined), expect: [] },
        { name: "DynamoDB deletion protection off", change: on((rs) => set(find(rs, "table"), ["deletionProtectionEnabled"], false)),
            expect: [{ name: "table", message: 'Table "table" can be deleted through the API (deletionProtectionEnabled false). Fix: set deletionProtectionEnabled: true.' }] },
        { name: "a DynamoDB TableReplica without deletion protection", change: on((rs) => { rs.push(res("aws:dynamodb/tableReplica:TableReplica", "table-west", { globalTableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/vbr-table", region: "us-west-2", kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k" }, {}, { protect: true })); }),
            expect: [{ name: "table-west", message: 'TableReplica "table-west" can be deleted through the API (deletionProtectionEnabled "unset"). Fix: set deletionProtectionEnabled: true.' }] },
        { name: "Redshift skips its final snapshot", change: on((rs) => set(find(rs, "warehouse"), ["skipFinalSnapshot"], true)),
            expect: [{ name: "warehouse", message: 'Cluster "warehouse" would be deleted without a final snapshot (skipFinalSnapshot is true). Fix: set skipFinalSnapshot: false and a finalSnapshotIdentifier.' }] },
        { name: "DocumentDB without deletion protection nor final snapshot name", change: on((rs) => { const d = find(rs, "docs"); set(d, ["deletionProtection"], undefined); set(d, ["finalSnapshotIdentifier"], undefined); }),
            expect: [
                { name: "docs", message: 'Cluster "docs" can be deleted through the API (deletionProtection "unset"). Fix: set deletionProtection: true.' },
                { name: "docs", message: 'Cluster "docs" would be deleted without a final snapshot (it has no finalSnapshotIdentifier). Fix: set skipFinalSnapshot: false and a finalSnapshotIdentifier.' },
            ] },
    ],
    unknown: { name: "DynamoDB deletion protection unknown", change: on((rs) => set(find(rs, "table"), ["deletionProtectionEnabled"], UNKNOWN)), expect: "advisory" },
});

policySpec("datastore-cross-region-copy", {
    cases: [
        { name: "every store compliant", change: on(() => undefined), expect: [] },
        { name: "DynamoDB without a replica", change: on((rs) => set(find(rs, "table"), ["replicas"], [])),
            expect: [{ name: "table", message: 'Table "table" in us-east-1 has no copy in another region. Fix: add a replica in another region (replicas: [{ regionName }] or aws.dynamodb.TableReplica), or select it in an AWS Backup plan whose rules copy to a vault in another region.' }] },
        { name: "DynamoDB replica in its own region", change: on((rs) => set(find(rs, "table"), ["replicas", 0, "regionName"], "us-east-1")),
            expect: [{ name: "table", message: 'Table "table" in us-east-1 has no copy in another region. Fix: add a replica in another region (replicas: [{ regionName }] or aws.dynamodb.TableReplica), or select it in an AWS Backup plan whose rules copy to a vault in another region.' }] },
        { name: "EFS without replication", change: on((rs) => drop(rs, "efs-replication")),
            expect: [{ name: "efs", message: 'FileSystem "efs" in us-east-1 has no copy in another region. Fix: add an aws.efs.ReplicationConfiguration to another region, or select it in an AWS Backup plan whose rules copy to a vault in another region.' }] },
        { name: "EBS lifecycle policy without a cross-region copy", change: on((rs) => set(find(rs, "dlm"), ["policyDetails", "schedules", 0, "crossRegionCopyRules"], [])),
            expect: [{ name: "volume", message: 'Volume "volume" in us-east-1 has no copy in another region. Fix: add a crossRegionCopyRules entry to a Data Lifecycle Manager policy that targets it, or select it in an AWS Backup plan whose rules copy to a vault in another region.' }] },
        { name: "Redshift snapshot copy into its own region", change: on((rs) => set(find(rs, "warehouse-copy"), ["destinationRegion"], "us-east-1")),
            expect: [{ name: "warehouse", message: 'Cluster "warehouse" in us-east-1 has no copy in another region. Fix: add an aws.redshift.SnapshotCopy with a destinationRegion in another region, or select it in an AWS Backup plan whose rules copy to a vault in another region.' }] },
        { name: "DocumentDB dropped from the backup selection (notResources)", change: on((rs) => set(find(rs, "selection"), ["notResources"], ["arn:aws:rds:us-east-1:123456789012:cluster:vbr-docs"])),
            expect: [{ name: "docs", message: 'Cluster "docs" in us-east-1 has no copy in another region. Fix: add a member of its global cluster in another region (globalClusterIdentifier), or select it in an AWS Backup plan whose rules copy to a vault in another region.' }] },
        { name: "a Neptune cluster alone in its global cluster", change: on((rs) => { neptune(rs, { globalClusterIdentifier: "vbr-global" }); }),
            expect: [{ name: "graph", message: 'Cluster "graph" in us-east-1 has no copy in another region. Fix: add a member of its global cluster in another region (globalClusterIdentifier), or select it in an AWS Backup plan whose rules copy to a vault in another region.' }] },
        { name: "two Neptune members of one global cluster in two regions copy each other", change: on((rs) => {
            neptune(rs, { globalClusterIdentifier: "vbr-global" });
            rs.push(res("aws:neptune/cluster:Cluster", "graph-west", { clusterIdentifier: "vbr-graph", globalClusterIdentifier: "vbr-global", region: "us-west-2", storageEncrypted: true, kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k", backupRetentionPeriod: 35, deletionProtection: true, finalSnapshotIdentifier: "f" }, {}, { protect: true }));
        }), expect: [] },
        { name: "a DynamoDB table replicated by a TableReplica in another region", change: on((rs) => {
            const t = find(rs, "table"); set(t, ["replicas"], []);
            rs.push(res("aws:dynamodb/tableReplica:TableReplica", "table-west", { globalTableArn: UNKNOWN, region: "us-west-2", kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k", deletionProtectionEnabled: true }, { globalTableArn: [t] }, { protect: true }));
        }), expect: [] },
        { name: "an EFS file system an in-stack replication writes into is a copy", change: on((rs) => {
            const dest = res("aws:efs/fileSystem:FileSystem", "efs-copy", { encrypted: true, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/data-0000" }, {}, { protect: true });
            rs.push(dest); find(rs, "efs-replication").propertyDependencies.destination = [dest.urn];
        }), expect: [] },
    ],
    unknown: { name: "DynamoDB replicas unknown", change: on((rs) => set(find(rs, "table"), ["replicas"], UNKNOWN)), expect: "advisory" },
});

describe("aws-data-resources-protected on the other data stores", () => {
    it("reports each unprotected store", async () => {
        const rs = baseline();
        withStores(rs);
        for (const n of ["table", "efs", "search"]) find(rs, n).protect = false;
        expect((await reported("aws-data-resources-protected", rs)).map((v) => v.name)).to.deep.equal(["table", "efs", "search"]);
    });
});

const OPEN = { Version: "2012-10-17", Statement: [{ Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "es:*", Resource: "arn:aws:es:us-east-1:123456789012:domain/vbr-search/*" }] };
const POLICY_FIX = "Fix: remove the public Allow statements, or narrow each to known callers with a condition on aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce.";

policySpec("datastore-not-public", {
    cases: [
        { name: "every store private", change: on(() => undefined), expect: [] },
        { name: "an RDS instance publicly accessible", change: (rs) => set(find(rs, "db"), ["publiclyAccessible"], true),
            expect: [{ name: "db", message: 'Instance "db" is reachable from the internet (publiclyAccessible true). Fix: set publiclyAccessible: false and reach it through the VPC.' }] },
        { name: "a Redshift cluster publicly accessible", change: on((rs) => set(find(rs, "warehouse"), ["publiclyAccessible"], true)),
            expect: [{ name: "warehouse", message: 'Cluster "warehouse" is reachable from the internet (publiclyAccessible true). Fix: set publiclyAccessible: false and reach it through the VPC.' }] },
        { name: "an OpenSearch domain outside a VPC open to anyone", change: on((rs) => set(find(rs, "search"), ["accessPolicies"], JSON.stringify(OPEN))),
            expect: [{ name: "search", message: `Domain "search" is outside a VPC and its accessPolicies allow anyone: statement "Open" (es:*). ${POLICY_FIX}` }] },
        { name: "an OpenSearch DomainPolicy open to anyone", change: on((rs) => { const d = find(rs, "search"); rs.push(res("aws:opensearch/domainPolicy:DomainPolicy", "search-policy", { domainName: "vbr-search", accessPolicies: JSON.stringify(OPEN) }, { domainName: [d] })); }),
            expect: [{ name: "search-policy", message: `Domain "search" is outside a VPC and DomainPolicy "search-policy" allows anyone: statement "Open" (es:*). ${POLICY_FIX}` }] },
        { name: "a DynamoDB resource policy open to anyone", change: on((rs) => { rs.push(res("aws:dynamodb/resourcePolicy:ResourcePolicy", "table-policy", { resourceArn: "arn:aws:dynamodb:us-east-1:123456789012:table/vbr-table", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "dynamodb:GetItem", Resource: "*" }] }) })); }),
            expect: [{ name: "table-policy", message: `ResourcePolicy "table-policy" allows anyone: statement 0 (dynamodb:GetItem). ${POLICY_FIX}` }] },
        { name: "an open access policy on a domain inside a VPC is not an internet exposure", change: on((rs) => { const d = find(rs, "search"); set(d, ["accessPolicies"], JSON.stringify(OPEN)); set(d, ["vpcOptions"], { subnetIds: ["subnet-1"] }); }), expect: [] },
    ],
    unknown: { name: "publiclyAccessible unknown", change: (rs) => set(find(rs, "db"), ["publiclyAccessible"], UNKNOWN), expect: "advisory" },
});
