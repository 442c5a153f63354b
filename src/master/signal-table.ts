/**
 * The master's signals, stock Resque's master/worker-process semantics: what the master does on
 * each, and what it relays to its children. Read by Master's trap; every row is trapped.
 */
import type { SignalTable } from "../runtime/trap-table.ts";

/** The master's handlers, by name (Master binds each to its own code). */
export type MasterAction =
  /** Stop taking work: QUIT to every child (worker and scheduler processes), exit when the last has. */
  | "finishAndExit"
  /** TERM's choice: "finishAndExit" with GRACEFUL_TERM, else "stopNow". */
  | "term"
  /** TERM to every child (TERM_CHILD: QUIT after PRE_SHUTDOWN_TIMEOUT, then KILL after RESQUE_TERM_TIMEOUT). */
  | "stopNow"
  /** KILL every worker process; their jobs are recovered and replacements start as they exit. */
  | "killWorkerProcesses"
  /** Send the same signal to every worker process (not to the scheduler process: it takes no jobs). */
  | "relayToWorkers"
  /** Run the groups a re-read pool file gives. */
  | "reload";

export const MASTER_SIGNALS: SignalTable<MasterAction> = {
  QUIT: { does: "finishAndExit", why: "stock's graceful stop: every process finishes its jobs in flight, then the master exits" },
  TERM: {
    does: "term",
    why: "stock: stop now, jobs in flight handed back; GRACEFUL_TERM makes it QUIT, TERM_CHILD gives jobs RESQUE_TERM_TIMEOUT",
  },
  INT: { does: "stopNow", why: "Ctrl-C: as TERM, whatever GRACEFUL_TERM says" },
  USR1: {
    does: "killWorkerProcesses",
    why: "stock kills the child running the job; a job's child here is its worker process, whose jobs are then recovered",
  },
  USR2: { does: "relayToWorkers", why: "pause: each worker process stops taking jobs (stock's USR2)" },
  CONT: { does: "relayToWorkers", why: "resume after USR2" },
  HUP: { does: "reload", why: "resque-pool's reload: re-read the pool file; without one, nothing to reload" },
};
