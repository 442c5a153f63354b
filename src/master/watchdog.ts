/**
 * The master's watchdog, as pure decisions: a worker process reports over IPC, every TICK_MS, the
 * deadlines of the jobs it runs. The master kills a process whose job is past its deadline (plus
 * the grace the worker gives a cooperative job) or whose ticks stopped (a blocked event loop),
 * and settles the jobs it had in flight: the overdue ones fail as Resque::JobTimeout (or go back
 * counted, with retryOnTimeout), the others go back.
 */
import { DIRTY_EXIT, JOB_TIMEOUT, jobTimeoutMessage, KILLED_MESSAGE } from "../protocol/failure.ts";
import { entryToken } from "../protocol/token.ts";
import type { Settlement } from "../worker/recover.ts";
import { TIMEOUT_GRACE_SECONDS, type DeadlineReport } from "../worker/running-job.ts";

/** How often a worker process tells its master it is alive. */
export const TICK_MS = 500;
/** Slack for a tick in transit, on top of the worker's own grace. */
const REPORT_SLACK_MS = 2 * TICK_MS;

export interface Watched {
  /** When the last tick arrived (epoch ms); start-up counts as one. */
  lastTick: number;
  deadlines: DeadlineReport[];
}

/** Why the master killed a process, and so how its jobs are settled. */
export type KillReason =
  | { kind: "overdue"; overdue: DeadlineReport[] }
  | { kind: "blocked"; silentMs: number }
  /** Stopped on purpose (TERM_CHILD's KILL after RESQUE_TERM_TIMEOUT): its jobs go back uncounted. */
  | { kind: "stopped" }
  /** The dashboard killed these jobs (entry tokens, with when each started): they fail as DirtyExit, the others go back uncounted. */
  | { kind: "killed"; tokens: string[]; startedMs: number[] };

/** The kill this process has earned now, if any. */
export function verdict(w: Watched, now: number, watchdogMs: number): KillReason | undefined {
  const overdue = w.deadlines.filter(([, deadline]) => now > deadline + TIMEOUT_GRACE_SECONDS * 1000 + REPORT_SLACK_MS);
  if (overdue.length > 0) return { kind: "overdue", overdue };
  const silentMs = now - w.lastTick;
  if (watchdogMs > 0 && silentMs > watchdogMs) return { kind: "blocked", silentMs };
  return undefined;
}

/** A log line for the kill. */
export function describeKill(pid: number, reason: KillReason, watchdogMs: number): string {
  if (reason.kind === "overdue") return `Worker process ${pid} has ${reason.overdue.length} job(s) past their timeout; killing it`;
  if (reason.kind === "blocked")
    return `Worker process ${pid} sent no liveness tick for ${Math.round(reason.silentMs / 1000)} s (WATCHDOG_TIMEOUT ${watchdogMs / 1000} s): its event loop is blocked; killing it`;
  if (reason.kind === "killed")
    return `Worker process ${pid}: ${reason.tokens.length} job(s) killed from the dashboard; killing the process (its other jobs go back to their queues)`;
  return `Worker process ${pid} did not stop in time; killing it`;
}

/**
 * How each in-flight entry of a dead process is settled. A blocked loop cannot say which job
 * blocked it, so every job it ran is charged: each then runs alone (suspects do), and only the
 * one that blocks again reaches RECOVERY_LIMIT. Any other death (a crash, `process.exit` from a
 * job, SIGKILL from outside) charges every job it ran the same way.
 */
export function settlementFor(reason: KillReason | undefined): (entry: string) => Settlement {
  if (!reason || reason.kind === "blocked") return () => "counted";
  if (reason.kind === "stopped") return () => "uncounted";
  if (reason.kind === "killed") {
    const named = new Set(reason.tokens);
    // As stock's USR1 leaves the killed job a DirtyExit failure; not charged toward RECOVERY_LIMIT, and not run again.
    return (entry) => (named.has(entryToken(entry)) ? { exception: DIRTY_EXIT, message: () => KILLED_MESSAGE } : "uncounted");
  }
  const overdue = new Map(reason.overdue.map(([token, , retry, seconds]) => [token, { retry, seconds }]));
  return (entry) => {
    const hit = overdue.get(entryToken(entry));
    if (!hit) return "uncounted";
    if (hit.retry) return "counted";
    return {
      exception: JOB_TIMEOUT,
      message: (className) =>
        jobTimeoutMessage(className, hit.seconds, "it did not stop when its signal aborted, so its worker process was killed and replaced"),
    };
  };
}
