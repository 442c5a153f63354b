/** `resque worker-process`: one worker process under a master (not for direct use). */
import { defineCommand } from "citty";
import { currentRuntime } from "../runtime/detect.ts";
import { closeDb } from "../store/connection.ts";
import type { WorkerMessage } from "../master/master.ts";
import { reportError } from "./errors.ts";
import { dbFor, settingsFrom, workArgs, workerFor } from "./worker-setup.ts";

/** How long TERM waits for Redis to take the jobs back before the process just dies. */
const ABANDON_TIMEOUT_MS = 3000;

export const workerProcessCommand = defineCommand({
  meta: { name: "worker-process", description: "(internal) one worker process, started by `resque work`", hidden: true },
  args: workArgs,
  async run({ args }) {
    const runtime = currentRuntime();
    try {
      const settings = settingsFrom(runtime, args);
      const parent = runtime.parent();
      const db = dbFor(settings);
      const worker = await workerFor(runtime, settings, db, {
        maxJobs: settings.jobsPerFork,
        onDraining: () => parent?.send({ type: "draining" } satisfies WorkerMessage),
        onRegistered: () => parent?.send({ type: "registered" } satisfies WorkerMessage),
      });
      // QUIT: finish and exit. TERM / INT: jobs cannot be stopped from inside, so hand them back
      // to their queues and end now (if Redis does not answer in time, die: the master recovers
      // them). USR1 (kill the jobs, as stock): die at once; the master recovers them, counted.
      const die = () => runtime.kill(runtime.pid, "KILL");
      runtime.onSignal("QUIT", () => worker.shutdown());
      for (const signal of ["TERM", "INT"] as const) {
        runtime.onSignal(signal, () => {
          setTimeout(die, ABANDON_TIMEOUT_MS);
          worker.abandon(`SIG${signal}`).then(() => runtime.exit(128 + (signal === "TERM" ? 15 : 2)), die);
        });
      }
      runtime.onSignal("USR1", die);
      runtime.onSignal("USR2", () => worker.pause());
      runtime.onSignal("CONT", () => worker.unpause());
      // The master is gone (even by SIGKILL): finish what is in flight instead of running orphaned.
      parent?.onGone(() => worker.shutdown());
      await worker.work();
      await closeDb(db);
      runtime.exit(0);
    } catch (error) {
      runtime.exit(reportError(error));
    }
  },
});
