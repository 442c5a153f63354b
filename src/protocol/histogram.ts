/**
 * The fixed log-scale duration histogram per-class metrics keep: bucket i counts runs that took
 * at most BUCKET_BOUNDS_MS[i] ms (the last bucket is +Inf). Fixed, so counts from every worker
 * and every minute add up, and Prometheus histograms can be built from them.
 */

/** Upper bounds in ms, ascending; one more bucket (index BUCKET_BOUNDS_MS.length) holds the rest. */
export const BUCKET_BOUNDS_MS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000,
];

/** How many buckets there are, +Inf included. */
export const BUCKET_COUNT = BUCKET_BOUNDS_MS.length + 1;

/** The bucket a run of `ms` falls in. */
export function bucketOf(ms: number): number {
  for (let i = 0; i < BUCKET_BOUNDS_MS.length; i++) if (ms <= BUCKET_BOUNDS_MS[i]!) return i;
  return BUCKET_BOUNDS_MS.length;
}

/** The bucket holding `ms`, as [lower, upper] bounds in ms (upper undefined for the +Inf bucket): an estimate's resolution. */
export function bucketRange(ms: number): [lower: number, upper: number | undefined] {
  const i = bucketOf(ms);
  return [i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!, BUCKET_BOUNDS_MS[i]];
}

/**
 * The `p`-th percentile (0..1) estimated from bucket counts: linear inside the bucket that holds
 * it (as Prometheus's histogram_quantile); in the +Inf bucket, that bucket's lower bound. Never
 * more than `maxMs`, the longest run recorded, when it is known: interpolating inside a wide bucket
 * could otherwise report a p95 of 28 s for runs of 1 s and 20 s. undefined when there are no runs.
 */
export function percentileMs(counts: readonly number[], p: number, maxMs?: number): number | undefined {
  const estimate = estimateMs(counts, p);
  return estimate === undefined || maxMs === undefined ? estimate : Math.min(estimate, maxMs);
}

function estimateMs(counts: readonly number[], p: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = p * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!;
      const upper = BUCKET_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return lower + (upper - lower) * ((rank - seen) / n);
    }
    seen += n;
  }
  return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1];
}

/** Cumulative counts with upper bounds in seconds (Prometheus's `le`), +Inf last. */
export function cumulativeBuckets(counts: readonly number[]): { le: number; count: number }[] {
  let sum = 0;
  const out: { le: number; count: number }[] = [];
  for (let i = 0; i < BUCKET_COUNT; i++) {
    sum += counts[i] ?? 0;
    out.push({ le: i < BUCKET_BOUNDS_MS.length ? BUCKET_BOUNDS_MS[i]! / 1000 : Number.POSITIVE_INFINITY, count: sum });
  }
  return out;
}
