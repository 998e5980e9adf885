// Every bucket keeps its full version history: a BucketVersioning resource linked to it with status Enabled.
import { StackValidationPolicy } from "@pulumi/policy";
import { replicationDestination } from "./lib/destination";
import { forTypes, label, linked, read, T } from "./lib/stack";

export const s3BucketVersioningEnabled: StackValidationPolicy = {
    name: "s3-bucket-versioning-enabled",
    description: "S3 buckets, replicas included, must have versioning Enabled through an aws.s3.BucketVersioning linked to the bucket, or the Bucket's inline versioning.enabled (replication and version history depend on it).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            // A replication destination is held to the same rule, and told why: S3 refuses to replicate into it.
            const note = (): string => {
                const d = replicationDestination(b, args.resources);
                return d.kind === "proven" || d.kind === "trusted" ? ` (a replication destination, ${d.via}: S3 refuses to replicate into an unversioned bucket)` : "";
            };
            const vs = linked(args.resources, T.versioning, "bucket", b);
            // The Bucket's deprecated inline `versioning`, when no versioning resource is linked.
            const inline = vs.length === 0 ? read(() => (b.props.versioning as { enabled?: boolean } | undefined)?.enabled) : undefined;
            if (inline && !inline.known) { undecided.note(inline); continue; }
            if (inline?.known && inline.value === true) continue;
            if (inline?.known && inline.value === false) {
                report(`${label(b)} has versioning.enabled false${note()}. Fix: set versioning: { enabled: true }, or add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.`, b.urn);
                continue;
            }
            if (vs.length === 0) {
                report(`${label(b)} has no versioning resource (versioning is off)${note()}. Fix: add an aws.s3.BucketVersioning for it with versioningConfiguration: { status: "Enabled" }.`, b.urn);
                continue;
            }
            for (const v of vs) {
                const status = read(() => (v.props.versioningConfiguration as { status?: string } | undefined)?.status);
                if (!status.known) { undecided.note(status); continue; }
                if (status.value !== "Enabled") {
                    report(`${label(b)} has versioning status ${JSON.stringify(status.value)} (${label(v)})${note()}. Fix: set versioningConfiguration.status to "Enabled".`, v.urn);
                }
            }
        }
    }),
};
