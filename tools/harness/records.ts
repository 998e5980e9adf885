// The recorded shape of a resource registration: what the offline plan records and the policy harness replays.
//
// tools/harness/recorder.ts re-exports these names; they live here so the analyzer harness does not depend on the
// recorder's engine code. The field names are part of the plan's JSON report: keep them.
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** The engine's "unknown during preview" sentinel (`UnknownStringValue`), as it may appear in recorded inputs. */
export const UNKNOWN = unknownValue;

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    /** The parent's URN, or null for the stack itself. */
    parent: string | null;
    custom: boolean;
    remote: boolean;
    /** The provider reference, `<provider urn>::<provider id>`, or null for the default provider. */
    provider: string | null;
    /** The effective region the recorder computed (not visible to policies: the engine does not send it). */
    region: string | null;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    inputs: Record<string, unknown>;
    /** The inputs with every secret replaced by "[secret]", present only when some input is secret: what reports show. */
    reportInputs?: Record<string, unknown>;
    outputs: Record<string, unknown>;
}

export interface SynthesizedStack {
    project: string;
    stack: string;
    config: Record<string, string>;
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
}

/** A log message the program wrote (`pulumi.log.warn` ...), as the CLI would print it under the resource tree. */
export interface Diagnostic {
    severity: "info" | "warning" | "error";
    message: string;
}
