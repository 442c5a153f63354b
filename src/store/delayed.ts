/** resque-scheduler's delayed-job keys: `delayed_queue_schedule`, `delayed:<ts>`, `timestamps:<item>`. */
import { delayedMember } from "../protocol/keys.ts";
import type { Db } from "./connection.ts";
import { check } from "./queues.ts";
import * as scripts from "./scripts.ts";
import type { PushOnRemove } from "./scripts.ts";
import { viewRange, unlessWrongType } from "./views.ts";

/** delayed_push (RPUSH, SADD, ZADD) as one script. */
export async function pushDelayed(db: Db, ts: number, item: string): Promise<void> {
  await scripts.delayedPush(db, ts, item);
}

export type { PushOnRemove } from "./scripts.ts";

/** remove_delayed_job: every copy of `item` at every timestamp; returns how many went. */
export async function removeDelayedItem(db: Db, item: string, push?: PushOnRemove): Promise<number> {
  return scripts.removeDelayed(db, item, push);
}

/** remove_delayed_job_from_timestamp, with its clean-up; returns how many copies went. */
export async function removeDelayedItemAt(db: Db, ts: number, item: string): Promise<number> {
  return scripts.removeDelayedAt(db, ts, item);
}

// Ruby found no gain beyond 100 LRANGEs per pipeline; the same bound keeps each reset call short.
const BATCH = 100;

/** reset_delayed_queue, in atomic batches of timestamps; returns how many items went. */
export async function resetDelayed(db: Db): Promise<number> {
  let removed = 0;
  for (;;) {
    const { items, left } = await scripts.resetDelayed(db, BATCH);
    removed += items;
    if (left === 0) return removed;
  }
}

/** Every stored item, earliest timestamp first, each list in order (find_delayed_selection's reads). */
export async function allDelayed(db: Db): Promise<{ ts: number; raw: string }[]> {
  const stamps = await db.redis.zrange(db.keys.delayedSchedule, "0", "-1");
  const found: { ts: number; raw: string }[] = [];
  for (let i = 0; i < stamps.length; i += BATCH) {
    const group = stamps.slice(i, i + BATCH);
    const pipeline = db.redis.pipeline();
    for (const ts of group) pipeline.lrange(db.keys.delayed(ts), 0, -1);
    const lists = (await pipeline.exec().then(check)) as string[][];
    lists.forEach((list, j) => {
      for (const raw of list) found.push({ ts: Number(group[j]), raw });
    });
  }
  return found;
}

/** delayed_queue_peek: timestamps `start .. start+count-1` of the schedule, as integers. */
export async function peekSchedule(db: Db, start: number, count: number): Promise<number[]> {
  const members = await db.redis.zrange(db.keys.delayedSchedule, String(start), String(start + count - 1)).catch(unlessWrongType([]));
  // A member that is not a whole number of seconds (written by hand) names no delayed:<ts> list of resque-scheduler's: skipped.
  return members.filter((m) => /^-?\d{1,15}$/.test(m)).map(Number);
}

/** ZCARD; a key of the wrong type counts 0. */
export const scheduleSize = (db: Db): Promise<number> => db.redis.zcard(db.keys.delayedSchedule).catch(unlessWrongType(0));

/** LLEN delayed:<ts>; a key of the wrong type counts 0. */
export const timestampSize = (db: Db, ts: number): Promise<number> => db.redis.llen(db.keys.delayed(ts)).catch(unlessWrongType(0));

/** delayed_timestamp_peek for views: items `start .. start+count-1` due at `ts`, oldest first, bounded (see views.ts). */
export const timestampPeek = async (db: Db, ts: number, start: number, count: number): Promise<string[]> =>
  (await viewRange(db, db.keys.delayed(ts), start, count)).items;

/** scheduled_at: the timestamps where this exact item is delayed, ascending. */
export async function scheduledAt(db: Db, item: string): Promise<number[]> {
  const members = await db.redis.smembers(db.keys.timestamps(item));
  const prefix = delayedMember("").length;
  return members.map((m) => Number(m.slice(prefix))).sort((a, b) => a - b);
}
