// runMain (tools/lib/cli.ts), the entry of drill, drill:learn and plan: an error that `main` did not handle prints
// one line and exits 2 (the stack trace only with DEBUG), and a normal exit waits for stdout.
import { expect } from "chai";
import { PassThrough } from "stream";
import { EXIT_USAGE, MainProcess, runMain } from "../../tools/lib/cli";

function fakeProcess(env: Record<string, string | undefined> = {}): MainProcess & { err: () => string; code: () => number | undefined } {
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (d) => { err += d.toString(); });
    let code: number | undefined;
    return {
        argv: ["node", "tools/drill.ts", "--keep"], env, stdout: new PassThrough().resume(), stderr,
        exit: (c) => { code = c; }, err: () => err, code: () => code,
    };
}

describe("runMain", () => {
    it("exits with main's code and passes it the arguments after the script", async () => {
        const proc = fakeProcess();
        let seen: string[] = [];
        await runMain(async (argv) => { seen = argv; return 1; }, proc);
        expect([seen, proc.code(), proc.err()]).to.deep.equal([["--keep"], 1, ""]);
    });

    it("an unexpected error prints one line without a stack trace and exits 2", async () => {
        const proc = fakeProcess();
        await runMain(async () => { throw new Error("connect ECONNREFUSED 127.0.0.1:443\n    at TCPConnectWrap.afterConnect"); }, proc);
        expect(proc.code()).to.equal(EXIT_USAGE);
        expect(proc.err()).to.equal("error: connect ECONNREFUSED 127.0.0.1:443\n");
    });

    it("with DEBUG set, the stack trace follows the line; a thrown non-Error is printed too", async () => {
        const proc = fakeProcess({ DEBUG: "1" });
        await runMain(async () => { throw new TypeError("x is not a function"); }, proc);
        expect(proc.code()).to.equal(2);
        const lines = proc.err().split("\n");
        expect(lines[0]).to.equal("error: x is not a function");
        expect(lines[1]).to.equal("TypeError: x is not a function");
        expect(lines[2]).to.match(/^\s+at /);

        const plain = fakeProcess();
        await runMain(() => Promise.reject("boom"), plain);
        expect([plain.code(), plain.err()]).to.deep.equal([2, "error: boom\n"]);
    });
});
