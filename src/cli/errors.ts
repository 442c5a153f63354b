/** Exit codes: 0 ok, 1 user error, 2 Redis unreachable; the message is the advice. */
import { say } from "./console.ts";
import { ResqueError } from "../errors.ts";

export function exitCodeFor(error: unknown): number {
  return error instanceof ResqueError && error.code === "REDIS_UNREACHABLE" ? 2 : 1;
}

export function reportError(error: unknown): number {
  say.error(error instanceof Error ? error.message : String(error));
  return exitCodeFor(error);
}
