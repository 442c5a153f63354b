/** Failure records exactly as stock's Redis failure backend writes them to the `failed` list. */
import { encodeJson } from "./json.ts";
import { canonicalJson } from "./json-decode.ts";
import { failedAt } from "./time.ts";

export interface FailureInput {
  at: Date;
  /** The payload text as popped from the queue. */
  rawPayload: string;
  exception: string;
  error: string;
  backtrace: readonly string[];
  worker: string;
  queue: string;
  /** Runs made by a job that retries, when it gives up (not stock: stock readers ignore extra keys). */
  attempts?: number;
}

/**
 * The payload as Ruby re-encodes it; a payload that is not a JSON object is kept as a
 * JSON string so nothing is lost and the record can still be retried byte for byte.
 */
export function failurePayloadJson(rawPayload: string): string {
  try {
    const canonical = canonicalJson(rawPayload);
    if (canonical.startsWith("{")) return canonical;
  } catch {
    // not JSON: fall through and keep the text
  }
  return JSON.stringify(rawPayload);
}

/** One `failed` list entry, fields in stock's order. */
export const encodeFailure = (f: FailureInput): string => encode(f, failedAt(f.at));

/**
 * resque-retry 1.9's `failure-<retry key>` entry (MultipleWithRetrySuppression#save while a job is
 * being retried): the same fields, its failed_at written "%Y/%m/%d %H:%M:%S" (no zone; ours is UTC).
 */
export const encodeRetryFailure = (f: FailureInput): string => encode({ ...f, attempts: undefined }, failedAt(f.at).replace(/ UTC$/, ""));

function encode(f: FailureInput, at: string): string {
  return (
    `{"failed_at":${JSON.stringify(at)},"payload":${failurePayloadJson(f.rawPayload)},` +
    `"exception":${JSON.stringify(f.exception)},"error":${JSON.stringify(f.error)},` +
    `"backtrace":${encodeJson([...f.backtrace])},"worker":${JSON.stringify(f.worker)},"queue":${JSON.stringify(f.queue)}` +
    `${f.attempts === undefined ? "" : `,"attempts":${f.attempts}`}}`
  );
}

/** The stock exception names used for jobs a worker could not finish. */
export const DIRTY_EXIT = "Resque::DirtyExit";
export const PRUNE_DIRTY_EXIT = "Resque::PruneDeadWorkerDirtyExit";
/** Not stock: a job that was running each time a worker process died, RECOVERY_LIMIT times. */
export const POISON_JOB = "Resque::PoisonJob";
/** Not stock: a job that ran past its deadline (the job's `timeout`, or JOB_TIMEOUT). */
export const JOB_TIMEOUT = "Resque::JobTimeout";

/** The DirtyExit record's message for a job killed from the dashboard (as stock's USR1 leaves a DirtyExit). */
export const KILLED_MESSAGE = "Killed from the dashboard (resque web); not retried";

/** The JobTimeout record's message: which limit, and what became of the job. */
export const jobTimeoutMessage = (className: string, seconds: number, what: string): string =>
  `${className} ran longer than its ${seconds} s timeout (the job's timeout option, or JOB_TIMEOUT); ${what}`;
