import { expect } from "chai";
import { useMocks } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";
import { MOCK_ACCOUNT_ID } from "../../tools/harness/mocks";
import { Naming } from "../../policies/model/naming";
import { ContainerRegistry } from "../../components/registry";

function build(role: "primary" | "dr", region: string, peerRegion: string, replicateToPeer?: boolean): Capture {
    useMocks(region, role);
    const cap = capture();
    new ContainerRegistry("reg", {
        naming: new Naming("prod"), role, peerRegion, replicateToPeer, accountId: MOCK_ACCOUNT_ID, dataKeyArn: `arn:aws:kms:${region}:123456789012:key/data`,
    }, cap.opts);
    return cap;
}

describe("ContainerRegistry", () => {
    it("primary: an immutable, scanned, CMK-encrypted, protected repository replicated to us-west-2", async () => {
        const cap = build("primary", "us-east-1", "us-west-2");
        const repo = cap.named("reg-app", "aws:ecr/repository:Repository");
        expect(repo.protect).to.equal(true);
        expect(await cap.inputs(repo.name, repo.type)).to.deep.include({
            name: "vbr-prod/app", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:123456789012:key/data" }],
        });
        const life = JSON.parse((await cap.inputs("reg-app", "aws:ecr/lifecyclePolicy:LifecyclePolicy")).policy);
        expect(life.rules[0].selection).to.deep.equal({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 });
        const repl = await cap.inputs("reg-replication");
        // Only this environment's repositories: without a filter ECR would copy every repository of the account.
        expect(repl.replicationConfiguration).to.deep.equal({ rules: [{
            destinations: [{ region: "us-west-2", registryId: "123456789012" }], repositoryFilters: [{ filter: "vbr-prod/", filterType: "PREFIX_MATCH" }],
        }] });
    });

    it("dr: the same repository, no replication configuration (one per registry; the primary owns it)", async () => {
        const cap = build("dr", "us-west-2", "us-east-1");
        expect(cap.ofType("aws:ecr/replicationConfiguration:ReplicationConfiguration")).to.deep.equal([]);
        expect((await cap.inputs("reg-app", "aws:ecr/repository:Repository")).encryptionConfigurations[0].kmsKey).to.equal("arn:aws:kms:us-west-2:123456789012:key/data");
    });

    it("dr in failover with the primary's region available: replicates this environment's repositories back to us-east-1", async () => {
        const cap = build("dr", "us-west-2", "us-east-1", true);
        expect((await cap.inputs("reg-replication")).replicationConfiguration).to.deep.equal({ rules: [{
            destinations: [{ region: "us-east-1", registryId: "123456789012" }], repositoryFilters: [{ filter: "vbr-prod/", filterType: "PREFIX_MATCH" }],
        }] });
    });
});
