/**
 * The signals of a scheduler process (`resque scheduler`, alone or kept by `resque work --scheduler`'s
 * master): only the stop signals mean anything to it. Read by Scheduler.trapSignals. A scheduler
 * inside an inline worker (`work --no-fork --scheduler`) traps nothing: it stops with the worker.
 */
import type { SignalTable } from "../runtime/trap-table.ts";

const ABOUT_JOBS = "about jobs, which a scheduler does not run; a master never relays it here, and sent here the runtime's default applies";

export const SCHEDULER_SIGNALS: SignalTable<"stop"> = {
  QUIT: { does: "stop", why: "stop between polls and release the leader lock, so another scheduler leads at once" },
  TERM: { does: "stop", why: "as QUIT: each poll is one atomic step, so there is nothing to hand back" },
  INT: { does: "stop", why: "as QUIT" },
  USR1: { does: "untrapped", why: ABOUT_JOBS },
  USR2: { does: "untrapped", why: ABOUT_JOBS },
  CONT: { does: "untrapped", why: ABOUT_JOBS },
  HUP: { does: "untrapped", why: "a master keeps HUP for itself (pool reload); sent here, the runtime's default applies" },
};
