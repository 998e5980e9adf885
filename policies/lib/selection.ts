// Which resources an AWS Backup selection assigns to its plan, as AWS Backup decides it:
//   (resources matches OR selectionTags matches) AND every condition holds AND notResources does not match.
// `resources` and `notResources` are ARN patterns (`*` wildcards); `selectionTags` (ListOfTags) are ORed;
// `conditions` (stringEquals / stringNotEquals / stringLikes / stringNotLikes on aws:ResourceTag/<key>) are ANDed.
import { PolicyResource } from "@pulumi/policy";
import { wildcard } from "./iam";
import { effectiveRegion, isOf, known, linksTo, peek, read, Read, T, tags } from "./stack";

type KV = { key?: string; value?: string };
type Condition = { stringEquals?: KV[]; stringNotEquals?: KV[]; stringLikes?: KV[]; stringNotLikes?: KV[] };
type SelectionTag = { type?: string; key?: string; value?: string };

/** The ARN shape of each type AWS Backup can select, for matching patterns while the ARN is unknown. */
const ARN_SHAPES: Record<string, (name: string) => string> = {
    "aws:rds/instance:Instance": (n) => `rds:{region}:{account}:db:${n}`,
    "aws:rds/cluster:Cluster": (n) => `rds:{region}:{account}:cluster:${n}`,
    "aws:docdb/cluster:Cluster": (n) => `rds:{region}:{account}:cluster:${n}`,
    "aws:dynamodb/table:Table": (n) => `dynamodb:{region}:{account}:table/${n}`,
    "aws:efs/fileSystem:FileSystem": (n) => `elasticfilesystem:{region}:{account}:file-system/${n}`,
    "aws:ebs/volume:Volume": (n) => `ec2:{region}:{account}:volume/${n}`,
    "aws:redshift/cluster:Cluster": (n) => `redshift:{region}:{account}:cluster:${n}`,
    "aws:s3/bucket:Bucket": (n) => `s3:::${n}`,
    "aws:s3/bucketV2:BucketV2": (n) => `s3:::${n}`,
};

/** The resource types AWS Backup can select that the pack judges. */
export const BACKUP_TYPES: readonly string[] = Object.keys(ARN_SHAPES);

/** The identifier inputs that name a resource in its ARN, by preference. */
const NAME_INPUTS = ["identifier", "clusterIdentifier", "bucket", "name"];

/** Whether ARN pattern list `key` of `sel` names `r`: a property dependency, its known ARN, or its ARN's shape. */
function namedBy(sel: PolicyResource, key: "resources" | "notResources", r: PolicyResource): Read<boolean> {
    const deps = sel.propertyDependencies[key] ?? [];
    if (deps.some((d) => d.urn === r.urn)) return known(true);
    const count = read(() => (sel.props[key] as unknown[] | undefined)?.length ?? 0);
    // Unknown ARNs that came from other resources of this stack (not from `r`) cannot be `r`'s.
    if (!count.known) return deps.length > 0 ? known(false) : count;
    // A list of partly unknown elements: the known ones are judged; an unknown one is `r`'s only through a dependency.
    const elements = Array.from({ length: count.value }, (_, i) => read(() => (sel.props[key] as unknown[])[i]));
    const pending = elements.find((e) => !e.known);
    if (pending && deps.length === 0) return pending as Read<boolean>;
    const list = elements.map((e) => (e.known ? e.value : undefined)).filter((p): p is string => typeof p === "string");
    if (list.length === 0) return known(false);
    const arn = peek(() => r.props.arn);
    if (typeof arn === "string" && arn !== "") return known(list.some((p) => wildcard(p, arn)));
    // ARN unknown: a pattern matches when it matches the type's ARN shape, with any region, account and name it asks for.
    const shape = ARN_SHAPES[r.type];
    const reg = effectiveRegion(r);
    const region = reg.known ? reg.value : undefined;
    const name = NAME_INPUTS.map((k) => peek(() => r.props[k])).find((v): v is string => typeof v === "string" && v !== "");
    if (list.includes("*")) return known(true);
    if (!shape) return known(false);
    return known(list.some((p) => {
        const m = /^arn:[^:]+:(.*)$/.exec(p);
        if (!m) return false;
        const fields = m[1].split(":");
        const probe = shape(name ?? "\u0000").split(":");
        if (fields.length !== probe.length) return false;
        // A selection only ever assigns its own account's resources: any account matches; the region must be the resource's.
        return fields.every((f, i) => probe[i] === "{account}" ? true
            : probe[i] === "{region}" ? wildcard(f, region ?? "\u0000")
            : wildcard(f, probe[i]));
    }));
}

function conditionsHold(sel: PolicyResource, r: PolicyResource): Read<boolean> {
    const conds = read(() => sel.props.conditions as Condition[] | undefined);
    if (!conds.known) return conds;
    const t = tags(r);
    const tagOf = (k: string | undefined) => t[(k ?? "").replace(/^aws:ResourceTag\//, "")];
    const all = (conds.value ?? []).flatMap((c) => [
        ...(c.stringEquals ?? []).map((x) => tagOf(x.key) === x.value),
        ...(c.stringNotEquals ?? []).map((x) => tagOf(x.key) !== x.value),
        ...(c.stringLikes ?? []).map((x) => { const v = tagOf(x.key); return v !== undefined && wildcard(x.value ?? "", v); }),
        ...(c.stringNotLikes ?? []).map((x) => { const v = tagOf(x.key); return v === undefined || !wildcard(x.value ?? "", v); }),
    ]);
    return known(all.every(Boolean));
}

function tagsMatch(sel: PolicyResource, r: PolicyResource): Read<boolean> {
    const list = read(() => sel.props.selectionTags as SelectionTag[] | undefined);
    if (!list.known) return list;
    const t = tags(r);
    return known((list.value ?? []).some((x) => x.type === "STRINGEQUALS" && x.key !== undefined && t[x.key] === x.value));
}

/** Whether selection `sel` assigns `r` to its plan. */
export function selects(sel: PolicyResource, r: PolicyResource): Read<boolean> {
    const byArn = namedBy(sel, "resources", r);
    const byTag = tagsMatch(sel, r);
    if (!byArn.known && !(byTag.known && byTag.value)) return byArn;
    if (!byTag.known && !(byArn.known && byArn.value)) return byTag;
    if (!((byArn.known && byArn.value) || (byTag.known && byTag.value))) return known(false);
    const cond = conditionsHold(sel, r);
    if (!cond.known || !cond.value) return cond;
    const excluded = namedBy(sel, "notResources", r);
    if (!excluded.known) return excluded;
    return known(!excluded.value);
}

/** The plans of this stack that back `r` up, with the selection that assigns it; unknown when a selection cannot be read. */
export function plansCovering(r: PolicyResource, all: PolicyResource[]): Read<Array<{ plan: PolicyResource; selection: PolicyResource }>> {
    const out: Array<{ plan: PolicyResource; selection: PolicyResource }> = [];
    let pending: Read<never> | undefined;
    for (const sel of all.filter((x) => isOf(x, T.selection))) {
        const s = selects(sel, r);
        if (!s.known) { pending ??= s as Read<never>; continue; }
        if (!s.value) continue;
        for (const plan of all.filter((p) => isOf(p, T.plan) && linksTo(sel, "planId", p))) out.push({ plan, selection: sel });
    }
    if (out.length === 0 && pending) return pending;
    return known(out);
}
