/**
 * One job in flight in a worker process: its in-flight entry, the AbortController behind
 * `this.signal`, and its deadline, which the worker checks while its loop runs and reports to
 * the master (which can act when the loop is stuck).
 */
import type { Job } from "../jobs/define.ts";
import type { ActiveJobMeta } from "../protocol/active-job.ts";
import { entryToken } from "../protocol/token.ts";
import type { TakenJob } from "../store/workers.ts";
import type { RetryRun } from "./retry.ts";

/** Seconds a job gets after its signal aborts before it is failed (cooperative jobs stop in that time). */
export const TIMEOUT_GRACE_SECONDS = 1;

/** A running job as the master's watchdog sees it: its entry's token, deadline (epoch ms), retry on timeout, timeout in seconds. */
export type DeadlineReport = [token: string, deadline: number, retry: 0 | 1, seconds: number];

/** Also the JobContext a job's `this` reads (see perform.ts). */
export class RunningJob {
  readonly entry: string;
  readonly queue: string;
  readonly payload: string;
  readonly className: string;
  /** Made on first use of `signal`: most jobs never look, and a controller per job costs at 50,000 jobs/s. */
  #controller: AbortController | undefined;
  readonly startedAt = Date.now();
  /** Seconds this run may take, and when it must end (epoch ms), if it has a deadline. */
  timeout: number | undefined;
  deadline: number | undefined;
  retryOnTimeout = false;
  /** Set once the run is counted, for a job with `retry` options (unknown and malformed jobs never are). */
  retry: RetryRun | undefined;
  /** A Rails payload's ActiveJob metadata (`this.activeJob` in perform). */
  activeJob: ActiveJobMeta | undefined;

  /** The class per-class metrics count: a Rails job's own job_class, not the wrapper every Rails job shares (as Sidekiq shows wrapped jobs). */
  get metricsClass(): string {
    return this.activeJob?.jobClass ?? this.className;
  }
  /** The signal was aborted for the deadline. */
  timedOut = false;
  /** Settled by the worker itself (unsupervised, past the grace): whatever its promise does later is ignored. */
  abandoned = false;
  #token: string | undefined;

  constructor(taken: TakenJob, className: string) {
    this.entry = taken.entry;
    this.queue = taken.queue;
    this.payload = taken.payload;
    this.className = className;
  }

  /** Give this run a deadline: the job's own `timeout`, else the worker's default (0 = none). */
  arm(job: Job, defaultSeconds: number): void {
    const seconds = typeof job.timeout === "number" && job.timeout > 0 ? job.timeout : defaultSeconds || undefined;
    if (seconds === undefined) return;
    this.timeout = seconds;
    this.deadline = Date.now() + seconds * 1000;
    this.retryOnTimeout = job.retryOnTimeout === true;
    this.#token = entryToken(this.entry);
  }

  /** Aborted when the run passes its deadline. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.timedOut) this.#abort();
    }
    return this.#controller.signal;
  }

  /** Past the deadline: abort the signal (once). Returns true the first time. */
  expire(now: number): boolean {
    if (this.deadline === undefined || now < this.deadline || this.timedOut) return false;
    this.timedOut = true;
    this.#abort();
    return true;
  }

  #abort(): void {
    this.#controller?.abort(Object.assign(new Error(`${this.className} passed its ${this.timeout} s timeout`), { name: "TimeoutError" }));
  }

  /** Past the deadline and the grace, still running: the worker may give up on it. */
  overdue(now: number): boolean {
    return this.deadline !== undefined && now >= this.deadline + TIMEOUT_GRACE_SECONDS * 1000;
  }

  report(): DeadlineReport | undefined {
    if (this.deadline === undefined || this.#token === undefined) return undefined;
    return [this.#token, this.deadline, this.retryOnTimeout ? 1 : 0, this.timeout ?? 0];
  }
}
