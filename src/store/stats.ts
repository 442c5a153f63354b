/** The `stat:*` counters and the `pause-all-workers` switch. */
import type { Db } from "./connection.ts";
import { counter } from "./views.ts";

/** stat:processed and stat:failed; a value that is not a finite number (or a key of another type) reads 0. */
export async function readStats(db: Db): Promise<{ processed: number; failed: number }> {
  const [processed, failed] = await db.redis.mget(db.keys.processed, db.keys.failedCount);
  return { processed: counter(processed), failed: counter(failed) };
}

export const pausedValue = (db: Db): Promise<string | null> => db.redis.get(db.keys.pauseAll);

/** Stock's operators write "true"; deleting the key resumes. */
export async function setPausedAll(db: Db, paused: boolean): Promise<void> {
  if (paused) await db.redis.set(db.keys.pauseAll, "true");
  else await db.redis.del(db.keys.pauseAll);
}

/** Stock's rule: paused when the value, trimmed and lower-cased, is "true". */
export const isPausedValue = (value: string | null): boolean => value?.trim().toLowerCase() === "true";
