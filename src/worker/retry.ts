/**
 * The worker's half of automatic retries: count each run in resque-retry's key, and turn a failed
 * run into a retry (back on its queue, or into the delayed queue) or the final failure. The
 * writes themselves happen in the worker's next cycle script, with the job leaving in-flight.
 */
import type { Job } from "../jobs/define.ts";
import { jobRetryPolicy, retryDecision, type RetryPolicy } from "../jobs/retry.ts";
import { canonicalJson } from "../protocol/json-decode.ts";
import { rawMembers } from "../protocol/json-members.ts";
import { encodeJson } from "../protocol/json.ts";
import { retryIdentifier } from "../protocol/retry-key.ts";
import type { Db } from "../store/connection.ts";
import { startRetryAttempt } from "../store/retry.ts";
import type { RetryWrite } from "../store/workers.ts";

/** One run of a job that retries. */
export interface RetryRun {
  policy: RetryPolicy;
  /** The attempt-count key (shared with Ruby's resque-retry for the same class and args). */
  count: string;
  /** 0 on the first run, n on the n-th retry. */
  attempt: number;
  className: string;
  /** The payload's args as Ruby would re-encode them (floats and big integers kept). */
  argsJson: string;
}

/**
 * Count this run (before_perform_retry), when the job retries; undefined when it does not. The
 * count goes up while the job is in flight: if the process dies now, recovery puts the job back
 * and the lost run has used one attempt, which only shortens its retries; nothing is lost.
 */
export async function startRetryRun(db: Db, job: Job, rawPayload: string): Promise<RetryRun | undefined> {
  const policy = jobRetryPolicy(job);
  if (!policy) return undefined;
  const args = rawMembers(rawPayload).get("args");
  const argsJson = args === undefined || args === "null" ? "[]" : canonicalJson(args);
  // The registered name, as Ruby's `name` of the constantized class (a payload may say "mailer-deliver").
  const count = db.keys.retryAttempts(job.className, await retryIdentifier(argsJson));
  const attempt = await startRetryAttempt(db, count, policy.expireKeyAfter);
  return { policy, count, attempt, className: job.className, argsJson };
}

/** What a failed run becomes: a retry (nothing in the failed list), or the final failure after `attempts` runs. */
export type FailedRun =
  | { retried: true; delay: number; write: RetryWrite }
  | { retried: false; attempts: number; why: string; write: RetryWrite };

export interface FailedRunContext {
  /** The queue the run was taken from: the retry goes back there. */
  queue: string;
  /** The payload as taken: a retry at once pushes these bytes back (extra keys kept). */
  payload: string;
  nowMs: number;
  random?: () => number;
  /** resque-retry's failure-<count> entry for this run (see encodeRetryFailure), written while it waits to retry. */
  failureEntry?: () => string;
}

export function failedRun(run: RetryRun, error: unknown, args: unknown[], c: FailedRunContext): FailedRun {
  const giveUp = (why: string): FailedRun => ({
    retried: false,
    attempts: run.attempt + 1,
    why,
    write: { kind: "fail", count: run.count },
  });
  let decision;
  try {
    decision = retryDecision(run.policy, error, args, run.attempt, c.random);
  } catch (thrown) {
    // A retryOn/giveUpOn predicate that throws cannot say "retry": the job is failed, not lost.
    return giveUp(`a retryOn/giveUpOn predicate threw (${thrown instanceof Error ? thrown.message : String(thrown)})`);
  }
  if (!decision.retry) return giveUp(decision.why);
  const ttl = decision.delay + run.policy.expireKeyAfter;
  if (decision.delay <= 0) {
    // resque-retry skips the scheduler for a delay of 0 (Resque.enqueue_to).
    return { retried: true, delay: 0, write: { kind: "now", count: run.count, queue: c.queue, payload: c.payload, ttl } };
  }
  // Resque.enqueue_in_with_queue(queue, delay, klass, *args): (Time.now + delay).to_i, item class, args, queue.
  const ts = Math.floor(c.nowMs / 1000 + decision.delay);
  const item = `{"class":${encodeJson(run.className)},"args":${run.argsJson},"queue":${encodeJson(c.queue)}}`;
  // MultipleWithRetrySuppression keeps the failure for the web tab, for twice the delay (only when the delay is above 0).
  const failure = c.failureEntry && { entry: c.failureEntry(), ttl: 2 * decision.delay };
  return { retried: true, delay: decision.delay, write: { kind: "later", count: run.count, ts, item, ttl, ...(failure && { failure }) } };
}
