/**
 * Kill a running job from the dashboard: leave a request (`resque-ts:kill:<id>`, 60 s TTL) that
 * the worker process collects with its next process record. Under a master, the master kills
 * that process, fails the named job(s) as DirtyExit and hands its other jobs back; alone
 * (DONT_FORK) the worker fails them itself and keeps running the rest.
 */
import { ResqueError } from "../errors.ts";
import { parseRecord, type ProcessRecord } from "../protocol/process-record.ts";
import { entryToken } from "../protocol/token.ts";
import type { Db } from "../store/connection.ts";
import { KILL_ALL, processRecords, requestKill } from "../store/processes.ts";
import { inflightEntries, isRegistered } from "../store/workers.ts";

export interface KillRequest {
  workerId: string;
  /** The tokens asked to be killed (every job in flight when no token was named). */
  tokens: string[];
}

export async function killJob(db: Db, workerId: string, token?: string): Promise<KillRequest> {
  if (!(await isRegistered(db, workerId))) {
    throw new ResqueError("NO_WORKER", `No worker ${workerId} is registered; it may have exited. Reload the workers list.`);
  }
  const [text] = await processRecords(db, [workerId]);
  if (!parseRecord<ProcessRecord>(text ?? null, "worker")) {
    throw new ResqueError(
      "NO_WORKER",
      `Worker ${workerId} is not a resque-ts worker process (a stock Ruby worker, or one whose process record expired), so it cannot be asked to kill a job; send USR1 to its process instead.`,
    );
  }
  const tokens = (await inflightEntries(db, workerId)).map(entryToken);
  if (token !== undefined && !tokens.includes(token)) {
    throw new ResqueError("NO_JOB", `Worker ${workerId} is not running job ${token}; it may have finished. Reload the workers list.`);
  }
  if (tokens.length === 0) throw new ResqueError("NO_JOB", `Worker ${workerId} is running no job.`);
  await requestKill(db, workerId, token ?? KILL_ALL);
  return { workerId, tokens: token === undefined ? tokens : [token] };
}
