// AWS Backup plan rules: schedule frequency, retention, copy actions.
import { PolicyResource } from "@pulumi/policy";

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
