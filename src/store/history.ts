/** The dashboard's history lists (`resque-ts:history:s` per second, `:m` per minute), from stock's counters. */
import { unlessWrongType } from "./views.ts";
import type { Db } from "./connection.ts";
import * as scripts from "./scripts.ts";

/** One hour of per-second points, seven days of per-minute points. */
export const SECOND_POINTS = 3600;
export const MINUTE_POINTS = 7 * 24 * 60;

/** Counters as sampled: epoch ms, stat:processed, stat:failed, jobs queued, failed-list size. */
export interface RawPoint {
  t: number;
  processed: number;
  failed: number;
  queued: number;
  failedTotal: number;
}

export function parsePoint(text: string): RawPoint | undefined {
  const [t, processed, failed, queued, failedTotal] = text.split(" ").map(Number);
  if (t === undefined || !Number.isFinite(t)) return undefined;
  return { t, processed: processed || 0, failed: failed || 0, queued: queued || 0, failedTotal: failedTotal || 0 };
}

/** Append a point unless this second already has one; returns whether it did, and the latest point. */
export async function samplePoint(db: Db): Promise<{ appended: boolean; point: RawPoint | undefined }> {
  const { appended, point } = await scripts.historySample(db, SECOND_POINTS, MINUTE_POINTS);
  return { appended, point: parsePoint(point) };
}

export async function readPoints(db: Db, perMinute: boolean): Promise<RawPoint[]> {
  // Bounded by the writer's LTRIM; a key of the wrong type reads as no history.
  const texts = await db.redis
    .lrange(perMinute ? db.keys.historyMinutes : db.keys.historySeconds, 0, perMinute ? MINUTE_POINTS : SECOND_POINTS)
    .catch(unlessWrongType([] as string[]));
  return texts.flatMap((t) => parsePoint(t) ?? []);
}
