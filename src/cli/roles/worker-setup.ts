/** What `work` and `worker-process` share: settings from env and flags, job modules, logging, Redis. */
import { journal } from "../kit/console.ts";
import { connectOptionsFrom } from "../kit/redis-options.ts";
import { argsOf } from "../kit/setting-args.ts";
import { envOf } from "../../settings/read.ts";
import { envVarsOf } from "../../settings/table.ts";
import { WORK_SETTINGS } from "../../settings/work.ts";
import { JobRegistry } from "../../jobs/registry.ts";
import type { Runtime } from "../../runtime/types.ts";
import { openDb, type Db } from "../../store/connection.ts";
import { workerSettings, type WorkerSettings } from "../../worker/config.ts";
import { loadJobModules } from "../../worker/load-jobs.ts";
import type { Logger } from "../../log.ts";
import { Worker, type WorkerOptions } from "../../worker/worker.ts";

/**
 * Every variable `work` and its worker processes read, from the settings table: the master reads
 * them and hands them to each worker process, so a setting with a row cannot be left out.
 */
export const WORKER_ENV: readonly string[] = envVarsOf("master", "worker");

const { dontFork, ...workRows } = WORK_SETTINGS;

/** `work`'s flags (and a worker process's: the master passes its own on), from WORK_SETTINGS in its order. */
export const workArgs = {
  ...argsOf(workRows, "work"),
  // Appended by the runtime's spawnSelf to make room for the child's process title; not for people.
  "title-room": { type: "string", hidden: true, description: "reserves room for the process title" },
} as const;

/** `--no-fork` (DONT_FORK): `work`'s own, a worker process has no such choice. */
export const forkArg = argsOf({ dontFork }, "work");

/** Flags `work` passes on; citty also reports camelCase copies (jobsPerFork), which must not reach a child's argv. */
const WORK_FLAGS = new Set([...Object.keys(workArgs), ...Object.keys(forkArg)]);

/** The flags citty parsed, as strings; a boolean flag that is on reads "1" (stock's "set = on"), `--no-fork` reads fork "false". */
export function flagsFrom(args: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(args).flatMap(([k, v]) =>
      !WORK_FLAGS.has(k) || k === "title-room"
        ? []
        : typeof v === "string"
          ? [[k, v]]
          : v === true
            ? [[k, "1"]]
            : v === false && k === dontFork.flag
              ? [[k, "false"]]
              : [],
    ),
  );
}

export function settingsFrom(runtime: Runtime, args: Record<string, unknown>): WorkerSettings {
  return workerSettings(
    envOf(WORKER_ENV, (name) => runtime.env(name)),
    flagsFrom(args),
  );
}

const { verbose, veryVerbose } = WORK_SETTINGS;

/** VERBOSE, LOGGING or VVERBOSE is set (stock's "set = on"). */
export const isVerbose = (runtime: Runtime): boolean => [...verbose.env, ...veryVerbose.env].some((k) => runtime.env(k) !== undefined);

export function loggerFor(runtime: Runtime): Logger {
  const verbose = isVerbose(runtime);
  return {
    info: (m) => verbose && journal.info(m),
    debug: (m) => veryVerbose.env.some((k) => runtime.env(k) !== undefined) && journal.debug(m),
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
      onFailover: (m: string) => journal.warn(m),
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
    durableAck: settings.durableAck,
    logJobs: settings.verbose,
    ...(settings.heartbeatInterval !== undefined && { heartbeatInterval: settings.heartbeatInterval }),
    ...(settings.pruneInterval !== undefined && { pruneInterval: settings.pruneInterval }),
    ...extra,
  });
}
