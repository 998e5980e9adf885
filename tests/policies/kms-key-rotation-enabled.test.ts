import { find, policySpec, set, UNKNOWN } from "./fixtures";

policySpec("kms-key-rotation-enabled", {
    cases: [
        { name: "rotation off", change: (rs) => set(find(rs, "key-data"), ["enableKeyRotation"], false),
            expect: [{ name: "key-data", message: 'Key "key-data" has enableKeyRotation false. Fix: set enableKeyRotation: true.' }] },
        { name: "rotation unset", change: (rs) => set(find(rs, "key-logs"), ["enableKeyRotation"], undefined),
            expect: [{ name: "key-logs", message: 'Key "key-logs" has enableKeyRotation "unset (false)". Fix: set enableKeyRotation: true.' }] },
    ],
    unknown: { name: "rotation unknown", change: (rs) => set(find(rs, "key-data"), ["enableKeyRotation"], UNKNOWN), expect: "advisory" },
});
