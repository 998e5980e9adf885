// When the replication-destination tag stops exempting a bucket: once it takes writes of its own in a stack that
// replicates to another region.
//
// `vbr:replication = destination` marks a replica of another stack's bucket, trusted because its source cannot be seen
// from here. But the serving DR stack writes into those same buckets, and once the primary's region answers again it
// owns copy links back there (a failback): a bucket that takes writes is then held to the cross-region rule whatever its
// tag. While the stack owns no S3 copy link at all (standby, or a failover during the primary region's outage, when
// nothing can replicate there), the tag is trusted as before.
import { PolicyResource } from "@pulumi/policy";
import { isOf, isReplicaBucket, peek, read, T } from "./stack";

const IAM_POLICIES = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"] as const;
/** Actions that write objects into a bucket (replication's own s3:Replicate* writes are what a destination receives). */
const WRITES = /^(\*|s3:\*|s3:Put\*|s3:PutObject\*?)$/;

type Statement = { Effect?: string; Action?: string | string[]; Resource?: string | string[] };

/** Whether a known IAM document allows writing objects into `bucketName`. */
function documentWrites(doc: string, bucketName: string | undefined): boolean {
    let statements: Statement[];
    try {
        const parsed = JSON.parse(doc) as { Statement?: Statement | Statement[] };
        statements = [parsed.Statement ?? []].flat();
    } catch {
        return false;
    }
    return statements.some((s) => s.Effect === "Allow" && [s.Action ?? []].flat().some((a) => WRITES.test(a))
        && [s.Resource ?? []].flat().some((r) => r === "*" || (bucketName !== undefined && r.startsWith(`arn:aws:s3:::${bucketName}`))));
}

/**
 * Whether an IAM policy of this stack lets a principal write objects into the bucket: its document names the bucket
 * with a write action, or, while the document is unknown (a preview), it is built from the bucket (property
 * dependency), which counts as a write: the stricter answer, never a silent pass.
 */
export function takesWrites(bucket: PolicyResource, all: PolicyResource[]): boolean {
    const name = peek(() => bucket.props.bucket as string | undefined);
    return all.some((p) => {
        if (!isOf(p, IAM_POLICIES)) return false;
        const doc = read(() => p.props.policy as string | undefined);
        if (!doc.known) return (p.propertyDependencies.policy ?? []).some((d) => d.urn === bucket.urn);
        return typeof doc.value === "string" && documentWrites(doc.value, name);
    });
}

/**
 * A bucket the cross-region replication rule does not judge: tagged a replication destination, unless the stack
 * replicates to another region (it owns a BucketReplicationConfig) and the bucket takes writes of its own there.
 */
export function replicationExempt(bucket: PolicyResource, all: PolicyResource[]): boolean {
    if (!isReplicaBucket(bucket)) return false;
    const ownsCopyLinks = all.some((r) => isOf(r, T.replication));
    return !(ownsCopyLinks && takesWrites(bucket, all));
}
