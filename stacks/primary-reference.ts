// Each stack's view of the other: the outputs it reads through a StackReference (served by the state backend), as plain
// values, before anything is built. The DR stack always reads the primary; the primary reads the DR stack only while it
// recovers from a failover (the failback instance replicates the DR stack's serving database).
import * as pulumi from "@pulumi/pulumi";
import type { PrimarySource } from "../components/database-dr";
import type { DrSource } from "../components/platform";

/**
 * An output of the referenced stack as a plain value: undefined until that stack exports it. The primary exports
 * none of these as secrets (ARNs and identifiers); a secret one would be read as its value.
 */
async function outputValue<T>(reference: pulumi.StackReference, name: string): Promise<T | undefined> {
    const details = await reference.getOutputDetails(name);
    return (details.value ?? details.secretValue) as T | undefined;
}

/**
 * What the DR stack needs of the primary (see PlatformExports): the instance it replicates (`replicationSource`;
 * during a corruption restore the restore's source until the restored one has backups) and its database secret.
 */
export async function readPrimary(reference: pulumi.StackReference, stackName: string): Promise<PrimarySource> {
    const source = await outputValue<{ arn: string; identifier: string }>(reference, "replicationSource");
    return {
        stack: stackName,
        replicationSource: source && { arn: source.arn, identifier: source.identifier },
        secretArn: await outputValue<string>(reference, "secretArn"),
    };
}

/**
 * The DR stack's serving instance (its `database` output), which the recovering primary's failback instance replicates.
 * Throws a RunError (the message alone, nothing registered) while the DR stack serves nothing: a failback follows a
 * failover.
 */
export async function readDr(reference: pulumi.StackReference, stackName: string): Promise<DrSource> {
    const database = await outputValue<{ arn?: string; identifier?: string }>(reference, "database");
    if (!database?.arn || !database.identifier) {
        throw new pulumi.RunError(`vbr:primaryState = "recovering": the DR stack ${stackName} (vbr:drStack) exports no serving database ` +
            "(its \"database\" output is empty): the failback instance replicates the DR stack's serving database, which exists only in " +
            "failover (vbr:drState failover on the DR stack). Fail over first, or set vbr:primaryState serving.");
    }
    return { stack: stackName, database: { arn: database.arn, identifier: database.identifier } };
}
