// RDS instances refuse deletion from the API as well (deletionProtection), except a drill copy with a final snapshot.
import { StackValidationPolicy } from "@pulumi/policy";
import { drillCopyFinalSnapshotProblem } from "./lib/rds";
import { forTypes, label, read, T } from "./lib/stack";

export const rdsInstanceDeletionProtection: StackValidationPolicy = {
    name: "rds-instance-deletion-protection",
    description: "RDS instances must set deletionProtection: true; a drill copy (vbr:lifecycle = drill) may not, if it takes a final snapshot.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.dbInstance, (dbs, _args, report, undecided) => {
        for (const db of dbs) {
            const v = read(() => db.props.deletionProtection);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value === true) continue;
            const why = drillCopyFinalSnapshotProblem(db);
            if (why === undefined) continue;
            report(`${label(db)} has deletionProtection ${JSON.stringify(v.value ?? "unset (false)")} and ${why}. Fix: set deletionProtection: true.`, db.urn);
        }
    }),
};
