import { expect } from "chai";
import { useMocks, promiseOf } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";
import { MOCK_ACCOUNT_ID } from "../../tools/harness/mocks";
import { Naming } from "../../policies/model/naming";

import { KeyRing } from "../../components/keys";

describe("KeyRing", () => {
    let cap: Capture;
    let ring: KeyRing;
    before(() => {
        useMocks("us-east-1", "primary");
        cap = capture();
        ring = new KeyRing("k", { naming: new Naming("prod"), region: "us-east-1", accountId: MOCK_ACCOUNT_ID }, cap.opts);
    });

    it("creates one rotated, 30-day, protected and retained key per class with its alias", async () => {
        expect(cap.ofType("aws:kms/key:Key").map((r) => r.name)).to.deep.equal(["k-data", "k-backup", "k-logs", "k-secrets"]);
        for (const c of ["data", "backup", "logs", "secrets"]) {
            const key = cap.ofType("aws:kms/key:Key").find((r) => r.name === `k-${c}`)!;
            const inputs = await cap.inputs(key.name, key.type);
            expect(inputs.enableKeyRotation).to.equal(true);
            expect(inputs.deletionWindowInDays).to.equal(30);
            expect([key.protect, key.retainOnDelete]).to.deep.equal([true, true]);
            const alias = cap.ofType("aws:kms/alias:Alias").find((r) => r.name === `k-${c}`)!;
            expect((await cap.inputs(alias.name, alias.type)).name).to.equal(`alias/vbr-prod-${c}`);
        }
        expect(await promiseOf(ring.arns.data)).to.match(/^arn:aws:kms:us-east-1:123456789012:key\//);
    });

    it("lets only S3, RDS and ECR in this region use the data key, and the root administer it", async () => {
        const policy = JSON.parse((await cap.inputs("k-data", "aws:kms/key:Key")).policy);
        expect(policy.Statement[0]).to.deep.include({ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*" });
        expect(policy.Statement[1].Condition.StringEquals).to.deep.equal({
            "kms:CallerAccount": "123456789012",
            "kms:ViaService": ["s3.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com", "ecr.us-east-1.amazonaws.com"],
        });
        expect(policy.Statement[2].Condition.Bool).to.deep.equal({ "kms:GrantIsForAWSResource": "true" });
    });

    it("scopes the backup and secrets keys to their services", async () => {
        const backup = JSON.parse((await cap.inputs("k-backup", "aws:kms/key:Key")).policy);
        expect(backup.Statement[1].Condition.StringEquals["kms:ViaService"]).to.deep.equal(["backup.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"]);
        const secrets = JSON.parse((await cap.inputs("k-secrets", "aws:kms/key:Key")).policy);
        expect(secrets.Statement).to.have.length(2);
        expect(secrets.Statement[1].Condition.StringEquals["kms:ViaService"]).to.deep.equal(["secretsmanager.us-east-1.amazonaws.com"]);
    });

    it("gives CloudWatch Logs of this region the logs key only for this account's log groups", async () => {
        const logs = JSON.parse((await cap.inputs("k-logs", "aws:kms/key:Key")).policy);
        expect(logs.Statement[1].Principal).to.deep.equal({ Service: "logs.us-east-1.amazonaws.com" });
        expect(logs.Statement[1].Condition).to.deep.equal({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*" } });
    });

    it("lets CloudWatch alarms use the logs key for this account's alarms only, and EventBridge without source conditions", async () => {
        const logs = JSON.parse((await cap.inputs("k-logs", "aws:kms/key:Key")).policy);
        const bySid = (sid: string) => logs.Statement.find((st: { Sid: string }) => st.Sid === sid);
        expect(bySid("IncidentTopicAlarms")).to.deep.equal({
            Sid: "IncidentTopicAlarms", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" } },
        });
        // EventBridge's KMS requests for an SNS target carry no aws:SourceAccount/aws:SourceArn: any condition on
        // them would drop every failure notification silently (docs/aws-facts.md).
        expect(bySid("IncidentTopicEventRules")).to.deep.equal({
            Sid: "IncidentTopicEventRules", Effect: "Allow", Principal: { Service: "events.amazonaws.com" },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*",
        });
    });
});
