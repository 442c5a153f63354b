/** `resque scheduler`: resque-scheduler's process (delayed jobs and recurring schedules), sharing the leader lock with Ruby schedulers. */
import { defineCommand } from "citty";
import { JobRegistry } from "../../jobs/registry.ts";
import { currentRuntime } from "../../runtime/detect.ts";
import { Scheduler } from "../../scheduler/scheduler.ts";
import { closeDb } from "../../store/connection.ts";
import { loadJobModules } from "../../worker/load-jobs.ts";
import { reportError } from "../kit/errors.ts";
import { argsOf } from "../kit/setting-args.ts";
import { SCHEDULER_SETTINGS } from "../../settings/scheduler.ts";
import { loggerFor, waitingDb } from "../roles/worker-setup.ts";
import { schedulerSettings } from "../roles/scheduler-settings.ts";
import { reportToMaster } from "../roles/scheduler-child.ts";

/** From SCHEDULER_SETTINGS, in its order (the connection flags are every command's). */
export const schedulerArgs = {
  ...argsOf(SCHEDULER_SETTINGS, "scheduler"),
  // Appended by the runtime's spawnSelf when a master starts it (`resque work --scheduler`); not for people.
  "title-room": { type: "string", hidden: true, description: "reserves room for the process title" },
} as const;

export const schedulerCommand = defineCommand({
  meta: {
    name: "scheduler",
    description: "Promote due delayed jobs and run recurring schedules; one leader at a time among Ruby and TypeScript schedulers",
  },
  args: schedulerArgs,
  async run({ args }) {
    const runtime = currentRuntime();
    try {
      const flags = args as Record<string, unknown>;
      const { require, redis, namespace, ...options } = schedulerSettings(runtime, flags);
      const registry = new JobRegistry();
      await loadJobModules(runtime, registry, require);
      const db = waitingDb(runtime, flags, redis, namespace);
      const scheduler = new Scheduler({ ...options, db, runtime, registry, log: loggerFor(runtime) });
      scheduler.trapSignals();
      const stopReporting = reportToMaster(runtime, scheduler);
      await scheduler.run();
      stopReporting();
      await closeDb(db);
      runtime.exit(0);
    } catch (error) {
      // A schedule file that does not load is a configuration error: exit 2, before anything is written.
      runtime.exit(reportError(error));
    }
  },
});
