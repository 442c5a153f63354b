/** Handing a worker's unfinished jobs back to their queues (see lua/return-jobs.lua). */
import { home, type Db } from "./connection.ts";
import * as scripts from "./scripts.ts";
import type { Returned, UnfinishedJob } from "./scripts.ts";

export type { Charge, Returned, UnfinishedJob } from "./scripts.ts";

/** How long recovery counts outlive the last recovery, for jobs a stock worker finished. */
const RECOVERY_TTL_SECONDS = 7 * 24 * 3600;

/** Hand `jobs` of worker `id` back (see lua/return-jobs.lua); a job counted `limit` times fails as poison. */
export async function returnJobs(db: Db, id: string, jobs: readonly UnfinishedJob[], limit: number): Promise<Returned> {
  if (jobs.length === 0) return { requeued: 0, poisoned: 0, failed: 0 };
  return scripts.returnJobs(db, id, jobs, limit, RECOVERY_TTL_SECONDS);
}

/** Recovery counts per payload sha1 (for `resque` status and tests). */
export const recoveryCounts = (db: Db): Promise<Record<string, string>> => db.redis.hgetall(db.keys.recoveries);

/** Every worker id that owns an in-flight list (registered or not). */
export async function inflightOwners(db: Db): Promise<string[]> {
  const prefix = db.keys.inflight("");
  const owners: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await (await home(db)).scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    owners.push(...keys.map((k) => k.slice(prefix.length)));
  } while (cursor !== "0");
  return owners;
}

/** Owners of in-flight lists who are not registered workers (a stock Ruby worker pruned them, or Redis lost the registry). */
export async function orphanedInflightOwners(db: Db): Promise<string[]> {
  const owners = await inflightOwners(db);
  if (owners.length === 0) return [];
  const registered = await db.redis.smismember(db.keys.workers, ...owners);
  return owners.filter((_, i) => registered[i] === 0);
}

/**
 * Orphans seen on an earlier look too, at least `ageSeconds` ago (by Redis's clock). A live
 * worker whose registration vanished (Redis restarted empty) registers again within seconds,
 * so only an orphan that stays one across two looks is recovered. Returns the ones to recover now.
 */
export async function settledOrphans(db: Db, orphans: readonly string[], now: Date, ageSeconds: number): Promise<string[]> {
  const key = db.keys.orphans;
  const seen = await db.redis.hgetall(key);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const ready: string[] = [];
  const pipeline = db.redis.pipeline();
  for (const id of orphans) {
    const first = Number(seen[id]);
    if (Number.isFinite(first) && nowSeconds - first >= ageSeconds) ready.push(id);
    else if (!Number.isFinite(first)) pipeline.hset(key, id, String(nowSeconds));
  }
  // Forget owners that are no longer orphans (registered again, or recovered).
  for (const id of Object.keys(seen)) if (!orphans.includes(id) || ready.includes(id)) pipeline.hdel(key, id);
  await pipeline.exec();
  return ready;
}
