// Summaries for the tables: min / median / max, and percentiles for latencies.
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** `{ "<label> min", "<label> median", "<label> max" }`, rounded. */
export function summarise(label: string, xs: readonly number[]): Record<string, number> {
  return {
    [`${label} min`]: Math.round(Math.min(...xs)),
    [`${label} median`]: Math.round(percentile(xs, 50)),
    [`${label} max`]: Math.round(Math.max(...xs)),
  };
}
