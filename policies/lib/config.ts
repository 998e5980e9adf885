// The DR plan's thresholds: config-schema defaults and floors (the engine rejects config below a floor).
import { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { label, read, Undecided } from "./stack";
export const FLOORS = {
    /** Daily backups and RDS automated backups: 35 days (DR plan v2.0, "35-day retention"). */
    retentionDays: 35,
    /** Weekly backups: kept one year. */
    weeklyRetentionDays: 365,
    /** S3 Replication Time Control: 15 minutes, the only value S3 accepts. */
    replicationTimeMinutes: 15,
} as const;

export const retentionDaysSchema = {
    type: "integer" as const, default: FLOORS.retentionDays, minimum: FLOORS.retentionDays,
    description: `Minimum retention in days (floor ${FLOORS.retentionDays}).`,
};

/**
 * The check two retention policies share: a whole-number input of each resource of `types` must be at least the
 * policy's `minimumRetentionDays`. `describe` renders the offending value (undefined when unset) for the message.
 */
export function minimumRetention(field: string, fix: (min: number) => string, describe: (v: number | undefined) => string = (v) => String(v ?? "unset")) {
    return (targets: PolicyResource[], args: StackValidationArgs, report: ReportViolation, undecided: Undecided): void => {
        const { minimumRetentionDays: min } = args.getConfig<{ minimumRetentionDays: number }>();
        for (const r of targets) {
            const v = read(() => r.props[field] as number | undefined);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value === undefined || v.value < min) report(`${label(r)} has ${field} ${describe(v.value)}, below ${min}${fix(min)}`, r.urn);
        }
    };
}
