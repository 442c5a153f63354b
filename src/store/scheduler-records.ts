/**
 * What schedulers publish about themselves under `resque-ts:` for the dashboard: each scheduler
 * process's record (`scheduler:<host:pid>` plus the `schedulers` zset), and the leader's file
 * schedules (`file-schedules`). All with a TTL refreshed each poll, so a dead scheduler's vanish.
 */
import type { Db } from "./connection.ts";
import { check } from "./queues.ts";

/** A record lives this many polls unless refreshed (and at least MIN_TTL_SECONDS). */
const POLLS = 3;
const MIN_TTL_SECONDS = 30;

/** The TTL for records refreshed every `intervalSeconds`. */
export const recordTtl = (intervalSeconds: number): number => Math.max(MIN_TTL_SECONDS, Math.ceil(POLLS * intervalSeconds));

export async function writeSchedulerRecord(db: Db, hostPid: string, record: string, ttlSeconds: number, nowMs: number): Promise<void> {
  await db.redis.pipeline().set(db.keys.scheduler(hostPid), record, "EX", ttlSeconds).zadd(db.keys.schedulers, nowMs, hostPid).exec().then(check);
}

export async function removeSchedulerRecord(db: Db, hostPid: string): Promise<void> {
  await db.redis.pipeline().del(db.keys.scheduler(hostPid)).zrem(db.keys.schedulers, hostPid).exec().then(check);
}

/** Live schedulers' records; members whose record expired are dropped from the zset on the way. */
export async function schedulerRecords(db: Db): Promise<{ hostPid: string; record: string }[]> {
  // Bounded: a zset member is one live-or-recent scheduler; day-old ones go without a look.
  await db.redis.zremrangebyscore(db.keys.schedulers, "-inf", String(Date.now() - 86_400_000));
  const members = await db.redis.zrange(db.keys.schedulers, "0", "99");
  if (members.length === 0) return [];
  const records = await db.redis.mget(...members.map((m) => db.keys.scheduler(m)));
  const gone = members.filter((_, i) => records[i] === null);
  if (gone.length > 0) await db.redis.zrem(db.keys.schedulers, ...gone);
  return members.flatMap((hostPid, i) => (records[i] ? [{ hostPid, record: records[i]! }] : []));
}

/** The leader's file schedules (JSON), replaced whole each poll. */
export async function writeFileSchedules(db: Db, json: string, ttlSeconds: number): Promise<void> {
  await db.redis.set(db.keys.fileSchedules, json, "EX", ttlSeconds);
}

/** The published file schedules' JSON, or null when no leader publishes (or the key is not a string). */
export async function readFileSchedules(db: Db): Promise<string | null> {
  try {
    return await db.redis.get(db.keys.fileSchedules);
  } catch {
    return null; // WRONGTYPE: not ours to read; shown as nothing published
  }
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
