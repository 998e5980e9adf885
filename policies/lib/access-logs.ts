// Proof that a bucket tagged `vbr:data-class = access-logs` really is an ALB access-log bucket, from the graph.
//
// The tag alone exempts nothing: a pull request could put it on any data bucket to escape the CMK, replication
// and forceDestroy rules. A tagged bucket counts as an access-log bucket only when this stack shows it:
//   (a) a load balancer of this stack writes its access logs to it (accessLogs.bucket names it, or depends on it
//       through propertyDependencies) - the active stacks; or
//   (b) its bucket policy grants nothing but s3:PutObject on its own objects to ELB log delivery (the service
//       principal logdelivery.elasticloadbalancing.amazonaws.com or a regional ELB account) - the DR standby
//       stack, which keeps the log bucket but has no load balancer yet.
// Limitation of (b): identity-based IAM policies (here or in other stacks) that also write to the bucket are not
// looked at; the bucket policy only proves that ELB is the one writer it grants.
import { PolicyResource } from "@pulumi/policy";
import { isOf, isTaggedAccessLogs, known, label, linked, peek, read, Read, T } from "./stack";

export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/**
 * The AWS accounts ELB delivers access logs from in regions opened before August 2022
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
 */
export const ELB_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
    "af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-southeast-3": "589379963580", "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266", "ap-northeast-1": "582318560864", "ca-central-1": "985666609251",
    "eu-central-1": "054676820928", "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
    "eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225", "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584", "us-gov-east-1": "190560391635",
};
const ELB_ACCOUNT_IDS = new Set(Object.values(ELB_ACCOUNTS));

export type AccessLogVerdict =
    /** Not tagged access-logs: a data bucket. */
    | { kind: "data" }
    /** Tagged and proven; `via` says how. */
    | { kind: "access-logs"; via: string }
    /** Tagged but not proven: the tag counts for nothing and the normal rules apply. */
    | { kind: "unproven" }
    /** Tagged, not proven from what is known, and the missing piece is unknown during preview. */
    | { kind: "unknown"; error: Error };

export const UNPROVEN = "it is tagged vbr:data-class = access-logs, but no load balancer of this stack writes its access logs to it and its bucket policy does not grant only ELB log delivery, so the tag exempts nothing";

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function isElbPrincipal(p: unknown): boolean {
    if (typeof p !== "object" || p === null) return false;
    const { Service, AWS, ...rest } = p as { Service?: unknown; AWS?: unknown };
    const all = [...asList(Service).map((s) => ["service", s] as const), ...asList(AWS).map((a) => ["aws", a] as const)];
    return Object.keys(rest).length === 0 && all.length > 0 && all.every(([kind, v]) => {
        if (typeof v !== "string") return false;
        if (kind === "service") return v === ELB_LOG_DELIVERY_SERVICE;
        const m = /^(?:arn:aws[a-z-]*:iam::(\d{12}):root|(\d{12}))$/.exec(v);
        return m !== null && ELB_ACCOUNT_IDS.has(m[1] ?? m[2]);
    });
}

/**
 * Whether a bucket policy document grants only ELB log delivery: at least one Allow statement, and every Allow
 * statement is s3:PutObject by an ELB log-delivery principal on objects of `bucketName`.
 */
export function grantsOnlyElbLogDelivery(policy: unknown, bucketName: string): boolean {
    let doc: { Statement?: unknown };
    try {
        doc = typeof policy === "string" ? JSON.parse(policy) : (policy as typeof doc);
    } catch {
        return false;
    }
    const allows = asList(doc?.Statement).filter((s) => (s as { Effect?: unknown })?.Effect === "Allow") as Array<Record<string, unknown>>;
    return allows.length > 0 && allows.every((s) => {
        if ("NotPrincipal" in s || "NotAction" in s || "NotResource" in s) return false;
        const actions = asList(s.Action);
        const resources = asList(s.Resource);
        return isElbPrincipal(s.Principal)
            && actions.length > 0 && actions.every((a) => a === "s3:PutObject")
            && resources.length > 0 && resources.every((r) => typeof r === "string" && r.startsWith(`arn:aws:s3:::${bucketName}/`));
    });
}

function loadBalancerLogsTo(lb: PolicyResource, b: PolicyResource): Read<boolean> {
    if ((lb.propertyDependencies.accessLogs ?? []).some((d) => d.urn === b.urn)) return known(true);
    const target = read(() => (lb.props.accessLogs as { bucket?: unknown } | undefined)?.bucket);
    if (!target.known) return target;
    const names = ["bucket", "id"].map((k) => peek(() => b.props[k])).filter((x) => typeof x === "string" && x !== "");
    return known(typeof target.value === "string" && names.includes(target.value));
}

/** Whether bucket `b` is an access-log bucket, proven from the stack's graph. */
export function accessLogBucket(b: PolicyResource, all: PolicyResource[]): AccessLogVerdict {
    if (!isTaggedAccessLogs(b)) return { kind: "data" };
    let pending: Error | undefined;
    for (const lb of all.filter((r) => isOf(r, T.loadBalancer))) {
        const v = loadBalancerLogsTo(lb, b);
        if (!v.known) pending ??= v.error;
        else if (v.value) return { kind: "access-logs", via: `${label(lb)} writes its access logs to it` };
    }
    const name = read(() => b.props.bucket);
    if (!name.known) pending ??= name.error;
    for (const p of linked(all, T.bucketPolicy, "bucket", b)) {
        const doc = read(() => p.props.policy);
        if (!doc.known) { pending ??= doc.error; continue; }
        if (name.known && typeof name.value === "string" && grantsOnlyElbLogDelivery(doc.value, name.value)) {
            return { kind: "access-logs", via: `${label(p)} grants only ELB log delivery` };
        }
    }
    return pending ? { kind: "unknown", error: pending } : { kind: "unproven" };
}
