/** `resque scheduler`'s settings: each flag, else resque-scheduler's environment variable. */
import type { Runtime } from "../../runtime/types.ts";
import type { SchedulerOptions } from "../../scheduler/scheduler.ts";
import { UsageError } from "../kit/context.ts";
import { catchUpOf, scheduleFrom, truthy } from "./schedule-options.ts";

/** A flag, else its resque-scheduler env var. */
function setting(runtime: Runtime, args: Record<string, unknown>, flag: string, env: string): string | undefined {
  const given = args[flag];
  return typeof given === "string" && given !== "" ? given : runtime.env(env) || undefined;
}

function numberOf(value: string | undefined, name: string, fallback: number, min: number, unit = "seconds"): number {
  if (value === undefined) return fallback;
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(n) || n < min)
    throw new UsageError(`${name} "${value}" is not a number of ${unit} of at least ${min} (default ${fallback}).`);
  return n;
}

export type SchedulerSettings = Omit<SchedulerOptions, "db" | "runtime" | "registry" | "log"> & {
  require: string[];
  redis?: string;
  namespace?: string;
};

export function schedulerSettings(runtime: Runtime, flags: Record<string, unknown>): SchedulerSettings {
  const get = (flag: string, env: string) => setting(runtime, flags, flag, env);
  const batchSize = numberOf(get("batch-size", "DELAYED_REQUEUE_BATCH_SIZE"), "DELAYED_REQUEUE_BATCH_SIZE", 100, 1, "items");
  if (!Number.isInteger(batchSize)) throw new UsageError(`DELAYED_REQUEUE_BATCH_SIZE must be a whole number, got ${batchSize}.`);
  const schedule = scheduleFrom(get("schedule", "RESQUE_SCHEDULE"), Date.now());
  const catchUp = catchUpOf(get("catch-up", "RESQUE_SCHEDULE_CATCH_UP"));
  const env = get("environment", "RAILS_ENV");
  return {
    require: (get("require", "RESQUE_REQUIRE") ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
    redis: get("redis", "REDIS_URL"),
    namespace: get("namespace", "RESQUE_NAMESPACE"),
    interval: numberOf(get("interval", "RESQUE_SCHEDULER_INTERVAL"), "RESQUE_SCHEDULER_INTERVAL", 5, 0),
    lockTimeout: numberOf(get("lock-timeout", "LOCK_TIMEOUT"), "LOCK_TIMEOUT", 180, 1),
    lockPrefix: get("lock-prefix", "RESQUE_SCHEDULER_MASTER_LOCK_PREFIX"),
    batchSize,
    lagWarn: numberOf(get("lag-warn", "RESQUE_SCHEDULER_LAG_WARN"), "RESQUE_SCHEDULER_LAG_WARN", 60, 0),
    app: get("app", "APP_NAME"),
    lockValue: get("lock-value", "RESQUE_SCHEDULER_LOCK_VALUE"),
    ...(schedule && { schedule }),
    dynamic: flags["dynamic-schedule"] === true || truthy(runtime.env("DYNAMIC_SCHEDULE")),
    ...(catchUp && { catchUp }),
    ...(env !== undefined && { env }),
  };
}
