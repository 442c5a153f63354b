/**
 * The typed boundary to Lua: one call per script in lua/, each building its KEYS and ARGV from
 * named values and decoding its reply into a named type. The names, their order, the groups and
 * the reply's shape come from the script's header (scripts.generated.ts, made by
 * scripts/gen-scripts.mjs), so a script and its call cannot silently disagree: a renamed or added
 * name fails tsc, a changed reply fails test/store/script-contract.test.ts. The store modules
 * (workers.ts, views.ts, delayed.ts, ...) call these; nothing else names a script.
 */
import { delayedMember } from "../protocol/keys.ts";
import type { Db } from "./connection.ts";
import { metricsArgs, type ClassTally } from "./metrics-block.ts";
import { fields, positions, runScript, type Value } from "./script-runner.ts";
import { luaScripts as lua } from "./scripts.generated.ts";

export type { CycleReply, CycleRequest, FailureWrite, RetryWrite, TakenJob } from "./cycle-script.ts";
import { decodeCycle, encodeCycle, type CycleReply, type CycleRequest } from "./cycle-script.ts";

/** One round trip per worker cycle: finish jobs, then reserve up to `want` (lua/reserve-cycle.lua). */
export async function reserveCycle(db: Db, request: CycleRequest): Promise<CycleReply> {
  return decodeCycle(request, (await runScript(db, lua.reserveCycle, encodeCycle(db, request))) as Value[]);
}

/** What happens to one unfinished job: back uncounted, counted toward poison, or failed now. */
export type Charge = "uncounted" | "counted" | "failed";

export interface UnfinishedJob {
  /** The in-flight entry, exactly as stored. */
  entry: string;
  payload: string;
  queue: string;
  charge: Charge;
  /** The failure record: the PoisonJob record for "counted" (written at the limit), the failure for "failed"; "" for "uncounted". */
  record: string;
}

export interface Returned {
  requeued: number;
  poisoned: number;
  /** Failed now (charge "failed", a job past its deadline). */
  failed: number;
}

const MODES: Record<Charge, string> = { uncounted: "0", counted: "1", failed: "2" };

/** Settle `jobs` of worker `id` (lua/return-jobs.lua); `ttl`: how long recovery counts live. */
export async function returnJobs(db: Db, id: string, jobs: readonly UnfinishedJob[], limit: number, ttl: number): Promise<Returned> {
  const k = db.keys;
  const s = lua.returnJobs;
  const restArgv: Value[] = [];
  for (const j of jobs)
    restArgv.push(
      ...fields(s.groups.job, { entry: j.entry, payload: j.payload, queueName: j.queue, mode: MODES[j.charge], record: j.record }),
    );
  const reply = (await runScript(db, s, {
    keys: {
      inflight: k.inflight(id),
      recoveries: k.recoveries,
      failed: k.failed,
      queues: k.queues,
      worker: k.worker(id),
      processed: k.processed,
      failedCount: k.failedCount,
    },
    argv: { limit, ttl },
    restKeys: jobs.map((j) => k.queue(j.queue)),
    restArgv,
  })) as Value[];
  const at = positions(s.returns.fields);
  return { requeued: Number(reply[at.requeued]), poisoned: Number(reply[at.poisoned]), failed: Number(reply[at.failed]) };
}

/** Unregister atomically; the entries the worker was running (lua/unregister-worker-7.lua). */
export async function unregisterWorker(db: Db, id: string): Promise<string[]> {
  const k = db.keys;
  const keys = {
    workers: k.workers,
    worker: k.worker(id),
    workerStarted: k.workerStarted(id),
    heartbeats: k.heartbeats,
    workerProcessed: k.workerProcessed(id),
    workerFailed: k.workerFailed(id),
    inflight: k.inflight(id),
  };
  return (await runScript(db, lua.unregisterWorker, { keys, argv: { id } })) as string[];
}

/** Per-class metrics outside a reserve cycle (lua/record-metrics-2.lua). */
export async function recordMetrics(db: Db, classes: ReadonlyMap<string, ClassTally>, nowMs: number): Promise<void> {
  const keys = { metricsTotals: db.keys.metricsTotals, metricsClasses: db.keys.metricsClasses };
  await runScript(db, lua.recordMetrics, { keys, argv: {}, restArgv: metricsArgs(db, classes, nowMs) });
}

/** A worker process's record refreshed; the kill requests waiting for it (lua/process-beat-2.lua). */
export async function processBeat(db: Db, id: string, record: string, ttl: number): Promise<string[]> {
  const keys = { process: db.keys.process(id), kill: db.keys.kill(id) };
  return (await runScript(db, lua.processBeat, { keys, argv: { record, ttl } })) as string[];
}

/** resque-retry's attempt count started or advanced; this run's attempt (lua/retry-attempt-1.lua). */
export async function retryAttempt(db: Db, count: string, ttl: number): Promise<number> {
  return Number(await runScript(db, lua.retryAttempt, { keys: { count }, argv: { ttl } }));
}

/** One history point unless this second has one (lua/history-sample-6.lua). */
export async function historySample(db: Db, secondPoints: number, minutePoints: number): Promise<{ appended: boolean; point: string }> {
  const k = db.keys;
  const s = lua.historySample;
  const reply = (await runScript(db, s, {
    keys: {
      processed: k.processed,
      failedCount: k.failedCount,
      queues: k.queues,
      failed: k.failed,
      seconds: k.historySeconds,
      minutes: k.historyMinutes,
    },
    argv: { queuePrefix: k.queue(""), secondPoints, minutePoints },
  })) as Value[];
  const at = positions(s.returns.fields);
  return { appended: reply[at.appended] === 1, point: reply[at.point] as string };
}

export interface QueueHead {
  queue: string;
  size: number;
  /** The head payload's `enqueued_at` as written (ISO-8601 text or epoch seconds), if it has one. */
  enqueuedAt: string | undefined;
  /** When this head payload was first seen by a latency call (epoch ms), when the queue is not empty. */
  firstSeenMs: number | undefined;
  /** Why the queue (size 0) or its head (size > 0) could not be read, if so. */
  problem?: string;
}

/** Every queue's size and head, and Redis's clock in ms (lua/queue-latency-2.lua). */
export async function queueLatency(
  db: Db,
  argv: { readOnly: boolean; edge: number; readLimit: number },
): Promise<{ nowMs: number; heads: QueueHead[] }> {
  const s = lua.queueLatency;
  const reply = (await runScript(db, s, {
    keys: { queues: db.keys.queues, heads: db.keys.heads },
    argv: { queuePrefix: db.keys.queue(""), readOnly: argv.readOnly ? "1" : "0", edge: argv.edge, readLimit: argv.readLimit },
  })) as Value[];
  const at = positions(s.groups.head);
  const size = s.groups.head.length;
  const heads: QueueHead[] = [];
  for (let i = s.returns.fields.length; i + size - 1 < reply.length; i += size) {
    const problem = reply[i + at.problem] ? String(reply[i + at.problem]) : undefined;
    heads.push({
      queue: String(reply[i + at.queue]),
      size: Number(reply[i + at.size]) || 0,
      enqueuedAt: reply[i + at.enqueuedAt] ? String(reply[i + at.enqueuedAt]) : undefined,
      firstSeenMs: reply[i + at.firstSeenMs] ? Number(reply[i + at.firstSeenMs]) : undefined,
      ...(problem && { problem }),
    });
  }
  return { nowMs: Number(reply[positions(s.returns.fields).nowMs]), heads };
}

/** LRANGE, each element bounded to `limit` bytes; `problem`: the key's error (lua/view-range-1.lua). */
export async function viewRange(
  db: Db,
  key: string,
  start: number,
  stop: number,
  limit: number,
): Promise<{ problem: string; items: string[] }> {
  const [problem, ...items] = (await runScript(db, lua.viewRange, { keys: { list: key }, argv: { start, stop, limit } })) as string[];
  return { problem: problem!, items };
}

/** GET of each key, bounded (lua/view-strings.lua): a value, or null when missing. */
export async function viewStrings(db: Db, keys: readonly string[], limit: number): Promise<(string | null)[]> {
  return (await runScript(db, lua.viewStrings, { keys: {}, argv: { limit }, restKeys: keys })) as (string | null)[];
}

/** HGETALL bounded (lua/view-hash-1.lua): at most `most` fields, each value at most `limit` bytes. */
export async function viewHash(
  db: Db,
  key: string,
  limit: number,
  most: number,
): Promise<{ problem: Value; total: Value; pairs: [string, string][] }> {
  const s = lua.viewHash;
  const reply = (await runScript(db, s, { keys: { hash: key }, argv: { limit, most } })) as Value[];
  const at = positions(s.returns.fields);
  const field = positions(s.groups.field);
  const size = s.groups.field.length;
  const pairs: [string, string][] = [];
  for (let i = s.returns.fields.length; i + size - 1 < reply.length; i += size) {
    pairs.push([String(reply[i + field.name]), String(reply[i + field.value])]);
  }
  return { problem: reply[at.problem]!, total: reply[at.total]!, pairs };
}

/** resque-scheduler's lock: acquire! (lua/scheduler-lock-acquire-1.lua); true when we took it. */
export async function schedulerLockAcquire(db: Db, key: string, value: string, timeout: number): Promise<boolean> {
  return Number(await runScript(db, lua.schedulerLockAcquire, { keys: { lock: key }, argv: { value, timeout } })) === 1;
}

/** locked?: still ours, then renewed (lua/scheduler-lock-renew-1.lua); true when we hold it. */
export async function schedulerLockRenew(db: Db, key: string, value: string, timeout: number): Promise<boolean> {
  return Number(await runScript(db, lua.schedulerLockRenew, { keys: { lock: key }, argv: { value, timeout } })) === 1;
}

/** The lock deleted only if ours (lua/scheduler-lock-release-1.lua); true when it was. */
export async function schedulerLockRelease(db: Db, key: string, value: string): Promise<boolean> {
  return Number(await runScript(db, lua.schedulerLockRelease, { keys: { lock: key }, argv: { value } })) === 1;
}

/** One item of a batch and what to do with it (see promote-due.lua). */
export interface BatchEntry {
  item: string;
  mode: "push" | "take" | "drop";
  queue?: string;
  payload?: string;
}

/** A batch read from the head of delayed:<ts> removed (and pushed); -1 when the head changed (lua/promote-due.lua). */
export async function promoteDue(db: Db, ts: number, entries: readonly BatchEntry[]): Promise<number> {
  const k = db.keys;
  const s = lua.promoteDue;
  const restKeys: string[] = [];
  const restArgv: Value[] = [];
  for (const e of entries) {
    const pushed = e.mode === "push";
    restKeys.push(
      ...(fields(s.groups.itemKey, {
        timestamps: k.timestamps(e.item),
        queue: pushed ? k.queue(e.queue!) : k.timestamps(e.item),
      }) as string[]),
    );
    restArgv.push(
      ...fields(s.groups.item, { item: e.item, mode: e.mode, queueName: pushed ? e.queue! : "", payload: pushed ? e.payload! : "" }),
    );
  }
  const keys = { delayed: k.delayed(ts), schedule: k.delayedSchedule, queues: k.queues };
  return Number(await runScript(db, s, { keys, argv: { ts, member: delayedMember(ts) }, restKeys, restArgv }));
}

/** delayed_push as one script (lua/delayed-push-3.lua). */
export async function delayedPush(db: Db, ts: number, item: string): Promise<void> {
  const k = db.keys;
  const keys = { delayed: k.delayed(ts), timestamps: k.timestamps(item), schedule: k.delayedSchedule };
  await runScript(db, lua.delayedPush, { keys, argv: { item, member: delayedMember(ts), ts } });
}

/** A queue to push one payload to per removed copy, in the same script. */
export interface PushOnRemove {
  queue: string;
  payload: string;
}

/** remove_delayed_job: every copy of `item` at every timestamp; how many went (lua/remove-delayed.lua). */
export async function removeDelayed(db: Db, item: string, push?: PushOnRemove): Promise<number> {
  const k = db.keys;
  const keys = {
    timestamps: k.timestamps(item),
    schedule: k.delayedSchedule,
    ...(push && { queues: k.queues, queue: k.queue(push.queue) }),
  };
  const argv = { prefix: k.prefix, memberPrefix: delayedMember(""), item, ...(push && { queueName: push.queue, payload: push.payload }) };
  return Number(await runScript(db, lua.removeDelayed, { keys, argv }));
}

/** remove_delayed_job_from_timestamp with its clean-up; how many copies went (lua/remove-delayed-at-3.lua). */
export async function removeDelayedAt(db: Db, ts: number, item: string): Promise<number> {
  const k = db.keys;
  const keys = { timestamps: k.timestamps(item), delayed: k.delayed(ts), schedule: k.delayedSchedule };
  return Number(await runScript(db, lua.removeDelayedAt, { keys, argv: { item, member: delayedMember(ts), ts } }));
}

/** One batch of reset_delayed_queue: items removed, timestamps left (lua/reset-delayed-1.lua). */
export async function resetDelayed(db: Db, batch: number): Promise<{ items: number; left: number }> {
  const k = db.keys;
  const s = lua.resetDelayed;
  const argv = { prefix: k.prefix, memberPrefix: delayedMember(""), timestampsPrefix: k.timestamps(""), batch };
  const reply = (await runScript(db, s, { keys: { schedule: k.delayedSchedule }, argv })) as Value[];
  const at = positions(s.returns.fields);
  return { items: Number(reply[at.items]), left: Number(reply[at.left]) };
}
