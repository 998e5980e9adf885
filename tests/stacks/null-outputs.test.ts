// The stacks export what they do not have (a standby DR stack's database, endpoint and replicationSource) as an
// explicit null, not undefined (which makes the engine warn on every update). Every reader treats null as absent: the
// other stack's StackReference readers, and the drill and failback runners' view of a stack's outputs.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { readDr, readPrimary } from "../../stacks/primary-reference";
import { outputValue } from "../../tools/drill/session";

/** A StackReference that answers every output with `value` (null: exported as null; undefined: not exported). */
const reference = (value: unknown) => ({ getOutputDetails: async () => ({ value }) }) as unknown as pulumi.StackReference;

describe("null stack outputs read as absent", () => {
    it("the DR stack's read of the primary: null and missing give the same answer", async () => {
        const expected = { stack: "organization/vbr/primary", replicationSource: undefined, secretArn: undefined };
        expect(await readPrimary(reference(null), "organization/vbr/primary")).to.deep.equal(expected);
        expect(await readPrimary(reference(undefined), "organization/vbr/primary")).to.deep.equal(expected);
    });

    it("the recovering primary's read of the DR stack: null and missing are refused with the same message", async () => {
        const messages: string[] = [];
        for (const value of [null, undefined]) {
            try {
                await readDr(reference(value), "organization/vbr/dr");
                messages.push("no error");
            } catch (err) {
                expect(err).to.be.instanceOf(pulumi.RunError);
                messages.push((err as Error).message);
            }
        }
        expect(messages[0]).to.match(/^vbr:primaryState = "recovering": the DR stack organization\/vbr\/dr \(vbr:drStack\) exports no serving database/);
        expect(messages[1]).to.equal(messages[0]);
    });

    it("the runners' outputValue: null is undefined, a value is itself", () => {
        const outputs = { database: { value: null }, endpoint: { value: "alb.example" } };
        expect([outputValue(outputs, "database"), outputValue(outputs, "missing"), outputValue(outputs, "endpoint")]).to.deep.equal([undefined, undefined, "alb.example"]);
    });
});
