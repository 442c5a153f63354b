// The master's memory over a long run: N no-op jobs (default 100,000) worked by the compiled
// binary with frequent recycling; prints the master's RSS at start, peak and end.
// `npm run bench:memory` (N=... to change the count).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { startRedis } from "../scripts/lib/redis-server.ts";

const root = new URL("..", import.meta.url).pathname;
const N = Number(process.env["N"] ?? 100_000);
const JOBS_PER_FORK = process.env["JOBS_PER_FORK"] ?? "5000";
if (!existsSync(`${root}dist/resque-worker`)) spawnSync("node", [`${root}scripts/build.mjs`], { stdio: "inherit" });

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const server = await startRedis();
const redis = new Redis(server.url);
try {
  for (let i = 0; i < N; i += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, N - i) }, () => '{"class":"Noop","args":[]}');
    await redis.rpush("resque:queue:mem", ...batch);
  }
  const master = spawn(`${root}dist/resque-worker`, ["--require", "bench/jobs.ts"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, QUEUE: "mem", INTERVAL: "0.1", WORKER_COUNT: "2", THREAD_COUNT: "16", JOBS_PER_FORK, REDIS_URL: server.url },
  });
  await new Promise((r) => setTimeout(r, 300));
  const samples: number[] = [rss(master.pid!)];
  const started = Date.now();
  while (Number(await redis.get("resque:stat:processed")) < N) {
    await new Promise((r) => setTimeout(r, 250));
    samples.push(rss(master.pid!));
  }
  const seconds = (Date.now() - started) / 1000;
  samples.push(rss(master.pid!));
  process.kill(master.pid!, "SIGQUIT");
  await new Promise((r) => master.once("exit", r));
  console.table([
    {
      jobs: N,
      JOBS_PER_FORK: Number(JOBS_PER_FORK),
      "worker processes started (at least)": Math.ceil(N / Number(JOBS_PER_FORK)),
      "master RSS start MiB": samples[0]!.toFixed(1),
      "master RSS peak MiB": Math.max(...samples).toFixed(1),
      "master RSS end MiB": samples.at(-1)!.toFixed(1),
      seconds: seconds.toFixed(1),
      "jobs/s (2 processes x 16, incl. recycling)": Math.round(N / seconds),
    },
  ]);
} finally {
  redis.disconnect();
  await server.stop();
}
