// No bucket is public: all four public-access-block settings on, and no public canned ACL.
import { StackValidationPolicy } from "@pulumi/policy";
import { forTypes, label, linked, peek, read, T } from "./lib/stack";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

export const s3BucketPublicAccessBlocked: StackValidationPolicy = {
    name: "s3-bucket-public-access-blocked",
    description: "S3 buckets must have an aws.s3.BucketPublicAccessBlock with all four settings true, and no public canned ACL.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        for (const b of buckets) {
            const acl = peek(() => b.props.acl);
            if (typeof acl === "string" && PUBLIC_ACLS.includes(acl)) {
                report(`${label(b)} has the public ACL "${acl}". Fix: remove acl (use BucketOwnershipControls BucketOwnerEnforced).`, b.urn);
            }
            for (const a of linked(args.resources, T.bucketAcl, "bucket", b)) {
                const v = read(() => a.props.acl);
                if (!v.known) { undecided.note(v); continue; }
                if (typeof v.value === "string" && PUBLIC_ACLS.includes(v.value)) {
                    report(`${label(b)} is given the public ACL "${v.value}" by ${label(a)}. Fix: delete the ACL resource or set acl "private".`, a.urn);
                }
            }
            const blocks = linked(args.resources, T.publicAccessBlock, "bucket", b);
            if (blocks.length === 0) {
                report(`${label(b)} has no public access block. Fix: add an aws.s3.BucketPublicAccessBlock with ${FLAGS.join(", ")} all true.`, b.urn);
                continue;
            }
            for (const blk of blocks) {
                const off: string[] = [];
                for (const f of FLAGS) {
                    const v = read(() => blk.props[f]);
                    if (!v.known) undecided.note(v);
                    else if (v.value !== true) off.push(`${f}=${JSON.stringify(v.value ?? "unset")}`);
                }
                if (off.length > 0) report(`${label(b)} public access block ${label(blk)} has ${off.join(", ")}. Fix: set ${FLAGS.join(", ")} to true.`, blk.urn);
            }
        }
    }),
};
