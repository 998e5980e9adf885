// Data buckets can never be emptied by a `pulumi destroy`: no forceDestroy.
import { StackValidationPolicy } from "@pulumi/policy";
import { forTypes, isAccessLogBucket, label, read, T } from "./lib/stack";

export const s3BucketNoForceDestroy: StackValidationPolicy = {
    name: "s3-bucket-no-force-destroy",
    description: "Data buckets must not set forceDestroy (it deletes every object and version when the bucket is deleted).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, _args, report, undecided) => {
        for (const b of buckets) {
            if (isAccessLogBucket(b)) continue;
            const v = read(() => b.props.forceDestroy);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value === true) report(`${label(b)} has forceDestroy true. Fix: set forceDestroy: false (or remove it).`, b.urn);
        }
    }),
};
