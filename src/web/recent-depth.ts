/**
 * Per-queue depth for the Queue depth graph's single-queue lines. Redis history keeps only the
 * total waiting, so this dashboard remembers what its own live samples saw (the biggest queues of
 * each, for the last hour) and /api/history hands it out with the history points: a page opened
 * now draws those lines from as far back as this process has sampled, not from the right edge.
 */
import type { LiveSource, Sample } from "./sampler.ts";

/** Samples kept: an hour at the default one a second. */
export const RECENT_SAMPLES = 3600;
/** Queues kept per sample (the biggest); the graph draws six. */
export const RECENT_QUEUES = 20;

interface Reading {
  t: number;
  queues: Record<string, number>;
  /** More queues than were kept: a queue not listed was not among the biggest (unknown), not empty. */
  truncated: boolean;
}

/** The biggest `n` queues of a sample. */
function biggest(queues: Record<string, number>, n: number): Record<string, number> {
  const entries = Object.entries(queues);
  if (entries.length <= n) return { ...queues };
  return Object.fromEntries(entries.sort((a, b) => b[1] - a[1]).slice(0, n));
}

export class RecentDepth {
  readonly #readings: Reading[] = [];
  readonly #stop: () => void;

  constructor(live: LiveSource) {
    this.#stop = live.subscribe((sample) => this.add(sample));
  }

  add(sample: Pick<Sample, "t" | "queues">): void {
    const last = this.#readings[this.#readings.length - 1];
    if (last && sample.t <= last.t) return;
    this.#readings.push({
      t: sample.t,
      queues: biggest(sample.queues, RECENT_QUEUES),
      truncated: Object.keys(sample.queues).length > RECENT_QUEUES,
    });
    if (this.#readings.length > RECENT_SAMPLES) this.#readings.splice(0, this.#readings.length - RECENT_SAMPLES);
  }

  close(): void {
    this.#stop();
  }

  /**
   * `points` (oldest first) with the queue sizes seen nearest each one's time, within `toleranceMs`
   * (half the graph's step or more); a point with no reading near it is left as it was (a gap).
   */
  attach<P extends { t: number }>(
    points: P[],
    names: readonly string[],
    toleranceMs: number,
  ): (P & { queues?: Record<string, number | null> })[] {
    const r = this.#readings;
    if (r.length === 0 || names.length === 0) return points;
    let j = 0;
    return points.map((p) => {
      while (j + 1 < r.length && Math.abs(r[j + 1]!.t - p.t) <= Math.abs(r[j]!.t - p.t)) j++;
      const near = r[j]!;
      if (Math.abs(near.t - p.t) > toleranceMs) return p;
      return { ...p, queues: Object.fromEntries(names.map((q) => [q, near.queues[q] ?? (near.truncated ? null : 0)])) };
    });
  }
}
