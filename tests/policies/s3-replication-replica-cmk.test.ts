import { find, policySpec, set, UNKNOWN } from "./fixtures";

const key = ["rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"];

policySpec("s3-replication-replica-cmk", {
    cases: [
        { name: "aws/s3 replica key", change: (rs) => set(find(rs, "documents-replication"), key, "alias/aws/s3"),
            expect: [{ name: "documents-replication", message: 'BucketReplicationConfig "documents-replication" rule "documents-to-us-west-2" writes replicas with the AWS-managed key "alias/aws/s3" (rules[0].destination.encryptionConfiguration.replicaKmsKeyId). Fix: set replicaKmsKeyId to a customer-managed KMS key ARN in the destination bucket\'s region.' }] },
        { name: "no replica key", change: (rs) => set(find(rs, "audit-replication"), key, undefined),
            expect: [{ name: "audit-replication", message: 'BucketReplicationConfig "audit-replication" rule "audit-to-us-west-2" writes replicas with no KMS key (rules[0].destination.encryptionConfiguration.replicaKmsKeyId). Fix: set replicaKmsKeyId to a customer-managed KMS key ARN in the destination bucket\'s region.' }] },
    ],
    unknown: { name: "replica key unknown", change: (rs) => set(find(rs, "documents-replication"), key, UNKNOWN), expect: "advisory" },
});
