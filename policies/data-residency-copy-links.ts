// No copy of the customer's data leaves its residency zone: every cross-region copy the stack declares
// (lib/copy-links.ts) lands in a region of the zone its source lies in, or of the zone the policy is configured with.
//
// Zones come from policies/data/regions.json (a country, or the EU/EEA); `regionZones` classifies a region the table
// does not list (a new one) or reads one otherwise (a customer whose counsel accepts a copy in an adequate country).
// A destination the graph does not prove fails, as does a region no table lists: residency is not assumed. A region
// unknown during preview goes to the engine, which reports its "can't run policy during preview" advisory.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { COPY_LINK_TYPES, copyLinks } from "./lib/copy-links";
import { forTypes, Undecided } from "./lib/stack";
import { regionsOf, RESIDENCY_ZONES, zoneOf } from "./model/regions";

export interface ResidencyConfig {
    /** The zone every copy must land in; unset: each source region's own zone. */
    zone?: string;
    /** Region -> zone, over the table's. */
    regionZones?: Record<string, string>;
}

const TABLE = "the residency table (policies/data/regions.json)";

export const dataResidencyCopyLinks: StackValidationPolicy = {
    name: "data-residency-copy-links",
    description: "No copy of data may leave its residency zone (policies/data/regions.json: a country, or eu for the EU/EEA member states): S3 replication rules, "
        + "AWS Backup copy actions, RDS automated-backups replication, cross-region read replicas and snapshot copies, Secrets Manager replicas, ECR replication, "
        + "DynamoDB replicas, EFS replication, Data Lifecycle Manager and EBS snapshot copies, Redshift snapshot copies and global database clusters must land in "
        + "a region of the source's zone (or of the configured zone), proven from the graph.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            zone: { type: "string", enum: [...RESIDENCY_ZONES], description: "The zone every copy must land in (the stack's vbr:residency). Unset: the zone of each copy's source region." },
            regionZones: {
                type: "object", additionalProperties: { type: "string", enum: [...RESIDENCY_ZONES] },
                description: "Region -> zone, over the table's: for a region the table does not list yet, or one the customer places in another zone.",
            },
        },
    },
    validateStack: forTypes(COPY_LINK_TYPES, (targets, args, report, undecided) => {
        const { zone: configured, regionZones = {} } = args.getConfig<ResidencyConfig>();
        const zoneOfRegion = (region: string): string | undefined => regionZones[region] ?? zoneOf(region);
        const unlisted = (region: string) => `${region}, a region ${TABLE} does not list, so its zone is unknown. ` +
            `Fix: classify it with the policy's regionZones ({ "${region}": "<zone>" }) or add it to the table`;
        for (const r of targets) judge(r, args.resources, undecided, (message: string) => report(message, r.urn), configured, zoneOfRegion, unlisted);
    }),
};

function judge(r: PolicyResource, all: PolicyResource[], undecided: Undecided, report: (m: string) => void, configured: string | undefined,
    zoneOfRegion: (region: string) => string | undefined, unlisted: (region: string) => string): void {
    const links = copyLinks(r, all);
    if (!Array.isArray(links)) { if (!links.known) undecided.note(links); return; }
    for (const link of links) {
        const src = link.source;
        if (!src.known) { undecided.note(src); continue; }
        const zone = configured ?? (src.value === undefined ? undefined : zoneOfRegion(src.value));
        if (zone === undefined) {
            report(`${link.what} copies data from ${src.value === undefined ? "a region the stack does not tell" : unlisted(src.value)}.`);
            continue;
        }
        const whose = configured ? `the residency zone ${zone} (the policy's zone)` : `its source's residency zone ${zone}`;
        const regions = regionsOf(zone).filter((x) => x !== src.value).join(", ");
        const fix = link.pulled
            ? `Fix: keep its source (${link.input}) and its own region (its region input or provider) in ${zone}${regions ? ` (${regions})` : ""}, or remove the copy.`
            : `Fix: set ${link.input} to a destination in ${zone}${regions ? ` (${regions})` : ""}, or remove the copy.`;
        const from = src.value ? `from ${src.value} ` : "";
        const dest = link.destination;
        if (!dest.known) { undecided.note(dest); continue; }
        if (dest.value === undefined) {
            report(`${link.what} copies data ${from}to a destination whose region the stack does not prove (${link.input}), so it may leave ${whose}. ` +
                `Fix: make the destination provable (a resource of this stack, or an ARN that names its region), in ${zone}.`);
            continue;
        }
        if (dest.value.region === src.value) continue;
        const destZone = zoneOfRegion(dest.value.region);
        if (destZone === undefined) { report(`${link.what} copies data ${from}to ${unlisted(dest.value.region)}.`); continue; }
        const srcZone = src.value === undefined ? undefined : zoneOfRegion(src.value);
        if (destZone === zone && (srcZone === zone || !configured)) continue;
        const crossing = destZone === zone ? `its source lies in zone ${srcZone ?? "unknown"}, outside ${whose}` : `it leaves ${whose}`;
        report(`${link.what} copies data ${from}to ${dest.value.region} (zone ${destZone}, from ${dest.value.via}): ${crossing}. ${fix}`);
    }
}
