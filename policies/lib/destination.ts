// Whether a bucket is a replication destination, and so holds a copy rather than the original: the one place that
// decides it, for the cross-region rule and the messages of the others.
//
// Proven: a BucketReplicationConfig of this stack names the bucket as a rule's destination (by its ARN or name, or,
// while the ARN is unknown, through the rule's property dependency on it).
// Trusted (the narrow rule): tagged `vbr:replication = destination` in a stack that holds no replication rule at
// all. Such a stack (this project's DR stack) only receives copies; their source is in another stack and cannot be
// seen from here. In a stack that holds replication rules, a destination must be proven by one of them: the tag is
// then not trusted, since a program could put it on any data bucket to escape the cross-region rule.
import { PolicyResource } from "@pulumi/policy";
import { REPLICATION_DESTINATION, TAGS } from "../model/tags";
import { arnRegion, effectiveRegion, isOf, label, peek, read, Read, T, tags } from "./stack";

/** The part of an S3 replication rule (BucketReplicationConfig, or a Bucket's inline replicationConfiguration) that says where it copies. */
export type ReplicationRule = { destination?: { bucket?: string; encryptionConfiguration?: { replicaKmsKeyId?: string }; replicaKmsKeyId?: string } };

export type DestinationVerdict =
    | { kind: "proven"; via: string }
    | { kind: "trusted"; via: string }
    /** Not a destination: a data source. `note` says why a tag, if any, was not trusted. */
    | { kind: "source"; note?: string }
    | { kind: "unknown"; error: Error };

export const isTaggedDestination = (b: PolicyResource): boolean => tags(b)[TAGS.replication] === REPLICATION_DESTINATION;

type Rule = { destination?: { bucket?: unknown } };

/** The names a rule's destination ARN may use for `b`: its ARN, and the ARN built from its name. */
function arnsOf(b: PolicyResource): string[] {
    const name = peek(() => b.props.bucket);
    return [peek(() => b.props.arn), typeof name === "string" && name !== "" ? `arn:aws:s3:::${name}` : undefined]
        .filter((x): x is string => typeof x === "string" && x !== "");
}

/** Whether replication config `c` (not `b`'s own) names `b` as a rule's destination. */
function namesAsDestination(c: PolicyResource, b: PolicyResource): { known: true; value: boolean } | { known: false; error: Error } {
    const rules = read(() => c.props.rules as Rule[] | undefined);
    if (!rules.known) return rules;
    const arns = arnsOf(b);
    let pending: { known: false; error: Error } | undefined;
    for (let i = 0; i < (rules.value ?? []).length; i++) {
        const dest = read(() => (c.props.rules as Rule[])[i].destination?.bucket);
        if (dest.known) { if (typeof dest.value === "string" && arns.includes(dest.value)) return { known: true, value: true }; continue; }
        if ((c.propertyDependencies.rules ?? []).some((d) => d.urn === b.urn)) return { known: true, value: true };
        pending ??= dest;
    }
    return pending ?? { known: true, value: false };
}

export function replicationDestination(b: PolicyResource, all: PolicyResource[]): DestinationVerdict {
    const configs = all.filter((r) => isOf(r, T.replication));
    let pending: Error | undefined;
    for (const c of configs) {
        // A bucket's own configuration has it as the source; its rules' property dependencies include it as well.
        if ((c.propertyDependencies.bucket ?? []).some((d) => d.urn === b.urn)) continue;
        const v = namesAsDestination(c, b);
        if (!v.known) pending ??= v.error;
        else if (v.value) return { kind: "proven", via: `the destination of ${label(c)}` };
    }
    if (!isTaggedDestination(b)) return pending ? { kind: "unknown", error: pending } : { kind: "source" };
    if (configs.length === 0) return { kind: "trusted", via: "tagged vbr:replication = destination in a stack that holds no replication rule, so its source is in another stack" };
    if (pending) return { kind: "unknown", error: pending };
    return { kind: "source", note: "it is tagged vbr:replication = destination, but no replication rule of this stack, which holds replication rules, names it as a destination, so the tag is not trusted" };
}

/**
 * The destination region of an S3 replication rule (`rule` reads it; `deps` are the property dependencies of the
 * input that holds it), with how it was proven: the destination bucket's region when it is a bucket of this stack
 * (through the dependencies, so it works while ARNs are unknown, or by its known ARN), else the region of the rule's
 * replicaKmsKeyId (S3 requires the replica key in the destination bucket's region). Known undefined: not provable.
 */
export function destinationRegion(rule: () => ReplicationRule, deps: PolicyResource[], source: PolicyResource, all: PolicyResource[]): Read<{ region: string; via: string } | undefined> {
    const dest = read(() => rule().destination?.bucket);
    const fromDeps = deps.filter((d) => isOf(d, T.bucket) && d.urn !== source.urn);
    const candidates = dest.known
        ? all.filter((r) => isOf(r, T.bucket) && r.urn !== source.urn &&
            [peek(() => r.props.arn), peek(() => r.props.bucket) && `arn:aws:s3:::${peek(() => r.props.bucket)}`].includes(dest.value))
        : fromDeps;
    if (candidates.length === 1) {
        const reg = effectiveRegion(candidates[0]);
        if (!reg.known) return reg;
        if (reg.value) return { known: true, value: { region: reg.value, via: `destination bucket ${label(candidates[0])}` } };
    }
    // Else the replica key's region (a Bucket's inline rules name the key on the destination itself).
    const key = read(() => rule().destination?.encryptionConfiguration?.replicaKmsKeyId ?? rule().destination?.replicaKmsKeyId);
    if (key.known) {
        const region = arnRegion(key.value);
        if (region) return { known: true, value: { region, via: `replicaKmsKeyId ${key.value}` } };
    } else {
        const keys = deps.filter((d) => isOf(d, T.key) || isOf(d, T.alias));
        const regions = [...new Set(keys.map((k) => effectiveRegion(k)).map((r) => (r.known ? r.value : undefined)))];
        if (keys.length > 0 && regions.length === 1 && regions[0]) return { known: true, value: { region: regions[0], via: "the replica key's region" } };
        if (!dest.known) return dest;
        return key;
    }
    if (!dest.known) return dest;
    return { known: true, value: undefined };
}
