// Side-by-side throughput: stock Resque 3.0 and ours, same machine, same run, same Redis.
// Jobs are enqueued first; workers start and register while `pause-all-workers` is set; the
// clock runs from unpause until stat:processed reaches N. `npm run bench` (N=20000 RUNS=3 by
// default; BENCH_QUICK=1 for CI's short run). Prints a table and writes bench/results.json.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { Redis } from "ioredis";
import { startRedis } from "../scripts/lib/redis-server.ts";

const root = new URL("..", import.meta.url).pathname;
const quick = process.env["BENCH_QUICK"] !== undefined;
const N_ALL = Number(process.env["N"] ?? (quick ? 2000 : 20_000));
const N = N_ALL;
const RUNS = Number(process.env["RUNS"] ?? (quick ? 1 : 3));
const JOB = process.env["JOB"] ?? "Noop";
const only = process.env["ONLY"]?.split(",");

const tool = (name: string) => `${root}node_modules/.bin/${name}`;
const realPath = (name: "deno" | "bun") =>
  spawnSync(tool(name), name === "deno" ? ["eval", "console.log(Deno.execPath())"] : ["-e", "console.log(process.execPath)"], { encoding: "utf8" }).stdout.trim();
if (!existsSync(`${root}dist/resque-worker`)) spawnSync("node", [`${root}scripts/build.mjs`], { stdio: "inherit" });

interface Contender {
  name: string;
  /** Worker ids it registers once ready (stock: one per process; ours: WORKER_COUNT). */
  registers: number;
  /** A smaller job count for contenders that start a process per job (or fork per job). */
  n?: number;
  start: (url: string) => ChildProcess[];
}

const stock = (processes: number, fork: boolean): Contender => ({
  name: `stock Resque, ${processes} worker${processes > 1 ? "s" : ""}, ${fork ? "fork per job" : "FORK_PER_JOB=false"}`,
  registers: processes,
  ...(fork && { n: Math.min(N, 2000) }),
  start: (url) =>
    Array.from({ length: processes }, () =>
      spawn("ruby", ["bench/stock_worker.rb"], { cwd: root, stdio: "ignore", env: { ...process.env, REDIS_URL: url, QUEUE: "bench", ...(fork ? {} : { FORK_PER_JOB: "false" }) } })),
});

const ours = (name: string, command: string[], workers: number, threads: number, jobsPerFork: number): Contender => ({
  name: `ours, ${name}, ${workers}/${threads}/${jobsPerFork}`,
  registers: workers,
  ...(jobsPerFork === 1 && { n: Math.min(N, 100) }),
  start: (url) => [
    spawn(command[0]!, [...command.slice(1), "work", "--require", "bench/jobs.ts"], {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, REDIS_URL: url, QUEUE: "bench", INTERVAL: "0.01", WORKER_COUNT: String(workers), THREAD_COUNT: String(threads), JOBS_PER_FORK: String(jobsPerFork) },
    }),
  ],
});

const binary = [`${root}dist/resque-worker`];
const contenders: Contender[] = [
  stock(1, true),
  stock(2, true),
  stock(1, false),
  stock(2, false),
  ours("binary, stock emulation", binary, 1, 1, 1),
  ours("binary", binary, 1, 1, 1_000_000),
  ours("binary, tuned", binary, 2, 32, 1_000_000),
  ours("node", [process.execPath, "--import", "tsx", "src/cli/main.ts"], 2, 32, 1_000_000),
  ours("bun", [realPath("bun"), "src/cli/main.ts"], 2, 32, 1_000_000),
  ours("deno", [realPath("deno"), "run", "-A", "src/cli/main.ts"], 2, 32, 1_000_000),
].filter((c) => !only || only.some((o) => c.name.includes(o)));

const rssMiB = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};
const commandCalls = (info: string) => {
  let total = 0;
  let evals = 0;
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
    if (["info", "ping", "time", "hset", "hdel", "hgetall", "smembers", "sadd", "set", "del", "client", "select"].includes(m[1]!)) continue;
    total += Number(m[2]);
    if (m[1] === "evalsha" || m[1] === "eval") evals += Number(m[2]);
  }
  return { total, evals };
};
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOnce(contender: Contender, redis: Redis, url: string) {
  const N = contender.n ?? N_ALL;
  await redis.flushdb();
  for (let i = 0; i < N; i += 10_000) {
    await redis.rpush("resque:queue:bench", ...Array.from({ length: Math.min(10_000, N - i) }, (_, j) => `{"class":"${JOB}","args":[${i + j}]}`));
  }
  await redis.sadd("resque:queues", "bench");
  await redis.set("resque:pause-all-workers", "true");
  const children = contender.start(url);
  const deadline = Date.now() + 60_000;
  while ((await redis.scard("resque:workers")) < contender.registers) {
    if (Date.now() > deadline) throw new Error(`${contender.name} did not register`);
    await sleep(20);
  }
  await sleep(200);
  const before = commandCalls(await redis.info("commandstats"));
  const started = performance.now();
  await redis.del("resque:pause-all-workers");
  while (Number(await redis.get("resque:stat:processed")) < N) await sleep(5);
  const seconds = (performance.now() - started) / 1000;
  const after = commandCalls(await redis.info("commandstats"));
  const workerPids = (await redis.smembers("resque:workers")).map((id) => Number(id.split(":")[1]));
  const rss = { master: children.length === 1 && contender.name.startsWith("ours") ? rssMiB(children[0]!.pid!) : 0, workers: workerPids.reduce((a, p) => a + rssMiB(p), 0) };
  for (const child of children) child.kill("SIGQUIT");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
  return { rate: N / seconds, commands: (after.total - before.total) / N, evals: (after.evals - before.evals) / N, rss };
}

const server = await startRedis();
const redis = new Redis(server.url);
const rows: Record<string, unknown>[] = [];
try {
  for (const contender of contenders) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(contender, redis, server.url));
    const rate = stats(runs.map((r) => r.rate));
    rows.push({
      contender: contender.name,
      jobs: contender.n ?? N_ALL,
      "jobs/s min": Math.round(rate.min),
      "jobs/s median": Math.round(rate.median),
      "jobs/s max": Math.round(rate.max),
      "Redis cmds/job": Number(runs.at(-1)!.commands.toFixed(2)),
      "round trips/job (evalsha)": contender.name.startsWith("ours") ? Number(runs.at(-1)!.evals.toFixed(3)) : "",
      "master RSS MiB": runs.at(-1)!.rss.master ? Number(runs.at(-1)!.rss.master.toFixed(0)) : "",
      "worker RSS MiB (sum)": Number(runs.at(-1)!.rss.workers.toFixed(0)),
    });
  }
} finally {
  redis.disconnect();
  await server.stop();
}
const forkRate = rows.find((r) => String(r["contender"]).startsWith("stock Resque, 1 worker, fork"))?.["jobs/s median"] as number | undefined;
const noForkRate = rows.find((r) => String(r["contender"]).startsWith("stock Resque, 1 worker, FORK"))?.["jobs/s median"] as number | undefined;
for (const row of rows) {
  const median = row["jobs/s median"] as number;
  row["x stock fork (1w)"] = forkRate ? Number((median / forkRate).toFixed(1)) : "";
  row["x stock no-fork (1w)"] = noForkRate ? Number((median / noForkRate).toFixed(2)) : "";
}
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Redis ${server.port ? "7 (private, loopback)" : ""}`;
console.log(`\n${N} ${JOB} jobs per run, ${RUNS} run(s) per contender; ${machine}`);
console.table(rows);
// Redis cmds/job counts queue work only (LPOP/RPUSH/LREM/INCRBY/GET..., inside scripts too); registry and heartbeat commands are left out.
writeFileSync(`${root}bench/results.json`, JSON.stringify({ date: new Date().toISOString(), n: N, runs: RUNS, job: JOB, machine, rows }, null, 2));
