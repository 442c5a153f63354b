/** resque-retry's attempt counts (`resque-retry:<Class>:<sha1>`). */
import type { Db } from "./connection.ts";
import * as scripts from "./scripts.ts";

/** SETNX -1, INCR, EXPIRE in one step; returns this run's attempt (0 on the first run). */
export async function startRetryAttempt(db: Db, count: string, ttlSeconds: number): Promise<number> {
  return scripts.retryAttempt(db, count, Math.max(1, Math.ceil(ttlSeconds)));
}
