/** `resque scheduler`'s settings: each flag, else resque-scheduler's environment variable. */
import type { Runtime } from "../../runtime/types.ts";
import type { SchedulerOptions } from "../../scheduler/scheduler.ts";
import { UsageError } from "../kit/context.ts";
import { SCHEDULER_SETTINGS } from "../../settings/scheduler.ts";
import type { Setting } from "../../settings/setting.ts";
import { catchUpOf, scheduleFrom, truthy } from "./schedule-options.ts";

const S = SCHEDULER_SETTINGS;

/** A flag, else its resque-scheduler env var (an empty one counts as unset). */
function setting(runtime: Runtime, args: Record<string, unknown>, row: Setting): string | undefined {
  const given = row.flag === null ? undefined : args[row.flag];
  return typeof given === "string" && given !== "" ? given : runtime.env(row.env[0]!) || undefined;
}

function numberOf(value: string | undefined, row: Setting, unit = "seconds"): number {
  const name = row.env[0];
  const fallback = row.default as number;
  const min = row.min ?? 0;
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

/** SCHEDULER_SETTINGS read: each flag, else its variable. */
export function schedulerSettings(runtime: Runtime, flags: Record<string, unknown>): SchedulerSettings {
  const get = (row: Setting) => setting(runtime, flags, row);
  const batchSize = numberOf(get(S.batchSize), S.batchSize, "items");
  if (!Number.isInteger(batchSize)) throw new UsageError(`DELAYED_REQUEUE_BATCH_SIZE must be a whole number, got ${batchSize}.`);
  const schedule = scheduleFrom(get(S.schedule), Date.now());
  const catchUp = catchUpOf(get(S.catchUp));
  const env = get(S.environment);
  return {
    require: (get(S.require) ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
    redis: get(S.redis),
    namespace: get(S.namespace),
    interval: numberOf(get(S.interval), S.interval),
    lockTimeout: numberOf(get(S.lockTimeout), S.lockTimeout),
    lockPrefix: get(S.lockPrefix),
    batchSize,
    lagWarn: numberOf(get(S.lagWarn), S.lagWarn),
    app: get(S.app),
    lockValue: get(S.lockValue),
    ...(schedule && { schedule }),
    dynamic: flags[S.dynamic.flag] === true || truthy(runtime.env(S.dynamic.env[0])),
    ...(catchUp && { catchUp }),
    ...(env !== undefined && { env }),
  };
}
