/** The worker registry: `workers`, `worker:<id>`, `worker:<id>:started`, `workers:heartbeat`, per-worker stats. */
import type { Db } from "./connection.ts";
import { metricsArgs, type ClassTally } from "./metrics.ts";
import { check } from "./queues.ts";
import { counter, viewRange, viewStrings, unlessWrongType } from "./views.ts";

/** Stock's registration pipeline: SADD workers + SET started. */
export async function registerWorker(db: Db, id: string, started: string): Promise<void> {
  await db.redis.pipeline().sadd(db.keys.workers, id).set(db.keys.workerStarted(id), started).exec().then(check);
}

/** Whether `id` is in the `workers` set. */
export const isRegistered = async (db: Db, id: string): Promise<boolean> => (await db.redis.sismember(db.keys.workers, id)) === 1;

/** Set worker:<id> to the oldest in-flight entry again (as the reserve script keeps it), if any. */
export async function restoreWorkingOn(db: Db, id: string): Promise<void> {
  const oldest = await db.redis.lindex(db.keys.inflight(id), 0);
  if (oldest !== null) await db.redis.set(db.keys.worker(id), oldest);
}

/** Redis's clock, which stock uses for heartbeats so hosts with skewed clocks agree. */
export async function redisTime(db: Db): Promise<Date> {
  const [seconds, micros] = await db.redis.time();
  return new Date(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
}

export const writeHeartbeat = async (db: Db, id: string, value: string): Promise<void> => {
  await db.redis.hset(db.keys.heartbeats, id, value);
};

export const clearHeartbeat = async (db: Db, id: string): Promise<void> => {
  await db.redis.hdel(db.keys.heartbeats, id);
};

export const heartbeats = (db: Db): Promise<Record<string, string>> => db.redis.hgetall(db.keys.heartbeats);

/** `SET pruning_dead_workers_in_progress <id> EX <ttl> NX`: only the winner prunes. */
export async function takePruneLock(db: Db, id: string, ttlSeconds: number): Promise<boolean> {
  // EX takes whole seconds; a fractional heartbeat interval would make Redis refuse the SET.
  const ttl = Math.max(1, Math.ceil(ttlSeconds));
  return (await db.redis.set(db.keys.pruneLock, id, "EX", ttl, "NX")) === "OK";
}

export const workerIds = (db: Db): Promise<string[]> => db.redis.smembers(db.keys.workers);

/** workerIds for views: a `workers` key of the wrong type reads as no workers. */
export const workerIdsForView = (db: Db): Promise<string[]> => workerIds(db).catch(unlessWrongType([]));

/** The ids of `ids` that are registered, in their order (SMISMEMBER: one command, whatever the set's size). */
export async function registeredAmong(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const flags = await db.redis.smismember(db.keys.workers, ...ids);
  return ids.filter((_, i) => flags[i] === 1);
}

export interface WorkerRecord {
  id: string;
  /** The raw `worker:<id>` value, absent when idle. */
  job: string | null;
  started: string | null;
  heartbeat: string | null;
  processed: number;
  failed: number;
}

/** Everything resque-web shows about each registered worker: bounded reads (see views.ts), a wrong-typed key reads as unreadable text. */
export async function workerRecords(db: Db, ids: readonly string[]): Promise<WorkerRecord[]> {
  if (ids.length === 0) return [];
  const keys = ids.flatMap((id) => [db.keys.worker(id), db.keys.workerStarted(id), db.keys.workerProcessed(id), db.keys.workerFailed(id)]);
  const [values, beats] = await Promise.all([
    viewStrings(db, keys),
    db.redis.hmget(db.keys.heartbeats, ...ids).catch(unlessWrongType(ids.map(() => null))),
  ]);
  return ids.map((id, i) => ({
    id,
    job: values[i * 4] || null,
    started: values[i * 4 + 1] ?? null,
    heartbeat: beats[i] ?? null,
    processed: counter(values[i * 4 + 2]),
    failed: counter(values[i * 4 + 3]),
  }));
}

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;
export const script = (db: Db, name: string) => (db.redis as unknown as Record<string, ScriptCall>)[name]!.bind(db.redis);

/** Unregister atomically; returns the entries the worker was running (to be recorded as failures). */
export async function unregisterWorker(db: Db, id: string): Promise<string[]> {
  const k = db.keys;
  const keys = [k.workers, k.worker(id), k.workerStarted(id), k.heartbeats, k.workerProcessed(id), k.workerFailed(id), k.inflight(id)];
  return (await script(db, "unregisterWorker")(...keys, id)) as string[];
}

export interface CycleRequest {
  id: string;
  /** In-flight entries of jobs that finished well. */
  done: readonly string[];
  /** In-flight entries of jobs that failed, with their failure records (and retries). */
  failures: readonly FailureWrite[];
  /** Attempt-count keys of retrying jobs that succeeded (resque-retry clears them). */
  cleared?: readonly string[];
  want: number;
  queues: readonly string[];
  /** One worker:<id> prefix per queue. */
  prefixes: readonly string[];
  /** Per-class metrics of finished jobs to add (see lua/_metrics.lua), and when they finished. */
  metrics?: ReadonlyMap<string, ClassTally>;
  nowMs?: number;
}

/** A failed run to record: `record` goes to the failed list ("" when it is retried instead). */
export interface FailureWrite {
  entry: string;
  record: string;
  retry?: RetryWrite;
}

/** What a failed run of a retrying job does to its attempt count `count` (a key) and its queue. */
export type RetryWrite =
  /** Given up: the count goes, as resque-retry's give_up does. */
  | { kind: "fail"; count: string }
  /** Straight back on its queue (delay 0); the count lives `ttl` more seconds. */
  | { kind: "now"; count: string; queue: string; payload: string; ttl: number }
  /**
   * Into the delayed queue at `ts`, as resque-scheduler's enqueue_in_with_queue writes it; `failure`:
   * resque-retry's failure-<count> entry and its expiry (2 x the delay), which "fail" deletes.
   */
  | { kind: "later"; count: string; ts: number; item: string; ttl: number; failure?: { entry: string; ttl: number } };

export interface TakenJob {
  queue: string;
  payload: string;
  entry: string;
  /** Why the payload could not be handed over as it is ("invalid-utf8"), if so. */
  problem?: string;
}

/** One round trip: finish jobs, then reserve up to `want` (see lua/reserve-cycle.lua). */
export interface CycleReply {
  paused: boolean;
  /** The one job taken is a suspect (a worker died running it): run it with nothing else. */
  solo: boolean;
  taken: TakenJob[];
}

export async function reserveCycle(db: Db, request: CycleRequest): Promise<CycleReply> {
  const k = db.keys;
  const keys = [
    k.inflight(request.id),
    k.worker(request.id),
    k.processed,
    k.workerProcessed(request.id),
    k.failedCount,
    k.workerFailed(request.id),
    k.failed,
    k.pauseAll,
    k.recoveries,
    k.queues,
    k.delayedSchedule,
    k.metricsTotals,
    k.metricsClasses,
    ...request.queues.map((q) => k.queue(q)),
  ];
  const cleared = request.cleared ?? [];
  const argv: (string | number)[] = [request.done.length, request.failures.length, request.want, cleared.length, ...request.done];
  for (const f of request.failures) argv.push(f.entry, f.record, ...retryArgs(db, f.retry));
  argv.push(...cleared, ...metricsArgs(db, request.metrics, request.nowMs ?? Date.now()), ...request.prefixes);
  const reply = (await script(db, "reserveCycle")(keys.length, ...keys, ...argv)) as (number | string)[];
  const taken: TakenJob[] = [];
  for (let i = 2; i + 3 < reply.length; i += 4) {
    const index = Number(reply[i]) - 1;
    const payload = String(reply[i + 1]);
    const rewritten = String(reply[i + 2]);
    const problem = String(reply[i + 3]);
    taken.push({
      queue: request.queues[index]!,
      payload,
      entry: rewritten || `${request.prefixes[index]}${payload}}`,
      ...(problem && { problem }),
    });
  }
  return { paused: reply[0] === 1, solo: reply[1] === 1, taken };
}

/** A retry as reserve-cycle.lua's nine fields after the record (see its header). */
function retryArgs(db: Db, retry: RetryWrite | undefined): (string | number)[] {
  if (!retry) return ["", "fail", "", "", "", "", "", "", ""];
  const k = db.keys;
  switch (retry.kind) {
    case "fail":
      return [retry.count, "fail", "", "", "", "", k.retryFailure(retry.count), "", ""];
    case "now":
      return [retry.count, "now", k.queue(retry.queue), retry.queue, retry.payload, retry.ttl, "", "", ""];
    case "later":
      return [
        retry.count,
        "later",
        k.delayed(retry.ts),
        k.timestamps(retry.item),
        retry.item,
        `${retry.ts} ${retry.ttl}`,
        ...(retry.failure ? [k.retryFailure(retry.count), retry.failure.entry, retry.failure.ttl] : ["", "", ""]),
      ];
  }
}

/** The in-flight entries of each of `ids` (the jobs each process runs; bounded reads for views, a wrong-typed list reads empty). */
export async function inflightLists(db: Db, ids: readonly string[]): Promise<string[][]> {
  return Promise.all(ids.map(async (id) => (await viewRange(db, db.keys.inflight(id), 0, INFLIGHT_SHOWN)).items));
}

/** In-flight entries a view reads per process (THREAD_COUNT is far below it). */
const INFLIGHT_SHOWN = 256;

/** This worker's in-flight entries, for reconciling after a reply was lost with a connection. */
export const inflightEntries = (db: Db, id: string): Promise<string[]> => db.redis.lrange(db.keys.inflight(id), 0, -1);
