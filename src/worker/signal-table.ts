/**
 * What each signal means to an inline worker (DONT_FORK: one process, no master, no child to
 * kill), as one table in the shape every process role uses (src/runtime/trap-table.ts). A worker
 * process under a master has its own table (src/cli/roles/worker-process-signals.ts), where TERM
 * hands the jobs back and USR1 ends the process; its USR2 and CONT rows are these (Worker.pause/unpause).
 */
import type { SignalTable } from "../runtime/trap-table.ts";

/** What Worker.trapSignals binds each handler name to. */
export type InlineWorkerAction =
  /** Finish the jobs in flight, take no more, leave (as stock's FORK_PER_JOB=false does for TERM and INT too). */
  | "finishAndExit"
  /** Take no jobs until resumed (USR2). */
  | "pause"
  /** Take jobs again (CONT). */
  | "resume"
  /** Stock kills the forked child running the job; here there is none: say so. */
  | "noChildToKill";

export const INLINE_WORKER_SIGNALS: SignalTable<InlineWorkerAction> = {
  QUIT: { does: "finishAndExit", why: "stock's graceful stop: finish the jobs in flight, then exit" },
  TERM: { does: "finishAndExit", why: "as QUIT: with no master there is no one to hand the jobs back to a replacement" },
  INT: { does: "finishAndExit", why: "as QUIT (Ctrl-C)" },
  USR2: { does: "pause", why: "stock's pause: take no more jobs" },
  CONT: { does: "resume", why: "take jobs again after USR2" },
  USR1: { does: "noChildToKill", why: "stock kills the child running the job; an inline worker has none, so it logs that" },
  HUP: { does: "untrapped", why: "stock's worker does not trap HUP; the runtime's default ends the process" },
};
