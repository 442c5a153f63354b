/**
 * Where the graphs' data comes from. History: the Redis-kept lists (`resque.history()`), per
 * second for an hour and per minute for seven days, so it survives a dashboard restart and shows
 * Ruby workers' work too (it samples stock's counters). Live: this dashboard reads the counters and
 * queue sizes about once a second for the server-sent stream, and appends the history point while
 * it is at it (`resque.sampleHistory()`; the script keeps one point a second however many dashboards call).
 */
import type { Resque } from "../client/resque.ts";

/** One live reading of the counters at `t` (ms since the epoch). */
export interface Sample {
  t: number;
  processed: number;
  failed: number;
  /** Jobs waiting, all queues together. */
  pending: number;
  queues: Record<string, number>;
  workers: number;
  working: number;
}

/** One graph point: rates per second since the previous point, and the jobs waiting then. */
export interface GraphPoint {
  t: number;
  processed: number;
  failed: number;
  pending: number;
}

export interface History {
  /** Spacing of the points in seconds: 1 up to an hour, 60 beyond. */
  resolutionSeconds: number;
  points: GraphPoint[];
}

/** History for the graphs: points in the last `rangeSeconds`, oldest first. */
export interface HistorySource {
  history(rangeSeconds: number): Promise<History>;
}

/** Live readings for the server-sent event stream. */
export interface LiveSource {
  latest(): Sample | undefined;
  /** Called with each new sample; returns the unsubscribe function. */
  subscribe(listener: (sample: Sample) => void): () => void;
}

/** The longest range the per-second list answers; beyond it the per-minute list does. */
export const PER_SECOND_MAX = 3600;

/** Read the counters once. */
export async function readSample(resque: Resque, now = Date.now()): Promise<Sample> {
  const [info, queues] = await Promise.all([resque.info(), resque.sizes()]);
  return {
    t: now,
    processed: info.processed,
    failed: info.failed,
    pending: info.pending,
    queues,
    workers: info.workers,
    working: info.working,
  };
}

/** Samples every `intervalMs`: a history point into Redis, a live sample to the listeners. */
export class RedisSampler implements HistorySource, LiveSource {
  readonly #resque: Resque;
  readonly #intervalMs: number;
  readonly #listeners = new Set<(sample: Sample) => void>();
  #latest: Sample | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;
  readonly #record: boolean;

  /** `record: false` (a read-only dashboard): read the counters and the history, append no point. */
  constructor(resque: Resque, intervalMs = 1000, options: { record?: boolean } = {}) {
    this.#resque = resque;
    this.#intervalMs = intervalMs;
    this.#record = options.record ?? true;
  }

  start(): void {
    if (this.#timer) return;
    void this.#tick();
    this.#timer = setInterval(() => void this.#tick(), this.#intervalMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#busy) return; // Redis slower than the interval: skip rather than pile up
    this.#busy = true;
    try {
      const [, sample] = await Promise.all([this.#record ? this.#resque.sampleHistory() : undefined, readSample(this.#resque)]);
      this.#latest = sample;
      for (const listener of this.#listeners) listener(sample);
    } catch {
      // Redis away: the graph shows a gap, the next tick tries again
    } finally {
      this.#busy = false;
    }
  }

  latest(): Sample | undefined {
    return this.#latest;
  }

  subscribe(listener: (sample: Sample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async history(rangeSeconds: number): Promise<History> {
    const perSecond = rangeSeconds <= PER_SECOND_MAX;
    const since = Date.now() - rangeSeconds * 1000;
    const points = await this.#resque.history({ range: perSecond ? "1h" : "7d" });
    return {
      resolutionSeconds: perSecond ? 1 : 60,
      points: points.filter((p) => p.t >= since).map((p) => ({ t: p.t, processed: p.processed, failed: p.failed, pending: p.queued })),
    };
  }
}
