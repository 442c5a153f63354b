/**
 * A process role's signal table: every signal a role can trap, what the role does on it and why,
 * declared in one place and read by the code that installs the handlers, so the table a reader
 * sees is the one that runs. Each role keeps its own table beside its code (the master's, the
 * worker process's, the scheduler's, the inline worker's); this file is only the shape and the installer.
 */
import type { Runtime, TrappedSignal } from "./types.ts";

/** One row: the role's handler for the signal (by name), or "untrapped" for the runtime's default; and why. */
export interface SignalMeaning<Action extends string> {
  readonly does: Action | "untrapped";
  readonly why: string;
}

/** A row for every signal there is to trap, so one a role leaves alone is a decision written down, not an omission. */
export type SignalTable<Action extends string> = Readonly<Record<TrappedSignal, SignalMeaning<Action>>>;

/** The signals a table traps (its rows that name a handler). */
export function trappedBy<Action extends string>(table: SignalTable<Action>): TrappedSignal[] {
  return (Object.keys(table) as TrappedSignal[]).filter((signal) => table[signal].does !== "untrapped");
}

/** Trap each row's signal with the handler the row names (it is told which signal came); returns the untrap. */
export function trapTable<Action extends string>(
  runtime: Pick<Runtime, "onSignal">,
  table: SignalTable<Action>,
  handlers: Readonly<Record<Action, (signal: TrappedSignal) => void>>,
): () => void {
  const untraps = trappedBy(table).map((signal) => {
    const does = table[signal].does as Action;
    return runtime.onSignal(signal, () => handlers[does](signal));
  });
  return () => {
    for (const untrap of untraps) untrap();
  };
}
