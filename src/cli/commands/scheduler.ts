/** `resque scheduler`: resque-scheduler's process (delayed jobs and recurring schedules), sharing the leader lock with Ruby schedulers. */
import { defineCommand } from "citty";
import { JobRegistry } from "../../jobs/registry.ts";
import { currentRuntime } from "../../runtime/detect.ts";
import { Scheduler } from "../../scheduler/scheduler.ts";
import { closeDb } from "../../store/connection.ts";
import { loadJobModules } from "../../worker/load-jobs.ts";
import { reportError } from "../kit/errors.ts";
import { redisConnectArgs } from "../kit/redis-options.ts";
import { loggerFor, waitingDb } from "../roles/worker-setup.ts";
import { schedulerSettings } from "../roles/scheduler-settings.ts";
import { reportToMaster } from "../roles/scheduler-child.ts";

export const schedulerArgs = {
  ...redisConnectArgs,
  redis: { type: "string", valueHint: "URL", description: "Redis location (REDIS_URL, default redis://127.0.0.1:6379/0)" },
  namespace: { type: "string", valueHint: "NS", description: "Key namespace (RESQUE_NAMESPACE, default resque)" },
  require: {
    type: "string",
    valueHint: "FILES",
    description: "Job modules whose queues and promotion hooks apply, comma-separated (RESQUE_REQUIRE)",
  },
  interval: { type: "string", valueHint: "SECONDS", description: "Seconds between polls (RESQUE_SCHEDULER_INTERVAL, default 5)" },
  "lock-timeout": {
    type: "string",
    valueHint: "SECONDS",
    description: "Seconds the leader lock lives unless renewed (LOCK_TIMEOUT, default 180)",
  },
  "lock-prefix": { type: "string", valueHint: "PREFIX", description: "Leader lock key prefix (RESQUE_SCHEDULER_MASTER_LOCK_PREFIX)" },
  "batch-size": {
    type: "string",
    valueHint: "N",
    description: "Delayed items promoted per atomic step (DELAYED_REQUEUE_BATCH_SIZE, default 100)",
  },
  "lag-warn": {
    type: "string",
    valueHint: "SECONDS",
    description: "Warn when due jobs wait longer than this many seconds (RESQUE_SCHEDULER_LAG_WARN, default 60)",
  },
  app: { type: "string", valueHint: "NAME", description: "Name shown in the process title (APP_NAME)" },
  "lock-value": {
    type: "string",
    valueHint: "VALUE",
    description:
      "This scheduler's leader-lock value (RESQUE_SCHEDULER_LOCK_VALUE, default host:pid; set it where hosts share a name and pid)",
  },
  // Appended by the runtime's spawnSelf when a master starts it (`resque work --scheduler`); not for people.
  "title-room": { type: "string", hidden: true, description: "reserves room for the process title" },
  schedule: {
    type: "string",
    valueHint: "FILE",
    description: "Recurring schedules, resque-scheduler's YAML or JSON format (RESQUE_SCHEDULE)",
  },
  "dynamic-schedule": { type: "boolean", description: "Apply schedules set or removed while running (DYNAMIC_SCHEDULE)" },
  "catch-up": {
    type: "string",
    valueHint: "off|once|all",
    description: "On taking the lead, run ticks missed while no scheduler led (RESQUE_SCHEDULE_CATCH_UP, default off)",
  },
  environment: { type: "string", valueHint: "ENV", description: "Environment for schedules' rails_env / env lists (RAILS_ENV)" },
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
