/**
 * History that survives restarts, from stock's own counters (so Ruby workers' work shows too):
 * sampled by whichever dashboard calls first each second, read as per-second rates.
 */
import type { Db } from "../store/connection.ts";
import { readPoints, samplePoint, type RawPoint } from "../store/history.ts";

export type HistoryRange = "1h" | "7d";

export interface HistoryPoint {
  /** Epoch ms of the sample. */
  t: number;
  /** Jobs processed and failed per second since the previous point (never negative). */
  processed: number;
  failed: number;
  /** Jobs waiting in all queues, and the failed list's size, at the sample. */
  queued: number;
  failedTotal: number;
}

export interface Sample {
  /** False when another caller already sampled this second. */
  sampled: boolean;
  point: RawPoint | undefined;
}

export async function sampleHistory(db: Db): Promise<Sample> {
  const { appended, point } = await samplePoint(db);
  return { sampled: appended, point };
}

const SPAN_MS: Record<HistoryRange, number> = { "1h": 3600_000, "7d": 7 * 24 * 3600_000 };

/** A counter's growth; after a reset (stats cleared) the new value is all growth. */
const growth = (now: number, before: number) => (now >= before ? now - before : now);

export async function history(db: Db, range: HistoryRange, nowMs: number): Promise<HistoryPoint[]> {
  const raw = (await readPoints(db, range === "7d")).filter((p) => p.t >= nowMs - SPAN_MS[range]);
  const points: HistoryPoint[] = [];
  for (let i = 1; i < raw.length; i++) {
    const a = raw[i - 1]!;
    const b = raw[i]!;
    const seconds = (b.t - a.t) / 1000;
    if (seconds <= 0) continue;
    points.push({
      t: b.t,
      processed: growth(b.processed, a.processed) / seconds,
      failed: growth(b.failed, a.failed) / seconds,
      queued: b.queued,
      failedTotal: b.failedTotal,
    });
  }
  return points;
}
