// A KMS key scheduled for deletion must stay recoverable for at least 30 days: losing it loses every copy it encrypts.
import { StackValidationPolicy } from "@pulumi/policy";
import { forTypes, label, read, T } from "./lib/stack";
import { KMS_DELETION_WINDOW_DAYS } from "./model/plan";

export interface KmsDeletionWindowConfig { minimumDeletionWindowDays: number }

export const kmsKeyDeletionWindow: StackValidationPolicy = {
    name: "kms-key-deletion-window",
    description: "KMS keys must keep a deletion window of at least 30 days (deletionWindowInDays; AWS's default is 30).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: { minimumDeletionWindowDays: { type: "integer", default: KMS_DELETION_WINDOW_DAYS, minimum: KMS_DELETION_WINDOW_DAYS, maximum: KMS_DELETION_WINDOW_DAYS, description: "30 is both the floor and AWS's maximum." } },
    },
    validateStack: forTypes(T.key, (keys, args, report, undecided) => {
        const { minimumDeletionWindowDays: min } = args.getConfig<KmsDeletionWindowConfig>();
        for (const k of keys) {
            const v = read(() => k.props.deletionWindowInDays as number | undefined);
            if (!v.known) { undecided.note(v); continue; }
            if (v.value !== undefined && v.value < min) {
                report(`${label(k)} has deletionWindowInDays ${v.value}, below ${min}. Fix: set deletionWindowInDays: ${min}.`, k.urn);
            }
        }
    }),
};

