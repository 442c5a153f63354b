/** The `failed` list (stock's Redis failure backend): index 0 is the oldest record. */
import type { Db } from "./connection.ts";
import { check } from "./queues.ts";

export const failedCount = (db: Db): Promise<number> => db.redis.llen(db.keys.failed);

export const failedRange = (db: Db, start: number, count: number): Promise<string[]> =>
  db.redis.lrange(db.keys.failed, start, start + count - 1);

export const allFailures = (db: Db): Promise<string[]> => db.redis.lrange(db.keys.failed, 0, -1);

export const failedAt = (db: Db, index: number): Promise<string | null> => db.redis.lindex(db.keys.failed, index);

export async function pushFailures(db: Db, records: readonly string[]): Promise<void> {
  if (records.length > 0) await db.redis.rpush(db.keys.failed, ...records);
}

/** Replace one record and enqueue its payload (stock's requeue: LSET, then SADD + RPUSH). */
export async function markRetried(db: Db, index: number, record: string, queue: string, payload: string): Promise<void> {
  await db.redis
    .pipeline()
    .lset(db.keys.failed, index, record)
    .sadd(db.keys.queues, queue)
    .rpush(db.keys.queue(queue), payload)
    .exec()
    .then(check);
}

/** Stock's remove: blank the slot, then LREM the blank (indexes of later records shift down). */
export async function removeFailure(db: Db, index: number): Promise<void> {
  await db.redis.pipeline().lset(db.keys.failed, index, "").lrem(db.keys.failed, 1, "").exec().then(check);
}

export const clearFailures = (db: Db): Promise<number> => db.redis.del(db.keys.failed);
