// The residency rules of a stack's configuration: this stack's region and its peer lie in the zone the customer's
// data must stay in (vbr:residency), and the peer is geographically distant (vbr:minPeerDistanceKm), so every copy
// the pair keeps is both inside the zone and out of reach of a disaster that takes this region.
import { distanceKm, regionsOf, zoneName, zoneOf } from "../policies/model/regions";
import type { ConfigProblem, ConfigValues, RawConfig } from "./config";

const describeZone = (zone: string) => `${zone} (${zoneName(zone)?.split(":")[0]})`;

/** Rules that tie aws:region, vbr:peerRegion, vbr:residency and vbr:minPeerDistanceKm; only keys whose shape was valid. */
export function residencyChecks(raw: RawConfig, v: Partial<ConfigValues>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const { region, peerRegion: peer, residency: zone, minPeerDistanceKm: min } = v;
    if (zone === undefined) return problems;
    const inZone = regionsOf(zone);
    if (region !== undefined && zoneOf(region) !== zone) {
        problems.push({
            key: "aws:region", value: raw["aws:region"],
            message: `lies in residency zone ${zoneOf(region)}, not in vbr:residency ${describeZone(zone)}: this stack's data would be stored outside ` +
                `its zone; the regions of ${zone}: ${inZone.join(", ")}`,
        });
    }
    if (region === undefined || peer === undefined) return problems;
    if (zoneOf(peer) !== zone) {
        const candidates = inZone.filter((r) => r !== region);
        problems.push({
            key: "vbr:peerRegion", value: raw["vbr:peerRegion"],
            message: `lies in residency zone ${zoneOf(peer)}: copies of this stack's data (region ${region}) would leave vbr:residency zone ` +
                `${describeZone(zone)}; ${candidates.length > 0 ? `choose a peer in ${zone}: ${candidates.join(", ")}` : `${zone} has no other region than ${region}, so no pair can keep its copies inside it`}`,
        });
        return problems;
    }
    const km = distanceKm(region, peer);
    if (min !== undefined && km < min) {
        const far = inZone.filter((r) => r !== region && distanceKm(region, r) >= min);
        problems.push({
            key: "vbr:peerRegion", value: raw["vbr:peerRegion"],
            message: `is ${km} km from aws:region ${region} (great-circle, zone ${zone}), closer than vbr:minPeerDistanceKm ${min}: a disaster that takes ` +
                `${region} could take its copies too; ${far.length > 0 ? `peers in ${zone} at least ${min} km away: ${far.map((r) => `${r} (${distanceKm(region, r)} km)`).join(", ")}` : `no region of ${zone} is that far from ${region}`}`,
        });
    }
    return problems;
}
