/**
 * Per-class job metrics under `resque-ts:metrics:*`: written by workers with their reserve cycle
 * (see lua/_metrics.lua), read here for the dashboard. Bounded: minute hashes expire after 24 h,
 * the classes set holds at most CLASS_CAP names (the rest count as "(other)").
 */
import { BUCKET_COUNT } from "../protocol/histogram.ts";
import { unlessWrongType } from "./views.ts";
import type { Db } from "./connection.ts";
import type { ClassTally } from "./metrics-block.ts";
import * as scripts from "./scripts.ts";

export { CLASS_CAP, MINUTE_TTL_SECONDS, metricsArgs, type ClassTally } from "./metrics-block.ts";

/** What lua/_metrics.lua counts a class as once the classes set is full. */
export const OTHER_CLASS = "(other)";

/** Record metrics outside a reserve cycle (a master settling a dead process's jobs). */
export async function recordMetrics(db: Db, classes: ReadonlyMap<string, ClassTally>, nowMs: number): Promise<void> {
  if (classes.size === 0) return;
  await scripts.recordMetrics(db, classes, nowMs);
}

/** Counts of one class as stored: runs, failures, total ms, bucket counts (BUCKET_COUNT long). */
export interface StoredCounts {
  runs: number;
  failures: number;
  totalMs: number;
  /** The longest run recorded (`|x`), undefined where none was (written by an older version). */
  maxMs?: number;
  buckets: number[];
}

/** A hash of `<class>|<field>` -> count, grouped by class. */
export function parseCounts(hash: Record<string, string>): Map<string, StoredCounts> {
  const out = new Map<string, StoredCounts>();
  for (const [field, value] of Object.entries(hash)) {
    const bar = field.lastIndexOf("|");
    if (bar < 0) continue;
    const name = field.slice(0, bar);
    const what = field.slice(bar + 1);
    let c = out.get(name);
    if (!c) out.set(name, (c = { runs: 0, failures: 0, totalMs: 0, buckets: new Array<number>(BUCKET_COUNT).fill(0) }));
    // A count that is not a finite number (written by hand) counts nothing: NaN and Infinity are not JSON.
    const n = Number.isFinite(Number(value)) ? Number(value) : 0;
    if (what === "r") c.runs += n;
    else if (what === "f") c.failures += n;
    else if (what === "ms") c.totalMs += n;
    else if (what === "x") c.maxMs = Math.max(c.maxMs ?? 0, n);
    else if (what.startsWith("b")) {
      const i = Number(what.slice(1));
      if (Number.isInteger(i) && i >= 0 && i < BUCKET_COUNT) c.buckets[i]! += n;
    }
  }
  return out;
}

/** The minute hashes for `minutes` (Unix minutes), in one pipeline. */
export async function readMinutes(db: Db, minutes: readonly number[]): Promise<Map<string, StoredCounts>[]> {
  if (minutes.length === 0) return [];
  const pipeline = db.redis.pipeline();
  for (const m of minutes) pipeline.hgetall(db.keys.metricsMinute(m));
  const replies = (await pipeline.exec()) ?? [];
  // A minute key of the wrong type counts nothing rather than failing the page.
  return replies.map(([error, hash]) => parseCounts((error ? {} : (hash ?? {})) as Record<string, string>));
}

export async function readTotals(db: Db): Promise<Map<string, StoredCounts>> {
  return parseCounts(await db.redis.hgetall(db.keys.metricsTotals).catch(unlessWrongType({})));
}
