/** Exit codes: 0 ok, 1 user error, 2 cannot use Redis (unreachable, silent, authentication, TLS); the message is the advice. */
import { say } from "./console.ts";
import { ResqueError, type ResqueErrorCode } from "../../errors.ts";

const CONNECTION_CODES: readonly ResqueErrorCode[] = ["REDIS_UNREACHABLE", "REDIS_AUTH", "REDIS_TLS"];

export function exitCodeFor(error: unknown): number {
  return error instanceof ResqueError && CONNECTION_CODES.includes(error.code) ? 2 : 1;
}

export function reportError(error: unknown): number {
  say.error(error instanceof Error ? error.message : String(error));
  return exitCodeFor(error);
}

/** A user error: the message is the advice, exit code 1. */
export class UsageError extends Error {
  override name = "UsageError";
}
