// Answers to the data sources (invokes) programs call, as AWS and the provider would give them offline.
//
// A policy document is a pure function of its inputs: it is computed the way the provider builds it (single
// values as strings, `&{...}` as `${...}`, source and override documents merged by Sid). Lookups of existing
// infrastructure (an AMI, the default VPC's subnets, a hosted zone) get stable, realistic ids. Anything else is
// not answered: the run records it as a limitation (`unanswered`), so a PASS says what it could not see.
import { createHash } from "crypto";

export const MOCK_ACCOUNT_ID = "123456789012";

/** A short, stable hex string derived from a seed. */
export function stableHex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

type State = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

// ---- aws.iam.getPolicyDocument --------------------------------------------------------------------------------

/** A set of strings as the provider writes it: one value as a string, several sorted as it sorts sets. */
function setValue(values: string[]): string | string[] {
    const unique = [...new Set(values.map((v) => v.replace(/&\{/g, "${")))];
    return unique.length === 1 ? unique[0] : unique.sort().reverse();
}

function principals(list: unknown): unknown {
    const byType: Record<string, string[]> = {};
    for (const p of Array.isArray(list) ? list as State[] : []) {
        const type = str(p.type) ?? "";
        byType[type] = [...(byType[type] ?? []), ...strings(p.identifiers)];
    }
    const types = Object.keys(byType);
    if (types.length === 1 && types[0] === "*" && byType["*"].every((i) => i === "*")) return "*";
    return Object.fromEntries(types.sort().map((t) => [t, setValue(byType[t])]));
}

function conditions(list: unknown): Record<string, Record<string, string | string[]>> {
    const out: Record<string, Record<string, string | string[]>> = {};
    for (const c of Array.isArray(list) ? list as State[] : []) {
        const values = strings(c.values).map((v) => v.replace(/&\{/g, "${"));
        (out[str(c.test) ?? ""] ??= {})[str(c.variable) ?? ""] = values.length === 1 ? values[0] : values;
    }
    return out;
}

interface Statement { Sid?: string; [k: string]: unknown }

function statement(s: State): Statement {
    const out: Statement = {};
    if (str(s.sid)) out.Sid = str(s.sid);
    out.Effect = str(s.effect) ?? "Allow";
    if (strings(s.actions).length) out.Action = setValue(strings(s.actions));
    if (strings(s.notActions).length) out.NotAction = setValue(strings(s.notActions));
    if (strings(s.resources).length) out.Resource = setValue(strings(s.resources));
    if (strings(s.notResources).length) out.NotResource = setValue(strings(s.notResources));
    if (Array.isArray(s.principals) && s.principals.length) out.Principal = principals(s.principals);
    if (Array.isArray(s.notPrincipals) && s.notPrincipals.length) out.NotPrincipal = principals(s.notPrincipals);
    if (Array.isArray(s.conditions) && s.conditions.length) out.Condition = conditions(s.conditions);
    return out;
}

/** Statements of `next` replace those of `doc` with the same Sid; the others are appended (the provider's merge). */
function merge(doc: Statement[], next: Statement[]): Statement[] {
    const out = [...doc];
    for (const s of next) {
        const i = s.Sid ? out.findIndex((x) => x.Sid === s.Sid) : -1;
        if (i >= 0) out[i] = s;
        else out.push(s);
    }
    return out;
}

const parsedStatements = (json: string): Statement[] => {
    const doc = JSON.parse(json) as { Statement?: Statement | Statement[] };
    return doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
};

export function policyDocument(inputs: State): State {
    let statements: Statement[] = [];
    for (const src of strings(inputs.sourcePolicyDocuments)) statements = merge(statements, parsedStatements(src));
    statements = merge(statements, (Array.isArray(inputs.statements) ? inputs.statements as State[] : []).map(statement));
    for (const o of strings(inputs.overridePolicyDocuments)) statements = merge(statements, parsedStatements(o));
    const doc: State = { Version: str(inputs.version) ?? "2012-10-17", ...(str(inputs.policyId) ? { Id: inputs.policyId } : {}), Statement: statements };
    const json = JSON.stringify(doc, null, 2);
    return { json, minifiedJson: JSON.stringify(doc), id: String(parseInt(stableHex(json, 8), 16)) };
}

// ---- everything else ------------------------------------------------------------------------------------------

/**
 * AWS's public parameters (`/aws/service/...`), whose names and value formats AWS documents: the latest AMIs
 * (an image id), and the ECS-optimized AMI's metadata (JSON with `image_id`, or one of its fields by name).
 * Any other parameter is the account's own: no answer.
 */
function publicParameter(name: string, region: string, id: (prefix: string, seed: string) => string): State | undefined {
    if (!name.startsWith("/aws/service/")) return undefined;
    const ami = id("ami", name.replace(/\/image_id$/, ""));
    let value: string;
    if (/\/ecs\/optimized-ami\/.*\/recommended$/.test(name)) {
        value = JSON.stringify({ image_id: ami, image_name: `mock-ecs-optimized-${stableHex(ami, 6)}`, ecs_agent_version: "1.0.0", ecs_runtime_version: "Docker version 25.0.0", os: "Amazon Linux", schema_version: 1, source_image_name: `mock-image-${stableHex(ami, 6)}` });
    } else if (/\/image_id$/.test(name) || name.startsWith("/aws/service/ami-")) {
        value = ami;
    } else {
        return undefined;
    }
    return {
        id: name, name, value, insecureValue: value, type: "String", version: 1, region,
        arn: `arn:aws:ssm:${region}::parameter${name}`,
    };
}

/** The answer to an invoke, or undefined when the offline plan has none. */
export function invokeResult(token: string, inputs: State, region: string): State | undefined {
    const r = str(inputs.region) ?? region;
    const id = (prefix: string, seed: string) => `${prefix}-0${stableHex(`${token}::${seed}::${r}`, 16)}`;
    switch (token) {
        case "aws:iam/getPolicyDocument:getPolicyDocument":
            return policyDocument(inputs);
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/ci`, userId: "AIDAEXAMPLE", id: MOCK_ACCOUNT_ID };
        case "aws:index/getRegion:getRegion": {
            const name = str(inputs.name) ?? r;
            return { name, region: name, id: name, endpoint: `ec2.${name}.amazonaws.com`, description: name };
        }
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = ["a", "b", "c", "d"].map((s) => `${r}${s}`);
            return { names, zoneIds: names.map((_, i) => `${r.replace(/-/g, "")}-az${i + 1}`), id: r };
        }
        case "aws:secretsmanager/getRandomPassword:getRandomPassword":
            // Fixed, so tests and plans are deterministic; 32 characters like the database helper asks for.
            return { randomPassword: "Mock0Password0For0Tests0Only0032", id: "random-password" };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::127311923021:root", id: "127311923021" };
        case "aws:rds/getInstance:getInstance": {
            // An existing instance (the corruption runbook's vbr:dbRestoreSource), found in the caller's region.
            const db = str(inputs.dbInstanceIdentifier) ?? "unknown";
            const address = `${db}.c${stableHex(`${db}::${r}`, 11)}.${r}.rds.amazonaws.com`;
            return { id: db, dbInstanceIdentifier: db, dbInstanceArn: `arn:aws:rds:${r}:${MOCK_ACCOUNT_ID}:db:${db}`, address, port: 5432, endpoint: `${address}:5432` };
        }
        case "aws:ec2/getAmi:getAmi": {
            const amiId = id("ami", JSON.stringify(inputs.filters ?? inputs.nameRegex ?? ""));
            return {
                id: amiId, imageId: amiId, architecture: "x86_64", name: `mock-image-${stableHex(amiId, 6)}`, ownerId: strings(inputs.owners)[0] ?? "amazon",
                rootDeviceType: "ebs", virtualizationType: "hvm", state: "available", arn: `arn:aws:ec2:${r}::image/${amiId}`,
            };
        }
        case "aws:ec2/getVpc:getVpc": {
            const vpcId = str(inputs.id) ?? id("vpc", inputs.default === true ? "default" : JSON.stringify(inputs.filters ?? inputs.tags ?? ""));
            return { id: vpcId, cidrBlock: "172.31.0.0/16", default: inputs.default === true, arn: `arn:aws:ec2:${r}:${MOCK_ACCOUNT_ID}:vpc/${vpcId}`, ownerId: MOCK_ACCOUNT_ID };
        }
        case "aws:ec2/getSubnets:getSubnets": {
            const seed = JSON.stringify(inputs.filters ?? inputs.tags ?? "");
            return { id: r, ids: [0, 1, 2].map((i) => id("subnet", `${seed}/${i}`)) };
        }
        case "aws:ec2/getSubnet:getSubnet": {
            const subnetId = str(inputs.id) ?? id("subnet", JSON.stringify(inputs.filters ?? ""));
            return { id: subnetId, vpcId: str(inputs.vpcId) ?? id("vpc", "default"), availabilityZone: `${r}a`, cidrBlock: "172.31.0.0/20", arn: `arn:aws:ec2:${r}:${MOCK_ACCOUNT_ID}:subnet/${subnetId}` };
        }
        case "aws:ec2/getSecurityGroup:getSecurityGroup": {
            const sgId = str(inputs.id) ?? id("sg", str(inputs.name) ?? JSON.stringify(inputs.filters ?? ""));
            return { id: sgId, name: str(inputs.name) ?? "default", vpcId: str(inputs.vpcId) ?? id("vpc", "default"), arn: `arn:aws:ec2:${r}:${MOCK_ACCOUNT_ID}:security-group/${sgId}` };
        }
        case "aws:route53/getZone:getZone": {
            const name = (str(inputs.name) ?? "example.com").replace(/\.$/, "");
            const zoneId = str(inputs.zoneId) ?? `Z${stableHex(name, 20).toUpperCase()}`;
            return { id: zoneId, zoneId, name, arn: `arn:aws:route53:::hostedzone/${zoneId}`, privateZone: inputs.privateZone === true, nameServers: [1, 2, 3, 4].map((i) => `ns-${i}.awsdns.example`) };
        }
        case "aws:ssm/getParameter:getParameter":
            return publicParameter(str(inputs.name) ?? "", r, id);
        case "aws:organizations/getOrganization:getOrganization": {
            // The caller's organization, with the caller's account as its management account and only account.
            const org = `o-${stableHex("organization", 10)}`;
            const root = `r-${stableHex(`${org}::root`, 4)}`;
            const account = { id: MOCK_ACCOUNT_ID, arn: `arn:aws:organizations::${MOCK_ACCOUNT_ID}:account/${org}/${MOCK_ACCOUNT_ID}`, email: "management@example.com", name: "management", status: "ACTIVE" };
            return {
                id: org, arn: `arn:aws:organizations::${MOCK_ACCOUNT_ID}:organization/${org}`, featureSet: "ALL",
                masterAccountId: MOCK_ACCOUNT_ID, masterAccountArn: account.arn, masterAccountEmail: account.email, masterAccountName: account.name,
                accounts: [account], nonMasterAccounts: [], awsServiceAccessPrincipals: [], enabledPolicyTypes: [],
                roots: [{ id: root, arn: `arn:aws:organizations::${MOCK_ACCOUNT_ID}:root/${org}/${root}`, name: "Root", policyTypes: [] }],
            };
        }
        case "awsx:ec2:getDefaultVpc": {
            const vpcId = id("vpc", "default");
            return { vpcId, publicSubnetIds: [0, 1, 2].map((i) => id("subnet", `default/${i}`)), privateSubnetIds: [] };
        }
    }
    return undefined;
}
