import { expect } from "chai";
import { baseline, find, policySpec, run, set, UNKNOWN } from "./fixtures";

policySpec("kms-key-deletion-window", {
    cases: [
        { name: "7-day window", change: (rs) => set(find(rs, "key-data"), ["deletionWindowInDays"], 7),
            expect: [{ name: "key-data", message: 'Key "key-data" has deletionWindowInDays 7, below 30. Fix: set deletionWindowInDays: 30.' }] },
    ],
    unknown: { name: "window unknown", change: (rs) => set(find(rs, "key-data"), ["deletionWindowInDays"], UNKNOWN), expect: "advisory" },
});

describe("kms-key-deletion-window config", () => {
    it("rejects a floor below 30", async () => {
        const err = await run(baseline(), { "kms-key-deletion-window": { minimumDeletionWindowDays: 7 } }).then(() => null, (e: Error) => e.message);
        expect(err).to.equal("invalid policy pack config:\n  - kms-key-deletion-window.minimumDeletionWindowDays: 7 is below the minimum 30");
    });
});
