import { expect } from "chai";
import { baseline, cmkPolicySpec, find, reported, set, UNKNOWN, withCluster } from "./fixtures";

cmkPolicySpec("rds-instance-storage-cmk", {
    resource: "db", label: "Instance", field: "kmsKeyId", awsAlias: "alias/aws/rds",
    extra: [
        { name: "storage not encrypted", change: (rs) => set(find(rs, "db"), ["storageEncrypted"], false),
            expect: [{ name: "db", message: 'Instance "db": storageEncrypted is false. Fix: set storageEncrypted: true with kmsKeyId = the stack\'s data key.' }] },
        { name: "Aurora cluster not encrypted, no key", change: (rs) => { const c = withCluster(rs); set(c, ["storageEncrypted"], false); set(c, ["kmsKeyId"], undefined); delete c.propertyDependencies.kmsKeyId; },
            expect: [
                { name: "aurora", message: 'Cluster "aurora": storageEncrypted is false. Fix: set storageEncrypted: true with kmsKeyId = the stack\'s data key.' },
                { name: "aurora", message: 'Cluster "aurora" encrypts with no KMS key (the service falls back to its AWS-managed key) (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' },
            ] },
        { name: "Aurora cluster with the AWS-managed key", change: (rs) => set(withCluster(rs), ["kmsKeyId"], "alias/aws/rds"),
            expect: [{ name: "aurora", message: 'Cluster "aurora" encrypts with the AWS-managed key "alias/aws/rds" (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "a compliant Aurora cluster passes", change: (rs) => { withCluster(rs); }, expect: [] },
    ],
});

describe("rds-instance-storage-cmk: unknown encryption settings surface the advisory", () => {
    const advisory = async (change: (rs: ReturnType<typeof baseline>) => void) => {
        const rs = baseline();
        change(rs);
        const got = await reported("rds-instance-storage-cmk", rs);
        expect(got.map((v) => v.level)).to.deep.equal(["advisory"]);
        expect(got[0].message).to.match(/can't be known during preview$/);
    };
    it("storageEncrypted unknown", () => advisory((rs) => set(find(rs, "db"), ["storageEncrypted"], UNKNOWN)));
    it("storageEncrypted unset on an instance whose replica source is unknown and not from a database of this stack", () => advisory((rs) => {
        const db = find(rs, "db"); set(db, ["storageEncrypted"], undefined); set(db, ["replicateSourceDb"], UNKNOWN);
    }));
    it("Aurora storageEncrypted unknown", () => advisory((rs) => set(withCluster(rs), ["storageEncrypted"], UNKNOWN)));
});
