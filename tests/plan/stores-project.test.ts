// A compliant program written without this project's components or naming (tests/fixtures/stores-project), judged
// by the real pack through the offline plan: no violation with values known, none in a first preview, every
// data-bearing resource judged. Then one guarantee broken at a time in its source: the intended policy fails it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { main } from "../../tools/plan";
import type { PlanReport } from "../../tools/plan/report";

const fixture = path.join(__dirname, "..", "fixtures", "stores-project");

async function judge(dir: string): Promise<{ code: number; report: PlanReport; err: string }> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "stores-plan-"));
    const json = path.join(out, "plan.json");
    const io = { cwd: path.join(__dirname, "..", ".."), color: false, err: "", stdout: () => undefined, stderr: (t: string) => { io.err += t; } };
    const code = await main(["--project", dir, "--json", json], io);
    return { code, report: JSON.parse(fs.readFileSync(json, "utf8")) as PlanReport, err: io.err };
}

/** A copy of the fixture with `from` replaced by `to` in its program. */
function variant(from: string, to: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stores-project-"));
    for (const f of fs.readdirSync(fixture)) fs.copyFileSync(path.join(fixture, f), path.join(dir, f));
    // The program's imports resolve from the repository's packages.
    fs.symlinkSync(path.join(__dirname, "..", "..", "node_modules"), path.join(dir, "node_modules"), "dir");
    const program = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
    expect(program, from).to.include(from);
    fs.writeFileSync(path.join(dir, "index.ts"), program.replace(from, to));
    return dir;
}

describe("offline plan on a compliant program in another style", function () {
    this.timeout(180_000);

    it("passes with no violation in either run and leaves no data-bearing resource unjudged", async () => {
        const { code, report, err } = await judge(fixture);
        expect(code, err).to.equal(0);
        const [stack] = report.stacks;
        expect(stack.violations.map((v) => `${v.policy} ${v.urn}: ${v.message}`)).to.deep.equal([]);
        expect(stack.coverage).to.deep.equal({ unjudged: [], remoteComponents: [] });
    });

    const broken: Array<[string, string, string, string]> = [
        ["a prefix filter on the replication rule", 'id: "all", status: "Enabled", filter: {},', 'id: "all", status: "Enabled", filter: { prefix: "2024/" },', "s3-bucket-cross-region-replication"],
        ["the plain-HTTP deny narrowed to a prefix of the objects", 'Resource: `${arn}/*`, Condition: { Bool:', 'Resource: `${arn}/public/*`, Condition: { Bool:', "s3-bucket-tls-only"],
        ["the weekly plan turned monthly", '"cron(0 5 ? * SUN *)"', '"cron(0 5 1 * ? *)"', "backup-plan-retention"],
        ["the table's replica moved to the table's region", 'new aws.dynamodb.TableReplica("orders-west", { globalTableArn: table.arn, kmsKeyArn: westKey.arn, deletionProtectionEnabled: true }, { ...keep, provider: west });',
            'new aws.dynamodb.TableReplica("orders-west", { globalTableArn: table.arn, kmsKeyArn: key.arn, deletionProtectionEnabled: true }, keep);', "datastore-cross-region-copy"],
        ["the database encrypted with the other region's key", "storageEncrypted: true, kmsKeyId: key.arn,", "storageEncrypted: true, kmsKeyId: westKey.arn,", "rds-instance-storage-cmk"],
    ];
    for (const [what, from, to, policy] of broken) {
        it(`fails ${what} (${policy})`, async () => {
            const { code, report } = await judge(variant(from, to));
            expect(code).to.equal(1);
            expect([...new Set(report.stacks[0].violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))]).to.include(policy);
        });
    }
});
