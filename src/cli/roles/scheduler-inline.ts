/** `resque work --no-fork --scheduler`: no master to keep a scheduler process, so it runs beside the worker. */
import { JobRegistry } from "../../jobs/registry.ts";
import type { Runtime } from "../../runtime/types.ts";
import { Scheduler } from "../../scheduler/scheduler.ts";
import type { Db } from "../../store/connection.ts";
import { loadJobModules } from "../../worker/load-jobs.ts";
import type { SchedulerSettings } from "./scheduler-settings.ts";
import { loggerFor } from "./worker-setup.ts";

/** Run `work` (the inline worker), with the scheduler polling beside it when asked; both stop together. */
export async function withInlineScheduler(
  runtime: Runtime,
  jobModules: string[],
  scheduling: SchedulerSettings | undefined,
  db: Db,
  work: () => Promise<void>,
): Promise<void> {
  if (!scheduling) return work();
  // The worker's settings name the jobs and the namespace; the rest is resque-scheduler's environment.
  const { require: _r, redis: _u, namespace: _n, ...options } = scheduling;
  const registry = new JobRegistry();
  await loadJobModules(runtime, registry, jobModules);
  const scheduler = new Scheduler({ ...options, db, runtime, registry, log: loggerFor(runtime), title: false });
  // The worker traps the stop signals; the scheduler stops when the worker does (INTERVAL=0 included).
  const polling = scheduler.run();
  try {
    await work();
  } finally {
    scheduler.stop();
    await polling;
  }
}
