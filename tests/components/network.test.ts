// Network: the NAT switch, the endpoints, flow logs and every security-group rule, exactly.
//
// awsx.ec2.Vpc is a remote component: under mocks only the component itself is registered (its inputs are what
// we can check); its subnets, route tables, IGW and NAT gateways are created by the awsx plugin and are not seen.
import { expect } from "chai";
import { useMocks, promiseOf } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";

useMocks("us-east-1", "primary");
import { Network } from "../../components/network";

const LOGS_KEY = "arn:aws:kms:us-east-1:123456789012:key/logs";

function build(name: string, active: boolean, region = "us-east-1"): { cap: Capture; net: Network } {
    const cap = capture();
    const net = new Network(name, { region, availabilityZoneCount: 3, active, logsKeyArn: LOGS_KEY, keptTags: { "vbr:standby": "kept" } }, cap.opts);
    return { cap, net };
}

describe("Network", () => {
    const active = build("n", true);
    const standby = build("s", false, "us-west-2");

    it("spans the configured AZs with public and private subnets and one NAT per AZ when active", async () => {
        const vpc = await active.cap.inputs("n-vpc");
        expect(active.cap.named("n-vpc").type).to.equal("awsx:ec2:Vpc");
        expect(vpc.numberOfAvailabilityZones).to.equal(3);
        expect(vpc.natGateways).to.deep.equal({ strategy: "OnePerAz" });
        expect(vpc.subnetSpecs.map((s: { type: string }) => s.type)).to.deep.equal(["Public", "Private"]);
        expect(vpc.tags["vbr:standby"]).to.equal("kept");
        expect(await promiseOf(active.net.privateSubnetIds)).to.have.length(3);
    });

    it("has no NAT and no interface endpoints in standby, but keeps the free S3 gateway endpoint", async () => {
        expect((await standby.cap.inputs("s-vpc")).natGateways).to.deep.equal({ strategy: "None" });
        const endpoints = standby.cap.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").map((r) => r.name);
        expect(endpoints).to.deep.equal(["s-s3"]);
        expect((await standby.cap.inputs("s-s3")).serviceName).to.equal("com.amazonaws.us-west-2.s3");
        expect((await standby.cap.inputs("s-s3")).tags["vbr:standby"]).to.equal("kept");
    });

    it("creates the S3 gateway and ECR api/dkr, logs and Secrets Manager interface endpoints with private DNS when active", async () => {
        const names = active.cap.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").map((r) => r.name);
        expect(names).to.deep.equal(["n-s3", "n-ecr-api", "n-ecr-dkr", "n-logs", "n-secretsmanager"]);
        const s3 = await active.cap.inputs("n-s3");
        expect([s3.serviceName, s3.vpcEndpointType]).to.deep.equal(["com.amazonaws.us-east-1.s3", "Gateway"]);
        const sgId = await promiseOf(active.net.endpointSecurityGroupId);
        for (const [name, service] of [["n-ecr-api", "ecr.api"], ["n-ecr-dkr", "ecr.dkr"], ["n-logs", "logs"], ["n-secretsmanager", "secretsmanager"]]) {
            const ep = await active.cap.inputs(name);
            expect(ep.serviceName).to.equal(`com.amazonaws.us-east-1.${service}`);
            expect(ep.vpcEndpointType).to.equal("Interface");
            expect(ep.privateDnsEnabled).to.equal(true);
            expect(ep.securityGroupIds).to.deep.equal([sgId]);
            expect(ep.subnetIds).to.deep.equal(await promiseOf(active.net.privateSubnetIds));
            // Created during bring-up, so not marked as kept in standby.
            expect(ep.tags["vbr:standby"]).to.equal(undefined);
        }
    });

    it("allows exactly these rules: internet->ALB 443/80, ALB->task 8080, task->DB 5432, task->443, VPC->endpoints 443", async () => {
        const ids = {
            alb: await promiseOf(active.net.albSecurityGroupId), task: await promiseOf(active.net.taskSecurityGroupId),
            db: await promiseOf(active.net.dbSecurityGroupId), endpoints: await promiseOf(active.net.endpointSecurityGroupId),
        };
        const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
        const describe = async (type: string) => Promise.all(active.cap.ofType(type).map(async (r) => {
            const i = await active.cap.inputs(r.name);
            const peer = i.cidrIpv4 ?? i.cidrIpv6 ?? byId[i.referencedSecurityGroupId];
            return `${byId[i.securityGroupId]} ${i.ipProtocol}/${i.fromPort}-${i.toPort} ${peer}`;
        }));
        expect(await describe("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).to.deep.equal([
            "alb tcp/443-443 0.0.0.0/0",
            "alb tcp/443-443 ::/0",
            "alb tcp/80-80 0.0.0.0/0",
            "alb tcp/80-80 ::/0",
            "task tcp/8080-8080 alb",
            "db tcp/5432-5432 task",
            "endpoints tcp/443-443 10.0.0.0/16",
        ]);
        expect(await describe("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).to.deep.equal([
            "alb tcp/8080-8080 task",
            "task tcp/443-443 0.0.0.0/0",
            "task tcp/5432-5432 db",
        ]);
        // No inline rules: the provider removes AWS's default allow-all egress from groups it creates.
        for (const g of active.cap.ofType("aws:ec2/securityGroup:SecurityGroup")) {
            const i = await active.cap.inputs(g.name);
            expect([i.ingress, i.egress]).to.deep.equal([undefined, undefined]);
        }
    });

    it("logs ALL traffic to a logs-CMK group kept 365 days, through a role only VPC flow logs can assume", async () => {
        const group = await active.cap.inputs("n-flow-logs");
        expect(active.cap.ofType("aws:cloudwatch/logGroup:LogGroup")).to.have.length(1);
        expect([group.kmsKeyId, group.retentionInDays]).to.deep.equal([LOGS_KEY, 365]);
        const flow = await promiseOf<any>(active.cap.ofType("aws:ec2/flowLog:FlowLog")[0].props);
        expect([flow.trafficType, flow.logDestinationType]).to.deep.equal(["ALL", "cloud-watch-logs"]);
        expect(flow.logDestination).to.equal("arn:aws:logs:us-east-1:123456789012:log-group:/vbr/n/vpc-flow-logs");
        const role = active.cap.ofType("aws:iam/role:Role")[0];
        const trust = JSON.parse((await promiseOf<any>(role.props)).assumeRolePolicy);
        expect(trust.Statement).to.deep.equal([{
            Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        }]);
        const policy = JSON.parse((await promiseOf<any>(active.cap.ofType("aws:iam/rolePolicy:RolePolicy")[0].props)).policy);
        expect(policy.Statement[0].Resource).to.deep.equal([
            "arn:aws:logs:us-east-1:123456789012:log-group:/vbr/n/vpc-flow-logs",
            "arn:aws:logs:us-east-1:123456789012:log-group:/vbr/n/vpc-flow-logs:*",
        ]);
    });
});
