// AwsDrillChecks.databaseCredentials with the SDK client's send stubbed: the request it makes, the JSON it accepts,
// and that no failure detail quotes the secret. What this cannot prove: IAM/KMS access to the real replica.
import { expect } from "chai";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AwsDrillChecks } from "../../tools/lib/drill-checks";

const ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:vbr-prod/database/master-a1b2c3";

describe("AwsDrillChecks.databaseCredentials (stubbed SDK)", () => {
    const original = SecretsManagerClient.prototype.send;
    let sent: Array<{ region: string; input: unknown }>;
    const answer = (reply: (() => Promise<unknown>)) => {
        sent = [];
        SecretsManagerClient.prototype.send = async function (this: SecretsManagerClient, command: unknown) {
            expect(command).to.be.instanceOf(GetSecretValueCommand);
            sent.push({ region: await this.config.region(), input: (command as GetSecretValueCommand).input });
            return reply();
        } as typeof original;
    };
    afterEach(() => { SecretsManagerClient.prototype.send = original; });

    it("reads the replica by ARN in the DR region and returns its username and password", async () => {
        answer(async () => ({ SecretString: JSON.stringify({ username: "vbr_admin", password: "s3cr3t" }), VersionId: "v-1" }));
        const r = await new AwsDrillChecks().databaseCredentials(ARN, "us-west-2");
        expect(sent).to.deep.equal([{ region: "us-west-2", input: { SecretId: ARN } }]);
        expect(r).to.deep.equal({
            ok: true, credentials: { username: "vbr_admin", password: "s3cr3t" },
            detail: `read ${ARN} in us-west-2 (version v-1, user vbr_admin)`,
        });
    });

    it("rejects a secret that is not username/password JSON without quoting it", async () => {
        for (const text of ["not-json s3cr3t", JSON.stringify({ username: "vbr_admin" }), JSON.stringify({ user: "x", pass: "s3cr3t" })]) {
            answer(async () => ({ SecretString: text }));
            const r = await new AwsDrillChecks().databaseCredentials(ARN, "us-west-2");
            expect(r).to.deep.equal({ ok: false, detail: `the database secret ${ARN} in us-west-2 is not JSON with string username and password` });
        }
    });

    it("reports an SDK error with its name and the secret it tried", async () => {
        answer(async () => { const e = new Error("Secrets Manager can't find the specified secret."); e.name = "ResourceNotFoundException"; throw e; });
        const r = await new AwsDrillChecks().databaseCredentials(ARN, "us-west-2");
        expect(r).to.deep.equal({ ok: false, detail: `could not read the database secret ${ARN} in us-west-2: ResourceNotFoundException: Secrets Manager can't find the specified secret.` });
    });
});
