// Advisory: a restored database runs without backups until the on-call turns them on after bring-up.
//
// Restoring with backups off avoids the provider's multi-hour wait for the baseline backup
// (hashicorp/terraform-provider-aws#44104); the instance is then unprotected against a second incident until
// someone sets backupRetentionPeriod back to 35. A proven drill copy is exempt: it is deleted, leaving its final
// snapshot, when the drill returns to standby, so no step ever turns its backups on and an advisory asking for one
// would send the on-call after nothing.
import { StackValidationPolicy } from "@pulumi/policy";
import { hasDeferredBackups, notADrillCopy } from "./lib/rds";
import { forTypes, label, T } from "./lib/stack";

export const rdsInstanceBackupsDeferred: StackValidationPolicy = {
    name: "rds-instance-backups-deferred",
    description: "A restored RDS instance with deferred backups (backupRetentionPeriod 0, tag vbr:backups = deferred) must get its backups enabled right after bring-up; a proven drill copy, deleted when the drill ends, is exempt.",
    enforcementLevel: "advisory",
    validateStack: forTypes(T.dbInstance, (dbs, args, report, undecided) => {
        for (const db of dbs) {
            const deferred = hasDeferredBackups(db);
            if (!deferred.known) { undecided.note(deferred); continue; }
            if (!deferred.value) continue;
            const drill = notADrillCopy(db, args.resources);
            if (!drill.known) { undecided.note(drill); continue; }
            if (drill.value === undefined) continue;
            report(`${label(db)} was restored with backupRetentionPeriod 0 (vbr:backups = deferred). This restored database has no automated backups and no point-in-time recovery. Fix: once the service is up, set backupRetentionPeriod to 35 and remove the vbr:backups tag.`, db.urn);
        }
    }),
};
