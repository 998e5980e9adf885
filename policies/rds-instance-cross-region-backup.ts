// Every RDS instance and Aurora cluster has a copy of its backups in another region.
//
// Accepted: for an instance, an InstanceAutomatedBackupsReplication of this stack whose sourceDbInstanceArn comes
// from the instance (property dependency or same ARN) and which lives in another region; for an instance or an
// Aurora cluster, an AWS Backup selection of this stack that selects it (by ARN, by wildcard or by tags) for a plan
// whose rules copy to another region. RDS automated backups replication does not apply to Aurora.
// Not judged: read replicas (a cross-region replica is itself the copy), drill copies proven from the graph
// (lib/rds.ts notADrillCopy: tagged, restored, replicated by nothing), disposable copies of data already copied, and restored instances with deferred backups
// (`rds-instance-backups-deferred` tells the on-call to turn backups on).
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { backupPlanCopy } from "./lib/backup";
import { DB_TYPES, hasDeferredBackups, isCluster, isReadReplica, notADrillCopy } from "./lib/rds";
import { anyOf, effectiveRegion, forTypes, isOf, known, label, linksTo, Read, T } from "./lib/stack";

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
    const plan = backupPlanCopy(db, all, home);
    if (!plan.known || plan.value) return plan;
    return pending ?? { known: true, value: undefined };
}

export const rdsInstanceCrossRegionBackup: StackValidationPolicy = {
    name: "rds-instance-cross-region-backup",
    description: "Every RDS instance and Aurora cluster must have its backups copied to another region: automated backups replication from it (instances only), or an AWS Backup plan that selects it and copies cross-region.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(DB_TYPES, (dbs, args, report, undecided) => {
        for (const db of dbs) {
            const drill = notADrillCopy(db, args.resources);
            const exempt = anyOf(isReadReplica(db), drill.known ? known(drill.value === undefined) : drill, hasDeferredBackups(db));
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
