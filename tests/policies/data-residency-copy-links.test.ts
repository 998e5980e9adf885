// data-residency-copy-links: each kind of copy link stays in its zone (passes), leaves it (fails, naming both regions,
// the zone and the fix), or cannot be decided in preview (the engine's advisory).
import { expect } from "chai";
import { RecordedResource } from "../../tools/harness/analyzer";
import { baseline, find, policySpec, reported, res, set, UNKNOWN, withBackupsReplication, withInStackReplica, withStores } from "./fixtures";

const POLICY = "data-residency-copy-links";
const ACCT = "123456789012";
const US = "us-east-2, us-west-1, us-west-2";
const fix = (input: string) => `Fix: set ${input} to a destination in us (${US}), or remove the copy.`;
const leaves = (what: string, to: string, zone: string, via: string, input: string) =>
    `${what} copies data from us-east-1 to ${to} (zone ${zone}, from ${via}): it leaves its source's residency zone us. ${fix(input)}`;

const replica = (rs: RecordedResource[], region: string) => res("aws:rds/instance:Instance", "replica", {
    replicateSourceDb: `arn:aws:rds:${region}:${ACCT}:db:vbr-db`, storageEncrypted: true, tags: {},
}, {}, { protect: true });
const ecr = (region: string) => res("aws:ecr/replicationConfiguration:ReplicationConfiguration", "registry", {
    replicationConfiguration: { rules: [{ destinations: [{ region, registryId: ACCT }], repositoryFilters: [{ filter: "vbr-prod/", filterType: "PREFIX_MATCH" }] }] },
});

policySpec(POLICY, {
    cases: [
        { name: "an S3 rule into another zone, proven by the replica key's ARN", change: (rs) => {
            set(find(rs, "documents-replication"), ["rules", 0, "destination", "bucket"], "arn:aws:s3:::vbr-documents-eu-west-1");
            set(find(rs, "documents-replication"), ["rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"], `arn:aws:kms:eu-west-1:${ACCT}:alias/vbr-data`);
        }, expect: [{ name: "documents-replication", message: leaves(`rule "documents-to-us-west-2" of BucketReplicationConfig "documents-replication"`, "eu-west-1", "eu",
            `replicaKmsKeyId arn:aws:kms:eu-west-1:${ACCT}:alias/vbr-data`, "rules[0].destination.bucket") }] },
        { name: "an S3 rule whose destination region nothing proves", change: (rs) => set(find(rs, "audit-replication"), ["rules", 0, "destination", "encryptionConfiguration"], undefined),
            expect: [{ name: "audit-replication", message: `rule "audit-to-us-west-2" of BucketReplicationConfig "audit-replication" copies data from us-east-1 to a destination whose ` +
                "region the stack does not prove (rules[0].destination.bucket), so it may leave its source's residency zone us. Fix: make the destination provable " +
                "(a resource of this stack, or an ARN that names its region), in us." }] },
        { name: "an S3 rule into a bucket of this stack in Zurich (its region from the graph)", change: (rs) => {
            const zurich = withInStackReplica(rs);
            set(zurich, ["region"], "eu-central-2");
            set(find(rs, "documents-replication"), ["rules", 0, "destination", "bucket"], zurich.outputs.arn);
        }, expect: [{ name: "documents-replication", message: leaves(`rule "documents-to-us-west-2" of BucketReplicationConfig "documents-replication"`, "eu-central-2", "ch",
            `destination bucket Bucket "documents-replica"`, "rules[0].destination.bucket") }] },
        { name: "a Bucket's inline replication rule", change: (rs) => set(find(rs, "trail"), ["replicationConfiguration"], {
            role: "arn:aws:iam::1:role/r", rules: [{ id: "inline", status: "Enabled", destination: { bucket: "arn:aws:s3:::elsewhere", replicaKmsKeyId: `arn:aws:kms:ca-central-1:${ACCT}:key/k` } }],
        }), expect: [{ name: "trail", message: leaves(`inline replication rule "inline" of Bucket "trail"`, "ca-central-1", "ca", `replicaKmsKeyId arn:aws:kms:ca-central-1:${ACCT}:key/k`,
            "replicationConfiguration.rules[0].destination.bucket") }] },
        { name: "an AWS Backup copy into a vault in Ireland", change: (rs) => set(find(rs, "plan"), ["rules", 1, "copyActions", 0, "destinationVaultArn"], `arn:aws:backup:eu-west-1:${ACCT}:backup-vault:v`),
            expect: [{ name: "plan", message: leaves(`copy action 0 of rule "weekly" of Plan "plan"`, "eu-west-1", "eu", "its destination vault", "rules[1].copyActions[0].destinationVaultArn") }] },
        { name: "a secret replica in London", change: (rs) => set(find(rs, "secret"), ["replicas", 0, "region"], "eu-west-2"),
            expect: [{ name: "secret", message: leaves(`replica 0 of Secret "secret"`, "eu-west-2", "uk", "replicas[0].region", "replicas[0].region") }] },
        { name: "ECR replication to the UAE", change: (rs) => rs.push(ecr("me-central-1")),
            expect: [{ name: "registry", message: leaves(`destination 0 of rule 0 of ReplicationConfiguration "registry"`, "me-central-1", "ae",
                "replicationConfiguration.rules[0].destinations[0].region", "replicationConfiguration.rules[0].destinations[0].region") }] },
        { name: "a copy to a region the table does not list", change: (rs) => set(find(rs, "secret"), ["replicas", 0, "region"], "xx-new-1"),
            expect: [{ name: "secret", message: `replica 0 of Secret "secret" copies data from us-east-1 to xx-new-1, a region the residency table (policies/data/regions.json) ` +
                "does not list, so its zone is unknown. Fix: classify it with the policy's regionZones ({ \"xx-new-1\": \"<zone>\" }) or add it to the table." }] },
    ],
    unknown: { name: "a secret replica's region", change: (rs) => set(find(rs, "secret"), ["replicas", 0, "region"], UNKNOWN), expect: "advisory" },
});

/** The policy's messages on the baseline with `change` applied. */
async function after(change: (rs: RecordedResource[]) => void, config?: Record<string, Record<string, unknown>>) {
    const rs = baseline();
    change(rs);
    return reported(POLICY, rs, config);
}

describe(`${POLICY}: every kind of copy`, () => {
    const kinds: Array<{ kind: string; inside: (rs: RecordedResource[]) => void; outside: (rs: RecordedResource[]) => void; name: string; message: string; unknown: (rs: RecordedResource[]) => void }> = [
        { kind: "RDS automated-backups replication (its region against the source ARN's)", name: "backups-replication",
            inside: (rs) => { withBackupsReplication(rs); },
            outside: (rs) => set(withBackupsReplication(rs), ["sourceDbInstanceArn"], `arn:aws:rds:eu-central-1:${ACCT}:db:vbr-db`),
            message: "automated-backups replication InstanceAutomatedBackupsReplication \"backups-replication\" copies data from eu-central-1 to us-east-1 (zone us, from its own region): " +
                "it leaves its source's residency zone eu. Fix: keep its source (sourceDbInstanceArn) and its own region (its region input or provider) in eu " +
                "(eu-west-1, eu-west-3, eu-south-1, eu-south-2, eu-north-1), or remove the copy.",
            unknown: (rs) => set(withBackupsReplication(rs), ["sourceDbInstanceArn"], UNKNOWN) },
        { kind: "a cross-region read replica (replicateSourceDb's ARN against the instance's region)", name: "replica",
            inside: (rs) => { rs.push(replica(rs, "us-west-2")); },
            outside: (rs) => { rs.push(replica(rs, "ap-northeast-1")); },
            message: "read replica Instance \"replica\" copies data from ap-northeast-1 to us-east-1 (zone us, from its own region): it leaves its source's residency zone jp. " +
                "Fix: keep its source (replicateSourceDb) and its own region (its region input or provider) in jp (ap-northeast-3), or remove the copy.",
            unknown: (rs) => { const r = replica(rs, "us-west-2"); r.inputs.replicateSourceDb = UNKNOWN; rs.push(r); } },
        { kind: "ECR registry replication", name: "registry", inside: (rs) => { rs.push(ecr("us-west-2")); }, outside: (rs) => { rs.push(ecr("sa-east-1")); },
            message: leaves(`destination 0 of rule 0 of ReplicationConfiguration "registry"`, "sa-east-1", "br", "replicationConfiguration.rules[0].destinations[0].region",
                "replicationConfiguration.rules[0].destinations[0].region"),
            unknown: (rs) => { const r = ecr("us-west-2"); (r.inputs.replicationConfiguration as { rules: Array<{ destinations: unknown }> }).rules[0].destinations = UNKNOWN; rs.push(r); } },
        { kind: "DynamoDB table replicas", name: "table", inside: withStores, outside: (rs) => { withStores(rs); set(find(rs, "table"), ["replicas", 0, "regionName"], "eu-west-1"); },
            message: leaves(`replica 0 of Table "table"`, "eu-west-1", "eu", "replicas[0].regionName", "replicas[0].regionName"),
            unknown: (rs) => { withStores(rs); set(find(rs, "table"), ["replicas"], UNKNOWN); } },
        { kind: "a DynamoDB TableReplica (its region against the global table ARN's)", name: "table-replica",
            inside: (rs) => { rs.push(res("aws:dynamodb/tableReplica:TableReplica", "table-replica", { globalTableArn: `arn:aws:dynamodb:us-west-2:${ACCT}:table/t` })); },
            outside: (rs) => { rs.push(res("aws:dynamodb/tableReplica:TableReplica", "table-replica", { globalTableArn: `arn:aws:dynamodb:ap-southeast-2:${ACCT}:table/t` })); },
            message: "table replica TableReplica \"table-replica\" copies data from ap-southeast-2 to us-east-1 (zone us, from its own region): it leaves its source's residency zone au. " +
                "Fix: keep its source (globalTableArn) and its own region (its region input or provider) in au (ap-southeast-4), or remove the copy.",
            unknown: (rs) => { rs.push(res("aws:dynamodb/tableReplica:TableReplica", "table-replica", { globalTableArn: UNKNOWN })); } },
        { kind: "EFS replication", name: "efs-replication", inside: withStores, outside: (rs) => { withStores(rs); set(find(rs, "efs-replication"), ["destination", "region"], "eu-north-1"); },
            message: leaves(`ReplicationConfiguration "efs-replication"`, "eu-north-1", "eu", "destination.region", "destination.region"),
            unknown: (rs) => { withStores(rs); set(find(rs, "efs-replication"), ["destination", "region"], UNKNOWN); } },
        { kind: "Data Lifecycle Manager cross-region copies", name: "dlm", inside: withStores,
            outside: (rs) => { withStores(rs); set(find(rs, "dlm"), ["policyDetails", "schedules", 0, "crossRegionCopyRules", 0, "target"], "ap-south-1"); },
            message: leaves(`cross-region copy rule 0 of schedule 0 of LifecyclePolicy "dlm"`, "ap-south-1", "in", "policyDetails.schedules[0].crossRegionCopyRules[0].target",
                "policyDetails.schedules[0].crossRegionCopyRules[0].target"),
            unknown: (rs) => { withStores(rs); set(find(rs, "dlm"), ["policyDetails", "schedules", 0, "crossRegionCopyRules", 0, "target"], UNKNOWN); } },
        { kind: "Redshift snapshot copies", name: "warehouse-copy", inside: withStores, outside: (rs) => { withStores(rs); set(find(rs, "warehouse-copy"), ["destinationRegion"], "ca-west-1"); },
            message: leaves(`SnapshotCopy "warehouse-copy"`, "ca-west-1", "ca", "destinationRegion", "destinationRegion"),
            unknown: (rs) => { withStores(rs); set(find(rs, "warehouse-copy"), ["destinationRegion"], UNKNOWN); } },
    ];
    for (const k of kinds) {
        it(`${k.kind}: inside the zone passes, leaving it fails, unknown is the engine's advisory`, async () => {
            expect(await after(k.inside)).to.deep.equal([]);
            expect(await after(k.outside)).to.deep.equal([{ level: "mandatory", name: k.name, message: k.message }]);
            const unknown = await after(k.unknown);
            expect(unknown.map((v) => [v.level, v.name])).to.deep.equal([["advisory", undefined]]);
            expect(unknown[0].message).to.match(new RegExp(`^can't run policy '${POLICY}' .* during preview: .* can't be known during preview$`));
        });
    }

    it("an S3 destination unknown in preview, not linked to anything of the stack, is the engine's advisory; linked to a bucket of the stack, it is decided", async () => {
        const unlinked = await after((rs) => {
            const c = find(rs, "documents-replication");
            set(c, ["rules", 0, "destination"], UNKNOWN);
        });
        expect(unlinked.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(await after((rs) => {
            const west = withInStackReplica(rs);
            const c = find(rs, "documents-replication");
            set(c, ["rules", 0, "destination", "bucket"], UNKNOWN);
            set(c, ["rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"], UNKNOWN);
            c.propertyDependencies.rules = [west.urn];
        })).to.deep.equal([]);
    });

    it("judges every copy against the configured zone (the stack's vbr:residency)", async () => {
        const got = await after((rs) => set(find(rs, "secret"), ["replicas", 0, "region"], "eu-west-1"), { [POLICY]: { zone: "eu" } });
        // Every copy of the baseline goes to us-west-2; the secret's replica lands in eu but from a source in us.
        expect(got.map((v) => v.name)).to.deep.equal(["documents-replication", "audit-replication", "trail-replication", "secret", "plan", "plan"]);
        expect(got[3].message).to.match(/^replica 0 of Secret "secret" copies data from us-east-1 to eu-west-1 \(zone eu, from replicas\[0\]\.region\): its source lies in zone us, outside the residency zone eu/);
        expect(got[4].message).to.equal("copy action 0 of rule \"daily\" of Plan \"plan\" copies data from us-east-1 to us-west-2 (zone us, from its destination vault): " +
            "it leaves the residency zone eu (the policy's zone). Fix: set rules[0].copyActions[0].destinationVaultArn to a destination in eu " +
            "(eu-central-1, eu-west-1, eu-west-3, eu-south-1, eu-south-2, eu-north-1), or remove the copy.");
    });

    it("with a configured zone, fails a copy into it from a source outside it", async () => {
        const rs = baseline();
        set(withBackupsReplication(rs), ["sourceDbInstanceArn"], `arn:aws:rds:eu-central-1:${ACCT}:db:vbr-db`);
        const got = (await reported(POLICY, rs, { [POLICY]: { zone: "us" } })).filter((v) => v.name === "backups-replication");
        expect(got.map((v) => v.message)).to.deep.equal(["automated-backups replication InstanceAutomatedBackupsReplication \"backups-replication\" copies data from eu-central-1 " +
            "to us-east-1 (zone us, from its own region): its source lies in zone eu, outside the residency zone us (the policy's zone). Fix: keep its source " +
            "(sourceDbInstanceArn) and its own region (its region input or provider) in us (us-east-1, us-east-2, us-west-1, us-west-2), or remove the copy."]);
    });

    it("classifies a region the table does not list, or reads one otherwise, through regionZones", async () => {
        const unlisted = (rs: RecordedResource[]) => set(find(rs, "secret"), ["replicas", 0, "region"], "xx-new-1");
        expect(await after(unlisted, { [POLICY]: { regionZones: { "xx-new-1": "us" } } })).to.deep.equal([]);
        const london = (rs: RecordedResource[]) => set(find(rs, "secret"), ["replicas", 0, "region"], "eu-west-2");
        expect(await after(london, { [POLICY]: { regionZones: { "eu-west-2": "us" } } })).to.deep.equal([]);
    });
});
