// What a PASS does not cover: the data-bearing resources no policy of the pack judged, and the remote components
// (awsx, eks) whose children the offline plan cannot see. The offline plan's `coverage` report field, in the
// terminal and Markdown views too, so a PASS never hides an unjudged store.
//
// "Judged" is measured, not declared: a resource is judged when some policy of the pack applies to a stack holding
// that resource alone (a stack policy that finds none of its types says `notApplicable`). So a type the pack learns
// to judge leaves this list by itself, and a type nobody judges cannot be forgotten in a hand-kept list.
import type { Policies } from "@pulumi/policy";
import type { Colors } from "picocolors/types";
import { policies as packPolicies } from "../../policies/pack";
import { analyze } from "../harness/analyzer";
import type { RecordedResource } from "../harness/records";
import type { StackContext, StackExtension } from "./report";
import { mdCode, urnName } from "./report";

/**
 * AWS resource types that hold data of their own (stores, streams, queues, file systems, ledgers, directories of
 * users). The list only says what is worth judging; whether the pack judges it is measured.
 */
export const DATA_BEARING_TYPES: readonly string[] = [
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/directoryBucket:DirectoryBucket", "aws:s3tables/tableBucket:TableBucket",
    "aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster", "aws:docdb/elasticCluster:ElasticCluster",
    "aws:neptune/cluster:Cluster", "aws:redshift/cluster:Cluster", "aws:redshiftserverless/namespace:Namespace",
    "aws:dynamodb/table:Table", "aws:dynamodb/tableReplica:TableReplica", "aws:dax/cluster:Cluster", "aws:keyspaces/table:Table",
    "aws:timestreamwrite/table:Table", "aws:qldb/ledger:Ledger", "aws:lightsail/database:Database",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/serverlessCache:ServerlessCache", "aws:elasticache/cluster:Cluster",
    "aws:memorydb/cluster:Cluster", "aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:efs/fileSystem:FileSystem", "aws:ebs/volume:Volume", "aws:ebs/snapshot:Snapshot", "aws:ebs/snapshotCopy:SnapshotCopy",
    "aws:fsx/lustreFileSystem:LustreFileSystem", "aws:fsx/windowsFileSystem:WindowsFileSystem", "aws:fsx/ontapFileSystem:OntapFileSystem",
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem",
    "aws:backup/vault:Vault", "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault", "aws:glacier/vault:Vault",
    "aws:kinesis/stream:Stream", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "aws:sqs/queue:Queue", "aws:sns/topic:Topic",
    "aws:msk/cluster:Cluster", "aws:mq/broker:Broker", "aws:secretsmanager/secret:Secret", "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey",
    "aws:ecr/repository:Repository", "aws:cloudwatch/logGroup:LogGroup", "aws:cognito/userPool:UserPool",
];

export interface CoverageEntry { urn: string; type: string }

export interface CoverageField {
    /** Data-bearing resources to which no policy of the pack applies. */
    unjudged: CoverageEntry[];
    /** Remote (multi-language) components: their children are created by a plugin the offline plan does not run. */
    remoteComponents: CoverageEntry[];
}

/** Which policies apply to a stack holding `r` alone, with no links: those that would judge a resource like it. */
async function judgedAlone(policies: Policies, r: RecordedResource, stackRegion: string): Promise<boolean> {
    const lone: RecordedResource = { ...r, parent: null, provider: null, dependencies: [], propertyDependencies: {} };
    const { notApplicable } = await analyze(policies, [lone], { stackRegion });
    const skipped = new Set(notApplicable.filter((n) => n.urn === null).map((n) => n.policy));
    return policies.some((p) => !skipped.has(p.name));
}

export async function coverageOf(resources: RecordedResource[], policies: Policies, stackRegion: string): Promise<CoverageField> {
    const byType = new Map<string, boolean>();
    const unjudged: CoverageEntry[] = [];
    for (const r of resources) {
        if (!r.custom || !DATA_BEARING_TYPES.includes(r.type)) continue;
        if (!byType.has(r.type)) byType.set(r.type, await judgedAlone(policies, r, stackRegion));
        if (!byType.get(r.type)) unjudged.push({ urn: r.urn, type: r.type });
    }
    const remoteComponents = resources.filter((r) => r.remote).map((r) => ({ urn: r.urn, type: r.type }));
    return { unjudged, remoteComponents };
}

export function coverageText(v: CoverageField, c: Colors): string[] {
    const out: string[] = [];
    if (v.unjudged.length > 0) {
        out.push(c.yellow(c.bold(`Not judged by any policy (${v.unjudged.length} data-bearing resource${v.unjudged.length === 1 ? "" : "s"})`)));
        for (const e of v.unjudged) out.push(`  ${c.yellow("?")} ${urnName(e.urn)}  ${c.dim(e.type)}`);
    }
    if (v.remoteComponents.length > 0) {
        out.push(c.bold(`Remote components whose children the offline plan cannot see (${v.remoteComponents.length})`));
        for (const e of v.remoteComponents) out.push(`  ${c.dim("~")} ${urnName(e.urn)}  ${c.dim(e.type)}`);
    }
    return out;
}

export function coverageMarkdown(v: CoverageField): string[] {
    const out: string[] = [];
    if (v.unjudged.length > 0) {
        out.push(`**Not judged by any policy** (${v.unjudged.length} data-bearing resource${v.unjudged.length === 1 ? "" : "s"}):`, "");
        for (const e of v.unjudged) out.push(`- ${mdCode(urnName(e.urn))} ${mdCode(e.type)}`);
    }
    if (v.remoteComponents.length > 0) {
        if (out.length > 0) out.push("");
        out.push(`**Remote components whose children the offline plan cannot see** (${v.remoteComponents.length}):`, "");
        for (const e of v.remoteComponents) out.push(`- ${mdCode(urnName(e.urn))} ${mdCode(e.type)}`);
    }
    return out;
}

/** The offline plan's `coverage` report field, for the pack that judged the stack. */
export function coverageExtension(policies: Policies = packPolicies): StackExtension<CoverageField> {
    return {
        field: "coverage",
        compute: (ctx: StackContext) => coverageOf(ctx.synthesized.resources, policies, ctx.config["aws:region"] ?? "us-east-1"),
        text: (v, c) => coverageText(v, c),
        markdown: (v) => coverageMarkdown(v),
    };
}
