// One cell of a parallel plan (tools/plan/jobs.ts): runs the plan on the stacks it is sent and answers with the report.
import { ProjectError } from "../harness/project";
import { SynthesisError } from "../harness/recorder";
import { UsageError } from "./options";
import { plan } from "./run";
import type { WorkerAnswer, WorkerRequest } from "./jobs";

process.once("message", (m) => {
    const { opts, cwd } = m as WorkerRequest;
    const io = { cwd, color: false, stdout: () => undefined, stderr: (t: string) => { process.stderr.write(t); } };
    const answer = (a: WorkerAnswer) => process.send!(a, () => process.disconnect());
    plan(opts, io).then(({ report, descriptions }) => answer({ ok: true, report, descriptions }), (err: unknown) => {
        const known = err instanceof UsageError || err instanceof ProjectError || err instanceof SynthesisError;
        const e = err as Error;
        answer({ ok: false, message: known ? e.message : `the offline plan failed unexpectedly: ${e?.message ?? String(err)}` });
    });
});
