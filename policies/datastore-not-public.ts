// No data store is reachable or readable by anyone: RDS instances and Redshift clusters are not publicly
// accessible, and OpenSearch domains outside a VPC and DynamoDB resource policies grant nothing to anyone
// (lib/iam.ts publicGrants: Principal "*", any account or a NotPrincipal, not narrowed to known callers).
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { publicGrants } from "./lib/iam";
import { forTypes, isOf, label, linksTo, read, Undecided } from "./lib/stack";

const PUBLIC_FLAG = ["aws:rds/instance:Instance", "aws:redshift/cluster:Cluster"];
const DOMAINS = ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"];
const DOMAIN_POLICIES = ["aws:opensearch/domainPolicy:DomainPolicy", "aws:elasticsearch/domainPolicy:DomainPolicy"];
const TABLE_POLICIES = ["aws:dynamodb/resourcePolicy:ResourcePolicy"];

const POLICY_FIX = "Fix: remove the public Allow statements, or narrow each to known callers with a condition on aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce.";

/** The public statements of the policy document at `get()`; an unknown document goes to `undecided`. */
function openStatements(get: () => unknown, undecided: Undecided): string[] {
    const doc = read(get);
    if (!doc.known) { undecided.note(doc); return []; }
    return doc.value === undefined || doc.value === null || doc.value === "" ? [] : publicGrants(doc.value);
}

function judgeDomain(d: PolicyResource, all: PolicyResource[], report: (m: string, urn: string) => void, undecided: Undecided): void {
    // A domain in a VPC is reachable only from it: its access policy is not an internet exposure.
    const vpc = read(() => (d.props.vpcOptions as { subnetIds?: unknown[] } | undefined)?.subnetIds);
    if (!vpc.known) { undecided.note(vpc); return; }
    if (Array.isArray(vpc.value) && vpc.value.length > 0) return;
    const inline = openStatements(() => d.props.accessPolicies, undecided);
    if (inline.length > 0) report(`${label(d)} is outside a VPC and its accessPolicies allow anyone: ${inline.join(", ")}. ${POLICY_FIX}`, d.urn);
    for (const p of all.filter((x) => isOf(x, DOMAIN_POLICIES) && linksTo(x, "domainName", d))) {
        const open = openStatements(() => p.props.accessPolicies, undecided);
        if (open.length > 0) report(`${label(d)} is outside a VPC and ${label(p)} allows anyone: ${open.join(", ")}. ${POLICY_FIX}`, p.urn);
    }
}

export const datastoreNotPublic: StackValidationPolicy = {
    name: "datastore-not-public",
    description: "RDS instances and Redshift clusters must not be publicly accessible; OpenSearch domains outside a VPC and DynamoDB resource policies must not allow anyone (Principal \"*\", any account or a NotPrincipal without a condition that ties the grant to known callers).",
    enforcementLevel: "mandatory",
    validateStack: forTypes([...PUBLIC_FLAG, ...DOMAINS, ...TABLE_POLICIES], (targets, args, report, undecided) => {
        for (const r of targets) {
            if (isOf(r, PUBLIC_FLAG)) {
                const v = read(() => r.props.publiclyAccessible);
                if (!v.known) undecided.note(v);
                else if (v.value === true) report(`${label(r)} is reachable from the internet (publiclyAccessible true). Fix: set publiclyAccessible: false and reach it through the VPC.`, r.urn);
            } else if (isOf(r, DOMAINS)) {
                judgeDomain(r, args.resources, report, undecided);
            } else {
                const open = openStatements(() => r.props.policy, undecided);
                if (open.length > 0) report(`${label(r)} allows anyone: ${open.join(", ")}. ${POLICY_FIX}`, r.urn);
            }
        }
    }),
};
