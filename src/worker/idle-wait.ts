/**
 * How a worker waits when it has nothing to take: blocked on Redis until one of its queues holds
 * a job (a peek that takes nothing; see store/queue-watch.ts), or on a timer when it cannot block.
 * Either way a poke (a job finished, shutdown, resume) ends the wait at once, and `seconds`
 * (INTERVAL, with stock's backoff) stays the longest wait.
 */
import type { Db } from "../store/connection.ts";
import { QueueWatch } from "../store/queue-watch.ts";

/** After a peek failed (connection lost), poll at most this long before trying again. */
const AFTER_ERROR_SECONDS = 1;

export class IdleWait {
  readonly #watch: QueueWatch;
  #wake: (() => void) | undefined;
  /** The last wait ended on a job that was already there when it began. */
  #held = false;
  /** Waits in a row that ended on a job already there and whose cycle took nothing. */
  #strikes = 0;

  /** `maxSeconds`: the longest wait ever asked for (MAX_INTERVAL). */
  constructor(db: Db, maxSeconds: number) {
    this.#watch = new QueueWatch(db, maxSeconds);
  }

  /** End the current wait, if any. */
  poke(): void {
    this.#wake?.();
  }

  /**
   * Until poked, or `seconds` pass (undefined: until poked). Given `queues` (resolved, in
   * priority order), also until one of them holds a job.
   */
  async wait(seconds: number | undefined, queues?: readonly string[]): Promise<void> {
    // `#held` is left as the last peek set it until `took` reads it: a wait for a cycle's reply
    // in between (no queues) must not forget that the queue held a job it could not take.
    const poked = new Promise<void>((resolve) => (this.#wake = resolve));
    try {
      let timer = seconds;
      if (seconds !== undefined && queues) {
        if (this.#strikes < 2) {
          const outcome = await this.#watch.wait(queues, seconds, poked);
          this.#held = outcome === "held";
          if (outcome !== "error" && outcome !== "unwatched") return;
          if (outcome === "error") timer = Math.min(seconds, AFTER_ERROR_SECONDS);
        } else {
          // Two jobs in a row that were there and could not be taken (a suspect job waiting for
          // this worker's other jobs to end, say): poll once rather than wake on them again and again.
          this.#strikes = 0;
        }
      }
      let handle: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([poked, ...(timer === undefined ? [] : [new Promise((resolve) => (handle = setTimeout(resolve, timer * 1000)))])]);
      clearTimeout(handle);
    } finally {
      this.#wake = undefined;
    }
  }

  /** What the cycle after a wait took. */
  took(count: number): void {
    if (count > 0) this.#strikes = 0;
    else if (this.#held) this.#strikes++;
    this.#held = false;
  }

  close(): void {
    this.#watch.close();
  }
}
