/** resque-scheduler's leader lock and the promotion of due delayed items (see lua/scheduler-lock-*, promote-due). */
import { unlessWrongType } from "./views.ts";
import type { Db } from "./connection.ts";
import * as scripts from "./scripts.ts";
import type { BatchEntry } from "./scripts.ts";

export type { BatchEntry } from "./scripts.ts";

/** acquire!: SETNX + EXPIRE in one script; true when we took the lock. */
export async function acquireLock(db: Db, key: string, value: string, timeoutSeconds: number): Promise<boolean> {
  return scripts.schedulerLockAcquire(db, key, value, timeoutSeconds);
}

/** locked?: still ours? then the TTL starts again; true when we hold it. */
export async function renewLock(db: Db, key: string, value: string, timeoutSeconds: number): Promise<boolean> {
  return scripts.schedulerLockRenew(db, key, value, timeoutSeconds);
}

/** Delete the lock only if it is still ours; true when it was. */
export async function releaseLock(db: Db, key: string, value: string): Promise<boolean> {
  return scripts.schedulerLockRelease(db, key, value);
}

/** The leader lock's value (a key of the wrong type reads as no leader). */
export const lockHolder = (db: Db, key: string): Promise<string | null> => db.redis.get(key).catch(unlessWrongType(null));

/** The earliest timestamp due at `now` (Unix seconds), or undefined (Ruby's ZRANGEBYSCORE -inf now LIMIT 0 1). */
export async function nextDue(db: Db, now: number): Promise<number | undefined> {
  const [ts] = await db.redis.zrangebyscore(db.keys.delayedSchedule, "-inf", String(now), "LIMIT", 0, 1);
  return ts === undefined ? undefined : Number(ts);
}

/** The first `count` items of `delayed:<ts>`, which promoteBatch must be handed back unchanged. */
export const batchAt = (db: Db, ts: number, count: number): Promise<string[]> => db.redis.lrange(db.keys.delayed(ts), 0, count - 1);

/** Remove (and push) a batch read by batchAt; how many went, or -1 when the list's head changed meanwhile. */
export const promoteBatch = (db: Db, ts: number, entries: readonly BatchEntry[]): Promise<number> => scripts.promoteDue(db, ts, entries);

/** Due timestamps whose jobs dueSummary counts: a view's work stays bounded however far behind the scheduler is. */
export const DUE_COUNTED = 1000;

/**
 * What is due at `now`: the oldest due timestamp, how many timestamps (ZCOUNT) and how many items
 * in the oldest DUE_COUNTED of them. Forgiving, for views: a member that is not a number is
 * skipped, a key of the wrong type counts nothing.
 */
export async function dueSummary(db: Db, now: number): Promise<{ oldest: number | undefined; timestamps: number; jobs: number }> {
  const [stamps, timestamps] = await Promise.all([
    db.redis.zrangebyscore(db.keys.delayedSchedule, "-inf", String(now), "LIMIT", 0, DUE_COUNTED).catch(unlessWrongType([] as string[])),
    db.redis.zcount(db.keys.delayedSchedule, "-inf", String(now)).catch(unlessWrongType(0)),
  ]);
  const numeric = stamps.filter((m) => /^-?\d{1,15}$/.test(m));
  let jobs = 0;
  // 100 LLENs per pipeline, as Ruby's find_delayed_selection batches its LRANGEs.
  for (let i = 0; i < numeric.length; i += 100) {
    const pipeline = db.redis.pipeline();
    for (const ts of numeric.slice(i, i + 100)) pipeline.llen(db.keys.delayed(ts));
    for (const [error, n] of (await pipeline.exec()) ?? []) jobs += error ? 0 : Number(n) || 0;
  }
  return { oldest: numeric[0] === undefined ? undefined : Number(numeric[0]), timestamps, jobs };
}
