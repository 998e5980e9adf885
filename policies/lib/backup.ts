// AWS Backup plan rules: schedule frequency, retention, copy actions, and whether a resource's backups reach
// another region through a plan that selects it.
import { PolicyResource } from "@pulumi/policy";
import { plansCovering } from "./selection";
import { arnRegion, effectiveRegion, isOf, label, peek, read, Read, T } from "./stack";

export interface Lifecycle { deleteAfter?: number; coldStorageAfter?: number }
export interface CopyAction { destinationVaultArn?: string; lifecycle?: Lifecycle }
export interface PlanRule { ruleName?: string; schedule?: string; lifecycle?: Lifecycle; copyActions?: CopyAction[]; targetVaultName?: string }

export type Frequency = "daily" | "weekly" | "other";

/**
 * The frequency of an AWS Backup cron schedule `cron(min hour day-of-month month day-of-week year)`:
 * daily when every day of every month runs, weekly when one day of the week does.
 */
export function frequency(schedule: string | undefined): Frequency {
    const m = /^cron\((.*)\)$/.exec((schedule ?? "").trim());
    if (!m) return "other";
    const f = m[1].trim().split(/\s+/);
    if (f.length !== 6) return "other";
    const [, , dom, month, dow] = f;
    const any = (x: string) => x === "*" || x === "?";
    if (any(dom) && any(month) && any(dow)) return "daily";
    if (any(dom) && any(month) && /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)$/i.test(dow)) return "weekly";
    return "other";
}

/** Days a recovery point is kept; undefined = no lifecycle = kept until deleted by hand. */
export const keptDays = (l: Lifecycle | undefined): number | undefined => l?.deleteAfter;

export const ruleLabel = (plan: PolicyResource, rule: PlanRule, i: number): string =>
    `rule ${JSON.stringify(rule.ruleName ?? i)} of Plan "${plan.name}"`;

/**
 * The region of copy action j of rule i: the ARN's region, else (unknown ARN) the effective region of the
 * vault of this stack it came from through propertyDependencies.
 */
export function copyDestinationRegion(plan: PolicyResource, i: number, j: number): Read<string | undefined> {
    const arn = read(() => (plan.props.rules as PlanRule[])[i].copyActions![j].destinationVaultArn);
    if (arn.known) return { known: true, value: arnRegion(arn.value) };
    // `rules` also depends on the rule's own target vault: only a vault that is not the target can be the copy's.
    const target = peek(() => (plan.props.rules as PlanRule[])[i].targetVaultName);
    const all = (plan.propertyDependencies.rules ?? []).filter((d) => isOf(d, T.vault));
    const vaults = all.filter((d) => target !== undefined && peek(() => d.props.name) !== target);
    const region = vaults.length === 1 ? effectiveRegion(vaults[0]) : undefined;
    if (region?.known && region.value) return { known: true, value: region.value };
    // Target name unknown too: the target is a vault of the plan's region, and a copy never goes into its own source
    // vault. So with at most one vault of the plan's region among the dependencies, every copy lands in another one.
    const home = effectiveRegion(plan);
    const regions = all.map((v) => effectiveRegion(v));
    if (home.known && home.value && regions.every((r) => r.known && r.value)) {
        const names = regions.map((r) => (r as { value: string }).value);
        const elsewhere = [...new Set(names.filter((r) => r !== home.value))];
        if (names.filter((r) => r === home.value).length <= 1 && elsewhere.length === 1) return { known: true, value: elsewhere[0] };
    }
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

/**
 * How `r`'s backups reach another region through AWS Backup: the selection and plan whose rule copies them out of
 * `home`, undefined when none does, or unknown.
 */
export function backupPlanCopy(r: PolicyResource, all: PolicyResource[], home: string | undefined): Read<string | undefined> {
    const covering = plansCovering(r, all);
    if (!covering.known) return covering;
    let pending: Read<string | undefined> | undefined;
    for (const { plan, selection } of covering.value) {
        const rules = read(() => plan.props.rules as PlanRule[] | undefined);
        if (!rules.known) { pending ??= rules; continue; }
        for (let i = 0; i < (rules.value ?? []).length; i++) {
            const c = ruleCopiesCrossRegion(plan, i, home);
            if (!c.known) { pending ??= c; continue; }
            if (c.value) return { known: true, value: `${label(selection)} of ${label(plan)}` };
        }
    }
    return pending ?? { known: true, value: undefined };
}
