import * as fs from "fs";
import { expect } from "chai";
import { load as parse } from "js-yaml";
import { z } from "zod";
import { CONFIG_SCHEMA, ConfigField, configKey, parseStackConfig, ConfigError, deprecationWarnings } from "../../stacks/config";
import { loadProject, stackConfig } from "../../tools/harness/project";

const project = loadProject(".");

describe("stack configuration", () => {
    it("parses the primary stack file with Pulumi.yaml defaults", () => {
        const cfg = parseStackConfig("primary", stackConfig(project, "primary"));
        expect(cfg.region).to.equal("us-east-1");
        expect(cfg.peerRegion).to.equal("us-west-2");
        expect(cfg.role).to.equal("primary");
        expect(cfg.backupRetentionDays).to.equal(35);
        expect(cfg.weeklyRetentionDays).to.equal(365);
    });

    it("rejects a peer region equal to the region, naming the key", () => {
        const raw = stackConfig(project, "primary", { "vbr:peerRegion": "us-east-1" });
        expect(() => parseStackConfig("primary", raw)).to.throw(ConfigError, /vbr:peerRegion = "us-east-1": must differ from aws:region/);
    });
});

/** The failback's keys, each where it does not belong or without what it needs. */
function failbackCases(): { what: string; stack: "primary" | "dr"; overrides: Record<string, string>; key: string; message: RegExp }[] {
    const recovering = { "vbr:primaryState": "recovering", "vbr:drStack": "dr", "vbr:dbFailbackId": "20261204t0930" };
    return [
        { what: "an unknown primary state", stack: "primary", overrides: { "vbr:primaryState": "failback" }, key: "vbr:primaryState", message: /vbr:primaryState = "failback": must be one of: serving, recovering/ },
        { what: "recovering without vbr:drStack", stack: "primary", overrides: { ...recovering, "vbr:drStack": "" }, key: "vbr:drStack", message: /vbr:drStack = \(not set\): is required when vbr:primaryState is recovering: the primary's new database replicates from the DR stack's serving instance/ },
        { what: "recovering without vbr:dbFailbackId", stack: "primary", overrides: { ...recovering, "vbr:dbFailbackId": "" }, key: "vbr:dbFailbackId", message: /vbr:dbFailbackId = \(not set\): is required when vbr:primaryState is recovering: it names the failback instance vbr-<environment>-postgres-fb<id>/ },
        { what: "a failback id that is not a UTC stamp", stack: "primary", overrides: { "vbr:dbFailbackId": "2026-12-04" }, key: "vbr:dbFailbackId", message: /vbr:dbFailbackId = "2026-12-04": must be the failback's UTC start as yyyymmddthhmm, e.g. 20261204t0930/ },
        { what: "a failback id that is not a real time", stack: "primary", overrides: { "vbr:dbFailbackId": "20261304t0930" }, key: "vbr:dbFailbackId", message: /vbr:dbFailbackId = "20261304t0930": is not a real date and time/ },
        { what: "a failback id on the dr role", stack: "dr", overrides: { "vbr:dbFailbackId": "20261204t0930" }, key: "vbr:dbFailbackId", message: /vbr:dbFailbackId = "20261204t0930": applies to the primary only: it names the primary's failback instance/ },
        { what: "recovering on the dr role", stack: "dr", overrides: { "vbr:primaryState": "recovering" }, key: "vbr:primaryState", message: /vbr:primaryState = "recovering": applies to the primary only \(vbr:role primary\)/ },
        { what: "a DR stack named on the dr role", stack: "dr", overrides: { "vbr:drStack": "dr" }, key: "vbr:drStack", message: /vbr:drStack = "dr": applies to the primary only: the DR stack reads the primary through vbr:primaryStack/ },
        { what: "a DR stack name that is not one", stack: "primary", overrides: { "vbr:drStack": "acme/dr" }, key: "vbr:drStack", message: /vbr:drStack = "acme\/dr": must be the DR stack's stack name \(dr\)/ },
        { what: "another organization's DR stack on a DIY backend", stack: "primary", overrides: { "vbr:drStack": "acme/vbr/dr" }, key: "vbr:drStack", message: /vbr:drStack = "acme\/vbr\/dr": names organization "acme", but this stack runs on a self-managed \(DIY\) backend/ },
        { what: "peerRegionAvailable on a DR stack in standby", stack: "dr", overrides: { "vbr:peerRegionAvailable": "true" }, key: "vbr:peerRegionAvailable", message: /vbr:peerRegionAvailable = "true": applies only to the dr stack in failover \(vbr:drState failover\)/ },
        { what: "peerRegionAvailable on a DR stack in a drill", stack: "dr", overrides: { "vbr:drState": "drill", "vbr:peerRegionAvailable": "true" }, key: "vbr:peerRegionAvailable", message: /vbr:peerRegionAvailable = "true": applies only to the dr stack in failover/ },
        { what: "peerRegionAvailable on the primary", stack: "primary", overrides: { "vbr:peerRegionAvailable": "true" }, key: "vbr:peerRegionAvailable", message: /vbr:peerRegionAvailable = "true": applies only to the dr stack in failover/ },
        { what: "a non-boolean peerRegionAvailable", stack: "dr", overrides: { "vbr:drState": "failover", "vbr:peerRegionAvailable": "yes" }, key: "vbr:peerRegionAvailable", message: /vbr:peerRegionAvailable = "yes": must be true or false/ },
        { what: "a corruption restore later than the failback while recovering", stack: "primary", overrides: { ...recovering, "vbr:dbRestoreTime": "2026-12-04T09:31:00Z" }, key: "vbr:dbRestoreTime", message: /vbr:dbRestoreTime = "2026-12-04T09:31:00Z": is later than the failback 20261204t0930: a corruption restore of the failback instance can only serve once it is promoted/ },
    ];
}

/** The ConfigError a raw config raises (fails the test when it parses). */
function problemsOf(stack: "primary" | "dr", overrides: Record<string, string>, remove: string[] = []): ConfigError {
    const raw = stackConfig(project, stack, overrides);
    for (const key of remove) delete raw[key];
    try {
        parseStackConfig(stack, raw);
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    throw new Error(`expected ${JSON.stringify(overrides)} to be rejected`);
}

describe("stack configuration: rejected cases name the key, the bad value and what is allowed", () => {
    const cases: { what: string; stack: "primary" | "dr"; overrides: Record<string, string>; remove?: string[]; key: string; message: RegExp }[] = [
        { what: "an unknown region", stack: "primary", overrides: { "aws:region": "us-middle-1" }, key: "aws:region", message: /aws:region = "us-middle-1": must be one of: us-east-1, /},
        { what: "an unknown peer region", stack: "primary", overrides: { "vbr:peerRegion": "eu-nowhere-1" }, key: "vbr:peerRegion", message: /vbr:peerRegion = "eu-nowhere-1": must be one of: / },
        { what: "the DR peer equal to its region", stack: "dr", overrides: { "vbr:peerRegion": "us-west-2" }, key: "vbr:peerRegion", message: /vbr:peerRegion = "us-west-2": must differ from aws:region \("us-west-2"\)/ },
        { what: "daily retention 34", stack: "primary", overrides: { "vbr:backupRetentionDays": "34" }, key: "vbr:backupRetentionDays", message: /vbr:backupRetentionDays = "34": must be at least 35/ },
        { what: "weekly retention 300", stack: "primary", overrides: { "vbr:weeklyRetentionDays": "300" }, key: "vbr:weeklyRetentionDays", message: /vbr:weeklyRetentionDays = "300": must be at least 365/ },
        {
            what: "weekly retention below daily", stack: "primary", overrides: { "vbr:backupRetentionDays": "400", "vbr:weeklyRetentionDays": "365" },
            key: "vbr:weeklyRetentionDays", message: /vbr:weeklyRetentionDays = "365": must be at least vbr:backupRetentionDays \(400\)/,
        },
        { what: "a dr stack without primaryStack", stack: "dr", overrides: {}, remove: ["vbr:primaryStack"], key: "vbr:primaryStack", message: /vbr:primaryStack = \(not set\): is required when vbr:role is dr/ },
        { what: "a dr stack with an empty primaryStack", stack: "dr", overrides: { "vbr:primaryStack": "" }, key: "vbr:primaryStack", message: /vbr:primaryStack = \(not set\): is required when vbr:role is dr/ },
        { what: "an unknown role", stack: "primary", overrides: { "vbr:role": "secondary" }, key: "vbr:role", message: /vbr:role = "secondary": must be one of: primary, dr/ },
        { what: "an unknown DR state", stack: "dr", overrides: { "vbr:drState": "active" }, key: "vbr:drState", message: /vbr:drState = "active": must be one of: standby, drill, failover/ },
        { what: "drill on the primary", stack: "primary", overrides: { "vbr:drState": "drill" }, key: "vbr:drState", message: /vbr:drState = "drill": must be standby when vbr:role is primary/ },
        { what: "an unknown database mode", stack: "dr", overrides: { "vbr:drDatabase": "snapshot" }, key: "vbr:drDatabase", message: /vbr:drDatabase = "snapshot": must be one of: replica, restore/ },
        {
            what: "a non-boolean restoredDbBackupsEnabled", stack: "dr", overrides: { "vbr:restoredDbBackupsEnabled": "yes" },
            key: "vbr:restoredDbBackupsEnabled", message: /vbr:restoredDbBackupsEnabled = "yes": must be true or false/,
        },
        ...["Drill-1", "drill_1", "2026-11-29T20:15", "a234567890123456789012", "-x", "x-", "a--b"].map((bad) => ({
            what: `the drill id ${JSON.stringify(bad)}`, stack: "dr" as const, overrides: { "vbr:drillId": bad }, key: "vbr:drillId",
            message: new RegExp(`vbr:drillId = ${JSON.stringify(bad)}: must be 1-20 lower-case letters, digits or hyphens`),
        })),
        { what: "an empty drill id", stack: "dr", overrides: { "vbr:drillId": "" }, key: "vbr:drillId", message: /vbr:drillId = "": is required/ },
        { what: "a restore time that is not a UTC instant", stack: "primary", overrides: { "vbr:dbRestoreTime": "2026-11-29 13:45" }, key: "vbr:dbRestoreTime", message: /vbr:dbRestoreTime = "2026-11-29 13:45": must be a UTC instant such as 2026-11-29T13:45:00Z/ },
        { what: "a restore time that is not a real date", stack: "primary", overrides: { "vbr:dbRestoreTime": "2026-13-45T13:45:00Z" }, key: "vbr:dbRestoreTime", message: /vbr:dbRestoreTime = "2026-13-45T13:45:00Z": is not a real date and time/ },
        { what: "a restore time on a DR stack in standby", stack: "dr", overrides: { "vbr:dbRestoreTime": "2026-11-29T13:45:00Z" }, key: "vbr:dbRestoreTime", message: /vbr:dbRestoreTime = "2026-11-29T13:45:00Z": applies only to the stack that serves traffic/ },
        { what: "a max task count below the desired count", stack: "primary", overrides: { "vbr:serviceDesiredCount": "6", "vbr:serviceMaxCount": "4" }, key: "vbr:serviceMaxCount", message: /vbr:serviceMaxCount = "4": must be at least vbr:serviceDesiredCount \(6\)/ },
        { what: "one availability zone", stack: "primary", overrides: { "vbr:availabilityZoneCount": "1" }, key: "vbr:availabilityZoneCount", message: /vbr:availabilityZoneCount = "1": must be at least 2 \(the load balancer and Multi-AZ database need two AZs\)/ },
        { what: "four availability zones", stack: "primary", overrides: { "vbr:availabilityZoneCount": "4" }, key: "vbr:availabilityZoneCount", message: /vbr:availabilityZoneCount = "4": must be at most 3/ },
        { what: "a hosted zone id that is not one", stack: "primary", overrides: { "vbr:hostedZoneId": "example.com" }, key: "vbr:hostedZoneId", message: /vbr:hostedZoneId = "example.com": must be a Route 53 hosted zone id/ },
        { what: "an upper-case domain name", stack: "primary", overrides: { "vbr:domainName": "App.Example.com" }, key: "vbr:domainName", message: /vbr:domainName = "App.Example.com": must be a lower-case DNS name/ },
        { what: "an alert address that is not one", stack: "primary", overrides: { "vbr:alertEmail": "oncall" }, key: "vbr:alertEmail", message: /vbr:alertEmail = "oncall": must be an e-mail address/ },
        { what: "an image tag with a slash", stack: "primary", overrides: { "vbr:appImageTag": "release/1" }, key: "vbr:appImageTag", message: /vbr:appImageTag = "release\/1": must be an image tag/ },
        { what: "an environment with upper case", stack: "primary", overrides: { "vbr:environment": "Prod" }, key: "vbr:environment", message: /vbr:environment = "Prod": must be 2-12 lower-case letters/ },
        {
            what: "an environment of 13 characters (the load balancer's generated name would pass 32)", stack: "primary", overrides: { "vbr:environment": "abcdefghijklm" },
            key: "vbr:environment", message: /vbr:environment = "abcdefghijklm": must be 2-12 lower-case letters.*fit AWS's 32 characters/,
        },
        { what: "a minor engine version", stack: "primary", overrides: { "vbr:dbEngineVersion": "16.4" }, key: "vbr:dbEngineVersion", message: /vbr:dbEngineVersion = "16.4": must be a PostgreSQL major version such as 16/ },
        { what: "serviceEnabled false on the DR stack", stack: "dr", overrides: { "vbr:serviceEnabled": "false" }, key: "vbr:serviceEnabled", message: /vbr:serviceEnabled = "false": applies to the primary's first install only/ },
        { what: "a non-boolean serviceEnabled", stack: "primary", overrides: { "vbr:serviceEnabled": "no" }, key: "vbr:serviceEnabled", message: /vbr:serviceEnabled = "no": must be true or false/ },
        { what: "an RTO objective of 0", stack: "dr", overrides: { "vbr:rtoObjectiveMinutes": "0" }, key: "vbr:rtoObjectiveMinutes", message: /vbr:rtoObjectiveMinutes = "0": must be at least 5/ },
        { what: "storage that is not a number", stack: "primary", overrides: { "vbr:dbAllocatedStorageGiB": "100GB" }, key: "vbr:dbAllocatedStorageGiB", message: /vbr:dbAllocatedStorageGiB = "100GB": must be a whole number from 20 to 65536/ },
        ...failbackCases(),
        { what: "a bad instance class", stack: "primary", overrides: { "vbr:dbInstanceClass": "r6g.large" }, key: "vbr:dbInstanceClass", message: /vbr:dbInstanceClass = "r6g.large": must be an RDS instance class/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.what}`, () => {
            const err = problemsOf(c.stack, c.overrides, c.remove);
            expect(err.problems.map((p) => p.key)).to.deep.equal([c.key]);
            expect(err.message).to.match(c.message);
            expect(err.message).to.match(new RegExp(`^Invalid configuration for stack "${c.stack}" \\(1 problem\\):`));
        });
    }

    it("reports every problem at once, one line each", () => {
        const err = problemsOf("dr", {
            "aws:region": "us-middle-1", "vbr:backupRetentionDays": "34", "vbr:weeklyRetentionDays": "300", "vbr:drState": "active", "vbr:role": "secondary",
        });
        expect(err.problems.map((p) => p.key)).to.deep.equal(["aws:region", "vbr:role", "vbr:drState", "vbr:backupRetentionDays", "vbr:weeklyRetentionDays"]);
        expect(err.message.split("\n")).to.have.length(6);
        expect(err.message).to.match(/\(5 problems\)/);
    });

    it("cross-key rules are reported together with shape problems", () => {
        const err = problemsOf("primary", { "vbr:peerRegion": "us-east-1", "vbr:drState": "failover", "vbr:backupRetentionDays": "34" });
        expect(err.problems.map((p) => [p.key, p.value])).to.deep.equal([
            ["vbr:backupRetentionDays", "34"], ["vbr:peerRegion", "us-east-1"], ["vbr:drState", "failover"],
        ]);
    });

    it("reads the failback's keys: defaults serving / false, a qualified vbr:drStack, and a restore made before the failback kept while recovering", () => {
        const serving = parseStackConfig("primary", stackConfig(project, "primary"));
        expect([serving.primaryState, serving.drStack, serving.dbFailbackId, serving.peerRegionAvailable]).to.deep.equal(["serving", undefined, undefined, false]);
        const recovering = parseStackConfig("primary", stackConfig(project, "primary", {
            "vbr:primaryState": "recovering", "vbr:drStack": "dr", "vbr:dbFailbackId": "20261204t0930", "vbr:dbRestoreTime": "2026-11-29T13:45:00Z",
        }), { organization: "acme", project: "vbr" });
        expect([recovering.primaryState, recovering.drStack, recovering.dbFailbackId]).to.deep.equal(["recovering", "acme/vbr/dr", "20261204t0930"]);
        const dr = parseStackConfig("dr", stackConfig(project, "dr", { "vbr:drState": "failover", "vbr:peerRegionAvailable": "true" }));
        expect(dr.peerRegionAvailable).to.equal(true);
        // After the switchover the primary serves from the failback instance: vbr:drStack may stay set for the next cycle.
        expect(parseStackConfig("primary", stackConfig(project, "primary", { "vbr:dbFailbackId": "20261204t0930", "vbr:drStack": "dr" })).primaryState).to.equal("serving");
    });

    it("reads vbr:drillId: the Pulumi.yaml default, or a drill runner's timestamp id", () => {
        expect(parseStackConfig("dr", stackConfig(project, "dr")).drillId).to.equal("manual");
        for (const id of ["20261129t2015", "a", "q4-2026", "a2345678901234567890"]) {
            expect(parseStackConfig("dr", stackConfig(project, "dr", { "vbr:drillId": id })).drillId).to.equal(id);
        }
    });

    it("accepts the deprecated vbr:restoredDbBackupsEnabled with a warning that says why, and warns about nothing else", () => {
        const raw = stackConfig(project, "dr", { "vbr:restoredDbBackupsEnabled": "true" });
        expect(() => parseStackConfig("dr", raw)).to.not.throw();
        expect(deprecationWarnings(raw)).to.deep.equal([
            "vbr:restoredDbBackupsEnabled = \"true\" has no effect any more and can be removed: restores keep automated backups from the start, " +
            "because RDS takes a baseline backup after every restore whatever the program asks (docs/aws-facts.md)",
        ]);
        expect(deprecationWarnings(stackConfig(project, "dr"))).to.deep.equal([]);
    });
});

/** The Pulumi.yaml type a key's schema reads: integer and boolean keys convert the engine's string first. */
function declaredType(schema: z.ZodTypeAny): string {
    let s = schema;
    for (;;) {
        if (s instanceof z.ZodDefault) s = s.removeDefault();
        else if (s instanceof z.ZodOptional) s = s.unwrap();
        else if (s instanceof z.ZodEffects) s = s.innerType();
        else break;
    }
    if (s instanceof z.ZodNumber) return s.isInt ? "integer" : "number";
    return s instanceof z.ZodBoolean ? "boolean" : "string";
}

interface Declaration { key: string; type: string; default?: unknown }

const byKey = (a: Declaration, b: Declaration) => a.key.localeCompare(b.key);

describe("Pulumi.yaml declares the config schema", () => {
    const yaml = parse(fs.readFileSync("Pulumi.yaml", "utf8")) as { name: string; config: Record<string, { type: string; default?: unknown }> };

    it("exactly the schema's keys with the same types and defaults (aws:region is the provider's, set in each stack file)", () => {
        const declared: Declaration[] = Object.entries(yaml.config).map(([name, d]) => ({
            key: `${yaml.name}:${name}`, type: d.type, ...(d.default !== undefined ? { default: d.default } : {}),
        }));
        const schema: Declaration[] = Object.entries(CONFIG_SCHEMA.shape).map(([field, s]: [string, z.ZodTypeAny]) => ({
            key: configKey(field as ConfigField), type: declaredType(s),
            ...(s instanceof z.ZodDefault ? { default: s._def.defaultValue() } : {}),
        }));
        expect(schema.filter((d) => !d.key.startsWith("vbr:")).map((d) => d.key)).to.deep.equal(["aws:region"]);
        expect(declared.sort(byKey)).to.deep.equal(schema.filter((d) => d.key.startsWith("vbr:")).sort(byKey));
    });

    it("reads each type the way the engine passes it (strings), and applies a default only to an absent key", () => {
        const raw = stackConfig(project, "primary");
        expect(raw["vbr:backupRetentionDays"]).to.equal("35");
        const defaults = parseStackConfig("primary", Object.fromEntries(Object.entries(raw).filter(([k]) => !Object.keys(yaml.config).some((n) => k === `vbr:${n}` && yaml.config[n].default !== undefined))));
        expect(defaults).to.deep.equal(parseStackConfig("primary", raw));
    });
});
