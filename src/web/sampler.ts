/**
 * Where the Metrics page's history comes from. Today: an in-memory sampler of stock's counters
 * (stat:processed, stat:failed) and queue sizes, kept while this dashboard runs. The Redis-kept
 * history (`resque.sampleHistory()` / `resque.history({range})`) replaces it behind this interface.
 */
import type { Resque } from "../client/resque.ts";

/** One reading of the counters at `t` (ms since the epoch). Rates are the pages' to compute. */
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

/** History for the graphs: samples in the last `rangeSeconds`, oldest first. */
export interface HistorySource {
  history(rangeSeconds: number): Promise<Sample[]>;
  /** What one sample's spacing is, in seconds (the graphs label by it). */
  readonly resolutionSeconds: number;
}

/** Live readings for the server-sent event stream. */
export interface LiveSource {
  latest(): Sample | undefined;
  /** Called with each new sample; returns the unsubscribe function. */
  subscribe(listener: (sample: Sample) => void): () => void;
}

/** Read the counters once. */
export async function readSample(resque: Resque, now = Date.now()): Promise<Sample> {
  const [info, queues] = await Promise.all([resque.info(), resque.sizes()]);
  return { t: now, processed: info.processed, failed: info.failed, pending: info.pending, queues, workers: info.workers, working: info.working };
}

/** Samples every `intervalMs` into a ring of `capacity` (default: one hour at one per second). */
export class MemorySampler implements HistorySource, LiveSource {
  readonly #resque: Resque;
  readonly #intervalMs: number;
  readonly #capacity: number;
  readonly #samples: Sample[] = [];
  readonly #listeners = new Set<(sample: Sample) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;

  constructor(resque: Resque, intervalMs = 1000, capacity = 3600) {
    this.#resque = resque;
    this.#intervalMs = intervalMs;
    this.#capacity = capacity;
  }

  get resolutionSeconds(): number {
    return this.#intervalMs / 1000;
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
      const sample = await readSample(this.#resque);
      this.#samples.push(sample);
      if (this.#samples.length > this.#capacity) this.#samples.shift();
      for (const listener of this.#listeners) listener(sample);
    } catch {
      // Redis away: the graph shows a gap, the next tick tries again
    } finally {
      this.#busy = false;
    }
  }

  latest(): Sample | undefined {
    return this.#samples.at(-1);
  }

  subscribe(listener: (sample: Sample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async history(rangeSeconds: number): Promise<Sample[]> {
    const since = Date.now() - rangeSeconds * 1000;
    return this.#samples.filter((s) => s.t >= since);
  }
}
