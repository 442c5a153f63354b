/**
 * What schedulers publish about themselves under `resque-ts:` for the dashboard: each scheduler
 * process's record (`scheduler:<host:pid>` plus the `schedulers` zset), and the leader's file
 * schedules (`file-schedules`). All with a TTL refreshed each poll, so a dead scheduler's vanish.
 */
import type { Db } from "./connection.ts";
import { check } from "./queues.ts";
import { unlessWrongType } from "./views.ts";

/** A record lives this many polls unless refreshed (and at least MIN_TTL_SECONDS). */
const POLLS = 3;
const MIN_TTL_SECONDS = 30;

/** The TTL for records refreshed every `intervalSeconds`. */
export const recordTtl = (intervalSeconds: number): number => Math.max(MIN_TTL_SECONDS, Math.ceil(POLLS * intervalSeconds));

/**
 * Refresh a scheduler's record; its `schedulers` zset score is when the record expires, so readers
 * take the live members by score and the writer drops lapsed ones (readers write nothing: --read-only).
 */
export async function writeSchedulerRecord(db: Db, hostPid: string, record: string, ttlSeconds: number, nowMs: number): Promise<void> {
  await db.redis
    .pipeline()
    .set(db.keys.scheduler(hostPid), record, "EX", ttlSeconds)
    .zadd(db.keys.schedulers, nowMs + ttlSeconds * 1000, hostPid)
    .zremrangebyscore(db.keys.schedulers, "-inf", String(nowMs))
    .exec()
    .then(check);
}

export async function removeSchedulerRecord(db: Db, hostPid: string): Promise<void> {
  await db.redis.pipeline().del(db.keys.scheduler(hostPid)).zrem(db.keys.schedulers, hostPid).exec().then(check);
}

/** Live schedulers' records (at most 100): members not yet expired whose record is there. */
export async function schedulerRecords(db: Db, nowMs: number): Promise<{ hostPid: string; record: string }[]> {
  const members = await db.redis
    .zrangebyscore(db.keys.schedulers, String(nowMs), "+inf", "LIMIT", 0, 100)
    .catch(unlessWrongType<string[]>([]));
  if (members.length === 0) return [];
  const records = await db.redis.mget(...members.map((m) => db.keys.scheduler(m)));
  return members.flatMap((hostPid, i) => (records[i] ? [{ hostPid, record: records[i]! }] : []));
}

/** The leader's file schedules (JSON), replaced whole each poll. */
export async function writeFileSchedules(db: Db, json: string, ttlSeconds: number): Promise<void> {
  await db.redis.set(db.keys.fileSchedules, json, "EX", ttlSeconds);
}

/** The published file schedules' JSON, or null when no leader publishes (or the key is not a string). */
export async function readFileSchedules(db: Db): Promise<string | null> {
  return db.redis.get(db.keys.fileSchedules).catch(unlessWrongType(null));
}

/**
 * A leader stopping removes its publication. Not atomic with the check: a new leader that wrote in
 * between loses its copy until its next poll, which only costs the page that long.
 */
export async function removeFileSchedules(db: Db, leader: string): Promise<void> {
  const text = await readFileSchedules(db);
  if (text === null) return;
  let owner: unknown;
  try {
    owner = (JSON.parse(text) as { leader?: unknown }).leader;
  } catch {
    owner = undefined;
  }
  if (owner === leader || owner === undefined) await db.redis.del(db.keys.fileSchedules);
}
