/** Per-file set-up: a private redis-server, and a Resque client in a fresh namespace per test. */
import { after, before } from "node:test";
import { Resque } from "../../src/client/resque.ts";
import { JobRegistry } from "../../src/jobs/registry.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { openDb, type Db } from "../../src/store/connection.ts";
import { Worker, type WorkerOptions } from "../../src/worker/worker.ts";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { killSpawned } from "./spawn-cli.ts";

export function useRedis(): { server: () => TestRedis; open: (label: string) => Resque; dbs: Db[] } {
  let server: TestRedis | undefined;
  const opened: Resque[] = [];
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    killSpawned();
    for (const r of opened) r.db.redis.disconnect();
    await server?.stop();
  });
  return {
    server: () => server!,
    open: (label: string) => {
      const resque = new Resque({ redis: server!.url, namespace: uniqueNamespace(label) });
      opened.push(resque);
      return resque;
    },
    dbs: [],
  };
}

/** A worker on the same namespace as `resque`, with its own connection; INTERVAL=0 unless told. */
export function workerFor(resque: Resque, registry: JobRegistry, queues: string, options: Partial<WorkerOptions> = {}): Worker {
  const db = openDb({ redis: `redis://${resque.db.location.address}/0`, namespace: resque.db.keys.namespace });
  const worker = new Worker({ db, registry, runtime: currentRuntime(), queues, interval: 0, ...options });
  const work = worker.work.bind(worker);
  worker.work = async () => {
    try {
      await work();
    } finally {
      db.redis.disconnect();
    }
  };
  return worker;
}

export const registryOf = (...jobs: Parameters<JobRegistry["register"]>) => new JobRegistry().register(...jobs);
