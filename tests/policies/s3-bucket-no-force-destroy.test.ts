import { albLoggingTo, elbLogDeliveryPolicy, find, policySpec, retype, set, UNKNOWN, V2 } from "./fixtures";

const UNPROVEN = "it is tagged vbr:data-class = access-logs, but no load balancer of this stack writes its access logs to it and its bucket policy does not grant only ELB log delivery, so the tag exempts nothing";

policySpec("s3-bucket-no-force-destroy", {
    cases: [
        { name: "forceDestroy on a data bucket", change: (rs) => set(find(rs, "documents"), ["forceDestroy"], true),
            expect: [{ name: "documents", message: 'Bucket "documents" has forceDestroy true. Fix: set forceDestroy: false (or remove it).' }] },
        { name: "forceDestroy on a BucketV2", change: (rs) => { set(retype(rs, find(rs, "documents"), V2.bucket), ["forceDestroy"], true); },
            expect: [{ name: "documents", message: 'BucketV2 "documents" has forceDestroy true. Fix: set forceDestroy: false (or remove it).' }] },
        { name: "the access-logs tag alone does not allow forceDestroy", change: (rs) => { const b = find(rs, "audit"); set(b, ["forceDestroy"], true); set(b, ["tags", "vbr:data-class"], "access-logs"); },
            expect: [{ name: "audit", message: `Bucket "audit" has forceDestroy true (${UNPROVEN}). Fix: set forceDestroy: false (or remove it).` }] },
        { name: "forceDestroy on a proven access-log bucket (a load balancer logs to it) is not judged", change: (rs) => {
            const b = find(rs, "audit"); set(b, ["forceDestroy"], true); set(b, ["tags", "vbr:data-class"], "access-logs"); albLoggingTo(rs, b);
        }, expect: [] },
        { name: "forceDestroy on a proven access-log bucket (bucket policy grants only ELB log delivery) is not judged", change: (rs) => {
            const b = find(rs, "audit"); set(b, ["forceDestroy"], true); set(b, ["tags", "vbr:data-class"], "access-logs");
            set(find(rs, "audit-policy"), ["policy"], elbLogDeliveryPolicy("vbr-audit-us-east-1"));
        }, expect: [] },
    ],
    unknown: { name: "forceDestroy unknown", change: (rs) => set(find(rs, "documents"), ["forceDestroy"], UNKNOWN), expect: "advisory" },
});
