// Test helper: the Database component built from a stack file plus overrides, as the program builds it (the DR stack
// reads the primary's outputs through a StackReference first), with the warnings it logged.
import * as pulumi from "@pulumi/pulumi";
import { Database, DatabaseArgs } from "../../components/database";
import { Naming } from "../../policies/model/naming";
import { parseStackConfig } from "../../stacks/config";
import { platformArgs } from "../../stacks/platform-args";
import { readPrimary } from "../../stacks/primary-reference";
import { MOCK_ACCOUNT_ID } from "../../tools/harness/mocks";
import { loadProject, stackConfig } from "../../tools/harness/project";
import { capture, Capture } from "./capture";
import { promiseOf, useMocks } from "./pulumi";

/** The primary stack the DR stack reads in these tests. */
export const PRIMARY_STACK = "virtualbackroom/vbr/primary";

export interface BuiltDatabase { cap: Capture; db: Database; dataKey: string; warnings: string[] }

/**
 * Builds the Database named `db` for `stack`, the primary's outputs served to its StackReference, and waits for its
 * outputs. `extra` overrides the wiring (subnets, security groups, tags: none by default). The warnings are
 * pulumi.log.warn's console fallback under mocks.
 */
export async function buildDatabase(stack: "primary" | "dr", overrides: Record<string, string>, primaryOutputs: Record<string, unknown>,
    extra: Pick<DatabaseArgs, "subnetIds" | "vpcSecurityGroupIds" | "tags" | "failback"> = {}): Promise<BuiltDatabase> {
    const config = parseStackConfig(stack, stackConfig(loadProject("."), stack, overrides));
    useMocks(config.region, stack, { [PRIMARY_STACK]: primaryOutputs });
    const cap = capture();
    const key = (keyClass: string) => `arn:aws:kms:${config.region}:123456789012:key/${keyClass}`;
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => { warnings.push(args.map(String).join(" ")); };
    try {
        const primary = stack === "dr" ? await readPrimary(new pulumi.StackReference("primary", { name: PRIMARY_STACK }), PRIMARY_STACK) : undefined;
        const db = new Database("db", {
            ...platformArgs(config).database, naming: new Naming(config.environment), accountId: MOCK_ACCOUNT_ID,
            dataKeyArn: key("data"), secretsKeyArn: key("secrets"), primary, tags: {}, ...extra,
        }, cap.opts);
        await promiseOf(db.serving);
        await promiseOf(db.replicationSource);
        return { cap, db, dataKey: key("data"), warnings };
    } finally {
        console.warn = original;
    }
}
