// AWS's commercial regions with their residency zone and location (policies/data/regions.json): one table, read by
// the program's config validation (a stack and its peer in the zone, far enough apart) and by the pack (no copy
// leaves its source's zone). The zones and what is approximate are documented with their sources in the data file.
import table from "../data/regions.json";

export interface RegionInfo {
    /** AWS's name for it, e.g. "Europe (Frankfurt)". */
    name: string;
    /** The residency zone: a country, or `eu` for the EU/EEA member states. */
    zone: string;
    /** The city the coordinates are of. */
    location: string;
    latitude: number;
    longitude: number;
}

const REGIONS: Readonly<Record<string, RegionInfo>> = table.regions;

/** Every region of the table, in its order (the AWS partition's commercial regions). */
export const AWS_REGIONS: readonly [string, ...string[]] = Object.keys(REGIONS) as [string, ...string[]];

/** Every residency zone, in the table's order. */
export const RESIDENCY_ZONES: readonly [string, ...string[]] = Object.keys(table.zones) as [string, ...string[]];

/** What each zone covers, in words. */
export const zoneName = (zone: string): string | undefined => (table.zones as Record<string, { name: string }>)[zone]?.name;

export const regionInfo = (region: string): RegionInfo | undefined => (Object.prototype.hasOwnProperty.call(REGIONS, region) ? REGIONS[region] : undefined);

/** The residency zone of a region of the table; undefined for a region it does not list. */
export const zoneOf = (region: string): string | undefined => regionInfo(region)?.zone;

/** The regions of a zone, in the table's order. */
export const regionsOf = (zone: string): string[] => AWS_REGIONS.filter((r) => REGIONS[r].zone === zone);

/** Mean Earth radius (IUGG), the usual sphere for great-circle distances. */
const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle (haversine) distance between two listed regions' locations, rounded to the kilometre. */
export function distanceKm(a: string, b: string): number {
    const p = regionInfo(a), q = regionInfo(b);
    if (!p || !q) throw new Error(`no location for region ${p ? b : a}`);
    const rad = (deg: number) => (deg * Math.PI) / 180;
    const dLat = rad(q.latitude - p.latitude), dLon = rad(q.longitude - p.longitude);
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(p.latitude)) * Math.cos(rad(q.latitude)) * Math.sin(dLon / 2) ** 2;
    return Math.round(2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h))));
}

/**
 * The default floor between a stack's region and its peer. AWS keeps the Availability Zones of one region within
 * 100 km of each other; a peer three times as far lies outside any disaster one region's design already spans,
 * and every pair of regions inside one zone is farther (the closest, Tokyo and Osaka, about 400 km), so the floor
 * never makes a zone with two regions unusable. Raise it per stack (vbr:minPeerDistanceKm) for a stricter plan.
 */
export const MIN_PEER_DISTANCE_KM = 300;
