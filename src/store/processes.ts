/**
 * Process records under `resque-ts:`: each worker process's (`process:<id>`) and each master's
 * (`master:<host:pid>` plus the `masters` zset), all with a short TTL refreshed while they live,
 * and the kill requests the dashboard leaves for a worker process (`kill:<id>`, 60 s TTL).
 */
import type { Db } from "./connection.ts";
import { check } from "./queues.ts";
import * as scripts from "./scripts.ts";
import { unlessWrongType, VIEW_ROWS, viewStrings } from "./views.ts";

/** Records live this long unless refreshed. */
export const PROCESS_TTL_SECONDS = 15;
/** A kill request nobody collects is dropped after this long. */
export const KILL_TTL_SECONDS = 60;
/** Kill every job of the process (no token named). */
export const KILL_ALL = "*";

/** Refresh a worker process's record; returns the kill requests waiting for it (consumed). */
export async function processBeat(db: Db, id: string, record: string): Promise<string[]> {
  return scripts.processBeat(db, id, record, PROCESS_TTL_SECONDS);
}

export async function removeProcess(db: Db, id: string): Promise<void> {
  await db.redis.del(db.keys.process(id));
}

/** Refresh a master's record and its place in the `masters` zset, dropping members whose record lapsed (readers write nothing). */
export async function writeMaster(db: Db, hostPid: string, record: string, nowMs: number): Promise<void> {
  await db.redis
    .pipeline()
    .set(db.keys.master(hostPid), record, "EX", PROCESS_TTL_SECONDS)
    .zadd(db.keys.masters, nowMs, hostPid)
    .zremrangebyscore(db.keys.masters, "-inf", String(nowMs - PROCESS_TTL_SECONDS * 1000))
    .exec()
    .then(check);
}

export async function removeMaster(db: Db, hostPid: string): Promise<void> {
  await db.redis.pipeline().del(db.keys.master(hostPid)).zrem(db.keys.masters, hostPid).exec().then(check);
}

/**
 * Live masters' records: members written in the last PROCESS_TTL_SECONDS whose record is there
 * (at most VIEW_ROWS; stale members are dropped by writeMaster, so a reader writes nothing).
 */
export async function masterRecords(db: Db, nowMs: number): Promise<{ hostPid: string; record: string }[]> {
  const members = await db.redis
    .zrangebyscore(db.keys.masters, String(nowMs - PROCESS_TTL_SECONDS * 1000), "+inf", "LIMIT", 0, VIEW_ROWS)
    .catch(unlessWrongType([] as string[]));
  const records = await viewStrings(
    db,
    members.map((m) => db.keys.master(m)),
  );
  return members.flatMap((hostPid, i) => (records[i] ? [{ hostPid, record: records[i]! }] : []));
}

/** Process records of `ids` (bounded reads), null where a worker has none (a stock Ruby worker). */
export const processRecords = (db: Db, ids: readonly string[]): Promise<(string | null)[]> =>
  viewStrings(
    db,
    ids.map((id) => db.keys.process(id)),
  );

/** Leave a kill request for a worker process (a token, or KILL_ALL). */
export async function requestKill(db: Db, id: string, token: string): Promise<void> {
  await db.redis.pipeline().sadd(db.keys.kill(id), token).expire(db.keys.kill(id), KILL_TTL_SECONDS).exec().then(check);
}
