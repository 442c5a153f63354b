/** `resque worker-process`: one worker process under a master (not for direct use). */
import { defineCommand } from "citty";
import { currentRuntime } from "../runtime/detect.ts";
import { closeDb } from "../store/connection.ts";
import type { WorkerMessage } from "../master/master.ts";
import { reportError } from "./errors.ts";
import { dbFor, settingsFrom, workArgs, workerFor } from "./worker-setup.ts";

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
      });
      // QUIT: finish and exit. TERM / INT / USR1 aimed at this process: its jobs cannot be stopped
      // from inside, so it ends at once and the master records them and starts a replacement.
      runtime.onSignal("QUIT", () => worker.shutdown());
      for (const signal of ["TERM", "INT", "USR1"] as const) runtime.onSignal(signal, () => runtime.kill(runtime.pid, "KILL"));
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
