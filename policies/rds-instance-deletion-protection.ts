// RDS instances and Aurora clusters refuse deletion from the API as well (deletionProtection), except a drill
// copy with a final snapshot.
import { StackValidationPolicy } from "@pulumi/policy";
import { DB_TYPES, drillCopyFinalSnapshotProblem } from "./lib/rds";
import { forTypes, label, read } from "./lib/stack";

export const rdsInstanceDeletionProtection: StackValidationPolicy = {
    name: "rds-instance-deletion-protection",
    description: "RDS instances and Aurora clusters must set deletionProtection: true; a drill copy (vbr:lifecycle = drill) may not, if it takes a final snapshot.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(DB_TYPES, (dbs, args, report, undecided) => {
        for (const db of dbs) {
            const v = read(() => db.props.deletionProtection);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value === true) continue;
            const why = drillCopyFinalSnapshotProblem(db, args.resources);
            if (!why.known) { undecided.note(why); continue; }
            if (why.value === undefined) continue;
            report(`${label(db)} has deletionProtection ${JSON.stringify(v.value ?? "unset (false)")} and ${why.value}. Fix: set deletionProtection: true.`, db.urn);
        }
    }),
};
