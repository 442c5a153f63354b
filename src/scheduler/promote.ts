/**
 * Promotion of due delayed items (resque-scheduler's handle_delayed_items): per due timestamp,
 * batches moved by one script each; jobs with promotion hooks are taken and enqueued through them.
 */
import { PROMOTION_HOOKS, promote } from "../client/delayed.ts";
import { jobHooks, type Job } from "../jobs/define.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import type { SchedulerLogger } from "../log.ts";
import type { JsonValue } from "../protocol/json.ts";
import { promotionOf } from "../protocol/delayed.ts";
import type { Db } from "../store/connection.ts";
import { batchAt, nextDue, promoteBatch, type BatchEntry } from "../store/scheduler.ts";

export interface DrainOptions {
  db: Db;
  registry: JobRegistry;
  /** DELAYED_REQUEUE_BATCH_SIZE: items per script call. */
  batchSize: number;
  /** Unix seconds that count as "now" (the scheduler host's clock, as Ruby's Time.now). */
  now: number;
  /** Renews the lock; promotion stops as soon as it says we no longer lead. */
  stillLeader: () => Promise<boolean>;
  /** True once a signal asked us to stop: the drain ends between batches. */
  stopping: () => boolean;
  log: SchedulerLogger;
}

/** What one drain did; `complete` is false when it stopped early (lock lost, or asked to stop). */
export interface DrainResult {
  promoted: number;
  dropped: number;
  complete: boolean;
}

interface Hooked {
  job: Job;
  args: JsonValue[];
  queue: string;
  payload: string;
}

const hasHooks = (job: Job): boolean => PROMOTION_HOOKS.some((kind) => jobHooks(job, kind).length > 0);

function classify(raw: string, ts: number, registry: JobRegistry, log: SchedulerLogger): { entry: BatchEntry; hooked?: Hooked } {
  const promotion = promotionOf(raw);
  if (!promotion) {
    // Ruby dies on such an item and leaves it in place, so every restart dies too; we log its bytes and go on.
    log.error(`Dropped an undecodable delayed item due at ${ts}: ${raw}`);
    return { entry: { item: raw, mode: "drop" } };
  }
  const job = registry.get(promotion.className);
  const queue = promotion.queue ?? job?.queue;
  if (!queue) {
    // Ruby's NoQueueError goes to on_enqueue_failure (logged) and the job is gone.
    log.error(`Dropped delayed ${promotion.className} due at ${ts}: no queue in the item and no registered job with a queue: ${raw}`);
    return { entry: { item: raw, mode: "drop" } };
  }
  if (job && hasHooks(job))
    return { entry: { item: raw, mode: "take" }, hooked: { job, args: promotion.args, queue, payload: promotion.payload } };
  return { entry: { item: raw, mode: "push", queue, payload: promotion.payload } };
}

/** Promote every item due at `now`, earliest timestamp first, the whole backlog, as Ruby's loop does. */
export async function drainDue(o: DrainOptions): Promise<DrainResult> {
  const result: DrainResult = { promoted: 0, dropped: 0, complete: false };
  for (;;) {
    if (o.stopping()) return result;
    const ts = await nextDue(o.db, o.now);
    if (ts === undefined) return { ...result, complete: true };
    if (!(await drainTimestamp(o, ts, result))) return result;
  }
}

/**
 * Promote every item at `ts`, due or not (`resque delayed enqueue-now` uses it for a future time),
 * counting into `result`; false when it stopped early.
 */
export async function drainTimestamp(o: Omit<DrainOptions, "now">, ts: number, result: DrainResult): Promise<boolean> {
  for (;;) {
    // Renewed per batch (Ruby renews once per poll), so a long drain never outlives the lock.
    if (o.stopping() || !(await o.stillLeader())) return false;
    const items = await batchAt(o.db, ts, o.batchSize);
    const classified = items.map((raw) => classify(raw, ts, o.registry, o.log));
    const removed = await promoteBatch(
      o.db,
      ts,
      classified.map((c) => c.entry),
    );
    // The list's head changed after we read it (another scheduler, a removal): read it again.
    if (removed < 0) continue;
    for (const { entry, hooked } of classified) {
      if (entry.mode === "drop") result.dropped++;
      else if (entry.mode === "push") result.promoted++;
      else if (hooked) {
        try {
          if (await promote(o.db, hooked.job, hooked.args, hooked.queue, hooked.payload)) result.promoted++;
        } catch (error) {
          // Ruby's on_enqueue_failure: logged, and the job is gone.
          o.log.error(
            `Enqueueing delayed ${hooked.job.className} due at ${ts} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          result.dropped++;
        }
      }
    }
    if (items.length < o.batchSize) return true;
  }
}
