// A small evaluator of resource-based IAM policies (bucket policies), for the subset the pack judges: does a policy
// deny every request made without TLS, and does it allow anyone at all. It judges the effect, not the spelling:
// wildcards in actions and resources, Principal / NotPrincipal, Action / NotAction, Resource / NotResource, a
// statement split in two, Bool / BoolIfExists and the String operators on aws:SecureTransport.
//
// Why not a general IAM simulator: the pack ships alone (`pulumi policy publish` installs policies/package.json),
// and the simulators on npm carry the whole AWS action catalogue for questions this pack never asks. The two
// questions here only need statement matching; everything the evaluator does not understand makes it answer
// conservatively (a deny it cannot read does not count as TLS-only; an allow it cannot read counts as public).

export interface Statement {
    Sid?: string; Effect?: string;
    Principal?: unknown; NotPrincipal?: unknown;
    Action?: unknown; NotAction?: unknown;
    Resource?: unknown; NotResource?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const strings = (v: unknown): string[] => asList(v).filter((x): x is string => typeof x === "string");

/** The statements of a policy document (a JSON string or an object); undefined when it is not a policy. */
export function statementsOf(policy: unknown): Statement[] | undefined {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try { doc = JSON.parse(policy); } catch { return undefined; }
    }
    if (typeof doc !== "object" || doc === null) return undefined;
    return asList((doc as { Statement?: unknown }).Statement).filter((s): s is Statement => typeof s === "object" && s !== null);
}

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${re}$`, ignoreCase ? "is" : "s").test(value);
}

/** Who makes a request: anyone (anonymous), an AWS principal (ARN and account), or a service. */
export type Principal = { kind: "anonymous" } | { kind: "aws"; arn: string; account: string } | { kind: "service"; name: string };

export const ANONYMOUS: Principal = { kind: "anonymous" };

function principalMatches(element: unknown, p: Principal): boolean {
    if (element === "*") return true;
    if (typeof element !== "object" || element === null) return false;
    const e = element as Record<string, unknown>;
    if (strings(e.AWS).includes("*")) return true;
    if (p.kind === "service") return strings(e.Service).includes(p.name);
    if (p.kind !== "aws") return false;
    return strings(e.AWS).some((a) => a === p.arn || a === p.account || a === `arn:aws:iam::${p.account}:root`);
}

/** Whether a statement's principal part covers `p` (Principal, or everyone but NotPrincipal). */
export function coversPrincipal(s: Statement, p: Principal): boolean {
    if (s.NotPrincipal !== undefined) return !principalMatches(s.NotPrincipal, p);
    return principalMatches(s.Principal, p);
}

function covers(list: unknown, notList: unknown, value: string, ignoreCase: boolean): boolean {
    if (notList !== undefined) return !strings(notList).some((x) => wildcard(x, value, ignoreCase));
    return strings(list).some((x) => wildcard(x, value, ignoreCase));
}

export const coversAction = (s: Statement, action: string): boolean => covers(s.Action, s.NotAction, action, true);
export const coversResource = (s: Statement, resource: string): boolean => covers(s.Resource, s.NotResource, resource, false);

/** The condition operators and keys of a statement, flattened. */
function conditions(s: Statement): Array<{ op: string; key: string; values: string[] }> {
    const out: Array<{ op: string; key: string; values: string[] }> = [];
    for (const [op, block] of Object.entries(s.Condition ?? {})) {
        if (typeof block !== "object" || block === null) { out.push({ op, key: "", values: [] }); continue; }
        for (const [key, v] of Object.entries(block)) out.push({ op, key, values: asList(v).map(String) });
    }
    return out;
}

/**
 * Whether a Deny statement applies to every request made without TLS, whatever else the request carries: its only
 * condition keys are aws:SecureTransport, and each of those conditions holds when it is "false". A condition on
 * any other key (aws:SourceVpc, s3:prefix, ...) narrows the deny to some requests, so it is not relied on.
 */
export function appliesToEveryInsecureRequest(s: Statement): boolean {
    return conditions(s).every(({ op, key, values }) => {
        if (key.toLowerCase() !== "aws:securetransport") return false;
        const base = op.replace(/IfExists$/, "");
        const v = values.map((x) => x.toLowerCase());
        if (base === "Bool" || base === "StringEquals" || base === "StringEqualsIgnoreCase") return v.includes("false");
        if (base === "StringLike") return v.some((x) => wildcard(x, "false"));
        if (base === "StringNotEquals" || base === "StringNotEqualsIgnoreCase") return !v.includes("false");
        return false;
    });
}

/** A request a policy is probed with. */
export interface Probe { principal: Principal; action: string; resource: string }

/**
 * Probes that stand for "every request on the bucket and its objects": a set of principals, S3 actions and
 * resources, extended with every principal, action and resource the policy itself names (so a NotPrincipal,
 * NotAction or NotResource exception is always probed), and an action no statement names (so only `s3:*` or `*`
 * covers every action, including ones AWS adds later).
 */
export function probes(statements: Statement[], bucketArn: string): Probe[] {
    const principals: Principal[] = [ANONYMOUS, { kind: "aws", arn: "arn:aws:iam::999999999999:root", account: "999999999999" }];
    const actions = new Set(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketPolicy",
        "s3:PutBucketPolicy", "s3:DeleteBucket", "s3:GetObjectVersion", "s3:PutObjectAcl", "s3:RestoreObject", "s3:ProbeFutureAction"]);
    const resources = new Set([bucketArn, `${bucketArn}/object`, `${bucketArn}/a/b/c.txt`]);
    for (const s of statements) {
        for (const el of [s.Principal, s.NotPrincipal]) {
            if (typeof el !== "object" || el === null) continue;
            const e = el as Record<string, unknown>;
            for (const a of strings(e.AWS)) {
                if (a === "*") continue;
                const account = /^\d{12}$/.test(a) ? a : a.split(":")[4] ?? "";
                principals.push({ kind: "aws", arn: a, account });
            }
            for (const sv of strings(e.Service)) principals.push({ kind: "service", name: sv });
        }
        for (const a of [...strings(s.Action), ...strings(s.NotAction)]) if (!a.includes("*") && !a.includes("?")) actions.add(a);
        for (const r of [...strings(s.Resource), ...strings(s.NotResource)]) {
            const concrete = r.replace(/\*/g, "x").replace(/\?/g, "x");
            if (concrete === bucketArn || concrete.startsWith(`${bucketArn}/`)) resources.add(concrete);
        }
    }
    const out: Probe[] = [];
    for (const principal of principals) for (const action of actions) for (const resource of resources) out.push({ principal, action, resource });
    return out;
}

const describeProbe = (p: Probe): string =>
    `${p.action} on ${p.resource} by ${p.principal.kind === "anonymous" ? "anyone" : p.principal.kind === "aws" ? p.principal.arn : p.principal.name}`;

/**
 * Whether the policy denies every request made without TLS on the bucket and every object in it. Returns the first
 * request it lets through over plain HTTP, or undefined when every probe is denied.
 */
export function insecureRequestAllowed(policy: unknown, bucketArn: string): string | undefined {
    const statements = statementsOf(policy);
    if (statements === undefined) return "the policy is not a JSON policy document";
    const denies = statements.filter((s) => s.Effect === "Deny" && appliesToEveryInsecureRequest(s));
    const open = probes(statements, bucketArn).find((p) =>
        !denies.some((s) => coversPrincipal(s, p.principal) && coversAction(s, p.action) && coversResource(s, p.resource)));
    return open ? describeProbe(open) : undefined;
}

/**
 * Condition keys that tie a grant to a known set of callers or networks when compared with a fixed value: with one
 * of these, AWS does not consider a statement public (S3 Block Public Access's definition of "public").
 */
const RESTRICTING_KEYS = new Set([
    "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip",
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:userid",
    "aws:principalservicename", "aws:principalservicenameslist", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
]);
const RESTRICTING_OPS = /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/;

/** An address range wide enough to mean the whole internet (AWS counts /8 and wider as public). */
const wideCidr = (v: string): boolean => { const m = /\/(\d+)$/.exec(v); return m !== null && Number(m[1]) <= 8; };

function restrictsCallers(s: Statement): boolean {
    return conditions(s).some(({ op, key, values }) => RESTRICTING_OPS.test(op) && RESTRICTING_KEYS.has(key.toLowerCase())
        && values.length > 0 && values.every((v) => !v.includes("*") && !(key.toLowerCase() === "aws:sourceip" && wideCidr(v))));
}

/** Whether an AWS principal value names everyone or any account (a wildcard in the account). */
const anyAccount = (a: string): boolean => a === "*" || /^arn:aws[a-z-]*:iam::[^:]*\*/.test(a);

/**
 * The Allow statements that grant access to anyone (Principal "*", any account, or everyone but a NotPrincipal),
 * not narrowed to known callers by a condition, named for messages (Sid, else position).
 */
export function publicGrants(policy: unknown): string[] {
    const out: string[] = [];
    (statementsOf(policy) ?? []).forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        const p = s.Principal;
        const everyone = s.NotPrincipal !== undefined || p === "*"
            || (typeof p === "object" && p !== null && strings((p as Record<string, unknown>).AWS).some(anyAccount));
        if (!everyone || restrictsCallers(s)) return;
        const actions = strings(s.Action ?? s.NotAction).join(", ");
        out.push(`${s.Sid ? `statement "${s.Sid}"` : `statement ${i}`} (${s.NotAction !== undefined ? "every action but " : ""}${actions || "no action"})`);
    });
    return out;
}
