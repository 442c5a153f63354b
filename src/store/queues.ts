/** Queue commands, as stock issues them (SADD queues + RPUSH; LREM for dequeue; LRANGE for peek). */
import type { Db } from "./connection.ts";

/** `Resque.push`: register the queue and append the payloads, in one pipeline. */
export async function pushPayloads(db: Db, queue: string, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return;
  await db.redis.pipeline().sadd(db.keys.queues, queue).rpush(db.keys.queue(queue), ...payloads).exec().then(check);
}

/** Remove every element equal to `payload`, returning how many went. */
export const removePayload = (db: Db, queue: string, payload: string): Promise<number> =>
  db.redis.lrem(db.keys.queue(queue), 0, payload);

export const queueNames = async (db: Db): Promise<string[]> => (await db.redis.smembers(db.keys.queues)).sort();

export const queueSize = (db: Db, queue: string): Promise<number> => db.redis.llen(db.keys.queue(queue));

export async function queueSizes(db: Db, queues: readonly string[]): Promise<number[]> {
  if (queues.length === 0) return [];
  const pipeline = db.redis.pipeline();
  for (const q of queues) pipeline.llen(db.keys.queue(q));
  return (await pipeline.exec().then(check)).map((n) => Number(n));
}

export const peekPayloads = (db: Db, queue: string, start: number, count: number): Promise<string[]> =>
  db.redis.lrange(db.keys.queue(queue), start, start + count - 1);

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
