// Data buckets can never be emptied by a `pulumi destroy`: no forceDestroy.
import { StackValidationPolicy } from "@pulumi/policy";
import { accessLogBucket, UNPROVEN } from "./lib/access-logs";
import { forTypes, label, read, T } from "./lib/stack";

export const s3BucketNoForceDestroy: StackValidationPolicy = {
    name: "s3-bucket-no-force-destroy",
    description: "Data buckets must not set forceDestroy (it deletes every object and version when the bucket is deleted); only a proven ALB access-log bucket (tag vbr:data-class = access-logs plus a load balancer of the stack logging to it, or a bucket policy granting only ELB log delivery) may.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const v = read(() => b.props.forceDestroy);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value !== true) continue;
            const logs = accessLogBucket(b, args.resources);
            if (logs.kind === "access-logs") continue;
            if (logs.kind === "unknown") { undecided.note({ known: false, error: logs.error }); continue; }
            const note = logs.kind === "unproven" ? ` (${UNPROVEN})` : "";
            report(`${label(b)} has forceDestroy true${note}. Fix: set forceDestroy: false (or remove it).`, b.urn);
        }
    }),
};
