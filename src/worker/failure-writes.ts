/**
 * What a job that did not succeed leaves for the next cycle to write: its failed-list record
 * (stock's format), or for a job that retries, its retry (resque-retry's way). Built here for the
 * three ways a run fails in a worker: it threw, it passed its deadline, it was killed.
 */
import { errorMessage, errorStack, exceptionName, rubyBacktrace } from "../protocol/backtrace.ts";
import { DIRTY_EXIT, encodeFailure, encodeRetryFailure, JOB_TIMEOUT, jobTimeoutMessage, KILLED_MESSAGE } from "../protocol/failure.ts";
import { decodePayload, isMalformed } from "../protocol/payload.ts";
import type { FailureWrite } from "../store/workers.ts";
import type { Logger } from "../log.ts";
import { PERFORM_MODULE } from "./perform.ts";
import { failedRun } from "./retry.ts";
import type { RunningJob } from "./running-job.ts";

/** Who writes the records, and when. */
export interface RecordContext {
  /** The worker id the records name. */
  id: string;
  now: () => Date;
  log: Logger;
}

/**
 * A run that threw: the failed-list record, or for a job that retries, either its retry (no
 * record: resque-retry's MultipleWithRetrySuppression) or the final record with its attempt count.
 */
export function thrownWrite(c: RecordContext, running: RunningJob, error: unknown): FailureWrite {
  if (!running.retry) return { entry: running.entry, record: failureRecord(c, running, error) };
  const payload = decodePayload(running.payload);
  const args = isMalformed(payload) ? [] : payload.args;
  const failureEntry = () => failureRecord(c, running, error, undefined, encodeRetryFailure);
  const outcome = failedRun(running.retry, error, args, {
    queue: running.queue,
    payload: running.payload,
    nowMs: c.now().getTime(),
    failureEntry,
  });
  if (outcome.retried) {
    const when = outcome.delay > 0 ? `in ${outcome.delay} s (through the delayed queue)` : "now";
    c.log.info(
      `${running.className} failed (${exceptionName(error)}: ${errorMessage(error)}); retry ${running.retry.attempt + 1} of ${running.retry.policy.limit} ${when}`,
    );
    return { entry: running.entry, record: "", retry: outcome.write };
  }
  c.log.info(`${running.className} failed after ${outcome.attempts} run(s); not retried: ${outcome.why}`);
  return { entry: running.entry, record: failureRecord(c, running, error, outcome.attempts), retry: outcome.write };
}

/**
 * A run past its deadline, failed as Resque::JobTimeout. Timeouts are not retried by `retry` (the
 * master's watchdog fails them without job code); a retrying job's count goes with its final record.
 */
export function timeoutWrite(c: RecordContext, running: RunningJob, what: string): FailureWrite {
  const seconds = running.timeout ?? 0;
  const error = Object.assign(new Error(jobTimeoutMessage(running.className, seconds, what)), { name: JOB_TIMEOUT, stack: "" });
  const count = running.retry?.count;
  const attempts = running.retry ? running.retry.attempt + 1 : undefined;
  return {
    entry: running.entry,
    record: failureRecord(c, running, error, attempts),
    ...(count && { retry: { kind: "fail" as const, count } }),
  };
}

/** A run killed from the dashboard, failed as Resque::DirtyExit and not retried. */
export function killedWrite(c: RecordContext, running: RunningJob): FailureWrite {
  const error = Object.assign(new Error(KILLED_MESSAGE), { name: DIRTY_EXIT, stack: "" });
  const count = running.retry?.count;
  return {
    entry: running.entry,
    record: failureRecord(c, running, error),
    ...(count && { retry: { kind: "fail" as const, count } }),
  };
}

function failureRecord(c: RecordContext, running: RunningJob, error: unknown, attempts?: number, encode = encodeFailure): string {
  const base = {
    at: c.now(),
    rawPayload: running.payload,
    worker: c.id,
    queue: running.queue,
    ...(attempts !== undefined && { attempts }),
  };
  try {
    return encode({
      ...base,
      exception: exceptionName(error),
      error: errorMessage(error),
      backtrace: rubyBacktrace(errorStack(error), PERFORM_MODULE),
    });
  } catch {
    // Describing the error must never fail, or the job would stay in flight for ever.
    return encode({ ...base, exception: "Error", error: "(the thrown value could not be described)", backtrace: [] });
  }
}
