// The application tier's composition: how the stack configuration and the data tier's outputs become the
// network, service, DNS and monitoring components. Platform calls these two functions at its APP TIER marker.
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../stacks/config";
import { isActive } from "../policies/model/states";
import { STANDBY_KEPT, TAGS } from "../policies/model/tags";
import { DATA_BUCKETS, Naming } from "../policies/model/naming";
import { Dns } from "./dns";
import { defaultMaxConnections, Monitoring, ReplicatedBucket } from "./monitoring";
import { Network } from "./network";
import { Service, ServiceBucket } from "./service";
import type { DataBucket } from "../policies/model/naming";

/** What the application tier needs from the data tier (KeyRing, DocumentStore, Database, ContainerRegistry). */
export interface AppTierData {
    keys: { logs: pulumi.Input<string>; data: pulumi.Input<string>; secrets: pulumi.Input<string> };
    buckets: Record<DataBucket, ServiceBucket>;
    /** This region's copy of the database secret; undefined only before the primary exists (DR first install). */
    secretArn?: pulumi.Input<string>;
    /** The database this stack serves from (the restored one during the corruption runbook). */
    database?: { identifier: pulumi.Input<string>; address: pulumi.Input<string>; port: pulumi.Input<number> };
    repository: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
}

export interface AppTier {
    network: Network;
    service: Service;
    dns: Dns;
    monitoring: Monitoring;
    /** The ALB's DNS name, undefined in standby (the `endpoint` stack output). */
    endpoint: pulumi.Output<string | undefined>;
}

/** `vbr:standby = kept` on what the DR stack keeps in standby; the primary has no standby to mark. */
export function keptTags(cfg: Pick<StackConfig, "role">): Record<string, string> {
    return cfg.role === "dr" ? { [TAGS.standby]: STANDBY_KEPT } : {};
}

/** The network first: the database's subnet group and security group come from it. */
export function createNetwork(parent: pulumi.Resource, name: string, cfg: StackConfig, logsKeyArn: pulumi.Input<string>): Network {
    return new Network(`${name}-net`, {
        region: cfg.region, availabilityZoneCount: cfg.availabilityZoneCount, active: isActive(cfg),
        logsKeyArn, keptTags: keptTags(cfg),
    }, { parent });
}

/** Service, DNS and monitoring over the network and the data tier. */
export function composeAppTier(parent: pulumi.Resource, name: string, cfg: StackConfig, network: Network, data: AppTierData): AppTier {
    const naming = new Naming(cfg.environment);
    const active = isActive(cfg);
    const kept = keptTags(cfg);
    const service = new Service(`${name}-app`, {
        region: cfg.region, active, runTasks: cfg.serviceEnabled, domainName: cfg.domainName, hostedZoneId: cfg.hostedZoneId,
        accessLogBucketName: naming.bucketName("alb-logs", cfg.region),
        vpcId: network.vpcId, publicSubnetIds: network.publicSubnetIds, privateSubnetIds: network.privateSubnetIds,
        albSecurityGroupId: network.albSecurityGroupId, taskSecurityGroupId: network.taskSecurityGroupId,
        appPort: network.appPort,
        logsKeyArn: data.keys.logs, dataKeyArn: data.keys.data, secretsKeyArn: data.keys.secrets,
        buckets: data.buckets, secretArn: data.secretArn,
        database: data.database && { address: data.database.address, port: data.database.port },
        repositoryUrl: data.repository.url, repositoryArn: data.repository.arn, imageTag: cfg.appImageTag,
        desiredCount: cfg.serviceDesiredCount, maxCount: cfg.serviceMaxCount,
        // Only the primary's first install may wait for ACM; the DR stack validated its certificate in standby.
        waitForCertificateValidation: cfg.role === "primary",
        // A drill serves from the DR copies of production's data: it must not write into them.
        documentAccess: cfg.drState === "drill" ? "read-only" : "read-write",
        keptTags: kept,
    }, { parent });
    const dns = new Dns(`${name}-dns`, {
        role: cfg.role, drState: cfg.drState, domainName: cfg.domainName, hostedZoneId: cfg.hostedZoneId,
        alb: service.alb && { dnsName: service.alb.dnsName, zoneId: service.alb.zoneId },
    }, { parent });
    // The primary owns the replication rules (DocumentStore names them `<bucket>-to-<peerRegion>`).
    const replicatedBuckets: ReplicatedBucket[] = cfg.role === "primary"
        ? DATA_BUCKETS.map((b) => ({
            key: b, source: naming.bucketName(b, cfg.region), destination: naming.bucketName(b, cfg.peerRegion), ruleId: `${b}-to-${cfg.peerRegion}`,
        }))
        : [];
    const monitoring = new Monitoring(`${name}-monitoring`, {
        topicKeyArn: data.keys.logs, alertEmail: cfg.alertEmail,
        alb: service.alb && { arnSuffix: service.alb.arnSuffix, targetGroupArnSuffix: service.alb.targetGroupArnSuffix },
        database: data.database && {
            identifier: data.database.identifier, allocatedStorageGiB: cfg.dbAllocatedStorageGiB, maxConnections: defaultMaxConnections(cfg.dbInstanceClass),
        },
        replicatedBuckets, keptTags: kept,
    }, { parent });
    return { network, service, dns, monitoring, endpoint: service.alb ? service.alb.dnsName : pulumi.output(undefined) };
}
