/**
 * Crash-safe fetch, the recovering side: a worker that is gone (its process died, its heartbeat
 * expired, or it stops with jobs unfinished) hands its in-flight jobs back to the head of their
 * queues. A job charged with a death each time a process died, `limit` times, is a poison job
 * and goes to the failed list instead; a job past its deadline fails as Resque::JobTimeout.
 * At most once (stock's behaviour) records them as failures.
 */
import { encodeFailure, POISON_JOB } from "../protocol/failure.ts";
import { entryJob } from "../protocol/working-on.ts";
import type { Db } from "../store/connection.ts";
import { returnJobs, type Charge, type UnfinishedJob } from "../store/recovery.ts";
import { inflightEntries } from "../store/workers.ts";
import { jobClassName, unregisterWithFailures, type DirtyExit } from "./unregister.ts";
import { plural } from "../protocol/plural.ts";

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
  /** Recorded as failures: timeouts; everything at most once; a stock worker's job (stock popped it). */
  failed: number;
}

/** How one unfinished job is settled: a charge, or a failure to record now (a timeout). */
export type Settlement = Exclude<Charge, "failed"> | { exception: string; message: (className: string) => string };

/** How to settle a worker's unfinished jobs, and what their records say. */
export interface SettleOptions {
  policy: RecoveryPolicy;
  /** Per in-flight entry; "counted" for every job a process died running, "uncounted" for jobs handed back. */
  settle: (entry: string) => Settlement;
  at: Date;
  /** Why the worker is gone, for the PoisonJob record. */
  reason: string;
}

export interface RecoverOptions extends SettleOptions {
  /** What the worker's remaining entries are recorded as when it unregisters (at most once, a stock worker's job). */
  dirtyExit: DirtyExit;
}

/** Every job charged the same way (a crash charges them all; a hand-back none). */
export const settleAll = (settlement: Settlement) => () => settlement;

function unfinished(entries: readonly string[], id: string, o: SettleOptions): UnfinishedJob[] {
  return entries.flatMap((entry): UnfinishedJob[] => {
    const job = entryJob(entry);
    if (!job) return [];
    const settlement = o.settle(entry);
    const base = { entry, payload: job.payload, queue: job.queue };
    const record = (exception: string, error: string) =>
      encodeFailure({ at: o.at, rawPayload: job.payload, exception, error, backtrace: [], worker: id, queue: job.queue });
    if (typeof settlement === "object") {
      return [{ ...base, charge: "failed" as const, record: record(settlement.exception, settlement.message(jobClassName(job.payload))) }];
    }
    if (settlement === "uncounted") return [{ ...base, charge: "uncounted" as const, record: "" }];
    const poison = record(
      POISON_JOB,
      `A worker process died while running this job ${plural(o.policy.limit, "time")} (the last: ${o.reason}); ` +
        `it was not requeued again. Fix the job, then retry it. RECOVERY_LIMIT sets the count.`,
    );
    return [{ ...base, charge: "counted" as const, record: poison }];
  });
}

/** Recover a worker that is gone, then unregister it. */
export async function recoverWorker(db: Db, id: string, options: RecoverOptions): Promise<Recovered> {
  const entries = await inflightEntries(db, id);
  let jobs = unfinished(entries, id, options);
  // At most once, only failures decided here (timeouts) are written; the rest become DirtyExit records below.
  if (options.policy.mode === "at-most-once") jobs = jobs.filter((j) => j.charge === "failed");
  const returned = await returnJobs(db, id, jobs, options.policy.limit);
  const dirty = await unregisterWithFailures(db, id, options.dirtyExit, options.at);
  return { requeued: returned.requeued, poisoned: returned.poisoned, failed: returned.failed + dirty };
}

/** A live worker hands back jobs it took and will not run (shutdown, TERM); they do not count toward poison. */
export async function releaseJobs(db: Db, id: string, entries: readonly string[]): Promise<number> {
  const options: SettleOptions = { policy: DEFAULT_RECOVERY, settle: settleAll("uncounted"), at: new Date(), reason: "" };
  return (await returnJobs(db, id, unfinished(entries, id, options), Number.MAX_SAFE_INTEGER)).requeued;
}

/** A live worker settles one job itself (a deadline it enforced): fail it, or count it and put it back. */
export async function settleJobs(db: Db, id: string, entries: readonly string[], options: SettleOptions): Promise<Recovered> {
  return returnJobs(db, id, unfinished(entries, id, options), options.policy.limit);
}
