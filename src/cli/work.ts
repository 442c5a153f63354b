/** `resque work`: one worker process, configured by stock's environment variables or flags. */
import { defineCommand } from "citty";
import { consola } from "consola";
import { JobRegistry } from "../jobs/registry.ts";
import { currentRuntime } from "../runtime/detect.ts";
import { openDb } from "../store/connection.ts";
import { workerSettings } from "../worker/config.ts";
import { loadJobModules } from "../worker/load-jobs.ts";
import { Worker } from "../worker/worker.ts";
import { reportError } from "./errors.ts";

export const workCommand = defineCommand({
  meta: { name: "work", description: "Work jobs (QUEUE=critical,high resque work --require ./jobs.ts)" },
  args: {
    queue: { type: "string", description: "Queues in priority order, globs and !exclusions allowed (QUEUE / QUEUES)" },
    require: { type: "string", description: "Job modules to load, comma-separated (RESQUE_REQUIRE)" },
    threads: { type: "string", description: "Jobs in flight at once (THREAD_COUNT, default 1)" },
    interval: { type: "string", description: "Idle poll in seconds; 0 exits when the queues are empty (INTERVAL, default 5)" },
    redis: { type: "string", description: "Redis location (REDIS_URL, default redis://127.0.0.1:6379/0)" },
    namespace: { type: "string", description: "Key namespace (default resque)" },
  },
  async run({ args }) {
    const runtime = currentRuntime();
    try {
      const env = Object.fromEntries(
        ["QUEUE", "QUEUES", "THREAD_COUNT", "INTERVAL", "MIN_INTERVAL", "MAX_INTERVAL", "BACKOFF_INTERVAL", "RESQUE_PROCLINE_PREFIX", "REDIS_URL", "RESQUE_NAMESPACE", "RESQUE_REQUIRE"].map((k) => [k, runtime.env(k)]),
      );
      const flags = Object.fromEntries(Object.entries(args).filter(([k, v]) => typeof v === "string" && k !== "_")) as Record<string, string>;
      const settings = workerSettings(env, flags);
      const registry = new JobRegistry();
      await loadJobModules(runtime, registry, settings.require);
      const verbose = runtime.env("VERBOSE") !== undefined || runtime.env("LOGGING") !== undefined || runtime.env("VVERBOSE") !== undefined;
      const db = openDb({ redis: settings.redis, namespace: settings.namespace, outage: "wait", onOutage: (m) => (m ? consola.warn(`${m} Retrying with backoff.`) : consola.info("Redis is back.")) });
      const worker = new Worker({
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
        log: {
          info: (m) => verbose && consola.info(m),
          debug: (m) => runtime.env("VVERBOSE") !== undefined && consola.debug(m),
          warn: (m) => consola.warn(m),
          error: (m) => consola.error(m),
        },
      });
      worker.trapSignals();
      await worker.work();
      await db.redis.quit();
      // The process ends with its worker, as stock's does, whatever handles job code left open.
      runtime.exit(0);
    } catch (error) {
      runtime.exit(reportError(error));
    }
  },
});
