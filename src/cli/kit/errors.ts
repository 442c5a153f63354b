/** Exit codes: 0 ok, 1 user error, 2 cannot use Redis (unreachable, silent, authentication, TLS, replicas not confirming a durable write) or a bad schedule file; the message is the advice. */
import { say } from "./console.ts";
import { ResqueError, type ResqueErrorCode } from "../../errors.ts";

/** Every code's exit status, so a new code cannot be added without choosing one. */
const EXIT_CODES: Readonly<Record<ResqueErrorCode, 1 | 2>> = {
  REDIS_LOCATION: 1,
  REDIS_UNREACHABLE: 2,
  REDIS_AUTH: 2,
  REDIS_TLS: 2,
  NO_QUEUE: 1,
  NO_CLASS: 1,
  BAD_CONFIG: 1,
  // A schedule file that does not load stops the scheduler before it writes anything.
  SCHEDULE_FILE: 2,
  JOB_MODULE: 1,
  NO_WORKER: 1,
  NO_JOB: 1,
  NO_FAILED_JOB: 1,
  BAD_RECORD: 1,
  USAGE: 1,
  // Written, but Redis could not confirm the replicas asked for: a state of Redis, as unreachable is.
  NOT_DURABLE: 2,
};

export function exitCodeFor(error: unknown): number {
  return error instanceof ResqueError ? EXIT_CODES[error.code] : 1;
}

export function reportError(error: unknown): number {
  say.error(error instanceof Error ? error.message : String(error));
  return exitCodeFor(error);
}

/** A user error on the command line: the message is the advice, exit code 1. */
export class UsageError extends ResqueError {
  override name = "UsageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("USAGE", message, options);
  }
}
