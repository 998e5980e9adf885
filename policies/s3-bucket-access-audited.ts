// Who read or wrote which object is on record: every data bucket of the stack has its object-level requests logged,
// by S3 data events of a multi-region CloudTrail trail of the stack with log file validation (reads and writes), or
// by server access logging on the bucket.
//
// Not required of:
//   - proven ALB access-log buckets (lib/access-logs.ts);
//   - a bucket a trail of this stack delivers to: its files are CloudTrail's own, their integrity is what log file
//     validation proves, and logging object events on it would log its own deliveries (CloudTrail User Guide,
//     "Suppressing recursive events"). It is held to every other data rule;
//   - in a stack without a trail, replication destinations (vbr:replication = destination): the source stack's trail
//     records them, which this policy checks over there: a trail of the stack must also cover the replication
//     destinations of the buckets it covers (a multi-region trail records region B's objects too). The destinations of a
//     trail's own log bucket are exempt from that, for the same recursion.
//   - buckets named in the policy's `recordedElsewhere` (globs): by default the Pulumi state backend's `vbr-*-state-*`,
//     deployed before any trail exists, whose object events the primary's trail records (its selectors name them).
// A selector counts only for what it surely records: eventCategory Data, resources.type AWS::S3::Object, and either no
// resources.ARN condition or a StartsWith that is a prefix of `arn:aws:s3:::<bucket>/`, without a Not* condition on
// resources.ARN that could exclude the bucket's objects; a selector with any other field (eventName, userIdentity...)
// or a readOnly condition covers only what it names, so reads and writes must each be covered.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { accessLogBucket } from "./lib/access-logs";
import { replicationDestination } from "./lib/destination";
import { forTypes, isOf, label, linksTo, read, Read, T } from "./lib/stack";

const TRAIL = ["aws:cloudtrail/trail:Trail"];
const LOGGING = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];

type FieldSelector = { field?: string; equals?: string[]; startsWiths?: string[]; notStartsWiths?: string[]; notEquals?: string[]; endsWiths?: string[]; notEndsWiths?: string[] };
type Advanced = { fieldSelectors?: FieldSelector[] };
type Basic = { readWriteType?: string; dataResources?: Array<{ type?: string; values?: string[] }> };

/** What one trail records of a bucket's objects. */
interface Coverage { reads: boolean; writes: boolean }

/** A JSON copy, so every nested unknown is met inside read() (the proxy throws on the first one it is asked for). */
const plain = <V>(v: V): V => (v === undefined ? v : JSON.parse(JSON.stringify(v)) as V);

function advancedCoverage(selectors: Advanced[], objects: string): Coverage {
    const c: Coverage = { reads: false, writes: false };
    for (const s of selectors) {
        const fields = s.fieldSelectors ?? [];
        const by = (f: string) => fields.filter((x) => x.field === f);
        if (fields.some((x) => !["eventCategory", "resources.type", "resources.ARN", "readOnly"].includes(x.field ?? ""))) continue;
        if (!by("eventCategory").some((x) => x.equals?.includes("Data"))) continue;
        if (!by("resources.type").some((x) => x.equals?.includes("AWS::S3::Object"))) continue;
        const arns = by("resources.ARN");
        const excludes = arns.some((x) => (x.notStartsWiths ?? []).some((v) => objects.startsWith(v) || v.startsWith(objects))
            || (x.notEquals ?? []).length > 0 || (x.notEndsWiths ?? []).length > 0);
        const includes = arns.every((x) => (x.startsWiths ?? []).some((v) => objects.startsWith(v)));
        if (excludes || !includes) continue;
        const readOnly = by("readOnly").flatMap((x) => x.equals ?? []);
        if (readOnly.length === 0 || readOnly.includes("true")) c.reads = true;
        if (readOnly.length === 0 || readOnly.includes("false")) c.writes = true;
    }
    return c;
}

function basicCoverage(selectors: Basic[], objects: string): Coverage {
    const c: Coverage = { reads: false, writes: false };
    for (const s of selectors) {
        const covered = (s.dataResources ?? []).some((d) => d.type === "AWS::S3::Object" && (d.values ?? []).some((v) => objects.startsWith(v)));
        if (!covered) continue;
        const rw = s.readWriteType ?? "All";
        if (rw === "All" || rw === "ReadOnly") c.reads = true;
        if (rw === "All" || rw === "WriteOnly") c.writes = true;
    }
    return c;
}

/** Why a trail cannot count as the stack's record of object access, or undefined when it can. */
function trailProblem(t: PolicyResource): Read<string | undefined> {
    const props = read(() => ({ multi: t.props.isMultiRegionTrail, validation: t.props.enableLogFileValidation, logging: t.props.enableLogging }));
    if (!props.known) return props;
    const { multi, validation, logging } = props.value;
    const problems = [multi !== true && "it is not multi-region (isMultiRegionTrail)", validation !== true && "it has no log file validation (enableLogFileValidation)",
        logging === false && "its logging is off (enableLogging: false)"].filter(Boolean);
    return { known: true, value: problems.length ? `${label(t)}: ${problems.join(", ")}` : undefined };
}

/** What the stack's qualifying trails record of the objects of bucket `name`. */
function covered(trails: PolicyResource[], name: string): Read<Coverage> {
    const objects = `arn:aws:s3:::${name}/`;
    const total: Coverage = { reads: false, writes: false };
    for (const t of trails) {
        const advanced = read(() => plain(t.props.advancedEventSelectors as Advanced[] | undefined));
        const basic = read(() => plain(t.props.eventSelectors as Basic[] | undefined));
        if (!advanced.known) return advanced;
        if (!basic.known) return basic;
        const c = advanced.value?.length ? advancedCoverage(advanced.value, objects) : basicCoverage(basic.value ?? [], objects);
        total.reads ||= c.reads;
        total.writes ||= c.writes;
    }
    return { known: true, value: total };
}

/** `name` is the bucket's name; an autonamed bucket has none in the program's inputs (the provider names it). */
const FIX = (name: string | undefined) => `Fix: add to a multi-region aws.cloudtrail.Trail of this stack with enableLogFileValidation an advanced event selector ` +
    `{ eventCategory Equals ["Data"], resources.type Equals ["AWS::S3::Object"], resources.ARN StartsWith ["arn:aws:s3:::${name || "<bucket name>"}/"] }, or an aws.s3.BucketLogging for it.`;

export interface AccessAuditConfig { recordedElsewhere: string[] }

/**
 * The bucket names a replication configuration copies into: from its rules, or, while their destination ARNs are
 * unknown (a preview), from the buckets of this stack its rules depend on. Unknown when neither decides.
 */
function destinationsOf(cfg: PolicyResource, resources: PolicyResource[]): Read<string[]> {
    const rules = read(() => plain(cfg.props.rules as Array<{ destination?: { bucket?: string } }>));
    if (rules.known) {
        return { known: true, value: (rules.value ?? []).map((r) => r.destination?.bucket?.replace(/^arn:aws:s3:::/, "")).filter((d): d is string => !!d) };
    }
    const deps = (cfg.propertyDependencies.rules ?? []).map((d) => resources.find((r) => r.urn === d.urn)).filter((r): r is PolicyResource => !!r && isOf(r, T.bucket));
    const names = deps.map((d) => read(() => d.props.bucket as string));
    const unknown = names.find((n) => !n.known);
    if (deps.length === 0 || unknown) return unknown && !unknown.known ? unknown : rules;
    return { known: true, value: names.map((n) => (n as { value: string }).value) };
}

/** `vbr-*-state-*` as a whole-name regular expression. */
const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

export const s3BucketAccessAudited: StackValidationPolicy = {
    name: "s3-bucket-access-audited",
    description: "Every data bucket's object reads and writes are on record: S3 data events of a multi-region CloudTrail trail of the stack with log file validation, or server access logging. "
        + "Not required of proven ALB access-log buckets, of a trail's own log bucket (recursion) and its copies, and, in a stack without a trail, of replication destinations, whose source stack's trail must cover them.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            recordedElsewhere: {
                type: "array", items: { type: "string" }, default: ["vbr-*-state-*"],
                description: "Bucket names (globs) whose object events a trail of another stack records: the state backend's, which the primary's trail covers.",
            },
        },
    },
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        const elsewhere = args.getConfig<AccessAuditConfig>().recordedElsewhere.map(glob);
        const all = args.resources.filter((r) => isOf(r, TRAIL));
        const qualifying: PolicyResource[] = [];
        const rejected: string[] = [];
        for (const t of all) {
            const p = trailProblem(t);
            if (!p.known) { undecided.note(p); continue; }
            if (p.value) rejected.push(p.value); else qualifying.push(t);
        }
        const logBuckets = new Set(buckets.filter((b) => all.some((t) => linksTo(t, "s3BucketName", b))));
        // A copy of a trail's log bucket holds CloudTrail's files too: recording it would only record replication.
        const logCopies = new Set<string>();
        for (const cfg of args.resources.filter((r) => isOf(r, T.replication) && [...logBuckets].some((l) => linksTo(r, "bucket", l)))) {
            const d = destinationsOf(cfg, args.resources);
            if (!d.known) { undecided.note(d); continue; }
            d.value.forEach((n) => logCopies.add(n));
        }
        const why = rejected.length ? ` (${rejected.join("; ")})` : all.length === 0 ? " (the stack has no CloudTrail trail)" : "";
        for (const b of buckets) {
            if (logBuckets.has(b)) continue;
            const logs = accessLogBucket(b, args.resources);
            if (logs.kind === "access-logs") continue;
            if (logs.kind === "unknown") { undecided.note({ known: false, error: logs.error }); continue; }
            if (all.length === 0 && ["proven", "trusted"].includes(replicationDestination(b, args.resources).kind)) continue;
            if (args.resources.some((r) => isOf(r, LOGGING) && linksTo(r, "bucket", b))) continue;
            const name = read(() => b.props.bucket as string);
            if (!name.known) { undecided.note(name); continue; }
            if (elsewhere.some((re) => re.test(name.value)) || logCopies.has(name.value)) continue;
            const c = covered(qualifying, name.value);
            if (!c.known) { undecided.note(c); continue; }
            if (!c.value.reads || !c.value.writes) {
                const what = c.value.reads || c.value.writes ? `only its object ${c.value.reads ? "reads" : "writes"} are logged` : "no trail of this stack logs its object reads and writes";
                report(`${label(b)} holds data but ${what}${why}, and it has no server access logging: who read or wrote its objects is not on record. ${FIX(name.value)}`, b.urn);
                continue;
            }
            // The same trail must record the bucket's replicas, unless they receive CloudTrail's own files.
            for (const cfg of args.resources.filter((r) => isOf(r, T.replication) && linksTo(r, "bucket", b))) {
                const dests = destinationsOf(cfg, args.resources);
                if (!dests.known) { undecided.note(dests); continue; }
                for (const dest of dests.value) {
                    const d = covered(qualifying, dest);
                    if (!d.known) { undecided.note(d); continue; }
                    if (!d.value.reads || !d.value.writes) {
                        report(`${label(b)} replicates to ${dest}, whose object reads and writes no trail of this stack logs: the DR copy's access is not on record (the DR stack runs no trail before failover). ${FIX(dest)}`, b.urn);
                    }
                }
            }
        }
    }),
};
