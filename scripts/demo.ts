// The demo: a private redis-server, jobs enqueued with the client, a worker running them four
// at a time, then what stock Resque's tools would see (info, stats, the failed list).
import { consola } from "consola";
import { Resque } from "../src/client/resque.ts";
import { JobRegistry } from "../src/jobs/registry.ts";
import { currentRuntime } from "../src/runtime/detect.ts";
import { closeDb, openDb } from "../src/store/connection.ts";
import { Worker } from "../src/worker/worker.ts";
import * as jobs from "../examples/jobs.ts";
import { startRedis } from "./lib/redis-server.ts";

const server = await startRedis();
try {
  consola.info(`redis-server started on ${server.url} (private to this demo)`);
  const resque = await new Resque({ redis: server.url }).connect();
  for (let id = 1; id <= 200; id++) await resque.enqueue(jobs.archive, id, { compress: id % 2 === 0 });
  await resque.enqueue(jobs.archive, 9007199254740993n);
  for (const to of ["ada@example.com", "grace@example.com", "not-an-address"]) await resque.enqueue(jobs.deliver, to);
  consola.info(`Queued: ${JSON.stringify(await resque.sizes())}`);
  consola.info(`First payload, byte for byte as Ruby's Resque.enqueue writes it: ${(await resque.peek("archive"))[0]?.raw}`);

  const registry = new JobRegistry();
  registry.registerModule(jobs);
  const workerDb = openDb({ redis: server.url });
  const worker = new Worker({ db: workerDb, registry, runtime: currentRuntime(), queues: "mail,archive", threads: 4, interval: 0 });
  const started = Date.now();
  await worker.work();
  await closeDb(workerDb);
  consola.success(`Worker ${worker.id} drained the queues in ${Date.now() - started} ms (THREAD_COUNT=4, INTERVAL=0)`);

  const info = await resque.info();
  consola.info(`Resque.info: ${JSON.stringify(info)}`);
  const [failure] = await resque.failed.list(0, 1);
  consola.info(`Failed job, as resque-web lists it: ${failure?.raw}`);
  await resque.failed.retry(0);
  consola.info(
    `Retried it: queue "mail" now holds ${await resque.size("mail")} job(s); the record is marked retried_at ${(await resque.failed.get(0))?.retriedAt}`,
  );
  await resque.close();
} finally {
  await server.stop();
}
