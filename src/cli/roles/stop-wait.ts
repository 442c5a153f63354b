/**
 * A worker told to stop waits for Redis only so long. Once none of its jobs (or workerExit
 * hooks) is running, Redis gets STOP_WAIT_MS to take the last outcomes and the hand-back; past that the process leaves,
 * and whatever it still holds stays in its in-flight list in Redis for the next worker on this
 * host to recover. An outage therefore never makes a stop hang, and never loses a job.
 */
import type { Runtime } from "../../runtime/types.ts";
import { STOP_WAIT_MS } from "../../store/connection.ts";
import { journal } from "../kit/console.ts";

/** How often the process looks whether its jobs have ended. */
const LOOK_MS = 100;

/** Start the countdown (once per process; later calls do nothing); `busy`: jobs or hooks still run. */
export function leaveIfRedisHangs(runtime: Runtime, busy: () => boolean): void {
  if (armed) return;
  armed = true;
  let idleSince: number | undefined;
  setInterval(() => {
    if (busy()) {
      idleSince = undefined;
      return;
    }
    idleSince ??= Date.now();
    if (Date.now() - idleSince < STOP_WAIT_MS) return;
    journal.warn(
      `Stopping without Redis: it did not answer within ${STOP_WAIT_MS / 1000} s. Jobs this process still held stay in Redis, for the next worker on this host to put back.`,
    );
    runtime.exit(1);
  }, LOOK_MS);
}

let armed = false;
