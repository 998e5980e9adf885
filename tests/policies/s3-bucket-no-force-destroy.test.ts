import { find, policySpec, set, UNKNOWN } from "./fixtures";

policySpec("s3-bucket-no-force-destroy", {
    cases: [
        { name: "forceDestroy on a data bucket", change: (rs) => set(find(rs, "documents"), ["forceDestroy"], true),
            expect: [{ name: "documents", message: 'Bucket "documents" has forceDestroy true. Fix: set forceDestroy: false (or remove it).' }] },
        { name: "forceDestroy on an access-log bucket is not judged", change: (rs) => { const b = find(rs, "audit"); set(b, ["forceDestroy"], true); set(b, ["tags", "vbr:data-class"], "access-logs"); }, expect: [] },
    ],
    unknown: { name: "forceDestroy unknown", change: (rs) => set(find(rs, "documents"), ["forceDestroy"], UNKNOWN), expect: "advisory" },
});
