/** Per-class job metrics for the dashboard: a recent window per minute, and totals as histograms. */
import { cumulativeBuckets, percentileMs } from "../protocol/histogram.ts";
import type { Db } from "../store/connection.ts";
import { readMinutes, readTotals, type StoredCounts } from "../store/metrics.ts";

export interface MinuteCounts {
  /** Unix minute start, epoch ms. */
  minute: number;
  runs: number;
  failures: number;
  totalMs: number;
}

export interface ClassMetrics {
  className: string;
  runs: number;
  failures: number;
  totalMs: number;
  /** Estimated from the duration histogram; null without runs in the window. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** The longest run in the window; null when unknown (no runs, or minutes written by a version that kept none). */
  maxMs: number | null;
  /** Oldest first, one per minute of the window (zeros included). */
  perMinute: MinuteCounts[];
}

export interface ClassTotals {
  className: string;
  runs: number;
  failures: number;
  totalMs: number;
  /** Cumulative counts by upper bound in seconds (Prometheus `le`), +Inf (Infinity) last. */
  buckets: { le: number; count: number }[];
}

/** Most minutes a window may span (the minute hashes live 24 h). */
const MAX_MINUTES = 24 * 60;

export async function classMetrics(db: Db, minutes: number, nowMs: number): Promise<ClassMetrics[]> {
  const span = Math.min(MAX_MINUTES, Math.max(1, Math.floor(minutes)));
  const last = Math.floor(nowMs / 60_000);
  const window = Array.from({ length: span }, (_, i) => last - span + 1 + i);
  const hashes = await readMinutes(db, window);
  const names = new Set<string>();
  for (const h of hashes) for (const name of h.keys()) names.add(name);
  return [...names].sort().map((className) => {
    const sum: StoredCounts = { runs: 0, failures: 0, totalMs: 0, buckets: [] };
    let maxMs: number | null = null;
    let maxKnown = true;
    const perMinute = window.map((minute, i) => {
      const c = hashes[i]!.get(className);
      if (c) {
        if (c.maxMs === undefined) maxKnown = maxKnown && c.runs === 0;
        else maxMs = Math.max(maxMs ?? 0, c.maxMs);
        sum.runs += c.runs;
        sum.failures += c.failures;
        sum.totalMs += c.totalMs;
        c.buckets.forEach((n, b) => (sum.buckets[b] = (sum.buckets[b] ?? 0) + n));
      }
      return { minute: minute * 60_000, runs: c?.runs ?? 0, failures: c?.failures ?? 0, totalMs: c?.totalMs ?? 0 };
    });
    const counts = Array.from(sum.buckets, (n) => n ?? 0);
    const longest = maxKnown && maxMs !== null ? maxMs : undefined;
    return {
      className,
      runs: sum.runs,
      failures: sum.failures,
      totalMs: sum.totalMs,
      p50Ms: percentileMs(counts, 0.5, longest) ?? null,
      p95Ms: percentileMs(counts, 0.95, longest) ?? null,
      maxMs: longest ?? null,
      perMinute,
    };
  });
}

export async function classTotals(db: Db): Promise<ClassTotals[]> {
  const totals = await readTotals(db);
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([className, c]) => ({
      className,
      runs: c.runs,
      failures: c.failures,
      totalMs: c.totalMs,
      buckets: cumulativeBuckets(c.buckets),
    }));
}
