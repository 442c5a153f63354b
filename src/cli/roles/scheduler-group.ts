/** `resque work --scheduler`: the scheduler process the master keeps running beside its workers. */
import type { WorkerGroup } from "../../master/worker-group.ts";
import type { Runtime } from "../../runtime/types.ts";
import type { WorkerSettings } from "../../worker/config.ts";
import { redisConnectArgs } from "../kit/redis-options.ts";

const SCHEDULER_FLAGS = ["require", "namespace", "schedule", ...Object.keys(redisConnectArgs)];

/**
 * One `resque scheduler` process. Its other settings (RESQUE_SCHEDULER_INTERVAL, LOCK_TIMEOUT, ...)
 * come from the environment it inherits. Its lock value names the master, not itself, so a
 * replacement for a crashed scheduler takes the lock back at once instead of waiting out its TTL.
 */
export function schedulerGroup(
  runtime: Runtime,
  settings: WorkerSettings,
  flags: Record<string, string>,
  childEnv: Record<string, string>,
): WorkerGroup {
  const passed = Object.entries(flags)
    .filter(([k]) => SCHEDULER_FLAGS.includes(k))
    .map(([k, v]) => `--${k}=${v}`);
  const lockValue = runtime.env("RESQUE_SCHEDULER_LOCK_VALUE") || `${runtime.hostname()}:${runtime.pid}`;
  return {
    queues: settings.queues,
    count: 1,
    role: "scheduler",
    childArgs: ["scheduler", ...passed],
    childEnv: { ...childEnv, RESQUE_SCHEDULER_LOCK_VALUE: lockValue },
  };
}
