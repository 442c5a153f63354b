/**
 * Automatic retries (resque-retry's semantics): which failures are retried, how often, and how
 * long each retry waits. Pure: the worker asks `retryDecision` and does the Redis side itself.
 */
// biome-ignore lint/suspicious/noExplicitAny: job arguments are whatever the payload holds
type Args = any[];

/** An Error class (subclasses match too), or a class name: a Ruby-side name like "Net::ReadTimeout" is a string. */
// biome-ignore lint/suspicious/noExplicitAny: any constructor of an Error
export type ErrorClassMatcher = string | (abstract new (...args: any[]) => Error);
/** A predicate on the thrown value and the job's arguments (resque-retry's retry_criteria_check). */
export type ErrorPredicate<A extends Args = Args> = (error: unknown, ...args: A) => boolean;
/** Any function that is not an Error class is a predicate. */
export type ErrorMatcher<A extends Args = Args> = ErrorClassMatcher | ErrorPredicate<A>;

/** How long each retry waits: pick at most one of `delay`, `backoff`, `exponential`. */
export interface RetryOptions<A extends Args = Args> {
  /**
   * Retries after the first run (resque-retry's @retry_limit): 0 never retries, Infinity always.
   * Default: the length of `backoff` when given, else 1.
   */
  limit?: number;
  /** Seconds every retry waits (@retry_delay). 0 (the default) puts the job straight back on its queue. */
  delay?: number;
  /** Seconds the n-th retry waits; the last repeats (ExponentialBackoff's @backoff_strategy). */
  backoff?: readonly number[];
  /** Waits `base`, 2*base, 4*base ... seconds, at most `max` (default: a day). */
  exponential?: { base: number; max?: number };
  /**
   * Multiply each wait by a random factor in [min, max] (@retry_delay_multiplicand_min/max), so jobs
   * that failed together do not retry together. Default {min: 1, max: 1}; with `exponential`, {min: 1, max: 1.5}.
   */
  jitter?: { min: number; max: number };
  /** Retry only failures matching one of these (@retry_exceptions, plus retry_criteria_check predicates). */
  retryOn?: ErrorMatcher<A> | readonly ErrorMatcher<A>[];
  /** Never retry failures matching one of these (@fatal_exceptions); checked before `retryOn`. */
  giveUpOn?: ErrorMatcher<A> | readonly ErrorMatcher<A>[];
  /**
   * Seconds the attempt count lives past the start of a run, and past the wait before the next
   * retry (@expire_retry_key_after). A run longer than this starts counting again. Default: a day.
   */
  expireKeyAfter?: number;
}

/** Validated retry options, with every default filled in. */
export interface RetryPolicy {
  limit: number;
  /** Nominal wait before retry number `retry` (0-based), before jitter. */
  nominalDelay(retry: number): number;
  jitter: { min: number; max: number };
  retryOn: readonly ErrorMatcher[];
  giveUpOn: readonly ErrorMatcher[];
  expireKeyAfter: number;
}

const DAY = 86_400;

/** Check `retry` options as defineJob receives them; the error says what to change. */
export function retryPolicy(className: string, options: RetryOptions): RetryPolicy {
  const fail = (what: string): never => {
    throw new RangeError(`job ${className}: retry.${what}`);
  };
  if (typeof options !== "object" || options === null)
    throw new TypeError(`job ${className}: retry must be an object like { limit: 3, delay: 60 }`);
  const strategies = (["delay", "backoff", "exponential"] as const).filter((k) => options[k] !== undefined);
  if (strategies.length > 1) fail(`takes one of delay, backoff or exponential, not ${strategies.join(" and ")}`);
  const seconds = (value: unknown, what: string) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      fail(`${what} must be a finite number of seconds >= 0, got ${String(value)}`);
    return value as number;
  };

  let nominalDelay: (retry: number) => number = () => 0;
  let defaultLimit = 1;
  if (options.delay !== undefined) {
    const delay = seconds(options.delay, "delay");
    nominalDelay = () => delay;
  } else if (options.backoff !== undefined) {
    if (!Array.isArray(options.backoff) || options.backoff.length === 0)
      fail("backoff must be a non-empty array of seconds, like [0, 60, 600]");
    const list = options.backoff.map((s, i) => seconds(s, `backoff[${i}]`));
    nominalDelay = (retry) => list[Math.min(retry, list.length - 1)]!;
    defaultLimit = list.length;
  } else if (options.exponential !== undefined) {
    const { base, max = DAY } = options.exponential;
    if (seconds(base, "exponential.base") === 0) fail("exponential.base must be above 0 (use delay: 0 to retry at once)");
    if (seconds(max, "exponential.max") < base) fail(`exponential.max (${max}) must be at least exponential.base (${base})`);
    nominalDelay = (retry) => Math.min(max, base * 2 ** retry);
  }

  const limit = options.limit ?? defaultLimit;
  if (typeof limit !== "number" || Number.isNaN(limit) || limit < 0 || (!Number.isInteger(limit) && limit !== Infinity)) {
    fail(`limit must be a whole number of retries >= 0 (or Infinity), got ${String(limit)}`);
  }
  const jitter = options.jitter ?? (options.exponential ? { min: 1, max: 1.5 } : { min: 1, max: 1 });
  seconds(jitter?.min, "jitter.min");
  if (seconds(jitter.max, "jitter.max") < jitter.min) fail(`jitter.max (${jitter.max}) must be at least jitter.min (${jitter.min})`);
  const expireKeyAfter = seconds(options.expireKeyAfter ?? DAY, "expireKeyAfter");
  if (expireKeyAfter < 1) fail("expireKeyAfter must be at least 1 second (the attempt count must outlive the job's run)");
  return {
    limit,
    nominalDelay,
    jitter: { min: jitter.min, max: jitter.max },
    retryOn: matchers(className, "retryOn", options.retryOn),
    giveUpOn: matchers(className, "giveUpOn", options.giveUpOn),
    expireKeyAfter,
  };
}

function matchers(className: string, what: string, value: ErrorMatcher | readonly ErrorMatcher[] | undefined): readonly ErrorMatcher[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? (value as readonly ErrorMatcher[]) : [value as ErrorMatcher];
  list.forEach((m, i) => {
    const ok = (typeof m === "string" && m.length > 0) || typeof m === "function";
    if (!ok)
      throw new TypeError(`job ${className}: retry.${what}[${i}] must be an Error class, a class name or a predicate, got ${String(m)}`);
  });
  if (Array.isArray(value) && list.length === 0)
    throw new RangeError(`job ${className}: retry.${what} is empty; leave it out to match every failure`);
  return list;
}

const isErrorClass = (f: unknown): f is abstract new () => Error =>
  typeof f === "function" && (f === Error || (typeof f.prototype === "object" && f.prototype instanceof Error));

/** The names an error answers to: its own `name`, and every class name up its prototype chain. */
function errorNames(error: unknown): Set<string> {
  const names = new Set<string>();
  try {
    const name = (error as { name?: unknown } | null)?.name;
    if (typeof name === "string") names.add(name);
    for (let p = error === null || typeof error !== "object" ? null : Object.getPrototypeOf(error); p; p = Object.getPrototypeOf(p)) {
      const ctor = (p as { constructor?: { name?: unknown } }).constructor?.name;
      if (typeof ctor === "string" && ctor) names.add(ctor);
    }
  } catch {
    // a hostile getter: the names read so far are all it answers to
  }
  return names;
}

function matchesAny(list: readonly ErrorMatcher[], error: unknown, args: unknown[]): boolean {
  return list.some((m) => {
    if (typeof m === "string") return errorNames(error).has(m);
    if (isErrorClass(m)) return error instanceof m;
    return (m as ErrorPredicate)(error, ...args) === true;
  });
}

/** What becomes of a failed run: retried after `delay` seconds, or given up (it goes to the failed list). */
export type RetryDecision = { retry: true; delay: number } | { retry: false; why: string };

/**
 * resque-retry's retry_criteria_valid? for run number `attempt` (0 = the first run): past the
 * limit, or matching giveUpOn, or (when retryOn is given) matching none of it, it gives up.
 * `random` returns [0, 1): injected so tests can pin the jitter.
 */
export function retryDecision(
  policy: RetryPolicy,
  error: unknown,
  args: unknown[],
  attempt: number,
  random: () => number = Math.random,
): RetryDecision {
  if (attempt >= policy.limit)
    return { retry: false, why: policy.limit === 0 ? "retry limit is 0" : `retry limit of ${policy.limit} reached` };
  if (matchesAny(policy.giveUpOn, error, args)) return { retry: false, why: "the error matches giveUpOn" };
  if (policy.retryOn.length > 0 && !matchesAny(policy.retryOn, error, args))
    return { retry: false, why: "the error matches nothing in retryOn" };
  const { min, max } = policy.jitter;
  const factor = min === max ? min : min + (max - min) * random();
  // ExponentialBackoff's (delay * multiplicand).to_i: whole seconds, rounded down.
  return { retry: true, delay: Math.floor(policy.nominalDelay(attempt) * factor) };
}

const policies = new WeakMap<object, RetryPolicy | null>();

/** A job's validated retry policy (once per definition), or undefined when it does not retry. */
export function jobRetryPolicy(job: { readonly className: string; readonly retry?: unknown }): RetryPolicy | undefined {
  let policy = policies.get(job);
  if (policy === undefined) {
    policy = job.retry === undefined ? null : retryPolicy(job.className, job.retry as RetryOptions);
    policies.set(job, policy);
  }
  return policy ?? undefined;
}
