// Hand-built recorded stacks for the per-policy specs: a compliant primary-like baseline, changed one thing per case,
// run through the analyzer harness (real protobuf requests, the engine's proxy and provider handling).
import { expect } from "chai";
import { packName, packVersion, policies } from "../../policies/pack";
import { analyze, AnalysisResult, RecordedResource, UNKNOWN } from "../../tools/harness/analyzer";

export { UNKNOWN };
export const REGION = "us-east-1";
export const PEER = "us-west-2";
const ACCT = "123456789012";

const urnOf = (type: string, name: string) => `urn:pulumi:primary::vbr::${type}::${name}`;

export function res(type: string, name: string, inputs: Record<string, unknown>, deps: Record<string, RecordedResource[]> = {}, extra: Partial<RecordedResource> = {}): RecordedResource {
    const propertyDependencies = Object.fromEntries(Object.entries(deps).map(([k, rs]) => [k, rs.map((r) => r.urn)]));
    return {
        urn: urnOf(type, name), type, name, parent: null, custom: true, remote: false, provider: null, region: null, protect: false,
        retainOnDelete: false, dependencies: [...new Set(Object.values(propertyDependencies).flat())], propertyDependencies, inputs, outputs: {}, ...extra,
    };
}

const keyArn = (name: string, region = REGION) => `arn:aws:kms:${region}:${ACCT}:key/${name}-0000`;

/** A compliant stack: every data guarantee holds. Names are stable so cases can find what to change. */
export function baseline(): RecordedResource[] {
    const rs: RecordedResource[] = [];
    const add = (r: RecordedResource) => { rs.push(r); return r; };
    const key = (n: string) => add(res("aws:kms/key:Key", `key-${n}`, { enableKeyRotation: true, deletionWindowInDays: 30 }, {}, { protect: true, retainOnDelete: true, outputs: { arn: keyArn(n) } }));
    const data = key("data"), backup = key("backup"), logs = key("logs"), secrets = key("secrets");
    // The trail's log bucket is a data bucket like the others (the trail below delivers to it).
    for (const b of ["documents", "audit", "trail"]) {
        const bucket = add(res("aws:s3/bucket:Bucket", b, { bucket: `vbr-${b}-${REGION}`, forceDestroy: false, tags: { "vbr:data-class": b } }, {}, { protect: true, retainOnDelete: true, outputs: { arn: `arn:aws:s3:::vbr-${b}-${REGION}` } }));
        add(res("aws:s3/bucketVersioning:BucketVersioning", `${b}-versioning`, { bucket: bucket.inputs.bucket, versioningConfiguration: { status: "Enabled" } }, { bucket: [bucket] }));
        add(res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${b}-sse`, {
            bucket: bucket.inputs.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn("data") }, bucketKeyEnabled: true }],
        }, { bucket: [bucket], rules: [data] }));
        add(res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${b}-pab`, { bucket: bucket.inputs.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { bucket: [bucket] }));
        add(res("aws:s3/bucketPolicy:BucketPolicy", `${b}-policy`, {
            bucket: bucket.inputs.bucket,
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::vbr-${b}-${REGION}`, `arn:aws:s3:::vbr-${b}-${REGION}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }] }),
        }, { bucket: [bucket] }));
        add(res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", `${b}-replication`, {
            bucket: bucket.inputs.bucket, role: `arn:aws:iam::${ACCT}:role/replication`,
            rules: [{
                id: `${b}-to-${PEER}`, status: "Enabled", filter: {}, deleteMarkerReplication: { status: "Enabled" },
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                destination: {
                    bucket: `arn:aws:s3:::vbr-${b}-${PEER}`, encryptionConfiguration: { replicaKmsKeyId: `arn:aws:kms:${PEER}:${ACCT}:alias/vbr-data` },
                    replicationTime: { status: "Enabled", time: { minutes: 15 } }, metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
                },
            }],
        }, { bucket: [bucket] }));
    }
    add(res("aws:cloudtrail/trail:Trail", "cloudtrail", {
        name: "vbr-trail", s3BucketName: `vbr-trail-${REGION}`, isMultiRegionTrail: true, enableLogFileValidation: true, enableLogging: true, kmsKeyId: keyArn("logs"),
        advancedEventSelectors: [
            { name: "management", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
            { name: "objects", fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] },
                { field: "resources.ARN", startsWiths: ["documents", "audit"].flatMap((b) => [`arn:aws:s3:::vbr-${b}-${REGION}/`, `arn:aws:s3:::vbr-${b}-${PEER}/`]) },
            ] },
        ],
    }, { s3BucketName: [find(rs, "trail")], kmsKeyId: [logs] }));
    const db = add(res("aws:rds/instance:Instance", "db", {
        storageEncrypted: true, kmsKeyId: keyArn("data"), backupRetentionPeriod: 35, deletionProtection: true, multiAz: true, tags: {},
    }, { kmsKeyId: [data] }, { protect: true, outputs: { arn: `arn:aws:rds:${REGION}:${ACCT}:db:vbr-db` } }));
    add(res("aws:secretsmanager/secret:Secret", "secret", { kmsKeyId: keyArn("secrets"), replicas: [{ region: PEER, kmsKeyId: `arn:aws:kms:${PEER}:${ACCT}:alias/vbr-secrets` }] }, { kmsKeyId: [secrets] }, { protect: true }));
    const vault = add(res("aws:backup/vault:Vault", "vault", { name: "vbr-vault", kmsKeyArn: keyArn("backup") }, { kmsKeyArn: [backup] }, { protect: true, outputs: { arn: `arn:aws:backup:${REGION}:${ACCT}:backup-vault:vbr-vault` } }));
    add(res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock", { backupVaultName: "vbr-vault", minRetentionDays: 35, changeableForDays: 7 }, { backupVaultName: [vault] }));
    const peerVault = `arn:aws:backup:${PEER}:${ACCT}:backup-vault:vbr-vault`;
    const plan = add(res("aws:backup/plan:Plan", "plan", {
        name: "vbr-plan", rules: [
            { ruleName: "daily", targetVaultName: "vbr-vault", schedule: "cron(0 2 * * ? *)", lifecycle: { deleteAfter: 35 }, copyActions: [{ destinationVaultArn: peerVault, lifecycle: { deleteAfter: 35 } }] },
            { ruleName: "weekly", targetVaultName: "vbr-vault", schedule: "cron(0 2 ? * SUN *)", lifecycle: { deleteAfter: 365 }, copyActions: [{ destinationVaultArn: peerVault, lifecycle: { deleteAfter: 365 } }] },
        ],
    }, { rules: [vault] }, { outputs: { id: "plan-0001" } }));
    add(res("aws:backup/selection:Selection", "selection", { planId: "plan-0001", name: "db", iamRoleArn: "arn:aws:iam::x:role/b", resources: [db.outputs.arn] }, { planId: [plan], resources: [db] }));
    add(res("aws:ecr/repository:Repository", "repo", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: keyArn("data") }] }, { encryptionConfigurations: [data] }));
    add(res("aws:sns/topic:Topic", "topic", { kmsMasterKeyId: keyArn("data") }, { kmsMasterKeyId: [data] }));
    add(res("aws:cloudwatch/logGroup:LogGroup", "logs", { kmsKeyId: keyArn("logs"), retentionInDays: 365 }, { kmsKeyId: [logs] }));
    return rs;
}

/** Changes a resource's type (e.g. to its deprecated V2 token), keeping every reference to it. */
export function retype(rs: RecordedResource[], r: RecordedResource, type: string): RecordedResource {
    const old = r.urn;
    r.type = type;
    r.urn = urnOf(type, r.name);
    for (const x of rs) {
        x.dependencies = x.dependencies.map((u) => (u === old ? r.urn : u));
        for (const k of Object.keys(x.propertyDependencies)) x.propertyDependencies[k] = x.propertyDependencies[k].map((u) => (u === old ? r.urn : u));
    }
    return r;
}

export const V2 = {
    bucket: "aws:s3/bucketV2:BucketV2",
    versioning: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    encryption: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    acl: "aws:s3/bucketAclV2:BucketAclV2",
} as const;

/** A load balancer of this stack writing its access logs to `bucket` (its name, and the property dependency). */
export function albLoggingTo(rs: RecordedResource[], bucket: RecordedResource): RecordedResource {
    const lb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", accessLogs: { bucket: bucket.inputs.bucket, prefix: "alb", enabled: true } }, { accessLogs: [bucket] });
    rs.push(lb);
    return lb;
}

/** The project's ALB log bucket policy: the TLS deny, then s3:PutObject for ELB log delivery only. */
export function elbLogDeliveryPolicy(bucketName: string, extra: Array<Record<string, unknown>> = []): string {
    const arn = `arn:aws:s3:::${bucketName}`;
    const objects = `${arn}/alb/AWSLogs/${ACCT}/*`;
    return JSON.stringify({
        Version: "2012-10-17", Statement: [
            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            { Sid: "ElbLogDeliveryAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::127311923021:root" }, Action: "s3:PutObject", Resource: objects },
            { Sid: "ElbLogDeliveryService", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: objects },
            ...extra,
        ],
    });
}

/** Tags baseline bucket `name` as access-logs with SSE-S3 and no replication: the shape of an ALB log bucket. */
export function asAccessLogShape(rs: RecordedResource[], name: string): RecordedResource {
    const b = find(rs, name);
    set(b, ["tags", "vbr:data-class"], "access-logs");
    set(find(rs, `${name}-sse`), ["rules"], [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    delete find(rs, `${name}-sse`).propertyDependencies.rules;
    rs.splice(rs.indexOf(find(rs, `${name}-replication`)), 1);
    return b;
}

/** An Aurora cluster that keeps every guarantee (CMK, 35 days, deletion protection, protected, selected in the plan). */
export function withCluster(rs: RecordedResource[]): RecordedResource {
    const cluster = res("aws:rds/cluster:Cluster", "aurora", {
        engine: "aurora-postgresql", storageEncrypted: true, kmsKeyId: keyArn("data"), backupRetentionPeriod: 35, deletionProtection: true,
        skipFinalSnapshot: false, finalSnapshotIdentifier: "aurora-final", tags: {},
    }, { kmsKeyId: [find(rs, "key-data")] }, { protect: true, outputs: { arn: `arn:aws:rds:${REGION}:${ACCT}:cluster:vbr-aurora` } });
    rs.push(cluster);
    const sel = find(rs, "selection");
    (sel.inputs.resources as string[]).push(cluster.outputs.arn as string);
    sel.propertyDependencies.resources = [...(sel.propertyDependencies.resources ?? []), cluster.urn];
    return cluster;
}

/** Removes every replication rule: the shape of a stack that only receives copies (a DR stack), tagging `tagged` as destinations. */
export function asDestinationStack(rs: RecordedResource[], ...tagged: string[]): void {
    for (const r of rs.filter((x) => x.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) rs.splice(rs.indexOf(r), 1);
    for (const n of tagged) set(find(rs, n), ["tags", "vbr:replication"], "destination");
}

/** A bucket of this stack in the peer region that the documents bucket's replication rule names as its destination. */
export function withInStackReplica(rs: RecordedResource[]): RecordedResource {
    const west = res("aws:s3/bucket:Bucket", "documents-replica", { bucket: `vbr-documents-${PEER}`, region: PEER }, {}, { protect: true, retainOnDelete: true, outputs: { arn: `arn:aws:s3:::vbr-documents-${PEER}` } });
    rs.push(west);
    return west;
}

/** Makes baseline database `name` a drill copy: restored to a point in time, tagged, unprotected, no deletion protection, a final snapshot. */
export function asDrillCopy(rs: RecordedResource[], name = "db"): RecordedResource {
    const db = find(rs, name);
    db.protect = false;
    set(db, ["tags", "vbr:lifecycle"], "drill");
    set(db, ["restoreToPointInTime"], { sourceDbInstanceIdentifier: "vbr-db", useLatestRestorableTime: true });
    set(db, ["deletionProtection"], false);
    set(db, ["finalSnapshotIdentifier"], "vbr-drill-final");
    return db;
}

/** One compliant store of each kind the datastore-* policies judge, wired the way a program would. */
export function withStores(rs: RecordedResource[]): void {
    const data = find(rs, "key-data");
    const kept = { protect: true, retainOnDelete: true };
    const add = (r: RecordedResource) => { rs.push(r); return r; };
    const peerKey = `arn:aws:kms:${PEER}:${ACCT}:key/data-peer`;
    add(res("aws:dynamodb/table:Table", "table", {
        name: "vbr-table", serverSideEncryption: { enabled: true, kmsKeyArn: keyArn("data") }, pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true, replicas: [{ regionName: PEER, kmsKeyArn: peerKey }],
    }, { serverSideEncryption: [data] }, kept));
    const efs = add(res("aws:efs/fileSystem:FileSystem", "efs", { encrypted: true, kmsKeyId: keyArn("data") }, { kmsKeyId: [data] }, { ...kept, outputs: { id: "fs-0001" } }));
    add(res("aws:efs/backupPolicy:BackupPolicy", "efs-backup", { fileSystemId: "fs-0001", backupPolicy: { status: "ENABLED" } }, { fileSystemId: [efs] }));
    add(res("aws:efs/replicationConfiguration:ReplicationConfiguration", "efs-replication", { sourceFileSystemId: "fs-0001", destination: { region: PEER, kmsKeyId: peerKey } }, { sourceFileSystemId: [efs] }));
    add(res("aws:ebs/volume:Volume", "volume", { availabilityZone: `${REGION}a`, size: 100, encrypted: true, kmsKeyId: keyArn("data"), tags: { backup: "daily" } }, { kmsKeyId: [data] }, kept));
    add(res("aws:dlm/lifecyclePolicy:LifecyclePolicy", "dlm", {
        description: "daily", executionRoleArn: `arn:aws:iam::${ACCT}:role/dlm`, state: "ENABLED",
        policyDetails: { resourceTypes: ["VOLUME"], targetTags: { backup: "daily" }, schedules: [{ name: "daily", createRule: { interval: 24 }, retainRule: { count: 35 }, crossRegionCopyRules: [{ target: PEER, encrypted: true, cmkArn: peerKey, retainRule: { interval: 35, intervalUnit: "DAYS" } }] }] },
    }));
    const wh = add(res("aws:redshift/cluster:Cluster", "warehouse", {
        clusterIdentifier: "vbr-warehouse", encrypted: true, kmsKeyId: keyArn("data"), automatedSnapshotRetentionPeriod: 35, skipFinalSnapshot: false, finalSnapshotIdentifier: "vbr-warehouse-final",
    }, { kmsKeyId: [data] }, kept));
    add(res("aws:redshift/snapshotCopy:SnapshotCopy", "warehouse-copy", { clusterIdentifier: "vbr-warehouse", destinationRegion: PEER, retentionPeriod: 35 }, { clusterIdentifier: [wh] }));
    add(res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { description: "sessions", atRestEncryptionEnabled: true, kmsKeyId: keyArn("data"), snapshotRetentionLimit: 35 }, { kmsKeyId: [data] }, kept));
    const docs = add(res("aws:docdb/cluster:Cluster", "docs", {
        clusterIdentifier: "vbr-docs", storageEncrypted: true, kmsKeyId: keyArn("data"), backupRetentionPeriod: 35, deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "vbr-docs-final",
    }, { kmsKeyId: [data] }, { ...kept, outputs: { arn: `arn:aws:rds:${REGION}:${ACCT}:cluster:vbr-docs` } }));
    const sel = find(rs, "selection");
    (sel.inputs.resources as string[]).push(docs.outputs.arn as string);
    sel.propertyDependencies.resources = [...(sel.propertyDependencies.resources ?? []), docs.urn];
    add(res("aws:opensearch/domain:Domain", "search", { domainName: "vbr-search", encryptAtRest: { enabled: true, kmsKeyId: keyArn("data") } }, { encryptAtRest: [data] }, kept));
}

export const find = (rs: RecordedResource[], name: string): RecordedResource => {
    const r = rs.find((x) => x.name === name);
    if (!r) throw new Error(`fixture has no resource ${name}`);
    return r;
};

/** Sets a nested input (and echoed output) by path; `undefined` deletes. */
export function set(r: RecordedResource, path: Array<string | number>, value: unknown): void {
    for (const obj of [r.inputs, ...(String(path[0]) in r.outputs ? [r.outputs] : [])]) {
        let cur = obj as Record<string | number, unknown>;
        for (const k of path.slice(0, -1)) cur = (cur[k] ??= typeof k === "number" ? [] : {}) as Record<string | number, unknown>;
        const last = path[path.length - 1];
        if (value === undefined) delete cur[last]; else cur[last] = value;
    }
}

export async function run(rs: RecordedResource[], config?: Record<string, Record<string, unknown>>): Promise<AnalysisResult> {
    return analyze(policies, rs, { stackRegion: REGION, config });
}

/** The messages one policy reported (without the description line), with level and resource name. */
export async function reported(policy: string, rs: RecordedResource[], config?: Record<string, Record<string, unknown>>): Promise<Array<{ level: string; name: string | undefined; message: string }>> {
    const { violations } = await run(rs, config);
    return violations.filter((v) => v.policy === policy).map((v) => ({
        level: v.enforcementLevel, name: v.urn?.split("::").pop(), message: v.message.split("\n").slice(1).join("\n") || v.message,
    }));
}

export interface Case { name: string; change: (rs: RecordedResource[]) => void; expect: Array<{ name: string; message: string; level?: "mandatory" | "advisory" }> }

/**
 * The standard spec of a policy: the baseline passes, each case reports exactly the expected messages, an
 * unknown value produces the engine's advisory (or is decided from dependencies), other types are not applicable.
 */
export function policySpec(policy: string, spec: {
    cases: Case[];
    unknown: { name: string; change: (rs: RecordedResource[]) => void; expect: "advisory" | "pass" };
    /** A stack with none of the policy's types. */
    notApplicable?: RecordedResource[];
}): void {
    describe(`policy ${policy}`, () => {
        it("passes the compliant baseline", async () => {
            expect(await reported(policy, baseline())).to.deep.equal([]);
        });
        for (const c of spec.cases) {
            it(`fails: ${c.name}`, async () => {
                const rs = baseline();
                c.change(rs);
                expect(await reported(policy, rs)).to.deep.equal(c.expect.map((e) => ({ level: e.level ?? "mandatory", name: e.name, message: e.message })));
            });
        }
        it(`unknown in preview: ${spec.unknown.name} -> ${spec.unknown.expect}`, async () => {
            const rs = baseline();
            spec.unknown.change(rs);
            const got = await reported(policy, rs);
            if (spec.unknown.expect === "pass") expect(got).to.deep.equal([]);
            else {
                expect(got).to.have.length(1);
                expect(got[0].level).to.equal("advisory");
                expect(got[0].message).to.match(new RegExp(`^can't run policy '${policy}' from policy pack '${packName}@v${packVersion.replace(/\./g, "\\.")}' during preview: .* can't be known during preview$`));
            }
        });
        it("is not applicable to a stack without its resource types", async () => {
            const rs = spec.notApplicable ?? [res("aws:iam/role:Role", "role", { name: "r" })];
            const r = await run(rs);
            expect(r.violations.filter((v) => v.policy === policy)).to.deep.equal([]);
            expect(r.notApplicable.filter((n) => n.policy === policy && n.urn === null)).to.have.length(1);
        });
    });
}

/** The DR stack's replication of the primary's automated backups, added to the baseline. */
export function withBackupsReplication(rs: RecordedResource[]): RecordedResource {
    rs.push(res("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "backups-replication", {
        sourceDbInstanceArn: "arn:aws:rds:us-west-2:123456789012:db:vbr-db", retentionPeriod: 35, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/data-0000",
    }, { kmsKeyId: [find(rs, "key-data")] }));
    return find(rs, "backups-replication");
}

/**
 * The spec every "this resource's key is a CMK" policy shares (policies/lib/cmk-policy.ts builds those policies):
 * the baseline passes, an AWS-managed alias and a missing key each fail with the exact message, an unknown key ARN
 * not linked to a key of the stack surfaces the engine's advisory, and one linked to a key of the stack decides.
 */
/** `absent`: what the policy says the service does without a key. */
export function cmkPolicySpec(policy: string, c: { resource: string; label: string; field: string; awsAlias: string; absent: string; extra?: Case[] }): void {
    const fix = `Fix: set ${c.field} to a customer-managed KMS key ARN in the resource's region.`;
    policySpec(policy, {
        cases: [
            { name: "AWS-managed key", change: (rs) => set(find(rs, c.resource), [c.field], c.awsAlias),
                expect: [{ name: c.resource, message: `${c.label} "${c.resource}" encrypts with the AWS-managed key "${c.awsAlias}" (${c.field}). ${fix}` }] },
            { name: "no key", change: (rs) => set(find(rs, c.resource), [c.field], undefined),
                expect: [{ name: c.resource, message: `${c.label} "${c.resource}" encrypts with ${c.absent} (${c.field}). ${fix}` }] },
            ...(c.extra ?? []),
        ],
        unknown: {
            name: "key ARN unknown and not from a key of this stack",
            change: (rs) => { const r = find(rs, c.resource); set(r, [c.field], UNKNOWN); r.propertyDependencies = {}; }, expect: "advisory",
        },
    });
    describe(`${policy} in preview`, () => {
        it("decides an unknown key ARN from its property dependency on a KMS key of the stack", async () => {
            const rs = baseline();
            set(find(rs, c.resource), [c.field], UNKNOWN);
            expect(await reported(policy, rs)).to.deep.equal([]);
        });
    });
}
