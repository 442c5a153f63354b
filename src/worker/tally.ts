/**
 * Per-class counts of the jobs a worker finished since its last flush: runs, failures, total ms
 * and the duration histogram. They ride along with the reserve cycle (no round trip of their own).
 */
import { bucketOf } from "../protocol/histogram.ts";
import type { ClassTally } from "../store/metrics.ts";

export class Tally {
  #classes = new Map<string, ClassTally>();

  get size(): number {
    return this.#classes.size;
  }

  /** One finished run. */
  add(className: string, ms: number, failed: boolean): void {
    let t = this.#classes.get(className);
    if (!t) this.#classes.set(className, (t = { runs: 0, failures: 0, totalMs: 0, buckets: new Map() }));
    const whole = Math.max(0, Math.round(ms));
    t.runs++;
    if (failed) t.failures++;
    t.totalMs += whole;
    t.maxMs = Math.max(t.maxMs ?? 0, whole);
    const b = bucketOf(whole);
    t.buckets.set(b, (t.buckets.get(b) ?? 0) + 1);
  }

  /** Take everything counted so far, leaving this tally empty. */
  take(): Map<string, ClassTally> {
    const taken = this.#classes;
    this.#classes = new Map();
    return taken;
  }

  /** Put back counts that could not be written (a lost reply the script did not apply). */
  restore(taken: Map<string, ClassTally>): void {
    for (const [name, t] of taken) {
      const mine = this.#classes.get(name);
      if (!mine) {
        this.#classes.set(name, t);
        continue;
      }
      mine.runs += t.runs;
      mine.failures += t.failures;
      mine.totalMs += t.totalMs;
      if (t.maxMs !== undefined) mine.maxMs = Math.max(mine.maxMs ?? 0, t.maxMs);
      for (const [b, n] of t.buckets) mine.buckets.set(b, (mine.buckets.get(b) ?? 0) + n);
    }
  }
}
