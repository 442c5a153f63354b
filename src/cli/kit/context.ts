/** What every Redis-reading command shares: --redis / --namespace / --json, a connection, exit codes. */
import { say } from "./console.ts";
import { Resque, type ResqueOptions } from "../../client/resque.ts";
import { currentRuntime } from "../../runtime/detect.ts";
import { encodeJson } from "../../protocol/json.ts";
import { reportError } from "./errors.ts";
import { connectOptionsFrom, locationArgs, locationFrom, redisConnectArgs } from "./redis-options.ts";
import { connectionFailure } from "../../store/connection.ts";

export const commonArgs = {
  ...locationArgs,
  json: { type: "boolean", description: "Print JSON for scripts instead of a table" },
  ...redisConnectArgs,
} as const;

export interface CommonArgs {
  redis?: string;
  namespace?: string;
  json?: boolean;
  "tls-ca"?: string;
  "tls-cert"?: string;
  "tls-key"?: string;
  "redis-timeout"?: string;
}

/** Connect (failing fast with advice), run, close; exit 0, 1 (user error) or 2 (cannot use Redis). */
export async function withResque(args: CommonArgs, fn: (resque: Resque) => Promise<void>, extra?: ResqueOptions): Promise<void> {
  const runtime = currentRuntime();
  let resque: Resque | undefined;
  let code = 0;
  try {
    resque = new Resque({
      ...connectOptionsFrom((name) => runtime.env(name), args as Record<string, unknown>),
      ...locationFrom((name) => runtime.env(name), args),
      outage: "fail",
      environment: runtime.env("RAILS_ENV") ?? runtime.env("RACK_ENV") ?? "development",
      ...extra,
    });
    await resque.connect();
    await fn(resque);
  } catch (error) {
    // A reply lost mid-command (timeout, dropped connection) gets the same advice as a failed connect.
    code = reportError(resque ? connectionFailure(resque.db, error) : error);
  } finally {
    resque?.db.redis.disconnect();
  }
  // Not exit(): under Bun that can drop output still on its way to a pipe.
  runtime.setExitCode(code);
}

/** JSON for scripts: bigints stay exact (Ruby-compatible encoding). */
export const printJson = (value: unknown): void => {
  console.log(encodeJson(value));
};

export { say };
export { UsageError } from "./errors.ts";
