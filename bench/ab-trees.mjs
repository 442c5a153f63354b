// Before/after for a change to the worker: two checkouts, each with its dist/resque-worker built
// (node scripts/build.mjs), drain N no-op jobs with one master and one worker process, the trees
// alternating, and print jobs/s and the worker process's CPU per job (from /proc). Prints, asserts
// nothing. TREES=/path/a,/path/b N=100000 ROUNDS=6 THREADS=1 node bench/ab-trees.mjs
// (CMD=node or CMD=bun runs each tree's source instead of its binary.)
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const N = Number(process.env.N ?? 100_000);
const trees = (process.env.TREES ?? "").split(",").filter(Boolean);
if (trees.length < 2) throw new Error("TREES=/path/before,/path/after: two checkouts to compare");
const rounds = Number(process.env.ROUNDS ?? 3);
const threads = process.env.THREADS ?? "1";
const port = 20_000 + Math.floor(Math.random() * 12_000);
const dir = mkdtempSync(join(tmpdir(), "ab-trees-"));
const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
  stdio: "ignore",
});
await new Promise((resolve) => setTimeout(resolve, 300));
const cli = (...args) =>
  execFileSync("redis-cli", ["-p", String(port), ...args])
    .toString()
    .trim();
/** utime + stime of a process, in ms (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const childrenOf = (pid) => {
  try {
    return execFileSync("pgrep", ["-P", String(pid)])
      .toString()
      .trim()
      .split("\n")
      .map(Number);
  } catch {
    return [];
  }
};
const commandFor = (tree) =>
  process.env.CMD === "node"
    ? [process.execPath, "--import", "tsx", "src/cli/main.ts"]
    : process.env.CMD === "bun"
      ? [join(tree, "node_modules/.bin/bun"), "src/cli/main.ts"]
      : [join(tree, "dist/resque-worker")];

try {
  for (let round = 0; round < rounds; round++) {
    for (const tree of trees) {
      cli("FLUSHALL");
      const push = `RPUSH resque:queue:bench ${JSON.stringify('{"class":"Noop","args":[]}')}\n`;
      execFileSync("redis-cli", ["-p", String(port), "--pipe"], { input: push.repeat(N) });
      cli("SADD", "resque:queues", "bench");
      const [command, ...args] = commandFor(tree);
      const master = spawn(command, [...args, "work", "--require", "bench/jobs.ts"], {
        cwd: tree,
        stdio: "ignore",
        env: {
          ...process.env,
          REDIS_URL: `redis://127.0.0.1:${port}`,
          QUEUE: "bench",
          INTERVAL: "0.01",
          WORKER_COUNT: "1",
          THREAD_COUNT: threads,
          JOBS_PER_FORK: "1000000",
        },
      });
      const t0 = performance.now();
      let workerCpu = 0;
      let firstJobMs;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const [worker] = childrenOf(master.pid);
        if (worker) {
          try {
            workerCpu = cpuMs(worker);
          } catch {}
        }
        const left = Number(cli("LLEN", "resque:queue:bench"));
        if (firstJobMs === undefined && left < N) firstJobMs = performance.now() - t0;
        if (left === 0 && Number(cli("GET", "resque:stat:processed") || 0) >= N) break;
      }
      const runMs = performance.now() - t0 - firstJobMs;
      process.kill(master.pid, "SIGQUIT");
      await new Promise((resolve) => master.on("exit", resolve));
      console.log(
        `${tree}  first job ${firstJobMs.toFixed(0)} ms  ${((N / runMs) * 1000).toFixed(0)} jobs/s  worker CPU/job ${((workerCpu * 1000) / N).toFixed(1)} us`,
      );
    }
  }
} finally {
  redis.kill();
  rmSync(dir, { recursive: true, force: true });
}
