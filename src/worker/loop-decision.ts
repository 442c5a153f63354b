/**
 * What the worker's loop does next, as a pure function of its state: send a cycle asking for n
 * jobs, reconcile lost replies, wait, rest, or stop. No Redis, no clock: the loop (worker.ts)
 * gathers the state, asks, and carries the step out, so each choice can be tested case by case.
 */

/**
 * Why (and how) the worker is stopping:
 * - "none": running; takes jobs.
 * - "drain": its JOBS_PER_FORK batch is taken or it grew past MAX_WORKER_RSS: finish the jobs in
 *   flight and exit. Jobs a cycle already on its way took are still run.
 * - "quit": shutdown was asked for (QUIT): finish the jobs in flight; jobs a cycle on its way took
 *   go back to their queues unstarted.
 * - "abandon": stop now (TERM to a worker process): as "quit", and the jobs in flight are handed
 *   back by the caller, which then ends the process.
 */
export type StopMode = "none" | "drain" | "quit" | "abandon";

/** Stopping, whatever the reason: take no more jobs. */
export const isStopping = (mode: StopMode): boolean => mode !== "none";

/** Stop was asked for (not a finished batch): jobs taken but not started go back to their queues. */
export const releasesTaken = (mode: StopMode): boolean => mode === "quit" || mode === "abandon";

/** Cycles in flight at once while jobs flow: one is in Redis while the other's jobs run. */
export const CYCLES_IN_FLIGHT = 2;

/** Everything the loop's choice depends on, read by the loop just before it asks. */
export interface LoopState {
  stop: StopMode;
  /** Paused by this worker's own USR2 (the global pause comes with a reply). */
  paused: boolean;
  /** A suspect job (one a worker died running) runs: it runs alone. */
  solo: boolean;
  /** Jobs running now. */
  running: number;
  /** Jobs finished (done or failed) and not yet recorded by a cycle. */
  finished: number;
  /** Slots (THREAD_COUNT). */
  threads: number;
  /** Jobs this process may take in all (JOBS_PER_FORK; Infinity for no limit), and jobs it took. */
  maxJobs: number;
  taken: number;
  /** Cycles sent whose reply the loop has not handled yet, and the jobs they asked for. */
  inFlight: number;
  asked: number;
  /** Cycles whose reply was lost, waiting to be reconciled. */
  lost: number;
  /** The last reply took all it asked for: more are likely, so the next cycle may go before it is needed. */
  flowing: boolean;
  /** Jobs were taken since the queues were last found empty (the queueEmpty hooks are owed). */
  worked: boolean;
  /** INTERVAL=0: exit once the queues are empty. */
  exitWhenEmpty: boolean;
  /** The reply the loop just handled asked for jobs and took none; absent when no reply was handled. */
  emptyReply?: { want: number; paused: boolean };
}

export type LoopStep =
  /** Send a cycle: record the finished jobs and ask for `want` more (0: only record). */
  | { do: "send"; want: number }
  /** Find out what the lost cycles did (no other cycle is on its way). */
  | { do: "reconcile" }
  /** Go round again at once (another reply is on its way, or finished jobs wait to be recorded). */
  | { do: "next" }
  /** Until a job finishes, a reply arrives, or a poke. */
  | { do: "wait" }
  /** Jobs run, slots are free, nothing is queued: wait up to the interval (on the queues, when `watch`). */
  | { do: "idle"; watch: boolean }
  /**
   * Nothing runs: show it in the title and wait up to the interval (on the queues, when `watch`).
   * `queueEmpty`: run the queueEmpty hooks first; `backoff`: lengthen the next interval after.
   */
  | { do: "rest"; paused: boolean; watch: boolean; queueEmpty: boolean; backoff: boolean }
  /** Leave the loop (after the queueEmpty hooks, when `queueEmpty`). */
  | { do: "stop"; queueEmpty: boolean };

/** The loop's next step. */
export function decideLoop(s: LoopState): LoopStep {
  return s.emptyReply ? afterEmptyReply(s, s.emptyReply) : nextCycle(s);
}

/** Slots a new cycle may ask for now. */
export function freeSlots(s: LoopState): number {
  if (isStopping(s.stop) || s.paused || s.solo) return 0;
  // Neither running nor already asked for by a cycle on its way.
  const slotsLeft = s.threads - s.running - s.asked;
  // What is left of the JOBS_PER_FORK batch, counting what cycles on their way may take.
  const batchLeft = s.maxJobs - s.taken - s.asked;
  return Math.max(0, Math.min(batchLeft, slotsLeft));
}

/** No reply to handle: send a cycle if one may go and has something to do, else wait. */
function nextCycle(s: LoopState): LoopStep {
  // An unknown outcome says nothing about the queues: take what the lost cycles took, then ask again.
  if (s.lost > 0 && s.inFlight === 0) return { do: "reconcile" };
  const free = freeSlots(s);
  const quiet = s.running === 0 && s.finished === 0 && s.inFlight === 0;
  if (isStopping(s.stop) && quiet) return { do: "stop", queueEmpty: false };
  // While work flows two cycles may be in flight, each asking for half the slots; otherwise one.
  const room = s.lost === 0 && s.inFlight < (s.flowing ? CYCLES_IN_FLIGHT : 1);
  if (room && (s.finished > 0 || free > 0)) {
    return { do: "send", want: s.flowing ? Math.min(free, Math.ceil(s.threads / CYCLES_IN_FLIGHT)) : free };
  }
  // Paused here (USR2) with nothing running: sleep INTERVAL at a time, as stock's paused loop does.
  if (quiet && s.paused) return { do: "rest", paused: true, watch: false, queueEmpty: false, backoff: false };
  return { do: "wait" };
}

/** The reply just handled took nothing. */
function afterEmptyReply(s: LoopState, reply: { want: number; paused: boolean }): LoopStep {
  // Another cycle on its way, or jobs that finished while this one was: not idle yet.
  if (s.inFlight > 0 || s.finished > 0) return { do: "next" };
  // Asked for jobs and found none: wait on the queues themselves (not while paused, or the
  // jobs it may not take would wake it again and again).
  const watch = reply.want > 0 && !reply.paused && !s.paused;
  // Some slots free, nothing queued: wake on a finished job, a new job, or after the interval.
  if (s.running > 0) return { do: "idle", watch };
  if (isStopping(s.stop)) return { do: "stop", queueEmpty: false };
  if (s.exitWhenEmpty) return { do: "stop", queueEmpty: s.worked };
  return { do: "rest", paused: reply.paused || s.paused, watch, queueEmpty: s.worked, backoff: true };
}
