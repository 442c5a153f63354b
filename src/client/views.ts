/**
 * The shapes the CLI's --json prints and the dashboard's /api serves: one builder per view, so a
 * script reading `resque workers --json` and one reading /api/workers see the same thing.
 */
import type { DelayedEntry } from "./delayed.ts";
import type { FailureRecord } from "./failed.ts";
import type { QueueLatency } from "./latency.ts";
import type { Resque } from "./resque.ts";
import type { WorkerStatus } from "./status.ts";
import type { JsonValue } from "../protocol/json.ts";

/** ISO 8601 UTC without milliseconds, as the CLI prints delayed times. */
export const isoTime = (ts: number): string => new Date(ts * 1000).toISOString().replace(".000Z", "Z");

export interface QueueView {
  name: string;
  size: number;
  /** Seconds the oldest job has waited (null: empty); see client/latency.ts for when it is a lower bound. */
  oldestAgeSeconds: number | null;
  oldestAgeSource: QueueLatency["source"];
  /** Set when the queue could not be read (its key is not a list). */
  problem?: string;
}

/** `resque queues --json`, /api/queues: sizes and oldest-job ages from one script. */
export async function queuesView(resque: Resque): Promise<QueueView[]> {
  return (await resque.queueLatency()).map((l) => ({
    name: l.queue,
    size: l.size,
    oldestAgeSeconds: l.oldestAgeSeconds,
    oldestAgeSource: l.source,
    ...(l.problem && { problem: l.problem }),
  }));
}

export interface WorkerView {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  state: "working" | "idle";
  job: { queue: string; runAt: string; payload: JsonValue } | null;
  started: string | null;
  heartbeat: string | null;
  processed: number;
  failed: number;
}

/** One entry of `resque workers --json` and /api/workers. */
export const workerView = (w: WorkerStatus): WorkerView => ({
  id: w.id,
  host: w.host,
  pid: w.pid,
  queues: w.queues,
  state: w.current ? "working" : "idle",
  job: w.current ?? null,
  started: w.started,
  heartbeat: w.heartbeat,
  processed: w.processed,
  failed: w.failed,
});

/** `resque workers --json`, /api/workers. */
export async function workersView(resque: Resque): Promise<WorkerView[]> {
  return (await resque.workers()).map(workerView);
}

/** One failure for --json and /api/failed: the record's fields; an unreadable one keeps its raw text, the only thing there is to see. */
export const failureView = ({ raw, ...f }: FailureRecord): Omit<FailureRecord, "raw"> & { raw?: string } =>
  f.unreadable ? { ...f, raw } : f;

/** The class a failure's payload names, or undefined. */
export const failureClass = (f: FailureRecord): string | undefined =>
  f.payload && typeof f.payload === "object" && !Array.isArray(f.payload)
    ? ((f.payload as Record<string, JsonValue>)["class"] as string | undefined)
    : undefined;

/** `resque stats --json`, /api/stats: Resque.info plus queue sizes and the scheduler's state. */
export async function statsView(resque: Resque, lockPrefix?: string) {
  const [info, sizes, delayedTimestamps, scheduler] = await Promise.all([
    resque.info(),
    resque.sizes(),
    resque.delayedQueueScheduleSize(),
    resque.schedulerStatus(lockPrefix),
  ]);
  return { ...info, queueSizes: sizes, delayedTimestamps, scheduler };
}

export interface DelayedTimeView {
  timestamp: number;
  time: string;
  jobs: number;
}

/** `resque delayed list --json`, /api/delayed: times with delayed jobs, oldest first. */
export async function delayedTimesView(resque: Resque, offset: number, limit: number): Promise<DelayedTimeView[]> {
  const stamps = await resque.delayedQueuePeek(offset, limit);
  const jobs = await Promise.all(stamps.map((ts) => resque.delayedTimestampSize(ts)));
  return stamps.map((ts, i) => ({ timestamp: ts, time: isoTime(ts), jobs: jobs[i] ?? 0 }));
}

/** One delayed item: class, queue, args; an undecodable one keeps its raw text. */
export const delayedEntryView = ({ raw, item }: DelayedEntry) =>
  item ? { class: item.className, queue: item.queue, args: item.args } : { unreadable: true as const, raw };

/** `resque delayed show --json`, /api/delayed/:timestamp. */
export async function delayedTimeView(resque: Resque, ts: number, offset: number, limit: number) {
  const [jobs, entries] = await Promise.all([resque.delayedTimestampSize(ts), resque.delayedTimestampPeek(ts, offset, limit)]);
  return { timestamp: ts, time: isoTime(ts), jobs, items: entries.map(delayedEntryView) };
}

export interface ScheduleView {
  name: string;
  config: JsonValue | undefined;
  lastEnqueuedAt: string | null;
}

/** `resque schedule list --json`, /api/schedules. */
export async function schedulesView(resque: Resque): Promise<ScheduleView[]> {
  const [all, last] = await Promise.all([resque.schedules(), resque.scheduleLastRuns()]);
  return Object.keys(all)
    .sort()
    .map((name) => ({ name, config: all[name], lastEnqueuedAt: last[name] ?? null }));
}
