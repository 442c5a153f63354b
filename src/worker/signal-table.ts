/**
 * What each signal means to an inline worker (DONT_FORK: one process, no master, no child to
 * kill), as one table. A worker process under a master has its own table (src/cli/roles/), where
 * TERM hands the jobs back and USR1 ends the process.
 */
import type { Runtime, TrappedSignal } from "../runtime/types.ts";

export type InlineWorkerMeaning =
  /** Finish the jobs in flight, take no more, leave (as stock's FORK_PER_JOB=false does for TERM and INT too). */
  | "finish-and-exit"
  /** Take no jobs until resumed (USR2). */
  | "pause"
  /** Take jobs again (CONT). */
  | "resume"
  /** Stock kills the forked child running the job; here there is none: say so. */
  | "no-child-to-kill";

export const INLINE_WORKER_SIGNALS = {
  QUIT: "finish-and-exit",
  TERM: "finish-and-exit",
  INT: "finish-and-exit",
  USR2: "pause",
  CONT: "resume",
  USR1: "no-child-to-kill",
} as const satisfies Partial<Record<TrappedSignal, InlineWorkerMeaning>>;

/** Trap every signal of the table, each calling what its meaning does; returns the function that removes the traps. */
export function trapInlineWorkerSignals(runtime: Runtime, act: Record<InlineWorkerMeaning, () => void>): () => void {
  const untraps = Object.entries(INLINE_WORKER_SIGNALS).map(([signal, meaning]) =>
    runtime.onSignal(signal as TrappedSignal, () => act[meaning]()),
  );
  return () => {
    for (const untrap of untraps) untrap();
  };
}
