import { expect } from "chai";
import { baseline, cmkPolicySpec, find, reported, set, UNKNOWN, withCluster } from "./fixtures";

cmkPolicySpec("rds-instance-storage-cmk", {
    resource: "db", label: "Instance", field: "kmsKeyId", awsAlias: "alias/aws/rds", absent: "no KMS key (RDS then uses its AWS-managed key aws/rds)",
    extra: [
        { name: "storage not encrypted", change: (rs) => set(find(rs, "db"), ["storageEncrypted"], false),
            expect: [{ name: "db", message: 'Instance "db": storage is not encrypted (storageEncrypted false). Fix: set storageEncrypted: true and kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "Aurora cluster not encrypted, no key", change: (rs) => { const c = withCluster(rs); set(c, ["storageEncrypted"], false); set(c, ["kmsKeyId"], undefined); delete c.propertyDependencies.kmsKeyId; },
            // One violation per resource and cause: the unencrypted storage, whose fix names the key too.
            expect: [{ name: "aurora", message: 'Cluster "aurora": storage is not encrypted (storageEncrypted false). Fix: set storageEncrypted: true and kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "a key of another region", change: (rs) => set(find(rs, "db"), ["kmsKeyId"], "arn:aws:kms:us-west-2:123456789012:key/data-0000"),
            expect: [{ name: "db", message: 'Instance "db" encrypts with the key "arn:aws:kms:us-west-2:123456789012:key/data-0000" of us-west-2, while the resource is in us-east-1 (AWS accepts only a key of the resource\'s own region) (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "a bare key id from a key of this stack in another region", change: (rs) => {
            const k = find(rs, "key-data"); k.inputs.region = "us-west-2"; set(find(rs, "db"), ["kmsKeyId"], "1234abcd-0000");
        }, expect: [{ name: "db", message: 'Instance "db" encrypts with the key "1234abcd-0000" of us-west-2, while the resource is in us-east-1 (AWS accepts only a key of the resource\'s own region) (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
        { name: "unknown key ARN from a key of this stack in another region", change: (rs) => {
            const k = find(rs, "key-data"); k.inputs.region = "us-west-2"; set(find(rs, "db"), ["kmsKeyId"], UNKNOWN);
        }, expect: [{ name: "db", message: 'Instance "db" encrypts with a key of us-west-2, while the resource is in us-east-1 (AWS accepts only a key of the resource\'s own region) (kmsKeyId). Fix: set kmsKeyId to a customer-managed KMS key ARN in the resource\'s region.' }] },
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
