// One-off ECS tasks: the drill seeds and deletes its canary row with the primary's app task definition, and checks the
// drill copy with the DR stack's validation task, both from inside their VPC; the failback seeds its canary row in
// region B and looks for it in region A (tools/failback/database.ts). The runner starts the task (RunTask, private
// subnets, the task security group, no public IP), polls DescribeTasks until it stops, then reads its
// container's exit code and its log lines (CloudWatch Logs, awslogs stream `<prefix>/<container>/<task id>`).
//
// The image's validation command (docs/drill.md, "The validation command") prints one result line,
// `VBR_DB_CHECK {json}`, and exits 0 on success.
import { DescribeTasksCommand, ECSClient, RunTaskCommand, Task } from "@aws-sdk/client-ecs";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { OneOffTask } from "../../components/service-validation";
import { AwsClientOptions, clientConfig, fmtWait, message, sleep } from "./aws";

/** The validation command's result line prefix. */
export const RESULT_PREFIX = "VBR_DB_CHECK ";

/** Exit codes of the validation command (docs/drill.md): anything else is an unexpected error. */
export const EXIT_CODES: Record<number, string> = {
    0: "ok",
    2: "usage or configuration error (a missing environment variable or mode)",
    3: "could not connect: network, TLS verification against the RDS CA bundle, or IAM/password authentication",
    4: "the write failed (read-only copy, permissions, or the canary/probe table is missing)",
    5: "the canary row is missing from this database",
};

/** What the validation command reports (the JSON after RESULT_PREFIX); fields by mode. */
export interface CheckOutput {
    mode: "seed" | "verify" | "delete" | "find";
    canaryId?: string;
    /** seed: when the row was written (the database's clock, ISO 8601). */
    writtenAt?: string;
    /** verify: the probe row it wrote. */
    probeId?: number | string;
    /** verify and find: the requested canary's write time, null when it is missing. */
    canaryWrittenAt?: string | null;
    /** find: whether the server is a read replica (`pg_is_in_recovery()`). */
    inRecovery?: boolean;
    /** verify: the newest canary row in this database (the seeded one, or a newer heartbeat). */
    newestCanaryId?: string | null;
    newestCanaryWrittenAt?: string | null;
    /** delete: rows removed. */
    deleted?: number;
}

export interface TaskRun {
    ok: boolean;
    detail: string;
    taskArn?: string;
    exitCode?: number;
    /** The task's log lines (at most the last 50). */
    lines: string[];
    output?: CheckOutput;
}

export interface TaskRequest {
    region: string;
    task: OneOffTask;
    command: string[];
    environment: Record<string, string>;
    /** @default 10 min */
    timeoutMs?: number;
    signal?: AbortSignal;
    /** RunTask's startedBy: who started the task, as ECS and CloudTrail show it. @default "vbr-drill" */
    startedBy?: string;
}

/** The command's result line among the log lines, or undefined. */
export function parseResult(lines: string[]): CheckOutput | undefined {
    for (const line of [...lines].reverse()) {
        const at = line.indexOf(RESULT_PREFIX);
        if (at < 0) continue;
        try {
            const parsed = JSON.parse(line.slice(at + RESULT_PREFIX.length)) as CheckOutput;
            if (parsed && typeof parsed === "object" && typeof parsed.mode === "string") return parsed;
        } catch {
            // a malformed line is no result; an earlier one may be
        }
    }
    return undefined;
}

export interface TaskRunnerOptions extends AwsClientOptions {
    /** Between two DescribeTasks calls. @default 10 s */
    pollMs?: number;
    /** @default Date.now */
    now?: () => number;
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs one-off tasks and reads their results. */
export class TaskRunner {
    private readonly pollMs: number;
    private readonly now: () => number;
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;

    constructor(private readonly o: TaskRunnerOptions = {}) {
        this.pollMs = o.pollMs ?? 10_000;
        this.now = o.now ?? Date.now;
        this.wait = o.sleep ?? sleep;
    }

    async run(r: TaskRequest): Promise<TaskRun> {
        const what = `${r.command.join(" ")} (task definition ${r.task.taskDefinition} on ${r.task.cluster})`;
        const ecs = new ECSClient(clientConfig(this.o, r.region));
        let taskArn: string | undefined;
        try {
            const out = await ecs.send(new RunTaskCommand({
                cluster: r.task.cluster, taskDefinition: r.task.taskDefinition, launchType: "FARGATE", count: 1, startedBy: r.startedBy ?? "vbr-drill",
                networkConfiguration: { awsvpcConfiguration: { subnets: r.task.subnets, securityGroups: r.task.securityGroups, assignPublicIp: "DISABLED" } },
                overrides: {
                    containerOverrides: [{
                        name: r.task.container, command: r.command,
                        environment: Object.entries(r.environment).map(([name, value]) => ({ name, value })),
                    }],
                },
            }));
            taskArn = out.tasks?.[0]?.taskArn;
            if (!taskArn) {
                const why = (out.failures ?? []).map((f) => `${f.reason ?? "unknown"}${f.detail ? ` (${f.detail})` : ""}`).join("; ") || "no task returned";
                return { ok: false, lines: [], detail: `RunTask ${what} in ${r.region} started nothing: ${why}` };
            }
        } catch (err) {
            return { ok: false, lines: [], detail: `RunTask ${what} in ${r.region} failed: ${message(err)}` };
        }
        const stopped = await this.untilStopped(ecs, r, taskArn);
        if (!stopped.task) return { ok: false, lines: [], taskArn, detail: `${what}: ${stopped.problem}` };
        const lines = await this.logLines(r, taskArn);
        const container = stopped.task.containers?.find((c) => c.name === r.task.container);
        const exitCode = container?.exitCode;
        const output = parseResult(lines.lines);
        const logs = lines.problem ? ` (logs: ${lines.problem})` : "";
        if (exitCode === undefined) {
            const reason = container?.reason ?? stopped.task.stoppedReason ?? "no reason given";
            return { ok: false, lines: lines.lines, taskArn, output, detail: `${what} stopped without an exit code: ${reason}${logs}` };
        }
        const meaning = EXIT_CODES[exitCode] ?? "unexpected error";
        const last = lines.lines.filter((l) => !l.includes(RESULT_PREFIX)).slice(-1)[0];
        return {
            ok: exitCode === 0, exitCode, lines: lines.lines, taskArn, output,
            detail: `${what} exited ${exitCode} (${meaning})${exitCode !== 0 && last ? `; last log line: ${last}` : ""}${logs}`,
        };
    }

    private async untilStopped(ecs: ECSClient, r: TaskRequest, taskArn: string): Promise<{ task?: Task; problem?: string }> {
        const deadline = this.now() + (r.timeoutMs ?? 10 * 60_000);
        let status = "PROVISIONING";
        for (;;) {
            try {
                const out = await ecs.send(new DescribeTasksCommand({ cluster: r.task.cluster, tasks: [taskArn] }));
                const task = out.tasks?.[0];
                status = task?.lastStatus ?? "unknown";
                if (task && status === "STOPPED") return { task };
            } catch (err) {
                status = `unknown (${message(err)})`;
            }
            if (r.signal?.aborted) return { problem: `stopped waiting for ${taskArn} (drill interrupted; last status ${status})` };
            if (this.now() + this.pollMs > deadline) return { problem: `${taskArn} did not stop within ${fmtWait(r.timeoutMs ?? 600_000)} (last status ${status})` };
            await this.wait(this.pollMs, r.signal);
        }
    }

    private async logLines(r: TaskRequest, taskArn: string): Promise<{ lines: string[]; problem?: string }> {
        const stream = `${r.task.logStreamPrefix}/${r.task.container}/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}`;
        try {
            const out = await new CloudWatchLogsClient(clientConfig(this.o, r.region)).send(new GetLogEventsCommand({
                logGroupName: r.task.logGroup, logStreamName: stream, startFromHead: true, limit: 1000,
            }));
            return { lines: (out.events ?? []).map((e) => e.message ?? "").slice(-50) };
        } catch (err) {
            return { lines: [], problem: `could not read ${r.task.logGroup} ${stream}: ${message(err)}` };
        }
    }
}
