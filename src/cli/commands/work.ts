/** `resque work`: the master (WORKER_COUNT processes, or a resque-pool file's groups) or, with DONT_FORK, one inline worker. */
import { defineCommand } from "citty";
import { writeFileSync } from "node:fs";
import { JobRegistry } from "../../jobs/registry.ts";
import { Master } from "../../master/master.ts";
import { loadJobModules } from "../../worker/load-jobs.ts";
import { currentRuntime } from "../../runtime/detect.ts";
import { closeDb } from "../../store/connection.ts";
import { announceJobs } from "../roles/announce-jobs.ts";
import { reportError } from "../kit/errors.ts";
import { poolGroups } from "../roles/pool.ts";
import { leaveIfRedisHangs } from "../roles/stop-wait.ts";
import { withInlineScheduler } from "../roles/scheduler-inline.ts";
import { schedulerGroup } from "../roles/scheduler-group.ts";
import { schedulerSettings } from "../roles/scheduler-settings.ts";
import { dbFor, flagsFrom, forkArg, loggerFor, settingsFrom, WORKER_ENV, workArgs, workerFor } from "../roles/worker-setup.ts";
import { shardGroups } from "../roles/shard-groups.ts";
import { shardNamespaces } from "../../store/shards.ts";
import { DEFAULT_NAMESPACE } from "../../protocol/keys.ts";

/** The master's own flags stay with it; the Redis location goes by environment, so no password shows in a child's argv. */
const MASTER_ONLY = ["pidfile", "background", "fork", "pool", "redis", "workers", "scheduler", "schedule", "shards"];

export const workCommand = defineCommand({
  meta: {
    name: "work",
    description:
      "Work jobs: a master keeping worker processes running (every flag has an environment variable; flags win).\nExample: QUEUE=critical,high resque work --require ./jobs.ts",
  },
  args: {
    ...workArgs,
    ...forkArg,
  },
  async run({ args }) {
    const runtime = currentRuntime();
    try {
      const settings = settingsFrom(runtime, args);
      if (settings.background && runtime.env("RESQUE_BACKGROUNDED") === undefined) {
        // Stock daemonizes with Process.daemon; here the same program starts again detached.
        const child = runtime.spawnSelf(runtime.args(), { env: { RESQUE_BACKGROUNDED: "1" }, detached: true });
        console.log(`Started in the background as pid ${child.pid}`);
        runtime.exit(0);
      }
      if (settings.pidfile) writeFileSync(settings.pidfile, `${runtime.pid}\n`);
      // A schedule file that does not load stops everything here, before any process starts.
      const scheduling = settings.scheduler ? schedulerSettings(runtime, { schedule: args.schedule }) : undefined;
      // Loaded here once for the whole pool: a job module error shows once, before any spawn, and
      // the classes it defines are named (or their absence warned of) once, not per process.
      const registry = new JobRegistry();
      await loadJobModules(runtime, registry, settings.require);
      announceJobs(registry.names, settings.require);
      // Shard mode: the master's own connection is the first shard's, and every group runs once per shard.
      const shards = settings.shards === undefined ? undefined : shardNamespaces(settings.namespace ?? DEFAULT_NAMESPACE, settings.shards);
      const db = dbFor(runtime, shards ? { ...settings, namespace: shards[0]! } : settings, args);
      if (settings.dontFork) {
        const worker = await workerFor(runtime, settings, db);
        worker.trapSignals();
        for (const signal of ["QUIT", "TERM", "INT"] as const)
          runtime.onSignal(signal, () => leaveIfRedisHangs(runtime, () => worker.busy));
        await withInlineScheduler(runtime, settings.require, scheduling, db, () => worker.work());
      } else {
        const childEnv: Record<string, string> = {};
        for (const key of WORKER_ENV) {
          const value = runtime.env(key);
          if (value !== undefined) childEnv[key] = value;
        }
        if (settings.redis !== undefined) childEnv["REDIS_URL"] = settings.redis;
        const given = flagsFrom(args);
        const flags = Object.entries(given)
          .filter(([k]) => !MASTER_ONLY.includes(k))
          .map(([k, v]) => `--${k}=${v}`);
        const single = () => [{ queues: settings.queues, count: settings.workerCount, childArgs: ["worker-process", ...flags], childEnv }];
        const scheduler = settings.scheduler ? [schedulerGroup(runtime, settings, given, childEnv)] : [];
        const unsharded = () => [...(settings.pool ? poolGroups(runtime, settings.pool, flags, childEnv) : single()), ...scheduler];
        const groups = () => (shards ? shardGroups(unsharded(), shards, db) : unsharded());
        const master = new Master({
          db,
          runtime,
          groups: groups(),
          log: loggerFor(runtime),
          proclinePrefix: settings.proclinePrefix,
          termChild: settings.termChild,
          termTimeout: settings.termTimeout,
          preShutdownTimeout: settings.preShutdownTimeout,
          gracefulTerm: settings.gracefulTerm,
          recovery: settings.recovery,
          watchdogTimeout: settings.watchdogTimeout,
          ...(settings.pool && { reload: async () => groups() }),
        });
        await master.run();
      }
      await closeDb(db);
      // The process ends with its worker, as stock's does, whatever handles job code left open.
      runtime.exit(0);
    } catch (error) {
      runtime.exit(reportError(error));
    }
  },
});
