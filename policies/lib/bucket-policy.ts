// A bucket's policies: every aws.s3.BucketPolicy linked to it, and the Bucket's own (deprecated) inline `policy`.
// S3 keeps exactly one policy per bucket, so more than one source is a conflict whose winner depends on apply order.
import { PolicyResource } from "@pulumi/policy";
import { label, linked, read, Read, T } from "./stack";

export interface PolicySource {
    /** The resource that sets the policy (a BucketPolicy, or the bucket itself for its inline `policy`). */
    owner: PolicyResource;
    /** For messages: `BucketPolicy "x"` or `the inline policy of Bucket "b"`. */
    name: string;
    doc: Read<unknown>;
}

export function bucketPolicies(b: PolicyResource, all: PolicyResource[]): PolicySource[] {
    const out: PolicySource[] = linked(all, T.bucketPolicy, "bucket", b)
        .map((p) => ({ owner: p, name: label(p), doc: read(() => p.props.policy) }));
    const inline = read(() => b.props.policy);
    if (!inline.known || (typeof inline.value === "string" && inline.value !== "") || (typeof inline.value === "object" && inline.value !== null)) {
        out.push({ owner: b, name: `the inline policy of ${label(b)}`, doc: inline });
    }
    return out;
}

/** The bucket's ARN: its `arn` output, else built from its (deterministic) name; undefined for an auto-named bucket. */
export function bucketArn(b: PolicyResource): Read<string | undefined> {
    const arn = read(() => b.props.arn);
    if (arn.known && typeof arn.value === "string" && arn.value !== "") return arn as Read<string>;
    const name = read(() => b.props.bucket);
    if (name.known) return { known: true, value: typeof name.value === "string" && name.value !== "" ? `arn:aws:s3:::${name.value}` : undefined };
    return name;
}
