// awsx components: the children their plugin creates (unit tests and the offline plan never see them).
import { ECS_SERVICE } from "./graph";

type NatStrategy = "None" | "Single" | "OnePerAz";

function natStrategy(inputs: Record<string, unknown>): NatStrategy {
    const nat = inputs.natGateways as { strategy?: unknown } | undefined;
    const s = nat && typeof nat === "object" ? nat.strategy : undefined;
    // awsx.ec2.Vpc's default NAT strategy is OnePerAz.
    return s === "None" || s === "Single" ? s : "OnePerAz";
}

function azCount(inputs: Record<string, unknown>): number {
    const names = inputs.availabilityZoneNames;
    if (Array.isArray(names) && names.length > 0) return names.length;
    const n = Number(inputs.numberOfAvailabilityZones);
    // awsx.ec2.Vpc defaults to 3 availability zones.
    return Number.isInteger(n) && n > 0 ? n : 3;
}

/** Number of NAT gateways an awsx.ec2.Vpc creates. */
export function natGatewayCount(inputs: Record<string, unknown>): number {
    const s = natStrategy(inputs);
    return s === "None" ? 0 : s === "Single" ? 1 : azCount(inputs);
}

/** The URN the awsx plugin gives a child of `parentUrn`. */
export function childUrn(parentUrn: string, type: string, name: string): string {
    const parts = parentUrn.split("::");
    // urn:pulumi:<stack>::<project>::<qualified type>::<name>
    return `${parts[0]}::${parts[1]}::${parts[2]}$${type}::${name}`;
}

interface VirtualChild {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** Indexes into the same child list that must finish first. */
    after: number[];
}

/** Which part of a remote component a bring-up creates. */
export type ComponentPart = "all" | "nat";

/** The children a remote awsx component creates (only the ones that matter for time are listed separately). */
export function awsxChildren(type: string, name: string, inputs: Record<string, unknown>, part: ComponentPart): VirtualChild[] {
    const children: VirtualChild[] = [];
    const add = (t: string, n: string, after: number[] = [], i: Record<string, unknown> = {}) => {
        children.push({ type: t, name: n, inputs: i, after });
        return children.length - 1;
    };
    switch (type) {
        case "awsx:ec2:Vpc": {
            const core = part === "all" ? [add("aws:ec2/vpc:Vpc", name)] : [];
            if (part === "all") {
                core.push(add("aws:ec2/internetGateway:InternetGateway", name, [core[0]]));
                for (let az = 1; az <= azCount(inputs); az++) {
                    core.push(add("aws:ec2/subnet:Subnet", `${name}-public-${az}`, [core[0]]));
                    core.push(add("aws:ec2/subnet:Subnet", `${name}-private-${az}`, [core[0]]));
                }
            }
            for (let i = 1; i <= natGatewayCount(inputs); i++) {
                const eip = add("aws:ec2/eip:Eip", `${name}-${i}`);
                add("aws:ec2/natGateway:NatGateway", `${name}-${i}`, [eip, ...core]);
            }
            return children;
        }
        case "awsx:lb:ApplicationLoadBalancer": {
            const lb = add("aws:lb/loadBalancer:LoadBalancer", name);
            const tg = add("aws:lb/targetGroup:TargetGroup", name);
            add("aws:lb/listener:Listener", `${name}-0`, [lb, tg]);
            return children;
        }
        case "awsx:ecs:FargateService": {
            const td = add("aws:ecs/taskDefinition:TaskDefinition", name);
            // awsx waits for steady state unless continueBeforeSteadyState is set.
            add(ECS_SERVICE, name, [td], { waitForSteadyState: inputs.continueBeforeSteadyState !== true });
            return children;
        }
        case "awsx:ecs:FargateTaskDefinition":
            add("aws:ecs/taskDefinition:TaskDefinition", name);
            return children;
        default:
            // An unlisted awsx component counts as one resource of the default duration.
            add(type, name);
            return children;
    }
}
