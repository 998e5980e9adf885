// No bucket is public: all four public-access-block settings on, no public canned ACL, no ACL grant to everyone,
// and no bucket policy statement that allows anyone (lib/iam.ts publicGrants: Principal "*", any account or a
// NotPrincipal, not narrowed to known callers by a condition). The public access block would make S3 refuse such a
// policy at deploy time; the statement is reported anyway, because it is what the program asks for.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { bucketPolicies } from "./lib/bucket-policy";
import { publicGrants as publicStatements } from "./lib/iam";
import { forTypes, isOf, label, linked, read, T, Undecided } from "./lib/stack";

const ACCOUNT_BLOCK = ["aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"];
const OBJECTS = ["aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2"];

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
/** The S3 groups that make a grant public: anyone, and anyone with any AWS account. */
export const PUBLIC_GROUPS: Readonly<Record<string, string>> = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
};

/**
 * The public grants in a grant list at `get()`: `grantee.uri` (BucketAcl accessControlPolicy.grants) or `uri`
 * (the Bucket's inline grants) naming a public group. Unknown values are noted, never taken as private.
 */
function publicGrants(get: () => unknown[] | undefined, undecided: Undecided): string[] {
    const list = read(get);
    if (!list.known) { undecided.note(list); return []; }
    const out: string[] = [];
    (list.value ?? []).forEach((_, i) => {
        const g = () => (get() as Array<{ grantee?: { uri?: string }; uri?: string; permission?: string; permissions?: string[] }>)[i];
        const uri = read(() => g().grantee?.uri ?? g().uri);
        if (!uri.known) { undecided.note(uri); return; }
        const group = typeof uri.value === "string" ? PUBLIC_GROUPS[uri.value] : undefined;
        if (!group) return;
        const perm = read(() => g().permission ?? g().permissions);
        out.push(`${group} ${perm.known ? JSON.stringify(perm.value) : "(permission unknown)"} (grants[${i}])`);
    });
    return out;
}

function judgeCannedAcl(r: PolicyResource, undecided: Undecided): string | undefined {
    const acl = read(() => r.props.acl);
    if (!acl.known) { undecided.note(acl); return undefined; }
    return typeof acl.value === "string" && PUBLIC_ACLS.includes(acl.value) ? acl.value : undefined;
}

export const s3BucketPublicAccessBlocked: StackValidationPolicy = {
    name: "s3-bucket-public-access-blocked",
    description: "S3 buckets must have all four public-access-block settings true (an aws.s3.BucketPublicAccessBlock, or the account's aws.s3.AccountPublicAccessBlock), no public canned ACL, no ACL grant to AllUsers or AuthenticatedUsers (Bucket grants, BucketAcl/BucketAclV2 accessControlPolicy.grants), and no bucket policy statement that allows anyone.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.bucket, (buckets, args, report, undecided) => {
        // The account-level block (aws.s3.AccountPublicAccessBlock) covers every bucket of the account.
        const accounts = args.resources.filter((r) => isOf(r, ACCOUNT_BLOCK));
        const accountOn = new Set<string>();
        for (const a of accounts) {
            for (const f of FLAGS) {
                const v = read(() => a.props[f]);
                if (!v.known) undecided.note(v);
                else if (v.value === true) accountOn.add(f);
            }
        }
        const uncoveredByAccount: PolicyResource[] = [];
        for (const b of buckets) {
            const acl = judgeCannedAcl(b, undecided);
            if (acl) report(`${label(b)} has the public ACL "${acl}". Fix: remove acl (use BucketOwnershipControls BucketOwnerEnforced).`, b.urn);
            const inline = publicGrants(() => b.props.grants as unknown[] | undefined, undecided);
            if (inline.length > 0) report(`${label(b)} grants ${inline.join(", ")} through its grants input. Fix: remove the public grants (use BucketOwnershipControls BucketOwnerEnforced).`, b.urn);
            for (const o of linked(args.resources, OBJECTS, "bucket", b)) {
                const canned = judgeCannedAcl(o, undecided);
                if (canned) report(`${label(b)} holds ${label(o)} with the public ACL "${canned}". Fix: remove acl from the object (use BucketOwnershipControls BucketOwnerEnforced).`, o.urn);
            }
            for (const a of linked(args.resources, T.bucketAcl, "bucket", b)) {
                const canned = judgeCannedAcl(a, undecided);
                if (canned) report(`${label(b)} is given the public ACL "${canned}" by ${label(a)}. Fix: delete the ACL resource or set acl "private".`, a.urn);
                const grants = publicGrants(() => (a.props.accessControlPolicy as { grants?: unknown[] } | undefined)?.grants, undecided);
                if (grants.length > 0) report(`${label(b)} is opened to ${grants.join(", ")} by ${label(a)} accessControlPolicy. Fix: delete the ACL resource or remove the AllUsers/AuthenticatedUsers grants (use BucketOwnershipControls BucketOwnerEnforced).`, a.urn);
            }
            for (const src of bucketPolicies(b, args.resources)) {
                if (!src.doc.known) { undecided.note(src.doc); continue; }
                const open = publicStatements(src.doc.value);
                if (open.length > 0) report(`${label(b)}: ${src.name} allows anyone: ${open.join(", ")}. Fix: remove the public Allow statements, or narrow each to known callers with a condition on aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce.`, src.owner.urn);
            }
            const blocks = linked(args.resources, T.publicAccessBlock, "bucket", b);
            if (blocks.length === 0 && accounts.length === 0) {
                report(`${label(b)} has no public access block. Fix: add an aws.s3.BucketPublicAccessBlock with ${FLAGS.join(", ")} all true.`, b.urn);
                continue;
            }
            // S3 applies the stricter of the bucket's and the account's settings: a flag the account sets needs no bucket block.
            for (const blk of blocks) {
                const off: string[] = [];
                for (const f of FLAGS.filter((x) => !accountOn.has(x))) {
                    const v = read(() => blk.props[f]);
                    if (!v.known) undecided.note(v);
                    else if (v.value !== true) off.push(`${f}=${JSON.stringify(v.value ?? "unset")}`);
                }
                if (off.length > 0) report(`${label(b)} public access block ${label(blk)} has ${off.join(", ")}. Fix: set ${FLAGS.join(", ")} to true.`, blk.urn);
            }
            if (blocks.length === 0) uncoveredByAccount.push(b);
        }
        const missing = FLAGS.filter((f) => !accountOn.has(f));
        if (uncoveredByAccount.length > 0 && missing.length > 0) {
            report(`${label(accounts[0])} leaves ${missing.join(", ")} off, and ${uncoveredByAccount.map(label).join(", ")} ${uncoveredByAccount.length === 1 ? "has" : "have"} no public access block of ${uncoveredByAccount.length === 1 ? "its" : "their"} own. Fix: set ${FLAGS.join(", ")} to true on it, or add an aws.s3.BucketPublicAccessBlock for each bucket.`, accounts[0].urn);
        }
    }),
};
