// Start-up cost of a worker process, the price JOBS_PER_FORK amortises: from spawn to its
// first job done, for each runtime running the source and for the compiled binary.
// `npm run bench:startup` (builds dist/resque-worker first when it is missing).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { startRedis } from "../scripts/lib/redis-server.ts";

const root = new URL("..", import.meta.url).pathname;
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const RUNS = Number(process.env["RUNS"] ?? 7);

if (!existsSync(`${root}dist/resque-worker`)) spawnSync("node", [`${root}scripts/build.mjs`], { stdio: "inherit" });
const denoPath = spawnSync(bin("deno"), ["eval", "console.log(Deno.execPath())"], { encoding: "utf8" }).stdout.trim();
const bunPath = spawnSync(bin("bun"), ["-e", "console.log(process.execPath)"], { encoding: "utf8" }).stdout.trim();

const contenders: [string, string, string[]][] = [
  ["node (tsx, source)", process.execPath, ["--import", "tsx", "src/cli/main.ts", "work"]],
  ["bun (source)", bunPath, ["src/cli/main.ts", "work"]],
  ["deno (source)", denoPath, ["run", "-A", "src/cli/main.ts", "work"]],
  ["compiled binary", `${root}dist/resque-worker`, ["work"]],
];

const server = await startRedis();
const redis = new Redis(server.url);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: Record<string, string | number>[] = [];
try {
  for (const [label, command, args] of contenders) {
    const toFirstJob: number[] = [];
    const toExit: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const key = `bench:startup:${run}`;
      await redis.del(key);
      await redis.rpush("resque:queue:startup", '{"class":"Stamp","args":[]}');
      const started = Date.now();
      const child = spawn(command, [...args, "--require", "bench/jobs.ts"], {
        cwd: root,
        stdio: "ignore",
        env: { ...process.env, QUEUE: "startup", INTERVAL: "0", DONT_FORK: "1", REDIS_URL: server.url, BENCH_REPORT_URL: server.url, BENCH_REPORT_KEY: key },
      });
      await new Promise((resolve) => child.once("exit", resolve));
      toExit.push(Date.now() - started);
      const stamped = Number(await redis.lindex(key, 0));
      toFirstJob.push(stamped - started);
    }
    rows.push({ contender: label, "spawn to first job, median ms": median(toFirstJob), "min ms": Math.min(...toFirstJob), "max ms": Math.max(...toFirstJob), "spawn to exit, median ms": median(toExit), runs: RUNS });
  }
} finally {
  redis.disconnect();
  await server.stop();
}
console.table(rows);
