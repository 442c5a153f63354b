/** How the scheduler is doing, as any client sees it in Redis: who leads, how late due jobs are. */
import type { Db } from "../store/connection.ts";
import { dueSummary, lockHolder } from "../store/scheduler.ts";

/** The leader lock's holder and the backlog of due delayed jobs. */
export interface SchedulerStatus {
  /** `host:pid` of the leading scheduler (Ruby or ours), or null when none holds the lock. */
  leader: string | null;
  /** Seconds the oldest due timestamp has waited (0 when nothing is due): promotion lag. */
  lagSeconds: number;
  /** Due timestamps not yet promoted. */
  dueTimestamps: number;
  /** Due jobs not yet promoted, counted in the oldest DUE_COUNTED (1,000) due timestamps (a bounded read). */
  dueJobs: number;
}

/** Read the lock and the due part of the schedule at `nowMs` (this host's clock, as Ruby's scheduler uses its own). */
export async function schedulerStatus(db: Db, nowMs: number, lockPrefix?: string): Promise<SchedulerStatus> {
  const now = Math.floor(nowMs / 1000);
  const [leader, due] = await Promise.all([lockHolder(db, db.keys.schedulerLock(lockPrefix)), dueSummary(db, now)]);
  return {
    leader,
    lagSeconds: due.oldest === undefined ? 0 : Math.max(0, now - due.oldest),
    dueTimestamps: due.timestamps,
    dueJobs: due.jobs,
  };
}
