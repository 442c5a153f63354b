/**
 * When to start a replacement: at once for a process that worked a while, with growing
 * delays for one that keeps dying at start-up (a broken job module, Redis refusing auth).
 */
export class RestartPolicy {
  #quickDeaths = 0;
  readonly #healthyAfterMs: number;
  readonly #maxDelayMs: number;

  constructor(healthyAfterMs = 2000, maxDelayMs = 30_000) {
    this.#healthyAfterMs = healthyAfterMs;
    this.#maxDelayMs = maxDelayMs;
  }

  /**
   * Milliseconds to wait before replacing a process that lived `livedMs` and `failed`. One that
   * got as far as `registered` (job modules loaded, Redis answering) did not die of start-up,
   * so it is replaced at once: a job killing processes is RECOVERY_LIMIT's business, not a loop.
   */
  delayAfter(livedMs: number, failed: boolean, registered = false): number {
    if (!failed || registered || livedMs >= this.#healthyAfterMs) {
      this.#quickDeaths = 0;
      return 0;
    }
    this.#quickDeaths++;
    return Math.min(250 * 2 ** (this.#quickDeaths - 1), this.#maxDelayMs);
  }
}
