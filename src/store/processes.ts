/**
 * Process records under `resque-ts:`: each worker process's (`process:<id>`) and each master's
 * (`master:<host:pid>` plus the `masters` zset), all with a short TTL refreshed while they live,
 * and the kill requests the dashboard leaves for a worker process (`kill:<id>`, 60 s TTL).
 */
import type { Db } from "./connection.ts";
import { check } from "./queues.ts";
import { script } from "./workers.ts";

/** Records live this long unless refreshed. */
export const PROCESS_TTL_SECONDS = 15;
/** A kill request nobody collects is dropped after this long. */
export const KILL_TTL_SECONDS = 60;
/** Kill every job of the process (no token named). */
export const KILL_ALL = "*";

/** Refresh a worker process's record; returns the kill requests waiting for it (consumed). */
export async function processBeat(db: Db, id: string, record: string): Promise<string[]> {
  return (await script(db, "processBeat")(db.keys.process(id), db.keys.kill(id), record, PROCESS_TTL_SECONDS)) as string[];
}

export async function removeProcess(db: Db, id: string): Promise<void> {
  await db.redis.del(db.keys.process(id));
}

/** Refresh a master's record and its place in the `masters` zset. */
export async function writeMaster(db: Db, hostPid: string, record: string, nowMs: number): Promise<void> {
  await db.redis.pipeline().set(db.keys.master(hostPid), record, "EX", PROCESS_TTL_SECONDS).zadd(db.keys.masters, nowMs, hostPid).exec().then(check);
}

export async function removeMaster(db: Db, hostPid: string): Promise<void> {
  await db.redis.pipeline().del(db.keys.master(hostPid)).zrem(db.keys.masters, hostPid).exec().then(check);
}

/** Live masters' records (stale zset members, whose record expired, are pruned on the way). */
export async function masterRecords(db: Db, nowMs: number): Promise<{ hostPid: string; record: string }[]> {
  await db.redis.zremrangebyscore(db.keys.masters, "-inf", String(nowMs - PROCESS_TTL_SECONDS * 1000));
  const members = await db.redis.zrange(db.keys.masters, "0", "-1");
  if (members.length === 0) return [];
  const records = await db.redis.mget(...members.map((m) => db.keys.master(m)));
  const gone = members.filter((_, i) => records[i] === null);
  if (gone.length > 0) await db.redis.zrem(db.keys.masters, ...gone);
  return members.flatMap((hostPid, i) => (records[i] ? [{ hostPid, record: records[i]! }] : []));
}

/** Process records of `ids`, null where a worker has none (a stock Ruby worker). */
export async function processRecords(db: Db, ids: readonly string[]): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  return db.redis.mget(...ids.map((id) => db.keys.process(id)));
}

/** Leave a kill request for a worker process (a token, or KILL_ALL). */
export async function requestKill(db: Db, id: string, token: string): Promise<void> {
  await db.redis.pipeline().sadd(db.keys.kill(id), token).expire(db.keys.kill(id), KILL_TTL_SECONDS).exec().then(check);
}
