// Every bucket keeps its full version history: a BucketVersioning resource linked to it with status Enabled.
import { StackValidationPolicy } from "@pulumi/policy";
import { forTypes, isReplicaBucket, label, linked, read, T } from "./lib/stack";

export const s3BucketVersioningEnabled: StackValidationPolicy = {
    name: "s3-bucket-versioning-enabled",
    description: "S3 buckets, replicas included, must have versioning Enabled through an aws.s3.BucketVersioning linked to the bucket, or the bucket's own versioning.enabled (replication and version history depend on it).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            // A replication destination is held to the same rule, and told why: S3 refuses to replicate into it.
            const note = isReplicaBucket(b) ? " (a replication destination, vbr:replication = destination: S3 refuses to replicate into an unversioned bucket)" : "";
            const vs = linked(args.resources, T.versioning, "bucket", b);
            if (vs.length === 0) {
                // The bucket's own `versioning` input (deprecated in v7, still applied by the provider) counts as it is.
                const inline = read(() => (b.props.versioning as { enabled?: boolean } | undefined)?.enabled);
                if (!inline.known) { undecided.note(inline); continue; }
                if (inline.value === true) continue;
                const state = inline.value === false ? "its inline versioning.enabled false" : "no versioning resource (versioning is off)";
                report(`${label(b)} has ${state}${note}. Fix: add an aws.s3.BucketVersioning with bucket: ${b.name}.id and versioningConfiguration: { status: "Enabled" }.`, b.urn);
                continue;
            }
            for (const v of vs) {
                const status = read(() => (v.props.versioningConfiguration as { status?: string } | undefined)?.status);
                if (!status.known) { undecided.note(status); continue; }
                if (status.value !== "Enabled") {
                    report(`${label(b)} has versioning status ${JSON.stringify(status.value)} (${label(v)})${note}. Fix: set versioningConfiguration.status to "Enabled".`, v.urn);
                }
            }
        }
    }),
};
