/** Handing a worker's unfinished jobs back to their queues (see lua/return-jobs.lua). */
import type { Db } from "./connection.ts";
import { script } from "./workers.ts";

export interface UnfinishedJob {
  /** The in-flight entry, exactly as stored. */
  entry: string;
  payload: string;
  queue: string;
  /** The failure record to write instead, if this recovery makes the job a poison job ("" when the return is not counted). */
  poisonRecord: string;
}

export interface ReturnOptions {
  /** The worker died with these jobs: count each recovery toward the poison limit. */
  counted: boolean;
  limit: number;
}

/** How long recovery counts outlive the last recovery, for jobs a stock worker finished. */
const RECOVERY_TTL_SECONDS = 7 * 24 * 3600;

export async function returnJobs(db: Db, id: string, jobs: readonly UnfinishedJob[], options: ReturnOptions): Promise<{ requeued: number; poisoned: number }> {
  if (jobs.length === 0) return { requeued: 0, poisoned: 0 };
  const k = db.keys;
  const keys = [k.inflight(id), k.recoveries, k.failed, k.queues, k.worker(id), ...jobs.map((j) => k.queue(j.queue))];
  const argv: (string | number)[] = [options.counted ? 1 : 0, options.limit, RECOVERY_TTL_SECONDS];
  for (const j of jobs) argv.push(j.entry, j.payload, j.queue, j.poisonRecord);
  const [requeued, poisoned] = (await script(db, "returnJobs")(keys.length, ...keys, ...argv)) as [number, number];
  return { requeued, poisoned };
}

/** Recovery counts per payload sha1 (for `resque` status and tests). */
export const recoveryCounts = (db: Db): Promise<Record<string, string>> => db.redis.hgetall(db.keys.recoveries);

/**
 * Owners of in-flight lists who are not registered workers. Safe against live workers: ours
 * register before they take a job and drop the list in the same script that unregisters them.
 */
export async function orphanedInflightOwners(db: Db): Promise<string[]> {
  const prefix = db.keys.inflight("");
  const owners: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await db.redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    owners.push(...keys.map((k) => k.slice(prefix.length)));
  } while (cursor !== "0");
  if (owners.length === 0) return [];
  const registered = await db.redis.smismember(db.keys.workers, ...owners);
  return owners.filter((_, i) => registered[i] === 0);
}
