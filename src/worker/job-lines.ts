/** VERBOSE's log lines for one job (got, done, failed), in stock's wording; a line never throws. */
import { errorMessage, exceptionName } from "../protocol/backtrace.ts";
import { doneLine, failedLine, gotLine, jobInspect } from "../protocol/job-log.ts";
import { encodeJson } from "../protocol/json.ts";
import { decodePayload, isMalformed } from "../protocol/payload.ts";
import type { RunningJob } from "./running-job.ts";

/** The line as a job starts. */
export function startLine(running: RunningJob, payload: ReturnType<typeof decodePayload>): string {
  return gotLine(inspect(running, payload));
}

/** The line as a job ends: done, or failed with what it threw. */
export function outcomeLine(running: RunningJob, failure: { error: unknown } | undefined): string {
  const job = inspect(running, decodePayload(running.payload));
  const ms = Date.now() - running.startedAt;
  return failure ? failedLine(job, ms, exceptionName(failure.error), errorMessage(failure.error)) : doneLine(job, ms);
}

function inspect(running: RunningJob, payload: ReturnType<typeof decodePayload>): string {
  let args: string;
  try {
    args = isMalformed(payload) ? running.payload : encodeJson(payload.args);
  } catch (error) {
    // A log line must never be what ends a worker.
    args = `(arguments that cannot be shown: ${errorMessage(error)})`;
  }
  return jobInspect(running.queue, running.className, args);
}
