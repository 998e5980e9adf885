// Every data bucket replicates all its objects to a bucket in another region with Replication Time Control (15 min).
//
// The destination bucket usually belongs to the peer stack and is named by its deterministic ARN
// (`arn:aws:s3:::<bucket>`, which carries no region). Its region is taken from the destination bucket resource
// when it is in this stack (through propertyDependencies, so it works while ARNs are unknown), else from the
// rule's replicaKmsKeyId (S3 requires the replica key in the destination bucket's region). A rule whose
// destination region cannot be proven is a violation, and so is a rule whose filter (a prefix or a tag) selects
// only part of the bucket. Not required of replication destinations (lib/destination.ts: proven by a rule of this
// stack, or tagged in a stack that holds no replication rule) and proven ALB access-log buckets (lib/access-logs.ts).
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { accessLogBucket, UNPROVEN } from "./lib/access-logs";
import { FLOORS } from "./lib/config";
import { destinationRegion, replicationDestination } from "./lib/destination";
import { effectiveRegion, forTypes, label, linked, peek, read, T } from "./lib/stack";

export interface ReplicationConfig { replicationTimeMinutes: number }

type Status = { status?: string };
type Filter = { prefix?: string; tag?: { key?: string; value?: string }; and?: { prefix?: string; tags?: Record<string, string> } };
type Rule = {
    id?: string; status?: string; prefix?: string; filter?: Filter;
    sourceSelectionCriteria?: { sseKmsEncryptedObjects?: Status };
    destination?: {
        bucket?: string; encryptionConfiguration?: { replicaKmsKeyId?: string };
        replicationTime?: Status & { time?: { minutes?: number } }; metrics?: Status;
    };
};

/** What part of the bucket a rule's filter (or deprecated rule-level prefix) limits it to; undefined = every object. */
export function partialFilter(rule: { prefix?: string; filter?: Filter } | undefined): string | undefined {
    const parts: string[] = [];
    const prefix = (p: unknown) => { if (typeof p === "string" && p !== "") parts.push(`prefix ${JSON.stringify(p)}`); };
    prefix(rule?.prefix);
    prefix(rule?.filter?.prefix);
    prefix(rule?.filter?.and?.prefix);
    if (rule?.filter?.tag) parts.push(`tag ${rule.filter.tag.key}=${rule.filter.tag.value}`);
    for (const [k, v] of Object.entries(rule?.filter?.and?.tags ?? {})) parts.push(`tag ${k}=${v}`);
    return parts.length > 0 ? parts.join(" and ") : undefined;
}

/** One rule's verdict: known problems, and the first value it could not read (pending). */
interface RuleVerdict { problems: string[]; pending?: { known: false; error: Error } }

function judgeRule(c: PolicyResource, i: number, b: PolicyResource, src: string | undefined, all: PolicyResource[], minutes: number): RuleVerdict {
    const rule = () => (c.props.rules as Rule[])[i];
    const v: RuleVerdict = { problems: [] };
    // An unknown field is pending, never a problem: only known values can fail a rule.
    const field = <V>(f: () => V, bad: (x: V) => boolean, problem: (x: V) => string): void => {
        const r = read(f);
        if (!r.known) v.pending ??= r;
        else if (bad(r.value)) v.problems.push(problem(r.value));
    };
    field(() => rule().status, (x) => x !== "Enabled", (x) => `status is ${JSON.stringify(x ?? "unset")} (must be "Enabled")`);
    field(() => rule().destination?.replicationTime?.status, (x) => x !== "Enabled", () => `Replication Time Control is off (must be Enabled, ${minutes} min)`);
    field(() => rule().destination?.replicationTime?.time?.minutes, (x) => x !== minutes && peek(() => rule().destination?.replicationTime?.status) === "Enabled",
        (x) => `Replication Time Control is ${x ?? "unset"} min (must be ${minutes} min)`);
    field(() => rule().destination?.metrics?.status, (x) => x !== "Enabled", () => "replication metrics are off (RTC requires metrics: { status: \"Enabled\", eventThreshold: { minutes: 15 } })");
    field(() => rule().sourceSelectionCriteria?.sseKmsEncryptedObjects?.status, (x) => x !== "Enabled", () => "sseKmsEncryptedObjects is not Enabled (SSE-KMS objects would not replicate)");
    field(() => partialFilter(rule()), (x) => x !== undefined, (x) => `it replicates only the objects with ${x}, not the whole bucket`);
    const dest = destinationRegion(rule, c.propertyDependencies.rules ?? [], b, all);
    if (!dest.known) v.pending ??= dest;
    else if (!dest.value) v.problems.push(`its destination region cannot be proven (destination ${JSON.stringify(peek(() => rule().destination?.bucket))} is not a bucket of this stack and has no replicaKmsKeyId ARN with a region)`);
    else if (dest.value.region === src) v.problems.push(`its destination is in ${dest.value.region} (from ${dest.value.via}), the bucket's own region`);
    return v;
}

export const s3BucketCrossRegionReplication: StackValidationPolicy = {
    name: "s3-bucket-cross-region-replication",
    description: "Data buckets must have an enabled replication rule to a bucket in another region, with Replication Time Control (15 min) and metrics, selecting SSE-KMS objects. "
        + "The rule must cover the whole bucket (no prefix or tag filter). Not required of: replication destinations (named by a replication rule of this stack; or tagged vbr:replication = destination in a stack that holds no replication rule, trusted because the source is in another stack) "
        + "and ALB access-log buckets proven from the stack (tag vbr:data-class = access-logs plus a load balancer logging to it or a bucket policy granting only ELB log delivery).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            replicationTimeMinutes: {
                type: "integer", default: FLOORS.replicationTimeMinutes, minimum: FLOORS.replicationTimeMinutes, maximum: FLOORS.replicationTimeMinutes,
                description: "Replication Time Control threshold; 15 is the floor and the only value S3 accepts.",
            },
        },
    },
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        const { replicationTimeMinutes: minutes } = args.getConfig<ReplicationConfig>();
        for (const b of buckets) {
            const logs = accessLogBucket(b, args.resources);
            if (logs.kind === "access-logs") continue;
            const note = logs.kind === "unproven" ? ` (${UNPROVEN})` : "";
            const configs = linked(args.resources, T.replication, "bucket", b);
            if (configs.length === 0) {
                const d = replicationDestination(b, args.resources);
                if (d.kind === "proven" || d.kind === "trusted") continue;
                if (d.kind === "unknown") { undecided.note({ known: false, error: d.error }); continue; }
                if (logs.kind === "unknown") { undecided.note({ known: false, error: logs.error }); continue; }
                const why = [logs.kind === "unproven" ? UNPROVEN : undefined, d.note].filter(Boolean).map((x) => ` (${x})`).join("");
                report(`${label(b)} is a data bucket with no replication configuration: its objects exist in one region only${why}. Fix: add an aws.s3.BucketReplicationConfig with an enabled rule, covering the whole bucket, to a bucket in another region with Replication Time Control (${minutes} min).`, b.urn);
                continue;
            }
            const src = effectiveRegion(b);
            if (!src.known) { undecided.note(src); continue; }
            const problems: string[] = [];
            let ok = false;
            // A rule with no known problem but an unknown value may still be the compliant one.
            let pending: { known: false; error: Error } | undefined;
            for (const c of configs) {
                const rules = read(() => c.props.rules as Rule[] | undefined);
                if (!rules.known) { pending ??= rules; continue; }
                (rules.value ?? []).forEach((_, i) => {
                    const id = JSON.stringify(peek(() => (c.props.rules as Rule[])[i].id) ?? i);
                    const v = judgeRule(c, i, b, src.value, args.resources, minutes);
                    if (v.problems.length > 0) problems.push(`${label(c)} rule ${id}: ${v.problems.join("; ")}`);
                    else if (v.pending) pending ??= v.pending;
                    else ok = true;
                });
            }
            if (ok) continue;
            if (pending) { undecided.note(pending); continue; }
            if (logs.kind === "unknown") { undecided.note({ known: false, error: logs.error }); continue; }
            // A bucket that replicates onward (a chain) is still a copy when a rule of this stack writes into it.
            const d = replicationDestination(b, args.resources);
            if (d.kind === "proven" || d.kind === "trusted") continue;
            if (d.kind === "unknown") { undecided.note({ known: false, error: d.error }); continue; }
            report(`${label(b)} in ${src.value ?? "an unknown region"} has no compliant cross-region replication rule: ${problems.join(" | ") || "no rules"}${note}. Fix: one rule with status "Enabled" and no prefix or tag filter, destination bucket in another region with replicaKmsKeyId there, replicationTime and metrics Enabled at ${minutes} min, sseKmsEncryptedObjects Enabled.`, b.urn);
        }
    }),
};
