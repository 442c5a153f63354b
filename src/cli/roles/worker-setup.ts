/** What `work` and `worker-process` share: settings from env and flags, job modules, logging, Redis. */
import { journal } from "../kit/console.ts";
import { connectOptionsFrom, redisConnectArgs } from "../kit/redis-options.ts";
import { JobRegistry } from "../../jobs/registry.ts";
import type { Runtime } from "../../runtime/types.ts";
import { openDb, type Db } from "../../store/connection.ts";
import { workerSettings, type WorkerSettings } from "../../worker/config.ts";
import { loadJobModules } from "../../worker/load-jobs.ts";
import type { Logger } from "../../log.ts";
import { Worker, type WorkerOptions } from "../../worker/worker.ts";

export const WORKER_ENV = [
  "QUEUE",
  "QUEUES",
  "THREAD_COUNT",
  "INTERVAL",
  "MIN_INTERVAL",
  "MAX_INTERVAL",
  "BACKOFF_INTERVAL",
  "RESQUE_PROCLINE_PREFIX",
  "REDIS_URL",
  "RESQUE_NAMESPACE",
  "RESQUE_REQUIRE",
  "WORKER_COUNT",
  "COUNT",
  "JOBS_PER_FORK",
  "MAX_WORKER_RSS",
  "DONT_FORK",
  "TERM_CHILD",
  "GRACEFUL_TERM",
  "RESQUE_TERM_TIMEOUT",
  "RESQUE_PRE_SHUTDOWN_TIMEOUT",
  "PIDFILE",
  "BACKGROUND",
  "VERBOSE",
  "LOGGING",
  "VVERBOSE",
  "FETCH",
  "RECOVERY_LIMIT",
  "JOB_TIMEOUT",
  "WATCHDOG_TIMEOUT",
  "RESQUE_POOL_CONFIG",
  "RESQUE_HEARTBEAT_INTERVAL",
  "RESQUE_SCHEDULER",
] as const;

export const workArgs = {
  ...redisConnectArgs,
  queue: { type: "string", valueHint: "QUEUES", description: "Queues in priority order, globs and !exclusions allowed (QUEUE / QUEUES)" },
  require: { type: "string", valueHint: "FILES", description: "Job modules to load, comma-separated (RESQUE_REQUIRE)" },
  workers: { type: "string", valueHint: "N", description: "Worker processes the master keeps running (WORKER_COUNT / COUNT, default 1)" },
  threads: { type: "string", valueHint: "N", description: "Jobs in flight at once per process (THREAD_COUNT, default 1)" },
  "max-worker-rss": {
    type: "string",
    valueHint: "MIB",
    description:
      "Resident memory (MiB) past which a worker process finishes its jobs and is replaced; 0 = never (MAX_WORKER_RSS, default 1024)",
  },
  "jobs-per-fork": {
    type: "string",
    valueHint: "N",
    description: "Jobs a worker process takes before it is replaced (JOBS_PER_FORK, default 1000000; memory is bounded by MAX_WORKER_RSS)",
  },
  interval: {
    type: "string",
    valueHint: "SECONDS",
    description: "Idle poll in seconds; 0 exits when the queues are empty (INTERVAL, default 5)",
  },
  "min-interval": {
    type: "string",
    valueHint: "SECONDS",
    description: "First idle sleep, and the sleep after a job (MIN_INTERVAL, default INTERVAL)",
  },
  "max-interval": { type: "string", valueHint: "SECONDS", description: "Longest idle sleep (MAX_INTERVAL, default INTERVAL)" },
  "backoff-interval": {
    type: "string",
    valueHint: "SECONDS",
    description: "Added to the idle sleep after each empty poll, up to MAX_INTERVAL (BACKOFF_INTERVAL, default 0.1)",
  },
  redis: { type: "string", valueHint: "URL", description: "Redis location (REDIS_URL, default redis://127.0.0.1:6379/0)" },
  namespace: { type: "string", valueHint: "NS", description: "Key namespace (RESQUE_NAMESPACE, default resque)" },
  pidfile: { type: "string", valueHint: "FILE", description: "Write the master's pid to this file (PIDFILE)" },
  background: { type: "boolean", description: "Detach and run in the background (BACKGROUND)" },
  "procline-prefix": { type: "string", valueHint: "TEXT", description: "Prepended to every process title (RESQUE_PROCLINE_PREFIX)" },
  "term-child": { type: "boolean", description: "TERM/INT ask worker processes to finish first, KILL after --term-timeout (TERM_CHILD)" },
  "term-timeout": {
    type: "string",
    valueHint: "SECONDS",
    description: "Seconds between asking and killing with --term-child (RESQUE_TERM_TIMEOUT, default 4)",
  },
  "pre-shutdown-timeout": {
    type: "string",
    valueHint: "SECONDS",
    description: "Seconds to wait before asking, with --term-child (RESQUE_PRE_SHUTDOWN_TIMEOUT, default 0)",
  },
  "graceful-term": { type: "boolean", description: "TERM behaves like QUIT (GRACEFUL_TERM)" },
  fetch: {
    type: "string",
    valueHint: "MODE",
    description: "reliable: a dead process's jobs go back to their queues; at-most-once: stock's, they fail (FETCH, default reliable)",
  },
  "recovery-limit": {
    type: "string",
    valueHint: "N",
    description: "Process deaths with a job running before it fails as poison (RECOVERY_LIMIT, default 3)",
  },
  "job-timeout": {
    type: "string",
    valueHint: "SECONDS",
    description:
      "Seconds a job may run unless its definition sets `timeout`; past it the job fails as Resque::JobTimeout (JOB_TIMEOUT, default none)",
  },
  "watchdog-timeout": {
    type: "string",
    valueHint: "SECONDS",
    description:
      "Seconds a worker process's event loop may stay blocked before the master kills it; 0 = off (WATCHDOG_TIMEOUT, default 10)",
  },
  pool: {
    type: "string",
    valueHint: "FILE",
    description: "Run the worker groups of a resque-pool file (RESQUE_POOL_CONFIG); HUP reloads it",
  },
  scheduler: {
    type: "boolean",
    description:
      "Also run the scheduler (delayed jobs, schedules; `resque scheduler`'s settings by env) under this master (RESQUE_SCHEDULER)",
  },
  schedule: {
    type: "string",
    valueHint: "FILE",
    description: "With --scheduler: recurring schedules, resque-scheduler's YAML or JSON format (RESQUE_SCHEDULE)",
  },
  // Appended by the runtime's spawnSelf to make room for the child's process title; not for people.
  "title-room": { type: "string", hidden: true, description: "reserves room for the process title" },
} as const;

/** Flags `work` passes on; citty also reports camelCase copies (jobsPerFork), which must not reach a child's argv. */
const WORK_FLAGS = new Set([...Object.keys(workArgs), "fork"]);

/** The flags citty parsed, as strings; a boolean flag that is on reads "1" (stock's "set = on"). */
export function flagsFrom(args: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(args).flatMap(([k, v]) =>
      !WORK_FLAGS.has(k) || k === "title-room" ? [] : typeof v === "string" ? [[k, v]] : v === true ? [[k, "1"]] : [],
    ),
  );
}

export function settingsFrom(runtime: Runtime, args: Record<string, unknown>): WorkerSettings {
  const env = Object.fromEntries(WORKER_ENV.map((k) => [k, runtime.env(k)]));
  return workerSettings(env, flagsFrom(args));
}

/** VERBOSE, LOGGING or VVERBOSE is set (stock's "set = on"). */
export const isVerbose = (runtime: Runtime): boolean => ["VERBOSE", "LOGGING", "VVERBOSE"].some((k) => runtime.env(k) !== undefined);

export function loggerFor(runtime: Runtime): Logger {
  const verbose = isVerbose(runtime);
  return {
    info: (m) => verbose && journal.info(m),
    debug: (m) => runtime.env("VVERBOSE") !== undefined && journal.debug(m),
    warn: (m) => journal.warn(m),
    error: (m) => journal.error(m),
  };
}

export function dbFor(runtime: Runtime, settings: WorkerSettings, args: Record<string, unknown>): Db {
  return waitingDb(runtime, args, settings.redis, settings.namespace);
}

/**
 * A connection for a long-running process (worker, scheduler): it waits out outages with backoff,
 * saying so in one line when Redis goes and one when it is back. A process under a master leaves
 * that to the master, which uses the same Redis, so an outage is one line, not one per process.
 */
export function waitingDb(runtime: Runtime, flags: Record<string, unknown>, redis: string | undefined, namespace: string | undefined): Db {
  const supervised = runtime.parent() !== undefined;
  return openDb({
    ...connectOptionsFrom((name) => runtime.env(name), flags),
    redis,
    namespace,
    outage: "wait",
    ...(!supervised && {
      onOutage: (m: string | undefined) => (m ? journal.warn(`${m} Retrying with backoff.`) : journal.info("Redis is back.")),
    }),
  });
}

/** A worker for this process, with its job modules loaded. */
export async function workerFor(runtime: Runtime, settings: WorkerSettings, db: Db, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  const registry = new JobRegistry();
  await loadJobModules(runtime, registry, settings.require);
  return new Worker({
    db,
    registry,
    runtime,
    queues: settings.queues,
    threads: settings.threads,
    interval: settings.interval,
    ...(settings.minInterval !== undefined && { minInterval: settings.minInterval }),
    ...(settings.maxInterval !== undefined && { maxInterval: settings.maxInterval }),
    ...(settings.backoffInterval !== undefined && { backoffInterval: settings.backoffInterval }),
    proclinePrefix: settings.proclinePrefix,
    log: loggerFor(runtime),
    recovery: settings.recovery,
    jobTimeout: settings.jobTimeout,
    logJobs: isVerbose(runtime),
    ...(settings.heartbeatInterval !== undefined && { heartbeatInterval: settings.heartbeatInterval }),
    ...extra,
  });
}
