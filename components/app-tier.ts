// The application tier's composition: the network, and the service, DNS and monitoring wired to the network and to
// the data tier's outputs. Platform calls these two functions.
import * as pulumi from "@pulumi/pulumi";
import { DataBucket } from "../policies/model/naming";
import { Dns, DnsArgs } from "./dns";
import { Monitoring, MonitoringArgs } from "./monitoring";
import { Network, NetworkArgs } from "./network";
import { Service, ServiceArgs, ServiceBucket } from "./service";

/** The network's args but the logs key, which the platform's KeyRing gives. */
export type NetworkSettings = Omit<NetworkArgs, "logsKeyArn">;

/** What the service, DNS and monitoring are told by the stack config; composeAppTier adds the network and the data. */
export interface AppTierSettings {
    service: Omit<ServiceArgs, "vpcId" | "publicSubnetIds" | "privateSubnetIds" | "albSecurityGroupId" | "taskSecurityGroupId" | "appPort" |
        "logsKeyArn" | "dataKeyArn" | "secretsKeyArn" | "buckets" | "secretArn" | "database" | "repositoryUrl" | "repositoryArn">;
    dns: Omit<DnsArgs, "alb">;
    monitoring: Omit<MonitoringArgs, "topicKeyArn" | "alb" | "database" | "integrityFunction"> & {
        /** The database alarms' settings, used when the data tier has a database to serve from. */
        database: Omit<NonNullable<MonitoringArgs["database"]>, "identifier">;
    };
}

/** What the application tier needs from the data tier (KeyRing, DocumentStore, Database, ContainerRegistry). */
export interface AppTierData {
    keys: { logs: pulumi.Input<string>; data: pulumi.Input<string>; secrets: pulumi.Input<string> };
    buckets: Record<DataBucket, ServiceBucket>;
    /** This region's copy of the database secret; undefined only before the primary exists (DR first install). */
    secretArn?: pulumi.Input<string>;
    /** The database this stack serves from (the restored one during the corruption runbook). */
    database?: { identifier: pulumi.Input<string>; address: pulumi.Input<string>; port: pulumi.Input<number>; resourceId: pulumi.Input<string> };
    repository: { url: pulumi.Input<string>; arn: pulumi.Input<string> };
    /** The monthly replica verification's function (the primary), whose problems and failures page. */
    integrityFunction?: pulumi.Input<string>;
}

export interface AppTier {
    network: Network;
    service: Service;
    dns: Dns;
    monitoring: Monitoring;
    /** One-off tasks the drill starts (the `tasks` stack output). */
    tasks: Service["tasks"];
    /** The ALB's DNS name, undefined in standby (the `endpoint` stack output). */
    endpoint: pulumi.Output<string | undefined>;
}

/** The network first: the database's subnet group and security group come from it. */
export function createNetwork(parent: pulumi.Resource, name: string, settings: NetworkSettings, logsKeyArn: pulumi.Input<string>): Network {
    return new Network(`${name}-net`, { ...settings, logsKeyArn }, { parent });
}

/** Service, DNS and monitoring over the network and the data tier. */
export function composeAppTier(parent: pulumi.Resource, name: string, settings: AppTierSettings, network: Network, data: AppTierData): AppTier {
    const service = new Service(`${name}-app`, {
        ...settings.service,
        vpcId: network.vpcId, publicSubnetIds: network.publicSubnetIds, privateSubnetIds: network.privateSubnetIds,
        albSecurityGroupId: network.albSecurityGroupId, taskSecurityGroupId: network.taskSecurityGroupId,
        appPort: network.appPort,
        logsKeyArn: data.keys.logs, dataKeyArn: data.keys.data, secretsKeyArn: data.keys.secrets,
        buckets: data.buckets, secretArn: data.secretArn,
        database: data.database && { address: data.database.address, port: data.database.port, resourceId: data.database.resourceId },
        repositoryUrl: data.repository.url, repositoryArn: data.repository.arn,
    }, { parent });
    const dns = new Dns(`${name}-dns`, {
        ...settings.dns,
        alb: service.alb && { dnsName: service.alb.dnsName, zoneId: service.alb.zoneId },
    }, { parent });
    const { database: databaseAlarms, ...monitoring } = settings.monitoring;
    const alarms = new Monitoring(`${name}-monitoring`, {
        ...monitoring,
        topicKeyArn: data.keys.logs,
        alb: service.alb && { arnSuffix: service.alb.arnSuffix, targetGroupArnSuffix: service.alb.targetGroupArnSuffix },
        database: data.database && { identifier: data.database.identifier, ...databaseAlarms },
        integrityFunction: data.integrityFunction,
    }, { parent });
    return { network, service, dns, monitoring: alarms, tasks: service.tasks, endpoint: service.alb ? service.alb.dnsName : pulumi.output(undefined) };
}
