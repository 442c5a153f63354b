/**
 * resque-scheduler's delayed jobs on the client side (Resque.enqueue_at and friends), with its
 * hooks in its order. Items are written byte-exact with Ruby so either side can find and remove them.
 */
import { decodeDelayedItem, encodeDelayedItem, isDue, toTimestamp, type DelayTime, type DelayedItem } from "../protocol/delayed.ts";
import type { JsonValue } from "../protocol/json.ts";
import { encodePayload } from "../protocol/payload.ts";
import { jobHooks, type Job, type JobHookKind } from "../jobs/define.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import type { Db } from "../store/connection.ts";
import { nestsDeeper } from "../protocol/json-depth.ts";
import * as store from "../store/delayed.ts";
import { enqueue, inferQueue, resolveJob, runAfter, runGate, type JobRef } from "./enqueue.ts";

/** A stored delayed item and the timestamp (Unix seconds) it is due at. */
export interface ScheduledItem extends DelayedItem {
  timestamp: number;
}

/** Chooses items for findDelayedSelection / removeDelayedSelection, as resque-scheduler's block does. */
export type DelayedPredicate = (args: JsonValue[], item: ScheduledItem) => boolean;

/**
 * enqueue_at_with_queue: beforeSchedule hooks (a `false` stores nothing), then either the delayed
 * item or, when `time` is not in the future by this host's clock, an enqueue at once (core hooks),
 * then afterSchedule. Returns false when a beforeSchedule (or, at once, beforeEnqueue) hook said no.
 */
export async function enqueueAt(
  db: Db,
  time: DelayTime,
  ref: JobRef,
  args: readonly unknown[],
  queue: string | undefined,
  registry: JobRegistry | undefined,
  nowMs: number,
): Promise<boolean> {
  const resolved = resolveJob(ref, registry);
  // enqueue_at validates the class's queue before any hook runs, as stock's Resque.validate.
  const target = inferQueue(resolved, queue);
  const ts = toTimestamp(time);
  if (!(await runGate(resolved.job, "beforeSchedule", args))) return false;
  let done = true;
  if (isDue(ts, nowMs)) done = await enqueue(db, ref, args as never, target, registry);
  else await store.pushDelayed(db, ts, encodeDelayedItem(resolved.className, args, target));
  await runAfter(resolved.job, "afterSchedule", args);
  return done;
}

/** The exact item bytes resque-scheduler looks for (job_to_hash): the queue given, else the job's own. */
function itemFor(ref: JobRef, args: readonly unknown[], queue: string | null | undefined, registry?: JobRegistry): string {
  const resolved = resolveJob(ref, registry);
  return encodeDelayedItem(resolved.className, args, queue === undefined ? inferQueue(resolved) : queue);
}

/** remove_delayed / remove_delayed_in_queue: every copy at every timestamp; how many went. */
export async function removeDelayed(
  db: Db,
  ref: JobRef,
  args: readonly unknown[],
  queue: string | null | undefined,
  registry?: JobRegistry,
): Promise<number> {
  return store.removeDelayedItem(db, itemFor(ref, args, queue, registry));
}

/** remove_delayed_job_from_timestamp: the copies at one timestamp only (stored with `queue`, else the job's own). */
export async function removeDelayedAt(
  db: Db,
  time: DelayTime,
  ref: JobRef,
  args: readonly unknown[],
  registry?: JobRegistry,
  queue?: string | null,
): Promise<number> {
  return store.removeDelayedItemAt(db, toTimestamp(time), itemFor(ref, args, queue, registry));
}

/** One stored item as delayed_timestamp_peek reads it: decoded when it can be, its bytes always. */
export interface DelayedEntry {
  raw: string;
  item: DelayedItem | undefined;
}

/** delayed_timestamp_peek: `count` items due at `time` from `start`, oldest first. */
export async function timestampPeek(db: Db, time: DelayTime, start: number, count: number): Promise<DelayedEntry[]> {
  return (await store.timestampPeek(db, toTimestamp(time), start, count)).map((raw) => {
    const item = decodeDelayedItem(raw);
    // An item whose args nest past a stack's depth is shown as unreadable (views encode args again).
    return item && !nestsDeeper(item.args) ? { raw, item } : { raw: raw.slice(0, 4096), item: undefined };
  });
}

/** scheduled_at: the timestamps where this exact job is delayed. */
export async function scheduledAt(db: Db, ref: JobRef, args: readonly unknown[], registry?: JobRegistry): Promise<number[]> {
  return store.scheduledAt(db, itemFor(ref, args, undefined, registry));
}

/** find_delayed_selection: items of `job` (any class when omitted) whose args the predicate accepts. */
export async function findDelayedSelection(
  db: Db,
  predicate: DelayedPredicate,
  ref?: JobRef,
  registry?: JobRegistry,
): Promise<ScheduledItem[]> {
  const className = ref === undefined ? undefined : resolveJob(ref, registry).className;
  const found: ScheduledItem[] = [];
  for (const { ts, raw } of await store.allDelayed(db)) {
    // Ruby raises on an undecodable item; skipping it lets the rest be found.
    const item = decodeDelayedItem(raw);
    if (!item || (className !== undefined && item.className !== className)) continue;
    const scheduled = { ...item, timestamp: ts };
    if (predicate(item.args, scheduled)) found.push(scheduled);
  }
  return found;
}

/** remove_delayed_selection: every copy of every matching item; how many went. */
export async function removeDelayedSelection(db: Db, predicate: DelayedPredicate, ref?: JobRef, registry?: JobRegistry): Promise<number> {
  const raws = new Set((await findDelayedSelection(db, predicate, ref, registry)).map((item) => item.raw));
  let removed = 0;
  for (const raw of raws) removed += await store.removeDelayedItem(db, raw);
  return removed;
}

/** The hooks promotion runs, in order; a job with none of them is promoted by one script. */
export const PROMOTION_HOOKS: JobHookKind[] = ["beforeSchedule", "beforeDelayedEnqueue", "beforeEnqueue", "afterEnqueue", "afterSchedule"];

/**
 * enqueue_delayed: remove the matching delayed items and push each now, with the promotion hooks.
 * A class name with no registered job gets no hooks (Ruby's Resque::Job.create fallback); it, and
 * a job with none of those hooks, is removed and pushed in one script, so no copy can be lost.
 */
export async function enqueueDelayed(
  db: Db,
  ref: JobRef,
  args: readonly unknown[],
  queue: string | undefined,
  registry?: JobRegistry,
): Promise<number> {
  const resolved = resolveJob(ref, registry);
  const target = inferQueue(resolved, queue);
  const item = encodeDelayedItem(resolved.className, args, target);
  const job = resolved.job;
  if (!job || PROMOTION_HOOKS.every((kind) => jobHooks(job, kind).length === 0)) {
    return store.removeDelayedItem(db, item, { queue: target, payload: encodePayload(resolved.className, args) });
  }
  const removed = await store.removeDelayedItem(db, item);
  for (let i = 0; i < removed; i++) await promote(db, job, args, target);
  return removed;
}

/**
 * enqueue_from_config for a known job: beforeSchedule (a `false` drops it), beforeDelayedEnqueue
 * (return ignored), the core enqueue with its hooks, afterSchedule. Returns whether it was pushed.
 * `payload`: the bytes Ruby would push for a stored item (its float forms kept), instead of re-encoding `args`.
 */
export async function promote(db: Db, job: Job, args: readonly unknown[], queue: string, payload?: string): Promise<boolean> {
  if (!(await runGate(job, "beforeSchedule", args))) return false;
  await runAfter(job, "beforeDelayedEnqueue", args);
  const pushed = await enqueue(db, job, args as never, queue, undefined, payload);
  await runAfter(job, "afterSchedule", args);
  return pushed;
}
