/**
 * Jobs in TypeScript: a handler registered under the class name payloads carry.
 * Hooks keep stock's names (camelCased) and are found by name prefix like stock's,
 * so `beforePerformLock` and `beforePerformLog` both run, in sorted name order.
 */
import type { ActiveJobMeta } from "../protocol/active-job.ts";
import { retryPolicy, type RetryOptions } from "./retry.ts";

// biome-ignore lint/suspicious/noExplicitAny: job arguments are whatever the payload holds
type Args = any[];

/** What `this` is inside `perform`: the job, plus the run's own signal and limits. */
export interface JobContext {
  /** Aborted when the job passes its deadline (or its process is told to stop): stop cleanly, soon. */
  readonly signal: AbortSignal;
  readonly className: string;
  /** The queue the job was taken from. */
  readonly queue: string;
  /** Seconds this run may take, if it has a deadline. */
  readonly timeout: number | undefined;
  /** For a job Rails enqueued (perform_later): job_id, executions, enqueued_at, locale, timezone...; else undefined. */
  readonly activeJob?: ActiveJobMeta | undefined;
}

export interface JobSpec<A extends Args = Args> {
  /** The queue `enqueue` uses when none is given (stock's `@queue`). */
  queue?: string;
  /**
   * Seconds a run may take (overrides JOB_TIMEOUT). Past it `this.signal` aborts; a job still
   * running shortly after fails as Resque::JobTimeout and its worker process is replaced.
   */
  timeout?: number;
  /** Past the timeout, put the job back under RECOVERY_LIMIT instead of failing it. */
  retryOnTimeout?: boolean;
  /**
   * Retry failed runs (resque-retry): later ones through the delayed queue, so any scheduler
   * promotes them. Timeouts and crashes follow `retryOnTimeout` and RECOVERY_LIMIT instead.
   */
  retry?: RetryOptions<A>;
  perform(this: JobContext, ...args: A): unknown;
  /** Throw `new DontPerform()` to skip the job quietly (it still counts as processed). */
  beforePerform?(...args: A): unknown;
  /** Call `next()` to go on to the next around hook and finally `perform`; not calling it skips perform. */
  aroundPerform?(next: () => Promise<void>, ...args: A): unknown;
  afterPerform?(...args: A): unknown;
  onFailure?(error: unknown, ...args: A): unknown;
  /** Return exactly `false` to stop the enqueue. */
  beforeEnqueue?(...args: A): unknown;
  afterEnqueue?(...args: A): unknown;
  /** Return exactly `false` to stop the dequeue. */
  beforeDequeue?(...args: A): unknown;
  afterDequeue?(...args: A): unknown;
  /** resque-scheduler's before_schedule: return exactly `false` to stop a delayed enqueue (or a promotion: the job is dropped). */
  beforeSchedule?(...args: A): unknown;
  afterSchedule?(...args: A): unknown;
  /** resque-scheduler's before_delayed_enqueue: runs as a delayed job is pushed; its return value is ignored. */
  beforeDelayedEnqueue?(...args: A): unknown;
  /** More hooks: any function whose name starts with one of the hook names above. */
  [hook: string]: unknown;
}

const JOB = Symbol.for("resque.job");

export type Job<A extends Args = Args> = JobSpec<A> & { readonly className: string; readonly [JOB]: true };

/**
 * The arguments `enqueue` accepts for a job: its `perform` parameters when it is a typed job
 * (a defineJob result), anything when it is a class name (a Ruby job, or one defined elsewhere).
 */
export type JobArgs<J> = J extends { perform(this: never, ...args: infer A): unknown } ? A : unknown[];

/** Define a job under `className` ("Archive", "Mailer::Deliver"), the name payloads carry. */
export function defineJob<A extends Args>(className: string, spec: JobSpec<A>): Job<A> {
  if (!className) throw new TypeError("defineJob needs a class name");
  if (typeof spec.perform !== "function") throw new TypeError(`job ${className} needs a perform function`);
  // Bad retry options fail here, where the job is written, not at its first failure in a worker.
  if (spec.retry !== undefined) retryPolicy(className, spec.retry);
  return Object.freeze({ ...spec, className, [JOB]: true as const }) as Job<A>;
}

/** A defineJob result, or a plain `{ className, perform }` (what a module run by the binary can write without imports). */
export function isJob(value: unknown): value is Job {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string | symbol, unknown>;
  return v[JOB] === true || (typeof v["className"] === "string" && v["className"] !== "" && typeof v["perform"] === "function");
}

/** Raise from a beforePerform hook to skip the job without a failure (stock's Resque::Job::DontPerform). */
export class DontPerform extends Error {
  override name = "DontPerform";
}

export type JobHookKind =
  | "beforePerform"
  | "aroundPerform"
  | "afterPerform"
  | "onFailure"
  | "beforeEnqueue"
  | "afterEnqueue"
  | "beforeDequeue"
  | "afterDequeue"
  | "beforeSchedule"
  | "afterSchedule"
  | "beforeDelayedEnqueue";

type Hook = (...args: unknown[]) => unknown;

const hookCache = new WeakMap<Job, Map<JobHookKind, Hook[]>>();

/** The hooks of one kind, in sorted name order as stock runs them (found once per job definition: this runs per job). */
export function jobHooks(job: Job, kind: JobHookKind): Hook[] {
  let byKind = hookCache.get(job);
  if (!byKind) hookCache.set(job, (byKind = new Map()));
  let hooks = byKind.get(kind);
  if (!hooks) {
    hooks = Object.keys(job)
      .filter((name) => name.startsWith(kind) && typeof job[name] === "function")
      .sort()
      .map((name) => (job[name] as Hook).bind(job));
    byKind.set(kind, hooks);
  }
  return hooks;
}
