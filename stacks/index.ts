// Program entry: read and validate the stack configuration, then build the platform from it.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { checkPlaceholders, ConfigError, deprecationWarnings, parseStackConfig, readRawConfig, StackConfig } from "./config";
import { platformArgs } from "./platform-args";
import { Platform } from "../components/platform";

function readConfig(): StackConfig {
    const stack = pulumi.getStack();
    try {
        const raw = readRawConfig((namespace, name) => new pulumi.Config(namespace).get(name));
        const cfg = parseStackConfig(stack, raw, { organization: pulumi.getOrganization(), project: pulumi.getProject() });
        for (const warning of deprecationWarnings(raw)) pulumi.log.warn(warning);
        // Under the SDK's mock monitor (the offline plan, unit tests) no AWS account is touched.
        const warning = checkPlaceholders(cfg, stack, !(pulumi.runtime.getMonitor() instanceof MockMonitor));
        if (warning) pulumi.log.warn(warning);
        return cfg;
    } catch (err) {
        // RunError ends the program with the message alone: no stack trace, no resource registered.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

/**
 * An output that may be absent (a standby DR stack serves no database and has no endpoint) as an explicit null: the
 * engine warns "Undefined value (...) will not show as a stack output" on every update for an undefined one, and the
 * readers (the other stack's StackReference, the drill and failback runners) treat null as absent.
 */
const orNull = <T>(value: pulumi.Output<T | undefined>): pulumi.Output<T | null> => value.apply((v) => v ?? null);

// An async program: the DR stack reads the primary's outputs as plain values before it builds anything.
export = async () => {
    const config = readConfig();
    const { exports } = await Platform.create(`vbr-${config.environment}`, platformArgs(config));
    // Stack outputs: the contract the DR stack's StackReference and the drill runner read (docs/architecture.md, docs/drill.md).
    return {
        region: config.region,
        role: config.role,
        drState: config.drState,
        database: orNull(exports.database),
        buckets: exports.buckets,
        secretArn: orNull(exports.secretArn),
        endpoint: orNull(exports.endpoint),
        tasks: exports.tasks,
        replicationSource: orNull(exports.replicationSource),
        // Only where they exist: an undefined output makes the engine warn on every update.
        ...(exports.batchReplicationRoleArn ? { batchReplicationRoleArn: exports.batchReplicationRoleArn } : {}),
        ...(exports.service ? { service: exports.service } : {}),
    };
};
