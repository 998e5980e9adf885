// The graph the bring-up model reads (a recorded stack, or a policy's resources adapted to it) and the steps it
// builds from it.
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { Estimate } from "./durations";

/** The fields of a recorded resource the model reads; tools/harness/recorder.ts's RecordedResource satisfies it. */
export interface GraphResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    /** A custom resource (a cloud object); false for components. */
    custom: boolean;
    /** A remote (multi-language) component such as awsx:ec2:Vpc whose children its plugin creates. */
    remote?: boolean;
    dependencies: string[];
    propertyDependencies?: Record<string, string[]>;
    inputs: Record<string, unknown>;
}

/** What a bring-up does to a resource. */
export type Operation =
    | "create"
    /** A read replica loses replicateSourceDb: RDS promotes it (reboot, then Multi-AZ and backups). */
    | "promote"
    /** A DB instance created from backups (restoreToPointInTime or snapshotIdentifier). */
    | "restore"
    /** A new read replica (replicateSourceDb set): a failback's replica in region A, a DR replica of a new source. */
    | "replica";

export interface BringUpStep {
    /** The resource's URN; for an awsx child, the URN the awsx plugin gives it (parent type $ child type). */
    urn: string;
    type: string;
    name: string;
    operation: Operation;
    /** URNs of steps (in this step set) that must finish first. */
    dependencies: string[];
    estimate: Estimate;
}

/** The engine's "unknown during preview" value, as a recorded or policy-read input may hold it. */
export const ENGINE_UNKNOWN = unknownValue;

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const ECS_SERVICE = "aws:ecs/service:Service";
export const ROUTE53_RECORD = "aws:route53/record:Record";

export interface ModelOptions {
    /** Storage assumed for a restore whose `allocatedStorage` input is not set. @default times.restore.defaultAllocatedStorageGiB */
    allocatedStorageGiB?: number;
}

export const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);

export const isRestore = (inputs: Record<string, unknown>): boolean =>
    isSet(inputs.restoreToPointInTime) || isSet(inputs.snapshotIdentifier);

export function tagsOf(r: GraphResource): Record<string, unknown> | undefined {
    const t = r.inputs.tags;
    return t !== null && typeof t === "object" && !Array.isArray(t) ? (t as Record<string, unknown>) : undefined;
}
