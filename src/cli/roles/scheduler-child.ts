/** A scheduler process under `resque work --scheduler`: it tells its master it is alive, and stops when the master is gone. */
import type { WorkerMessage } from "../../master/messages.ts";
import { TICK_MS } from "../../master/watchdog.ts";
import type { Runtime } from "../../runtime/types.ts";
import type { Scheduler } from "../../scheduler/scheduler.ts";

/** Start the liveness ticks (the master's watchdog kills a scheduler whose loop is stuck); returns the stop. */
export function reportToMaster(runtime: Runtime, scheduler: Scheduler): () => void {
  const parent = runtime.parent();
  if (!parent) return () => {};
  const tick = () => parent.send({ type: "tick", deadlines: [] } satisfies WorkerMessage);
  tick();
  const timer = setInterval(tick, TICK_MS);
  // Orphaned (the master was killed), it releases the lock rather than lead with nobody watching.
  parent.onGone(() => scheduler.stop());
  return () => clearInterval(timer);
}
