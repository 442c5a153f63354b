/** MAX_WORKER_RSS: whether this process has grown past its memory limit, read sparingly (a read is a system call). */
import type { Runtime } from "../runtime/types.ts";

/** Resident memory is read at most this often. */
const RSS_CHECK_MS = 250;
export const MiB = 1024 * 1024;

export class MemoryCheck {
  readonly #runtime: Runtime;
  readonly #maxRss: number;
  #checkedMs = 0;

  /** `maxRss`: bytes; 0 = no limit. */
  constructor(runtime: Runtime, maxRss: number) {
    this.#runtime = runtime;
    this.#maxRss = maxRss;
  }

  /** The resident MiB when past the limit, read at most every RSS_CHECK_MS (and on the first batch, so a tiny limit still makes progress). */
  grown(): number | undefined {
    if (this.#maxRss <= 0) return undefined;
    const now = Date.now();
    if (now - this.#checkedMs < RSS_CHECK_MS) return undefined;
    this.#checkedMs = now;
    const rss = this.#runtime.rss();
    return rss > this.#maxRss ? Math.round(rss / MiB) : undefined;
  }
}
