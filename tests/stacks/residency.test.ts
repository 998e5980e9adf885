// The residency table and the config rules built on it: a stack and its peer inside vbr:residency, far enough apart.
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { AWS_REGIONS, distanceKm, MIN_PEER_DISTANCE_KM, regionInfo, regionsOf, RESIDENCY_ZONES, zoneOf } from "../../policies/model/regions";
import table from "../../policies/data/regions.json";
import { loadProject, stackConfig } from "../../tools/harness/project";

const project = loadProject(".");

describe("residency table (policies/data/regions.json)", () => {
    it("lists every commercial region the AWS provider knows (partition aws), each with a zone of the table and a location", () => {
        // Other partitions: China (cn-), GovCloud (us-gov-), the isolated regions (iso), the European Sovereign Cloud (eusc-).
        const provider = Object.values(aws.Region as Record<string, string>).filter((r) => !/^(cn-|eusc-)|-(gov|iso[a-z]*)-/.test(r)).sort();
        expect([...AWS_REGIONS].sort()).to.deep.equal(provider);
        for (const r of AWS_REGIONS) {
            const info = regionInfo(r)!;
            expect(RESIDENCY_ZONES, r).to.include(info.zone);
            expect(info.latitude, r).to.be.within(-90, 90);
            expect(info.longitude, r).to.be.within(-180, 180);
            expect((table.regions as Record<string, { locationBasis: string }>)[r].locationBasis, r).to.be.a("string").and.not.equal("");
        }
        expect(Object.keys(table.sources)).to.deep.equal(["regions", "zones", "locations"]);
    });

    it("puts the EU member states' regions in eu, and Zurich and London outside it", () => {
        expect(regionsOf("eu")).to.deep.equal(["eu-central-1", "eu-west-1", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1"]);
        expect([zoneOf("eu-central-2"), zoneOf("eu-west-2")]).to.deep.equal(["ch", "uk"]);
        expect(regionsOf("us")).to.deep.equal(["us-east-1", "us-east-2", "us-west-1", "us-west-2"]);
        expect(zoneOf("us-middle-1")).to.equal(undefined);
    });

    it("measures great-circle distances between the regions' locations", () => {
        expect(distanceKm("eu-central-1", "eu-west-1")).to.equal(1088);
        expect(distanceKm("us-east-1", "us-west-2")).to.equal(3503);
        expect(distanceKm("us-east-1", "us-east-2")).to.equal(484);
        expect(distanceKm("eu-central-1", "eu-central-1")).to.equal(0);
        expect(() => distanceKm("eu-central-1", "xx-nowhere-1")).to.throw("no location for region xx-nowhere-1");
    });

    it("keeps the default peer floor below every pair of regions inside one zone (the closest: Tokyo and Osaka)", () => {
        const pairs = RESIDENCY_ZONES.flatMap((z) => regionsOf(z).flatMap((a) => regionsOf(z).filter((b) => a < b).map((b) => distanceKm(a, b))));
        expect(Math.min(...pairs)).to.equal(396);
        expect(MIN_PEER_DISTANCE_KM).to.equal(300);
    });
});

/** The ConfigError a stack file with overrides raises (fails the test when it parses). */
function rejected(stack: string, overrides: Record<string, string>): ConfigError {
    try {
        parseStackConfig(stack, stackConfig(project, stack, overrides));
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    throw new Error(`expected ${JSON.stringify(overrides)} to be rejected`);
}

describe("stack configuration: residency", () => {
    it("reads vbr:residency and the default vbr:minPeerDistanceKm of both cells", () => {
        for (const [stack, zone] of [["primary", "us"], ["dr", "us"], ["eu-primary", "eu"], ["eu-dr", "eu"]]) {
            const cfg = parseStackConfig(stack, stackConfig(project, stack));
            expect([cfg.residency, cfg.minPeerDistanceKm], stack).to.deep.equal([zone, 300]);
        }
    });

    const cases: Array<{ what: string; stack: string; overrides: Record<string, string>; problems: Array<[string, string | undefined, string]> }> = [
        { what: "no residency", stack: "primary", overrides: { "vbr:residency": "" },
            problems: [["vbr:residency", "", "is required; set it in Pulumi.<stack>.yaml or with `pulumi config set`"]] },
        { what: "an unknown zone", stack: "eu-primary", overrides: { "vbr:residency": "europe" },
            problems: [["vbr:residency", "europe", `must be one of: ${RESIDENCY_ZONES.join(", ")}`]] },
        { what: "a peer in another jurisdiction", stack: "eu-primary", overrides: { "vbr:peerRegion": "us-east-1" },
            problems: [["vbr:peerRegion", "us-east-1", "lies in residency zone us: copies of this stack's data (region eu-central-1) would leave vbr:residency zone eu " +
                "(European Union and European Economic Area); choose a peer in eu: eu-west-1, eu-west-3, eu-south-1, eu-south-2, eu-north-1"]] },
        { what: "Zurich as the peer of Frankfurt (Switzerland is not in the EU)", stack: "eu-primary", overrides: { "vbr:peerRegion": "eu-central-2" },
            problems: [["vbr:peerRegion", "eu-central-2", "lies in residency zone ch: copies of this stack's data (region eu-central-1) would leave vbr:residency zone eu " +
                "(European Union and European Economic Area); choose a peer in eu: eu-west-1, eu-west-3, eu-south-1, eu-south-2, eu-north-1"]] },
        { what: "London as the region of an EU stack", stack: "eu-dr", overrides: { "aws:region": "eu-west-2" },
            problems: [["aws:region", "eu-west-2", "lies in residency zone uk, not in vbr:residency eu (European Union and European Economic Area): this stack's data would be " +
                "stored outside its zone; the regions of eu: eu-central-1, eu-west-1, eu-west-3, eu-south-1, eu-south-2, eu-north-1"]] },
        { what: "a zone with one region", stack: "primary", overrides: { "aws:region": "sa-east-1", "vbr:residency": "br" },
            problems: [["vbr:peerRegion", "us-west-2", "lies in residency zone us: copies of this stack's data (region sa-east-1) would leave vbr:residency zone br " +
                "(Brazil); br has no other region than sa-east-1, so no pair can keep its copies inside it"]] },
        { what: "a peer closer than vbr:minPeerDistanceKm", stack: "eu-primary", overrides: { "vbr:peerRegion": "eu-west-3", "vbr:minPeerDistanceKm": "500" },
            problems: [["vbr:peerRegion", "eu-west-3", "is 478 km from aws:region eu-central-1 (great-circle, zone eu), closer than vbr:minPeerDistanceKm 500: a disaster that " +
                "takes eu-central-1 could take its copies too; peers in eu at least 500 km away: eu-west-1 (1088 km), eu-south-1 (518 km), eu-south-2 (1195 km), eu-north-1 (1187 km)"]] },
        { what: "a floor no peer of the zone meets", stack: "primary", overrides: { "vbr:minPeerDistanceKm": "5000" },
            problems: [["vbr:peerRegion", "us-west-2", "is 3503 km from aws:region us-east-1 (great-circle, zone us), closer than vbr:minPeerDistanceKm 5000: a disaster that " +
                "takes us-east-1 could take its copies too; no region of us is that far from us-east-1"]] },
        { what: "a floor within one region's span", stack: "primary", overrides: { "vbr:minPeerDistanceKm": "50" },
            problems: [["vbr:minPeerDistanceKm", "50", "must be at least 100 (AWS keeps a region's Availability Zones within 100 km of each other: a closer peer could share their disasters)"]] },
    ];
    for (const c of cases) {
        it(`rejects ${c.what}, naming the key, both regions and the zone`, () => {
            const err = rejected(c.stack, c.overrides);
            expect(err.problems.map((p) => [p.key, p.value, p.message])).to.deep.equal(c.problems);
        });
    }

    it("a zone that holds neither region reports both", () => {
        const err = rejected("primary", { "vbr:residency": "eu" });
        expect(err.problems.map((p) => p.key)).to.deep.equal(["aws:region", "vbr:peerRegion"]);
        expect(err.message).to.match(/aws:region = "us-east-1": lies in residency zone us, not in vbr:residency eu/);
        expect(err.message).to.match(/vbr:peerRegion = "us-west-2": lies in residency zone us: copies of this stack's data \(region us-east-1\) would leave vbr:residency zone eu/);
    });

    it("accepts an in-zone peer at the floor's distance and a lowered floor", () => {
        expect(parseStackConfig("eu-primary", stackConfig(project, "eu-primary", { "vbr:peerRegion": "eu-west-3" })).peerRegion).to.equal("eu-west-3");
        expect(parseStackConfig("eu-primary", stackConfig(project, "eu-primary", { "vbr:peerRegion": "eu-west-3", "vbr:minPeerDistanceKm": "478" })).minPeerDistanceKm).to.equal(478);
    });
});
