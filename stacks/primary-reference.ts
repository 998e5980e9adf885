// The DR stack's one view of the primary stack: the outputs it reads through a StackReference (served by the state
// backend), as plain values, before anything is built.
import * as pulumi from "@pulumi/pulumi";
import type { PrimarySource } from "../components/database-dr";

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
