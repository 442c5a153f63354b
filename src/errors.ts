/**
 * The one error hierarchy: everything a person can cause (a flag, an env var, a file, a name, a stored
 * record, an unreachable Redis) is a ResqueError whose message is the advice and whose code says what
 * kind; the CLI's exit code (cli/kit/errors.ts exitCodeFor) and the dashboard's HTTP status
 * (web/error-status.ts) are each read off the code in one table. A program handing a library function
 * a wrong argument still gets JS's own TypeError or RangeError, as from any JS API; job code's errors
 * and the codecs' (JsonEncodeError, ActiveJob::*) keep their own classes, whose names are wire format.
 */
export type ResqueErrorCode =
  | "REDIS_LOCATION"
  | "REDIS_UNREACHABLE"
  /** Redis refused the user or password (WRONGPASS, NOAUTH). */
  | "REDIS_AUTH"
  /** The TLS handshake failed: an untrusted server certificate, or the server refused ours. */
  | "REDIS_TLS"
  | "NO_QUEUE"
  | "NO_CLASS"
  | "BAD_CONFIG"
  /** The scheduler's schedule file cannot be read or has bad entries (the process exits 2). */
  | "SCHEDULE_FILE"
  | "JOB_MODULE"
  /** No such worker, or one this process cannot act on (a stock Ruby worker). */
  | "NO_WORKER"
  /** The worker runs no such job. */
  | "NO_JOB"
  /** No failed job at that index (it was removed, or the list shifted). */
  | "NO_FAILED_JOB"
  /** A stored record cannot be acted on: unreadable, or it names no queue. */
  | "BAD_RECORD"
  /** The command line asks for something that cannot be done (an unknown flag, a malformed value). */
  | "USAGE"
  /** A durable write reached the primary but not as many replicas as asked for, in time. */
  | "NOT_DURABLE";

export class ResqueError extends Error {
  override name = "ResqueError";
  readonly code: ResqueErrorCode;
  constructor(code: ResqueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
