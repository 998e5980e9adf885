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
import { isOf, label, peek, read, T, tags } from "./stack";

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
