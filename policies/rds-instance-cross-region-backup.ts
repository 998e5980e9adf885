// Every RDS instance and Aurora cluster has a copy of its backups in another region.
//
// Accepted: for an instance, an InstanceAutomatedBackupsReplication of this stack whose sourceDbInstanceArn comes
// from the instance (property dependency or same ARN) and which lives in another region; for an instance or an
// Aurora cluster, an AWS Backup selection of this stack that selects it (by ARN, by wildcard or by tags) for a plan
// whose rules copy to another region. RDS automated backups replication does not apply to Aurora.
// Not judged: read replicas (a cross-region replica is itself the copy), drill copies (`vbr:lifecycle = drill`,
// disposable copies of data already copied), and restored instances with deferred backups
// (`rds-instance-backups-deferred` tells the on-call to turn backups on).
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ruleCopiesCrossRegion } from "./backup-plan-cross-region-copy";
import { PlanRule } from "./lib/backup";
import { DB_TYPES, hasDeferredBackups, isCluster, isReadReplica } from "./lib/rds";
import { anyOf, effectiveRegion, forTypes, isDrillCopy, isOf, known, label, linksTo, peek, read, Read, tags, T } from "./lib/stack";

type SelectionTag = { type?: string; key?: string; value?: string };

function selects(sel: PolicyResource, db: PolicyResource): Read<boolean> {
    if ((sel.propertyDependencies.resources ?? []).some((d) => d.urn === db.urn)) return { known: true, value: true };
    const resources = read(() => sel.props.resources as string[] | undefined);
    if (!resources.known) return resources;
    const arn = peek(() => db.props.arn);
    if (typeof arn === "string" && (resources.value ?? []).includes(arn)) return { known: true, value: true };
    const wildcard = isCluster(db) ? "arn:aws:rds:*:*:cluster:*" : "arn:aws:rds:*:*:db:*";
    if ((resources.value ?? []).includes("*") || (resources.value ?? []).includes(wildcard)) return { known: true, value: true };
    const byTag = peek(() => sel.props.selectionTags as SelectionTag[] | undefined) ?? [];
    const dbTags = tags(db);
    return { known: true, value: byTag.some((t) => t.type === "STRINGEQUALS" && t.key !== undefined && dbTags[t.key] === t.value) };
}

/** How the instance's backups reach another region, or why it cannot be told. */
function coverage(db: PolicyResource, all: PolicyResource[], home: string | undefined): Read<string | undefined> {
    let pending: Read<string | undefined> | undefined;
    // RDS automated backups replication copies instances only; an Aurora cluster needs a backup plan.
    const replications = isCluster(db) ? [] : all.filter((r) => isOf(r, T.backupsReplication) && linksTo(r, "sourceDbInstanceArn", db));
    for (const rep of replications) {
        const region = effectiveRegion(rep);
        if (!region.known) { pending ??= region; continue; }
        if (region.value && region.value !== home) return { known: true, value: `${label(rep)} in ${region.value}` };
    }
    for (const sel of all.filter((r) => isOf(r, T.selection))) {
        const s = selects(sel, db);
        if (!s.known) { pending ??= s; continue; }
        if (!s.value) continue;
        for (const plan of all.filter((p) => isOf(p, T.plan) && linksTo(sel, "planId", p))) {
            const rules = read(() => plan.props.rules as PlanRule[] | undefined);
            if (!rules.known) { pending ??= rules; continue; }
            for (let i = 0; i < (rules.value ?? []).length; i++) {
                const c = ruleCopiesCrossRegion(plan, i, home);
                if (!c.known) { pending ??= c; continue; }
                if (c.value) return { known: true, value: `${label(sel)} of ${label(plan)}` };
            }
        }
    }
    return pending ?? { known: true, value: undefined };
}

export const rdsInstanceCrossRegionBackup: StackValidationPolicy = {
    name: "rds-instance-cross-region-backup",
    description: "Every RDS instance and Aurora cluster must have its backups copied to another region: automated backups replication from it (instances only), or an AWS Backup plan that selects it and copies cross-region.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(DB_TYPES, (dbs, args, report, undecided) => {
        for (const db of dbs) {
            const exempt = anyOf(isReadReplica(db), known(isDrillCopy(db)), hasDeferredBackups(db));
            if (!exempt.known) { undecided.note(exempt); continue; }
            if (exempt.value) continue;
            const home = effectiveRegion(db);
            if (!home.known) { undecided.note(home); continue; }
            const c = coverage(db, args.resources, home.value);
            if (!c.known) { undecided.note(c); continue; }
            if (c.value) continue;
            const where = `${label(db)} in ${home.value ?? "an unknown region"} has no cross-region copy of its backups`;
            if (isCluster(db)) {
                report(`${where} (no backup selection of it in a plan that copies to another region; RDS automated backups replication does not apply to Aurora). Fix: select it in an AWS Backup plan (aws.backup.Selection resources: [cluster.arn]) whose rules copy to a vault in another region.`, db.urn);
                continue;
            }
            report(`${where} (no InstanceAutomatedBackupsReplication from it in another region, no backup selection of it in a plan that copies to another region). Fix: select it in an AWS Backup plan (aws.backup.Selection resources: [db.arn]) whose rules copy to a vault in another region, or replicate its automated backups to another region (aws.rds.InstanceAutomatedBackupsReplication).`, db.urn);
        }
    }),
};
