// Side-by-side benchmark: stock Resque 3.0, ours, BullMQ and Sidekiq 7, same machine, same run,
// same Redis. `npm run bench` (N=20000 RUNS=3; `npm run bench:full` sets N=200000;
// WORKLOADS=Noop,Sleep1ms,Cpu; ONLY=<name parts> to pick contenders; BENCH_QUICK=1 is CI's short
// run, which leaves Sidekiq out when it is not installed). Slow contenders get at most `cap` jobs.
// Prints the tables and writes bench/results.json (not for BENCH_QUICK, ONLY or WORKLOADS).
//
// Throughput: jobs enqueued first; workers start and register while `pause-all-workers` is set;
// the clock runs from unpause until stat:processed reaches N. "cold" starts the clock at spawn.
// Peers follow the nearest equivalent, described in bench/lib/peers.ts.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { Redis } from "ioredis";
import { startRedis } from "../scripts/lib/redis-server.ts";
import { contenders, type Contender } from "./lib/contenders.ts";
import { enqueueRates } from "./lib/enqueue-rate.ts";
import { cold, pickup, warm, type Throughput } from "./lib/measure.ts";
import { measureStartup } from "./lib/startup.ts";
import { percentile, summarise } from "./lib/stats.ts";
import { root } from "./lib/tools.ts";

const quick = process.env["BENCH_QUICK"] !== undefined;
const N = Number(process.env["N"] ?? (quick ? 2000 : 20_000));
const RUNS = Number(process.env["RUNS"] ?? (quick ? 1 : 3));
// WORKLOADS="" skips throughput (say, to measure pickup alone).
const WORKLOADS = (process.env["WORKLOADS"] ?? (quick ? "Noop" : "Noop,Sleep1ms,Cpu")).split(",").filter(Boolean);
const PICKUP_SAMPLES = quick ? 20 : 200;
const STARTUP_RUNS = quick ? 1 : 5;
const ENQUEUE_N = quick ? 1000 : 10_000;
const chosen = contenders(process.env["ONLY"]?.split(","), quick);

const jobsFor = (c: Contender) => Math.min(N, c.cap[quick ? 1 : 0]);
const fixed = (x: number, digits: number) => Number(x.toFixed(digits));

const server = await startRedis();
const redis = new Redis(server.url);
const throughput: Record<string, Record<string, unknown>[]> = {};
const latency: Record<string, unknown>[] = [];
let enqueue: Record<string, unknown>[] = [];
let startup: Record<string, unknown>[] = [];
try {
  for (const job of WORKLOADS) {
    const rows: Record<string, unknown>[] = (throughput[job] = []);
    for (const contender of chosen) {
      const n = jobsFor(contender);
      const runs: Throughput[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await warm(contender, redis, server.url, job, n));
      const coldRate = await cold(contender, redis, server.url, job, n);
      const last = runs.at(-1)!;
      rows.push({
        contender: contender.name,
        jobs: n,
        ...summarise(
          "jobs/s",
          runs.map((r) => r.rate),
        ),
        "cold jobs/s": Math.round(coldRate),
        "Redis cmds/job": fixed(last.commands, 2),
        "EVALSHA/job": contender.kind === "stock" ? "" : fixed(last.evals, 3),
        "Redis CPU %": Math.round(last.redisCpu),
        "workers CPU %": Math.round(last.workerCpu),
        "master RSS MiB": contender.kind === "ours" ? Math.round(last.masterRss) : "",
        "workers RSS MiB": Math.round(last.workerRss),
      });
      console.error(`${job}: ${contender.name} done`);
    }
    const median = (prefix: string) => rows.find((r) => String(r["contender"]).startsWith(prefix))?.["jobs/s median"] as number | undefined;
    const fork = median("stock Resque, 1 worker, fork");
    const noFork = median("stock Resque, 1 worker, FORK");
    const bull = median("BullMQ");
    for (const row of rows) {
      const rate = row["jobs/s median"] as number;
      row["x stock fork"] = fork ? fixed(rate / fork, 1) : "";
      row["x stock no-fork"] = noFork ? fixed(rate / noFork, 2) : "";
      row["x BullMQ"] = bull ? fixed(rate / bull, 2) : "";
    }
  }
  for (const contender of chosen) {
    const ms = await pickup(contender, redis, server.url, contender.perJobProcess ? Math.ceil(PICKUP_SAMPLES / 4) : PICKUP_SAMPLES);
    latency.push({
      contender: contender.name,
      samples: ms.length,
      "p50 ms": fixed(percentile(ms, 50), 2),
      "p99 ms": fixed(percentile(ms, 99), 2),
      "max ms": fixed(Math.max(...ms), 2),
    });
    console.error(`pickup: ${contender.name} done`);
  }
  enqueue = (await enqueueRates(server.url, ENQUEUE_N)).map((r) => ({ enqueue: r.how, jobs: r.jobs, "jobs/s": Math.round(r.rate) }));
  startup = (await measureStartup(server.url, STARTUP_RUNS)).map((r) => ({
    runtime: r.runtime,
    runs: r.toFirstJob.length,
    ...summarise("spawn to first job ms", r.toFirstJob),
  }));
} finally {
  for (const contender of chosen) await contender.driver.close();
  redis.disconnect();
  await server.stop();
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, private redis-server on loopback`;
console.log(`\n${machine}; ${RUNS} warm run(s) + 1 cold run per contender; idle poll INTERVAL=0.01 s for every worker`);
for (const [job, rows] of Object.entries(throughput)) {
  console.log(`\nThroughput, ${job} jobs (W/T/J = WORKER_COUNT/THREAD_COUNT/JOBS_PER_FORK; CPU % of one core)`);
  console.table(rows);
}
console.log(
  "\nPickup latency while idle: the job landing in Redis (each one's own enqueue API) to its perform acknowledging there, on the pusher's clock",
);
console.table(latency);
console.log("\nEnqueue throughput");
console.table(enqueue);
console.log("\nWorker process start-up (what JOBS_PER_FORK amortises)");
console.table(startup);
// The short run (CI, `npm test`) and a partial one (ONLY) must not replace the full run's
// numbers, which are the README tables' source and are kept in the repository.
if (!quick && process.env["ONLY"] === undefined && process.env["WORKLOADS"] === undefined) {
  writeFileSync(
    `${root}bench/results.json`,
    JSON.stringify({ date: new Date().toISOString(), machine, n: N, runs: RUNS, throughput, latency, enqueue, startup }, null, 2),
  );
}
