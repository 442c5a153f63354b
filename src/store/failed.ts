/** The `failed` list (stock's Redis failure backend): index 0 is the oldest record. */
import type { Db } from "./connection.ts";
import { check } from "./queues.ts";
import { viewRange, unlessWrongType } from "./views.ts";

/** LLEN failed; a key of the wrong type counts 0. */
export const failedCount = (db: Db): Promise<number> => db.redis.llen(db.keys.failed).catch(unlessWrongType(0));

/** Records for a view: bounded (a record too large to show reads as unreadable text; see views.ts). */
export const failedRange = async (db: Db, start: number, count: number): Promise<string[]> =>
  (await viewRange(db, db.keys.failed, start, count)).items;

/** One record for a view, bounded. */
export const failedAtForView = async (db: Db, index: number): Promise<string | null> =>
  (await viewRange(db, db.keys.failed, index, 1)).items[0] ?? null;

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
