// Every backup plan keeps a daily recovery point 35 days and a weekly one 365 days, and so do their copies.
import { StackValidationPolicy } from "@pulumi/policy";
import { FLOORS } from "./lib/config";
import { frequency, keptDays, PlanRule, ruleLabel } from "./lib/backup";
import { forTypes, label, read, T } from "./lib/stack";

export interface BackupPlanRetentionConfig { dailyRetentionDays: number; weeklyRetentionDays: number }

export const backupPlanRetention: StackValidationPolicy = {
    name: "backup-plan-retention",
    description: "AWS Backup plans must have a daily rule kept at least 35 days and a weekly rule kept at least 365 days; their copy actions keep the copies as long.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            dailyRetentionDays: { type: "integer", default: FLOORS.retentionDays, minimum: FLOORS.retentionDays, description: "Daily rule retention (floor 35)." },
            weeklyRetentionDays: { type: "integer", default: FLOORS.weeklyRetentionDays, minimum: FLOORS.weeklyRetentionDays, description: "Weekly rule retention (floor 365)." },
        },
    },
    validateStack: forTypes(T.plan, (plans, args, report, undecided) => {
        const cfg = args.getConfig<BackupPlanRetentionConfig>();
        for (const plan of plans) {
            const rules = read(() => plan.props.rules as PlanRule[] | undefined);
            if (!rules.known) { undecided.note(rules); continue; }
            const seen = { daily: false, weekly: false };
            // A rule whose schedule is unknown may be the daily or weekly one: no "missing rule" verdict then.
            let unknownSchedule = false;
            (rules.value ?? []).forEach((_, i) => {
                const rule = read(() => (plan.props.rules as PlanRule[])[i]);
                const schedule = read(() => (plan.props.rules as PlanRule[])[i].schedule);
                if (!rule.known || !schedule.known) { unknownSchedule = true; undecided.note(!rule.known ? rule : schedule as { known: false; error: Error }); return; }
                const f = frequency(schedule.value);
                if (f === "other") return;
                seen[f] = true;
                const min = f === "daily" ? cfg.dailyRetentionDays : cfg.weeklyRetentionDays;
                const kept = read(() => keptDays((plan.props.rules as PlanRule[])[i].lifecycle));
                if (!kept.known) undecided.note(kept);
                else if (kept.value !== undefined && kept.value < min) {
                    report(`${ruleLabel(plan, rule.value, i)} (${f}, ${schedule.value}) keeps recovery points ${kept.value} days, below ${min}. Fix: set lifecycle.deleteAfter: ${min}.`, plan.urn);
                }
                (rule.value.copyActions ?? []).forEach((_c, j) => {
                    const ck = read(() => keptDays((plan.props.rules as PlanRule[])[i].copyActions![j].lifecycle));
                    if (!ck.known) undecided.note(ck);
                    else if (ck.value !== undefined && ck.value < min) {
                        report(`${ruleLabel(plan, rule.value, i)} copy action ${j} keeps copies ${ck.value} days, below ${min}. Fix: set copyActions[${j}].lifecycle.deleteAfter: ${min}.`, plan.urn);
                    }
                });
            });
            if (unknownSchedule) continue;
            if (!seen.daily) report(`${label(plan)} has no daily rule (schedule like cron(0 2 * * ? *)). Fix: add a daily rule with lifecycle.deleteAfter: ${cfg.dailyRetentionDays} and a cross-region copy action.`, plan.urn);
            if (!seen.weekly) report(`${label(plan)} has no weekly rule (schedule like cron(0 2 ? * SUN *)). Fix: add a weekly rule with lifecycle.deleteAfter: ${cfg.weeklyRetentionDays} and a cross-region copy action.`, plan.urn);
        }
    }),
};
