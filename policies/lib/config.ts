// The DR plan's thresholds: config-schema defaults and floors (the engine rejects config below a floor).
import { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { DAILY_RETENTION_FLOOR_DAYS, RTC_MINUTES, WEEKLY_RETENTION_FLOOR_DAYS } from "../model/plan";
import { label, read, Undecided } from "./stack";

export const FLOORS = {
    retentionDays: DAILY_RETENTION_FLOOR_DAYS,
    weeklyRetentionDays: WEEKLY_RETENTION_FLOOR_DAYS,
    replicationTimeMinutes: RTC_MINUTES,
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
