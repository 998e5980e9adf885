// Every backup plan rule copies its recovery points to a vault in another region.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { PlanRule, ruleLabel } from "./lib/backup";
import { arnRegion, effectiveRegion, forTypes, isOf, label, peek, read, Read, T } from "./lib/stack";

/**
 * The region of copy action j of rule i: the ARN's region, else (unknown ARN) the effective region of the
 * vault of this stack it came from through propertyDependencies.
 */
export function copyDestinationRegion(plan: PolicyResource, i: number, j: number): Read<string | undefined> {
    const arn = read(() => (plan.props.rules as PlanRule[])[i].copyActions![j].destinationVaultArn);
    if (arn.known) return { known: true, value: arnRegion(arn.value) };
    // `rules` also depends on the rule's own target vault: only a vault that is not the target can be the copy's.
    const target = peek(() => (plan.props.rules as PlanRule[])[i].targetVaultName);
    const vaults = (plan.propertyDependencies.rules ?? []).filter((d) => isOf(d, T.vault) && peek(() => d.props.name) !== target);
    const region = vaults.length === 1 ? effectiveRegion(vaults[0]) : undefined;
    if (region?.known && region.value) return { known: true, value: region.value };
    return arn;
}

/** Whether some copy action of rule i of the plan lands in a region other than `home`. */
export function ruleCopiesCrossRegion(plan: PolicyResource, i: number, home: string | undefined): Read<boolean> {
    const actions = read(() => (plan.props.rules as PlanRule[])[i].copyActions);
    if (!actions.known) return actions;
    const n = (actions.value ?? []).length;
    let firstUnknown: Read<boolean> | undefined;
    for (let j = 0; j < n; j++) {
        const r = copyDestinationRegion(plan, i, j);
        if (!r.known) { firstUnknown ??= r; continue; }
        if (r.value && home && r.value !== home) return { known: true, value: true };
    }
    return firstUnknown ?? { known: true, value: false };
}

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
