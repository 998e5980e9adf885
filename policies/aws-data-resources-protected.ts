// Data-bearing resources cannot be deleted by a Pulumi operation: `protect: true`.
//
// The analyzer protocol sends `protect` but not `retainOnDelete`, so the policy requires protect (the project
// sets both). A DR drill's disposable database copy is the one exception, and only when deleting it leaves a
// final snapshot.
import { StackValidationPolicy } from "@pulumi/policy";
import { DB_TYPES, drillCopyFinalSnapshotProblem } from "./lib/rds";
import { forTypes, isOf, label, T } from "./lib/stack";
import { STORE_DATA_TYPES } from "./lib/stores";

/** Every data-bearing type the pack knows: buckets, databases, vaults, keys, secrets and the other data stores. */
export const DATA_TYPES: readonly string[] = [...T.bucket, ...DB_TYPES, ...T.vault, ...T.key, ...T.secret, ...STORE_DATA_TYPES];

export const awsDataResourcesProtected: StackValidationPolicy = {
    name: "aws-data-resources-protected",
    description: "Data-bearing resources (S3 buckets, RDS instances, Aurora clusters, backup vaults, KMS keys, secrets, and DynamoDB, EFS, EBS, Redshift, ElastiCache, DocumentDB, Neptune and OpenSearch stores) must be protected (protect: true, with retainOnDelete); a drill database copy may be unprotected only if it takes a final snapshot.",
    enforcementLevel: "mandatory",
    validateStack: forTypes(DATA_TYPES, (targets, args, report, undecided) => {
        for (const r of targets) {
            if (r.opts.protect) continue;
            if (isOf(r, DB_TYPES)) {
                const why = drillCopyFinalSnapshotProblem(r, args.resources);
                if (!why.known) { undecided.note(why); continue; }
                if (why.value === undefined) continue;
                report(`${label(r)} is not protected (protect: false) and ${why.value}. Fix: set { protect: true, retainOnDelete: true } in its resource options, or, for a disposable drill copy restored from a snapshot or a point in time, tag it vbr:lifecycle = drill with skipFinalSnapshot: false and a finalSnapshotIdentifier.`, r.urn);
                continue;
            }
            report(`${label(r)} is not protected (protect: false): a pulumi destroy or replacement would delete its data. Fix: set { protect: true, retainOnDelete: true } in its resource options.`, r.urn);
        }
    }),
};
