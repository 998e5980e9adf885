// Every resource backed up by AWS Backup keeps a daily recovery point 35 days and a weekly one 365 days, and so do
// their copies.
//
// Each rule's own retention is judged per rule. Whether a daily and a weekly rule exist is judged over the set of
// plans that back a resource up (lib/selection.ts), since daily and weekly rules in two plans selecting the same
// resource are a valid layout; a daily rule kept as long as the weekly floor also counts as the weekly one. A plan
// that selects nothing of this stack (its selections name resources elsewhere, or it has none) is judged alone.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { FLOORS } from "./lib/config";
import { frequency, keptDays, PlanRule, ruleLabel } from "./lib/backup";
import { BACKUP_TYPES, plansCovering } from "./lib/selection";
import { forTypes, isOf, label, linksTo, peek, read, T, Undecided } from "./lib/stack";

export interface BackupPlanRetentionConfig { dailyRetentionDays: number; weeklyRetentionDays: number }

type Frequencies = { daily: boolean; weekly: boolean };

/** Judges each rule's retention; returns which frequencies the plan has, or undefined when a schedule is unknown. */
function judgeRules(plan: PolicyResource, cfg: BackupPlanRetentionConfig, report: (m: string) => void, undecided: Undecided): Frequencies | undefined {
    const rules = read(() => plan.props.rules as PlanRule[] | undefined);
    if (!rules.known) { undecided.note(rules); return undefined; }
    const seen: Frequencies = { daily: false, weekly: false };
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
            report(`${ruleLabel(plan, rule.value, i)} (${f}, ${schedule.value}) keeps recovery points ${kept.value} days, below ${min}. Fix: set lifecycle.deleteAfter: ${min}.`);
        }
        // Every daily point kept a year is also a weekly point kept a year.
        if (f === "daily" && kept.known && (kept.value === undefined || kept.value >= cfg.weeklyRetentionDays)) seen.weekly = true;
        (rule.value.copyActions ?? []).forEach((_c, j) => {
            const ck = read(() => keptDays((plan.props.rules as PlanRule[])[i].copyActions![j].lifecycle));
            if (!ck.known) undecided.note(ck);
            else if (ck.value !== undefined && ck.value < min) {
                report(`${ruleLabel(plan, rule.value, i)} copy action ${j} keeps copies ${ck.value} days, below ${min}. Fix: set copyActions[${j}].lifecycle.deleteAfter: ${min}.`);
            }
        });
    });
    return unknownSchedule ? undefined : seen;
}

function missing(f: Frequencies, cfg: BackupPlanRetentionConfig): string[] {
    const out: string[] = [];
    if (!f.daily) out.push(`a daily rule (schedule like cron(0 2 * * ? *)) kept ${cfg.dailyRetentionDays} days`);
    if (!f.weekly) out.push(`a weekly rule (schedule like cron(0 2 ? * SUN *)) kept ${cfg.weeklyRetentionDays} days`);
    return out;
}

export const backupPlanRetention: StackValidationPolicy = {
    name: "backup-plan-retention",
    description: "Resources backed up by AWS Backup must have, across the plans that select them, a daily rule kept at least 35 days and a weekly rule kept at least 365 days; every rule and copy action keeps its recovery points as long.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            dailyRetentionDays: { type: "integer", default: FLOORS.retentionDays, minimum: FLOORS.retentionDays, description: "Daily rule retention (floor 35)." },
            weeklyRetentionDays: { type: "integer", default: FLOORS.weeklyRetentionDays, minimum: FLOORS.weeklyRetentionDays, description: "Weekly rule retention (floor 365)." },
        },
    },
    validateStack: forTypes(T.plan, (plans, args, report, undecided) => {
        const cfg = args.getConfig<BackupPlanRetentionConfig>();
        const freq = new Map<PolicyResource, Frequencies | undefined>();
        for (const plan of plans) freq.set(plan, judgeRules(plan, cfg, (m) => report(m, plan.urn), undecided));
        const judged = new Set<PolicyResource>();
        for (const r of args.resources.filter((x) => isOf(x, BACKUP_TYPES))) {
            const covering = plansCovering(r, args.resources);
            if (!covering.known) { undecided.note(covering); continue; }
            const set = [...new Set(covering.value.map((c) => c.plan))];
            if (set.length === 0) continue;
            set.forEach((p) => judged.add(p));
            const fs = set.map((p) => freq.get(p));
            if (fs.some((f) => f === undefined)) continue;
            const union = { daily: fs.some((f) => f!.daily), weekly: fs.some((f) => f!.weekly) };
            const lack = missing(union, cfg);
            if (lack.length > 0) {
                report(`${label(r)} is backed up by ${set.map(label).join(", ")}, with no ${lack.join(" and no ")}. Fix: add the missing rule (with a cross-region copy action) to one of these plans, or select it in a plan that has it.`, r.urn);
            }
        }
        // Plans that select nothing of this stack: judged with the plans whose selections use the same criteria.
        const bySelection = new Map<string, PolicyResource[]>();
        const signatures = new Map<PolicyResource, string[]>();
        for (const sel of args.resources.filter((x) => isOf(x, T.selection))) {
            const sig = ["resources", "notResources", "selectionTags", "conditions"].map((k) => peek(() => JSON.stringify(sel.props[k] ?? null)) ?? "?").join("|");
            for (const plan of plans.filter((p) => linksTo(sel, "planId", p))) {
                bySelection.set(sig, [...(bySelection.get(sig) ?? []), plan]);
                signatures.set(plan, [...(signatures.get(plan) ?? []), sig]);
            }
        }
        for (const plan of plans) {
            if (judged.has(plan) || freq.get(plan) === undefined) continue;
            const peers = [...new Set([plan, ...(signatures.get(plan) ?? []).flatMap((sig) => bySelection.get(sig) ?? [])])];
            const fs = peers.map((p) => freq.get(p));
            if (fs.some((f) => f === undefined)) continue;
            const lack = missing({ daily: fs.some((f) => f!.daily), weekly: fs.some((f) => f!.weekly) }, cfg);
            const others = peers.length > 1 ? ` or the plans selecting the same resources (${peers.filter((p) => p !== plan).map(label).join(", ")})` : "";
            if (lack.length > 0) report(`${label(plan)} selects no resource of this stack; it${others} has no ${lack.join(" and no ")}. Fix: add the missing rule with a cross-region copy action.`, plan.urn);
        }
    }),
};
