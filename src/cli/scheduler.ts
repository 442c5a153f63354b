/** `resque scheduler`: resque-scheduler's process (delayed jobs and recurring schedules), sharing the leader lock with Ruby schedulers. */
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { ResqueError } from "../errors.ts";
import type { CatchUp } from "../protocol/schedule-config.ts";
import { parseScheduleFile, type StaticSchedule } from "../scheduler/schedule-file.ts";
import { JobRegistry } from "../jobs/registry.ts";
import { currentRuntime } from "../runtime/detect.ts";
import type { Runtime } from "../runtime/types.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { closeDb } from "../store/connection.ts";
import { loadJobModules } from "../worker/load-jobs.ts";
import { reportError } from "./errors.ts";
import { redisConnectArgs } from "./redis-options.ts";
import { loggerFor, waitingDb } from "./worker-setup.ts";
import { UsageError } from "./context.ts";

export const schedulerArgs = {
  ...redisConnectArgs,
  redis: { type: "string", description: "Redis location (REDIS_URL, default redis://127.0.0.1:6379/0)" },
  namespace: { type: "string", description: "Key namespace (RESQUE_NAMESPACE, default resque)" },
  require: { type: "string", description: "Job modules whose queues and promotion hooks apply, comma-separated (RESQUE_REQUIRE)" },
  interval: { type: "string", description: "Seconds between polls (RESQUE_SCHEDULER_INTERVAL, default 5)" },
  "lock-timeout": { type: "string", description: "Seconds the leader lock lives unless renewed (LOCK_TIMEOUT, default 180)" },
  "lock-prefix": { type: "string", description: "Leader lock key prefix (RESQUE_SCHEDULER_MASTER_LOCK_PREFIX)" },
  "batch-size": { type: "string", description: "Delayed items promoted per atomic step (DELAYED_REQUEUE_BATCH_SIZE, default 100)" },
  "lag-warn": { type: "string", description: "Warn when due jobs wait longer than this many seconds (RESQUE_SCHEDULER_LAG_WARN, default 60)" },
  app: { type: "string", description: "Name shown in the process title (APP_NAME)" },
  schedule: { type: "string", valueHint: "FILE", description: "Recurring schedules, resque-scheduler's YAML or JSON format (RESQUE_SCHEDULE)" },
  "dynamic-schedule": { type: "boolean", description: "Apply schedules set or removed while running (DYNAMIC_SCHEDULE)" },
  "catch-up": { type: "string", valueHint: "off|once|all", description: "On taking the lead, run ticks missed while no scheduler led (RESQUE_SCHEDULE_CATCH_UP, default off)" },
  environment: { type: "string", description: "Environment for schedules' rails_env / env lists (RAILS_ENV)" },
} as const;

/** The schedule file cannot be read or has bad entries (exit 2). */
class ScheduleFileError extends ResqueError {}

/** Read and check the schedule file; a bad one is a ScheduleFileError listing every bad entry. */
function scheduleFrom(path: string | undefined, now: number): StaticSchedule | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ScheduleFileError("BAD_CONFIG", `Cannot read the schedule file ${path} (${(error as Error).message}); pass --schedule FILE or RESQUE_SCHEDULE.`);
  }
  try {
    return parseScheduleFile(text, path, now);
  } catch (error) {
    throw new ScheduleFileError("BAD_CONFIG", (error as Error).message, { cause: error });
  }
}

function catchUpOf(value: string | undefined): CatchUp | undefined {
  if (value === undefined) return undefined;
  if (value === "off" || value === "once" || value === "all") return value;
  throw new UsageError(`--catch-up / RESQUE_SCHEDULE_CATCH_UP must be off, once or all, got "${value}".`);
}

/** Ruby's config reader for DYNAMIC_SCHEDULE (1/t/true/on/yes), not the rake path's "any value is true". */
const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|t|true|on|yes|y)$/i.test(value.trim());

/** A flag, else its resque-scheduler env var. */
function setting(runtime: Runtime, args: Record<string, unknown>, flag: string, env: string): string | undefined {
  const given = args[flag];
  return typeof given === "string" && given !== "" ? given : runtime.env(env) || undefined;
}

function numberOf(value: string | undefined, name: string, fallback: number, min: number, unit = "seconds"): number {
  if (value === undefined) return fallback;
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(n) || n < min) throw new UsageError(`${name} "${value}" is not a number of ${unit} of at least ${min} (default ${fallback}).`);
  return n;
}

export const schedulerCommand = defineCommand({
  meta: { name: "scheduler", description: "Promote due delayed jobs; one leader at a time among Ruby and TypeScript schedulers" },
  args: schedulerArgs,
  async run({ args }) {
    const runtime = currentRuntime();
    try {
      const flags = args as Record<string, unknown>;
      const get = (flag: string, env: string) => setting(runtime, flags, flag, env);
      const batch = numberOf(get("batch-size", "DELAYED_REQUEUE_BATCH_SIZE"), "DELAYED_REQUEUE_BATCH_SIZE", 100, 1, "items");
      if (!Number.isInteger(batch)) throw new UsageError(`DELAYED_REQUEUE_BATCH_SIZE must be a whole number, got ${batch}.`);
      const schedule = scheduleFrom(get("schedule", "RESQUE_SCHEDULE"), Date.now());
      const catchUp = catchUpOf(get("catch-up", "RESQUE_SCHEDULE_CATCH_UP"));
      const env = get("environment", "RAILS_ENV");
      const registry = new JobRegistry();
      const modules = (get("require", "RESQUE_REQUIRE") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
      await loadJobModules(runtime, registry, modules);
      const db = waitingDb(runtime, flags, get("redis", "REDIS_URL"), get("namespace", "RESQUE_NAMESPACE"));
      const scheduler = new Scheduler({
        db,
        runtime,
        registry,
        interval: numberOf(get("interval", "RESQUE_SCHEDULER_INTERVAL"), "RESQUE_SCHEDULER_INTERVAL", 5, 0),
        lockTimeout: numberOf(get("lock-timeout", "LOCK_TIMEOUT"), "LOCK_TIMEOUT", 180, 1),
        lockPrefix: get("lock-prefix", "RESQUE_SCHEDULER_MASTER_LOCK_PREFIX"),
        batchSize: batch,
        lagWarn: numberOf(get("lag-warn", "RESQUE_SCHEDULER_LAG_WARN"), "RESQUE_SCHEDULER_LAG_WARN", 60, 0),
        app: get("app", "APP_NAME"),
        ...(schedule && { schedule }),
        dynamic: flags["dynamic-schedule"] === true || truthy(runtime.env("DYNAMIC_SCHEDULE")),
        ...(catchUp && { catchUp }),
        ...(env !== undefined && { env }),
        log: loggerFor(runtime),
      });
      scheduler.trapSignals();
      await scheduler.run();
      await closeDb(db);
      runtime.exit(0);
    } catch (error) {
      // A schedule file that does not load is a configuration error: exit 2, before anything is written.
      const code = reportError(error);
      runtime.exit(error instanceof ScheduleFileError ? 2 : code);
    }
  },
});
