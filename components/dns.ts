// DNS: the Route 53 health check on the primary endpoint and the failover records that move traffic to DR.
//
// Who owns what: the primary stack owns the health check and the PRIMARY record (none while it recovers); the DR stack
// adds the SECONDARY record only in `failover`, and in `drill` only its own `drill.<domain>` name, never a record that
// takes traffic.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DrState, PrimaryState, Role } from "../policies/model/states";

export interface DnsArgs {
    role: Role;
    drState: DrState;
    /** The primary's state: a recovering primary has no PRIMARY record (see dnsPlan). @default "serving" */
    primaryState?: PrimaryState;
    /** The public name customers use; the drill name is `drill.<domainName>`. */
    domainName: string;
    hostedZoneId: pulumi.Input<string>;
    /** This stack's load balancer; required whenever a record is created (primary, or dr in drill/failover). @default - none (DR standby) */
    alb?: { dnsName: pulumi.Input<string>; zoneId: pulumi.Input<string> };
    /** Seconds between health checks: 10 (fast) or 30. @default 10 */
    healthCheckIntervalSeconds?: 10 | 30;
    /** Consecutive failures before Route 53 fails over. @default 3 */
    failureThreshold?: number;
    /** @default {} */
    tags?: Record<string, string>;
}

/**
 * Which records a stack owns in a given role and state: the one place that rule is written down.
 *
 * A recovering primary has no PRIMARY record while the DR stack takes the writes: without a record Route 53 provably
 * sends region A nothing. A PRIMARY record kept behind a health check forced unhealthy would not do: when every record
 * of a failover pair is unhealthy Route 53 answers with the PRIMARY (docs/aws-facts.md), so an ALB health failure in
 * region B would send traffic to region A's read-only replica. The health check stays: it watches A's load balancer.
 */
export function dnsPlan(role: Role, drState: DrState, primaryState: PrimaryState = "serving"): { healthCheck: boolean; record?: "PRIMARY" | "SECONDARY" | "drill" } {
    if (role === "primary") return primaryState === "recovering" ? { healthCheck: true } : { healthCheck: true, record: "PRIMARY" };
    if (drState === "failover") return { healthCheck: false, record: "SECONDARY" };
    if (drState === "drill") return { healthCheck: false, record: "drill" };
    return { healthCheck: false };
}

export class Dns extends pulumi.ComponentResource {
    readonly healthCheckId?: pulumi.Output<string>;
    /** The name this stack answers on, when it has a record. */
    readonly fqdn?: pulumi.Output<string>;

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:dns:Dns", name, {}, opts);
        const plan = dnsPlan(args.role, args.drState, args.primaryState);
        if (plan.record !== undefined && args.alb === undefined) {
            throw new Error(`Dns ${name}: alb is required for role ${args.role} in state ${args.drState} (the ${plan.record} record aliases it)`);
        }
        const tags = args.tags ?? {};
        const alias = args.alb && [{ name: args.alb.dnsName, zoneId: args.alb.zoneId, evaluateTargetHealth: true }];

        let healthCheck: aws.route53.HealthCheck | undefined;
        if (plan.healthCheck) {
            // 10 s x 3 failures = 30 s to detect (the plan allows 90 s); checks the ALB itself, not the failover
            // name, so it keeps reporting the primary region's health after traffic has moved.
            healthCheck = new aws.route53.HealthCheck(`${name}-primary-health`, {
                type: "HTTPS",
                fqdn: args.alb!.dnsName,
                port: 443,
                resourcePath: "/health",
                requestInterval: args.healthCheckIntervalSeconds ?? 10,
                failureThreshold: args.failureThreshold ?? 3,
                enableSni: true,
                tags: { ...tags, Name: `${name}-primary` },
            }, { parent: this });
            this.healthCheckId = healthCheck.id;
        }

        if (plan.record === "PRIMARY" || plan.record === "SECONDARY") {
            const record = new aws.route53.Record(`${name}-${plan.record.toLowerCase()}`, {
                zoneId: args.hostedZoneId,
                name: args.domainName,
                type: "A",
                setIdentifier: plan.record.toLowerCase(),
                failoverRoutingPolicies: [{ type: plan.record }],
                healthCheckId: healthCheck?.id,
                aliases: alias,
            }, { parent: this });
            this.fqdn = record.fqdn;
        } else if (plan.record === "drill") {
            const record = new aws.route53.Record(`${name}-drill`, {
                zoneId: args.hostedZoneId, name: `drill.${args.domainName}`, type: "A", aliases: alias,
            }, { parent: this });
            this.fqdn = record.fqdn;
        }
        this.registerOutputs({ healthCheckId: this.healthCheckId, fqdn: this.fqdn });
    }
}
