/** The worker registry: `workers`, `worker:<id>`, `worker:<id>:started`, `workers:heartbeat`, per-worker stats. */
import { home, type Db } from "./connection.ts";
import { check } from "./queues.ts";
import { counter, viewRange, viewStrings, unlessWrongType } from "./views.ts";

/** Stock's registration pipeline: SADD workers + SET started. */
export async function registerWorker(db: Db, id: string, started: string): Promise<void> {
  await db.redis.pipeline().sadd(db.keys.workers, id).set(db.keys.workerStarted(id), started).exec().then(check);
}

/** Whether `id` is in the `workers` set. */
export const isRegistered = async (db: Db, id: string): Promise<boolean> => (await db.redis.sismember(db.keys.workers, id)) === 1;

/**
 * Set worker:<id> to the oldest in-flight entry again, if any: the TypeScript copy of the rule in
 * lua/_working-on.lua (which the scripts that change an in-flight list end with). Used after a
 * re-registration, when worker:<id> was deleted with it, so there is nothing to delete here.
 */
export async function restoreWorkingOn(db: Db, id: string): Promise<void> {
  const oldest = await db.redis.lindex(db.keys.inflight(id), 0);
  if (oldest !== null) await db.redis.set(db.keys.worker(id), oldest);
}

/** Redis's clock, which stock uses for heartbeats so hosts with skewed clocks agree. */
export async function redisTime(db: Db): Promise<Date> {
  const [seconds, micros] = await (await home(db)).time();
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

export { reserveCycle, unregisterWorker } from "./scripts.ts";
export type { CycleReply, CycleRequest, FailureWrite, RetryWrite, TakenJob } from "./scripts.ts";

/** The in-flight entries of each of `ids` (the jobs each process runs; bounded reads for views, a wrong-typed list reads empty). */
export async function inflightLists(db: Db, ids: readonly string[]): Promise<string[][]> {
  return Promise.all(ids.map(async (id) => (await viewRange(db, db.keys.inflight(id), 0, INFLIGHT_SHOWN)).items));
}

/** In-flight entries a view reads per process (THREAD_COUNT is far below it). */
const INFLIGHT_SHOWN = 256;

/** This worker's in-flight entries, for reconciling after a reply was lost with a connection. */
export const inflightEntries = (db: Db, id: string): Promise<string[]> => db.redis.lrange(db.keys.inflight(id), 0, -1);
