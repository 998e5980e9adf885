// Replicas are written with a customer-managed key of the destination region, and SSE-KMS objects are selected.
import { StackValidationPolicy } from "@pulumi/policy";
import { judgeCmk } from "./lib/kms";
import { forTypes, label, read, T } from "./lib/stack";

type Rule = { id?: string; destination?: { encryptionConfiguration?: { replicaKmsKeyId?: string } } };

export const s3ReplicationReplicaCmk: StackValidationPolicy = {
    name: "s3-replication-replica-cmk",
    description: "S3 replication rules must encrypt replicas with a customer-managed KMS key in the destination region (destination.encryptionConfiguration.replicaKmsKeyId).",
    enforcementLevel: "mandatory",
    validateStack: forTypes(T.replication, (configs, _args, report, undecided) => {
        for (const c of configs) {
            const rules = read(() => c.props.rules as Rule[] | undefined);
            if (!rules.known) { undecided.note(rules); continue; }
            (rules.value ?? []).forEach((_, i) => {
                const id = read(() => (c.props.rules as Rule[])[i].id);
                // The replica key belongs to the destination's region, which the cross-region policy proves from it.
                const v = judgeCmk(c, "rules", () => (c.props.rules as Rule[])[i].destination?.encryptionConfiguration?.replicaKmsKeyId, { region: null });
                if (v.ok === "unknown") undecided.note({ known: false, error: v.error });
                else if (!v.ok) {
                    report(`${label(c)} rule ${JSON.stringify(id.known ? id.value ?? i : i)} writes replicas with ${v.problem} (rules[${i}].destination.encryptionConfiguration.replicaKmsKeyId). Fix: set replicaKmsKeyId to a customer-managed KMS key ARN in the destination bucket's region.`, c.urn);
                }
            });
        }
    }),
};
