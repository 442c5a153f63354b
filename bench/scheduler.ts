// Promotion of due delayed jobs: our `resque scheduler` (the compiled binary) beside Ruby's
// resque-scheduler 5.0 (`Resque::Scheduler.run`), same machine, same Redis, same run.
// `npm run bench:scheduler` (N=100000 RUNS=3; BATCHES=100,1000; ONLY=ours|ruby).
//
// Method: N items (class SomeJob, queue jobq, args [i]) are stored due 60 s in the past over 10
// timestamps, as resque-scheduler's delayed_push stores them, before the scheduler starts. The
// clock starts when the first job reaches the queue (start-up and lock claim excluded) and stops
// when the queue holds N. "lag" is that drain time: how late the last of N jobs due at once is.
// CPU is read from /proc for the scheduler process and for redis-server over the drain.
// Prints a table and writes bench/scheduler-results.json (not with ONLY).
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Redis } from "ioredis";
import { startRedis } from "../scripts/lib/redis-server.ts";
import { encodeDelayedItem } from "../src/protocol/delayed.ts";
import { cpuSeconds } from "./lib/proc.ts";
import { percentile } from "./lib/stats.ts";
import { ensureBinary, root, sleep } from "./lib/tools.ts";

const N = Number(process.env["N"] ?? 100_000);
const RUNS = Number(process.env["RUNS"] ?? 3);
const BATCHES = (process.env["BATCHES"] ?? "100,1000").split(",").map(Number);
const ONLY = process.env["ONLY"];

interface Contender {
  name: string;
  start: (url: string, namespace: string, batch: number) => ChildProcess;
}

const binary = ensureBinary();
const all: Contender[] = [
  {
    name: "ours, binary",
    start: (url, namespace, batch) =>
      spawn(binary, ["scheduler"], {
        stdio: "ignore",
        env: {
          ...process.env,
          REDIS_URL: url,
          RESQUE_NAMESPACE: namespace,
          RESQUE_SCHEDULER_INTERVAL: "0.05",
          DELAYED_REQUEUE_BATCH_SIZE: String(batch),
        },
      }),
  },
  {
    name: "Ruby resque-scheduler 5.0",
    start: (url, namespace, batch) =>
      spawn("ruby", ["test/compat/scheduler.rb", "run"], {
        cwd: root,
        stdio: "ignore",
        // RUBYOPT=-rredis: redis-rb 5 must load first (reference §6). Its log is quiet by default.
        env: {
          ...process.env,
          RUBYOPT: "-rredis",
          REDIS_URL: url,
          RESQUE_NAMESPACE: namespace,
          RESQUE_SCHEDULER_INTERVAL: "0.05",
          DELAYED_REQUEUE_BATCH_SIZE: String(batch),
        },
      }),
  },
];
const contenders = all.filter((c) => !ONLY || c.name.toLowerCase().includes(ONLY.toLowerCase()));

const server = await startRedis();
const redis = new Redis(server.url);
const redisPid = Number((await redis.info("server")).match(/process_id:(\d+)/)?.[1]);

async function store(namespace: string): Promise<void> {
  const past = Math.floor(Date.now() / 1000) - 60;
  for (let from = 0; from < N; from += 5000) {
    const multi = redis.multi();
    for (let i = from; i < Math.min(N, from + 5000); i++) {
      const ts = past + (i % 10);
      const item = encodeDelayedItem("SomeJob", [i], "jobq");
      multi
        .rpush(`${namespace}:delayed:${ts}`, item)
        .sadd(`${namespace}:timestamps:${item}`, `delayed:${ts}`)
        .zadd(`${namespace}:delayed_queue_schedule`, ts, String(ts));
    }
    await multi.exec();
  }
}

interface Sample {
  rate: number;
  lag: number;
  schedulerCpu: number;
  redisCpu: number;
  duplicates: number;
}

async function once(contender: Contender, batch: number, run: number): Promise<Sample> {
  const namespace = `bench-sched-${batch}-${run}-${Date.now().toString(36)}`;
  const queue = `${namespace}:queue:jobq`;
  await store(namespace);
  const child = contender.start(server.url, namespace, batch);
  try {
    while ((await redis.llen(queue)) === 0) await sleep(1);
    const t0 = performance.now();
    const cpu0 = cpuSeconds(child.pid!);
    const redis0 = cpuSeconds(redisPid);
    while ((await redis.llen(queue)) < N) await sleep(2);
    const seconds = (performance.now() - t0) / 1000;
    const schedulerCpu = (cpuSeconds(child.pid!) - cpu0) / seconds;
    const redisCpu = (cpuSeconds(redisPid) - redis0) / seconds;
    await sleep(300); // anything pushed twice would land now
    const pushed = await redis.lrange(queue, 0, -1);
    const duplicates = pushed.length - new Set(pushed).size;
    return { rate: N / seconds, lag: seconds, schedulerCpu: schedulerCpu * 100, redisCpu: redisCpu * 100, duplicates };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
    const keys = await redis.keys(`${namespace}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  }
}

const rows: Record<string, unknown>[] = [];
try {
  for (const batch of BATCHES) {
    const samples = new Map<Contender, Sample[]>(contenders.map((c) => [c, []]));
    // Round-robin, so drift on the machine touches every contender alike.
    for (let run = 0; run < RUNS; run++) for (const c of contenders) samples.get(c)!.push(await once(c, batch, run));
    for (const c of contenders) {
      const s = samples.get(c)!;
      const median = (f: (x: Sample) => number) => percentile(s.map(f), 50);
      rows.push({
        scheduler: c.name,
        "batch size": batch,
        jobs: N,
        "jobs/s median": Math.round(median((x) => x.rate)),
        "jobs/s min": Math.round(Math.min(...s.map((x) => x.rate))),
        "jobs/s max": Math.round(Math.max(...s.map((x) => x.rate))),
        "lag s (all N due at once)": Number(median((x) => x.lag).toFixed(2)),
        "scheduler CPU %": Math.round(median((x) => x.schedulerCpu)),
        "Redis CPU %": Math.round(median((x) => x.redisCpu)),
        duplicates: s.reduce((sum, x) => sum + x.duplicates, 0),
      });
      console.error(`batch ${batch}: ${c.name} done`);
    }
  }
  console.table(rows);
  if (!ONLY)
    writeFileSync(
      `${root}bench/scheduler-results.json`,
      `${JSON.stringify({ when: new Date().toISOString(), n: N, runs: RUNS, rows }, null, 2)}\n`,
    );
} finally {
  redis.disconnect();
  await server.stop();
}
