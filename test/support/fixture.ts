/** Per-file set-up: a private redis-server (or Cluster), and a Resque client in a fresh namespace per test. */
import { after, before } from "node:test";
import { Resque } from "../../src/client/resque.ts";
import { JobRegistry } from "../../src/jobs/registry.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { openDb, type Db } from "../../src/store/connection.ts";
import { Worker, type WorkerOptions } from "../../src/worker/worker.ts";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { startCluster, type TestCluster } from "../../scripts/lib/redis-cluster.ts";
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

/**
 * A private Redis Cluster (3 primaries, 3 replicas) for one test file, and a plain Redis where jobs
 * report (outside the cluster, so a failover cannot lose a report); stopped afterwards.
 */
export function useCluster(): { cluster: () => TestCluster; reports: () => TestRedis } {
  let cluster: TestCluster | undefined;
  let reports: TestRedis | undefined;
  before(async () => {
    cluster = await startCluster();
    reports = await startRedis();
  });
  after(async () => {
    killSpawned();
    await cluster?.stop();
    await reports?.stop();
  });
  return { cluster: () => cluster!, reports: () => reports! };
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
