/** Queue commands, as stock issues them (SADD queues + RPUSH; LREM for dequeue; LRANGE for peek). */
import type { Db } from "./connection.ts";
import { viewRange, unlessWrongType } from "./views.ts";

/** `Resque.push`: register the queue and append the payloads, in one pipeline. */
export async function pushPayloads(db: Db, queue: string, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return;
  await db.redis
    .pipeline()
    .sadd(db.keys.queues, queue)
    .rpush(db.keys.queue(queue), ...payloads)
    .exec()
    .then(check);
}

/** Remove every element equal to `payload`, returning how many went. */
export const removePayload = (db: Db, queue: string, payload: string): Promise<number> => db.redis.lrem(db.keys.queue(queue), 0, payload);

export const queueNames = async (db: Db): Promise<string[]> => (await db.redis.smembers(db.keys.queues)).sort();

/** queueNames for views: a `queues` key of the wrong type reads as no queues. */
export const queueNamesForView = (db: Db): Promise<string[]> => queueNames(db).catch(unlessWrongType([]));

/** LLEN; a key of the wrong type counts 0 for a view. */
export const queueSize = (db: Db, queue: string): Promise<number> => db.redis.llen(db.keys.queue(queue)).catch(unlessWrongType(0));

/** Each queue's length; a queue key of the wrong type counts 0 (the queues view reports it). */
export async function queueSizes(db: Db, queues: readonly string[]): Promise<number[]> {
  if (queues.length === 0) return [];
  const pipeline = db.redis.pipeline();
  for (const q of queues) pipeline.llen(db.keys.queue(q));
  return ((await pipeline.exec()) ?? []).map(([error, n]) => (error ? 0 : Number(n) || 0));
}

/** Jobs start..start+count-1 of a queue for a view (bounded; see views.ts); `problem` when the key is not a list. */
export const peekPayloads = (db: Db, queue: string, start: number, count: number): Promise<{ items: string[]; problem?: string }> =>
  viewRange(db, db.keys.queue(queue), start, count);

export async function removeQueue(db: Db, queue: string): Promise<void> {
  await db.redis.pipeline().srem(db.keys.queues, queue).del(db.keys.queue(queue)).exec().then(check);
}

/** Raise the first error of a pipeline (ioredis reports them per command), else return the values. */
export function check(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error("Redis pipeline was discarded");
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
