// Dns: the health check's detection time and which record each role and state owns.
// What mocks cannot prove: Route 53's real failover timing (10 s x 3 + the 60 s alias TTL, see docs/aws-facts.md).
import { expect } from "chai";
import { useMocks, promiseOf } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";

useMocks("us-east-1", "primary");
import { Dns } from "../../components/dns";
import { DrState, PrimaryState, Role } from "../../policies/model/states";

const ALB = { dnsName: "vbr-alb-123.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K" };

function build(role: Role, drState: DrState, alb = true, primaryState?: PrimaryState): { cap: Capture; dns: Dns } {
    const cap = capture();
    const dns = new Dns(`${role}-${drState}-${primaryState ?? "serving"}`, {
        role, drState, primaryState, domainName: "app.example.com", hostedZoneId: "ZZONE", alb: alb ? ALB : undefined,
    }, cap.opts);
    return { cap, dns };
}
const records = (cap: Capture) => Promise.all(cap.ofType("aws:route53/record:Record").map((r) => promiseOf(r.props as Record<string, any>)));

describe("Dns", () => {
    const primary = build("primary", "standby");
    const standby = build("dr", "standby", false);
    const drill = build("dr", "drill");
    const failover = build("dr", "failover");

    it("health-checks the primary ALB over HTTPS /health every 10 s, 3 failures: 30 s to detect (<= 90 s)", async () => {
        const [hc] = primary.cap.ofType("aws:route53/healthCheck:HealthCheck");
        const i = await promiseOf(hc.props as Record<string, any>);
        expect([i.type, i.fqdn, i.port, i.resourcePath]).to.deep.equal(["HTTPS", ALB.dnsName, 443, "/health"]);
        expect([i.requestInterval, i.failureThreshold]).to.deep.equal([10, 3]);
        expect(i.requestInterval * i.failureThreshold).to.be.at.most(90);
    });

    it("gives the primary the PRIMARY failover alias with the health check", async () => {
        const [r] = await records(primary.cap);
        expect([r.name, r.type, r.setIdentifier]).to.deep.equal(["app.example.com", "A", "primary"]);
        expect(r.failoverRoutingPolicies).to.deep.equal([{ type: "PRIMARY" }]);
        expect(r.healthCheckId).to.equal(await promiseOf(primary.dns.healthCheckId!));
        expect(r.aliases).to.deep.equal([{ name: ALB.dnsName, zoneId: ALB.zoneId, evaluateTargetHealth: true }]);
        expect(r.ttl).to.equal(undefined); // alias records carry ALB's fixed 60 s TTL
    });

    it("gives the DR stack the SECONDARY alias only in failover, without a health check of its own", async () => {
        const [r] = await records(failover.cap);
        expect(failover.cap.ofType("aws:route53/record:Record")).to.have.length(1);
        expect([r.name, r.setIdentifier, r.healthCheckId]).to.deep.equal(["app.example.com", "secondary", undefined]);
        expect(r.failoverRoutingPolicies).to.deep.equal([{ type: "SECONDARY" }]);
        expect(failover.cap.ofType("aws:route53/healthCheck:HealthCheck")).to.have.length(0);
    });

    it("gives a drill only its own simple drill.<domain> alias: no failover record, no traffic", async () => {
        const [r] = await records(drill.cap);
        expect(drill.cap.ofType("aws:route53/record:Record")).to.have.length(1);
        expect([r.name, r.type, r.failoverRoutingPolicies, r.setIdentifier]).to.deep.equal(["drill.app.example.com", "A", undefined, undefined]);
        expect(r.aliases[0].evaluateTargetHealth).to.equal(true);
    });

    it("gives a recovering primary no record at all, only its health check: Route 53 sends region A nothing while B takes writes", async () => {
        const recovering = build("primary", "standby", true, "recovering");
        expect(recovering.cap.ofType("aws:route53/record:Record")).to.deep.equal([]);
        expect(recovering.cap.ofType("aws:route53/healthCheck:HealthCheck")).to.have.length(1);
        expect(recovering.dns.fqdn).to.equal(undefined);
    });

    it("creates nothing in standby", () => {
        expect(standby.cap.resources.filter((r) => r.type.startsWith("aws:"))).to.have.length(0);
    });

    it("refuses to build a record without a load balancer", () => {
        expect(() => new Dns("x", { role: "dr", drState: "failover", domainName: "app.example.com", hostedZoneId: "Z" }))
            .to.throw(/alb is required for role dr in state failover/);
    });
});
