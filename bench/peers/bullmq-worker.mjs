// BullMQ's side of the macro benchmark: one Node process, one Worker, concurrency 64, the same
// job shapes as bench/jobs.ts (the job's name is the class). Plain JavaScript so nothing but
// Node runs it. Env: REDIS_URL, BENCH_N (signal when that many jobs completed; 0 = never).
// It pushes to bench:ready once its connections are up and to bench:done when the N-th job's
// `completed` event fires (counted in memory, so the count costs BullMQ no Redis command).
import process from "node:process";
import { Worker } from "bullmq";
import { Redis } from "ioredis";

const url = new URL(process.env.REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port) };
const n = Number(process.env.BENCH_N ?? 0);
const report = new Redis(connection);

const perform = {
  Noop: () => {},
  Sleep1ms: () => new Promise((resolve) => setTimeout(resolve, 1)),
  Cpu: () => {
    let a = 0;
    for (let i = 1; i <= 2000; i++) a += (i * i) % 7;
    return a;
  },
  Pickup: () => report.rpush("resque:bench:pickup", "1"),
};

const worker = new Worker("bench", (job) => perform[job.name](), {
  connection,
  concurrency: 64,
  removeOnComplete: { count: 0 },
  removeOnFail: { count: 0 },
});
let completed = 0;
worker.on("completed", () => {
  if (++completed === n) void report.rpush("bench:done", String(Date.now()));
});
worker.on("failed", (job, err) => console.error(`bullmq-worker: ${job?.name} failed: ${err.message}`));

const stop = async () => {
  await worker.close();
  report.disconnect();
  process.exit(0);
};
process.on("SIGQUIT", stop);
process.on("SIGTERM", stop);

await worker.waitUntilReady();
await report.rpush("bench:ready", String(process.pid));
