// The monthly verification as a Lambda function (components/integrity-check.ts deploys it; EventBridge Scheduler
// starts it): every bucket pair compared, the report recorded in the audit bucket under Object Lock, and the problem
// count published as a metric the incident alarm watches. A run that would outlast the function's 15 minutes hands
// its state (position and counts so far) to a new asynchronous invocation of itself, so buckets of any size finish.
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { recordEvent, LockMode } from "./record";
import { BucketPair, PairResult, problemCount, verifyPair } from "./replica";
import { buildReport, pairLine, verificationMarkdown } from "./report";

/** What the function is told, as JSON in VBR_VERIFY_CONFIG. */
export interface VerifierConfig {
    pairs: BucketPair[];
    /** The audit bucket the report goes to, and the records' retention. */
    record: { bucket: string; region: string; mode: LockMode; days: number };
    /** The CloudWatch namespace of ReplicaProblems and VersionsVerified. */
    namespace: string;
    graceMinutes: number;
}

/** A run carried from one invocation to the next. */
export interface RunState {
    startedAt: number;
    /** The pair being compared; the ones before it are in `done`. */
    index: number;
    done: PairResult[];
    /** The unfinished result of pair `index`, resumed after its `resumeAfter`. */
    current?: PairResult;
    invocation: number;
}

export interface LambdaContext { getRemainingTimeInMillis(): number; functionName: string }

/** What one invocation needs outside itself; tests pass their own. */
export interface HandlerDeps {
    config: VerifierConfig;
    now: () => number;
    verify: typeof verifyPair;
    record: typeof recordEvent;
    putMetrics: (namespace: string, metrics: Record<string, number>) => Promise<void>;
    /** Starts the next invocation with the state (asynchronously). */
    continueWith: (functionName: string, state: RunState) => Promise<void>;
    /** The function's log (CloudWatch Logs). */
    log: (line: string) => void;
}

/** Time kept back from the function's timeout for the last key, the report and the hand-over. */
export const RESERVE_MS = 120_000;

export const METRICS = { problems: "ReplicaProblems", verified: "VersionsVerified" } as const;

export async function runInvocation(event: Partial<RunState>, context: LambdaContext, deps: HandlerDeps) {
    const { config } = deps;
    const state: RunState = event.startedAt !== undefined
        ? { startedAt: event.startedAt, index: event.index ?? 0, done: event.done ?? [], current: event.current, invocation: (event.invocation ?? 0) + 1 }
        : { startedAt: deps.now(), index: 0, done: [], invocation: 1 };
    const deadline = deps.now() + context.getRemainingTimeInMillis() - RESERVE_MS;
    for (; state.index < config.pairs.length; state.index++) {
        const result = await deps.verify(config.pairs[state.index], { graceMinutes: config.graceMinutes, deadline, resume: state.current, now: deps.now });
        if (!result.complete) {
            await deps.continueWith(context.functionName, { ...state, current: result });
            return { continued: true, invocation: state.invocation, pair: result.name, after: result.resumeAfter };
        }
        state.done.push(result);
        state.current = undefined;
    }
    const report = buildReport({ startedAt: state.startedAt, finishedAt: deps.now(), graceMinutes: config.graceMinutes, pairs: state.done });
    // The metric first: the alarm must fire even if the record cannot be written.
    await deps.putMetrics(config.namespace, { [METRICS.problems]: problemCount(report.totals), [METRICS.verified]: report.totals.versions });
    const recorded = await deps.record({ kind: "verification", id: `verification-${report.id}`, at: state.startedAt, json: report, markdown: verificationMarkdown(report) },
        { targets: [{ bucket: config.record.bucket, region: config.record.region }], lock: { mode: config.record.mode, days: config.record.days }, now: deps.now });
    for (const p of report.pairs) deps.log(pairLine(p));
    deps.log(recorded.detail);
    // An unrecorded verification fails the invocation: Lambda's Errors metric pages through the second alarm.
    if (!recorded.ok) throw new Error(recorded.detail);
    return { ok: report.ok, totals: report.totals, record: recorded.s3.map((f) => `s3://${f.bucket}/${f.key}`) };
}

/** The deployed function's dependencies: configuration from the environment, real AWS clients. */
export function awsDeps(): HandlerDeps {
    const config = JSON.parse(process.env.VBR_VERIFY_CONFIG ?? "") as VerifierConfig;
    const cloudwatch = new CloudWatchClient({});
    const lambda = new LambdaClient({});
    return {
        config, now: Date.now, verify: verifyPair, record: recordEvent, log: (line) => console.log(line),
        putMetrics: async (namespace, metrics) => {
            await cloudwatch.send(new PutMetricDataCommand({
                Namespace: namespace, MetricData: Object.entries(metrics).map(([MetricName, Value]) => ({ MetricName, Value, Unit: "Count" })),
            }));
        },
        continueWith: async (functionName, state) => {
            await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(state)) }));
        },
    };
}

export const handler = (event: Partial<RunState>, context: LambdaContext) => runInvocation(event, context, awsDeps());
