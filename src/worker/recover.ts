/**
 * Crash-safe fetch, the recovering side: a worker that is gone (its process died, its heartbeat
 * expired, or it stops with jobs unfinished) hands its in-flight jobs back to the head of their
 * queues. A job that was running each time a process died, `limit` times, is a poison job and
 * goes to the failed list instead. At most once (stock's behaviour) records them as failures.
 */
import { encodeFailure, POISON_JOB } from "../protocol/failure.ts";
import { entryJob } from "../protocol/working-on.ts";
import type { Db } from "../store/connection.ts";
import { returnJobs, type UnfinishedJob } from "../store/recovery.ts";
import { inflightEntries } from "../store/workers.ts";
import { unregisterWithFailures, type DirtyExit } from "./unregister.ts";

export type FetchMode = "reliable" | "at-most-once";

export interface RecoveryPolicy {
  mode: FetchMode;
  /** Deaths with a job running before it is failed as poison (RECOVERY_LIMIT). */
  limit: number;
}

export const DEFAULT_RECOVERY: RecoveryPolicy = { mode: "reliable", limit: 3 };

export interface Recovered {
  requeued: number;
  poisoned: number;
  /** Recorded as failures: everything at most once; a stock worker's job (stock popped it). */
  failed: number;
}

/** `poison`: the limit and the death that may make these jobs poison; absent when it cannot. */
function unfinished(entries: readonly string[], id: string, poison?: { at: Date; limit: number; reason: string }): UnfinishedJob[] {
  return entries.flatMap((entry) => {
    const job = entryJob(entry);
    if (!job) return [];
    if (!poison) return [{ entry, payload: job.payload, queue: job.queue, poisonRecord: "" }];
    const { at, limit, reason } = poison;
    const poisonRecord = encodeFailure({
      at,
      rawPayload: job.payload,
      exception: POISON_JOB,
      error:
        `A worker process died while running this job ${limit} times (the last: ${reason}); ` +
        `it was not requeued again. Fix the job, then retry it. RECOVERY_LIMIT sets the count.`,
      backtrace: [],
      worker: id,
      queue: job.queue,
    });
    return [{ entry, payload: job.payload, queue: job.queue, poisonRecord }];
  });
}

/** Recover a worker that is gone, then unregister it. `crashed`: its process died with the jobs. */
export async function recoverWorker(
  db: Db,
  id: string,
  options: { policy: RecoveryPolicy; crashed: boolean; dirtyExit: DirtyExit; at: Date; reason: string },
): Promise<Recovered> {
  let returned = { requeued: 0, poisoned: 0 };
  if (options.policy.mode === "reliable") {
    const entries = await inflightEntries(db, id);
    const { at, reason, crashed, policy } = options;
    const jobs = unfinished(entries, id, crashed ? { at, limit: policy.limit, reason } : undefined);
    returned = await returnJobs(db, id, jobs, { counted: crashed, limit: policy.limit });
  }
  const failed = await unregisterWithFailures(db, id, options.dirtyExit, options.at);
  return { ...returned, failed };
}

/** A live worker hands back jobs it took and will not run (shutdown, TERM); they do not count toward poison. */
export async function releaseJobs(db: Db, id: string, entries: readonly string[]): Promise<number> {
  return (await returnJobs(db, id, unfinished(entries, id), { counted: false, limit: Number.MAX_SAFE_INTEGER })).requeued;
}
