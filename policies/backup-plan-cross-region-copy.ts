// Every backup plan rule copies its recovery points to a vault in another region.
import { StackValidationPolicy } from "@pulumi/policy";
import { PlanRule, ruleCopiesCrossRegion, ruleLabel } from "./lib/backup";
import { effectiveRegion, forTypes, label, peek, read, T } from "./lib/stack";

export const backupPlanCrossRegionCopy: StackValidationPolicy = {
    name: "backup-plan-cross-region-copy",
    description: "Every AWS Backup plan rule must copy its recovery points to a vault in another region (copyActions[].destinationVaultArn).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.plan, (plans, _args, report, undecided) => {
        for (const plan of plans) {
            const home = effectiveRegion(plan);
            if (!home.known) { undecided.note(home); continue; }
            const rules = read(() => plan.props.rules as PlanRule[] | undefined);
            if (!rules.known) { undecided.note(rules); continue; }
            (rules.value ?? []).forEach((rule, i) => {
                const ok = ruleCopiesCrossRegion(plan, i, home.value);
                if (!ok.known) { undecided.note(ok); return; }
                if (ok.value) return;
                const dests = (peek(() => rule.copyActions) ?? []).map((_, j) => peek(() => (plan.props.rules as PlanRule[])[i].copyActions![j].destinationVaultArn));
                const what = dests.length === 0 ? "has no copy action" : `copies only to ${dests.map((d) => JSON.stringify(d)).join(", ")}`;
                report(`${ruleLabel(plan, rule, i)} in ${home.value ?? "an unknown region"} ${what}; its recovery points would not survive the loss of the region. Fix: add copyActions: [{ destinationVaultArn: <ARN of a backup vault in another region>, lifecycle: { deleteAfter: <same as the rule> } }].`, plan.urn);
            });
            if ((rules.value ?? []).length === 0) report(`${label(plan)} has no rules. Fix: add daily and weekly rules with cross-region copy actions.`, plan.urn);
        }
    }),
};
