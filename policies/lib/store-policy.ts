// One shape for the `datastore-*` policies: run one area's check of lib/stores.ts on every store that has it.
import { StackValidationPolicy } from "@pulumi/policy";
import { retentionDaysSchema } from "./config";
import { STORES, StoreSpec, storeTypes } from "./stores";
import { forTypes, label } from "./stack";

export function storePolicy(area: keyof StoreSpec, name: string, description: string): StackValidationPolicy {
    return {
        name, description, enforcementLevel: "mandatory",
        ...(area === "retention" ? { configSchema: { properties: { minimumRetentionDays: retentionDaysSchema } } } : {}),
        validateStack: forTypes(storeTypes(area), (targets, args, report, undecided) => {
            const min = area === "retention" ? args.getConfig<{ minimumRetentionDays: number }>().minimumRetentionDays : 0;
            for (const r of targets) {
                for (const m of STORES[r.type][area]!(r, args.resources, undecided, min)) report(`${label(r)} ${m}`, r.urn);
            }
        }),
    };
}
