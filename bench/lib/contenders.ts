// Who runs in the macro benchmark: stock Resque 3.0 (the Ruby gem), ours, and the peers
// (bench/lib/peers.ts), each a recipe for starting its processes against a Redis URL plus the
// driver that feeds it jobs and tells when they are done.
import { spawn, type ChildProcess } from "node:child_process";
import { resqueDriver, type Driver } from "./driver.ts";
import { bullmq, peerVersion, sidekiq } from "./peers.ts";
import { ensureBinary, realPath, root } from "./tools.ts";

export interface Contender {
  name: string;
  kind: "stock" | "ours" | "peer";
  /** True for contenders that start a process per job (or fork per job). */
  perJobProcess: boolean;
  /** The most jobs it gets per run, so the slow contenders finish in minutes (full, quick). */
  cap: [full: number, quick: number];
  driver: Driver;
  /** Starts its worker processes; n is the job count a peer reports done at (0: never). */
  start: (url: string, n: number) => ChildProcess[];
}

/** Stock and ours both poll every 10 ms when idle, so pickup latency compares like with like. */
const INTERVAL = "0.01";

function stock(processes: number, fork: boolean): Contender {
  const name = `stock Resque, ${processes} worker${processes > 1 ? "s" : ""}, ${fork ? "fork per job" : "FORK_PER_JOB=false"}`;
  return {
    name,
    kind: "stock",
    driver: resqueDriver(processes, name),
    perJobProcess: fork,
    cap: fork ? [1000, 200] : [20_000, 2000],
    start: (url) =>
      Array.from({ length: processes }, () =>
        spawn("ruby", ["bench/stock_worker.rb"], {
          cwd: root,
          stdio: "ignore",
          env: { ...process.env, REDIS_URL: url, QUEUE: "bench", INTERVAL, ...(fork ? {} : { FORK_PER_JOB: "false" }) },
        }),
      ),
  };
}

/** `jobsPerFork` undefined: left unset, so the worker's defaults (JOBS_PER_FORK, MAX_WORKER_RSS) apply. */
function ours(name: string, command: string[], workers: number, threads: number, jobsPerFork: number | undefined): Contender {
  const full = `ours, ${name}, ${workers}/${threads}/${jobsPerFork ?? "default"}`;
  return {
    name: full,
    kind: "ours",
    driver: resqueDriver(workers, full),
    perJobProcess: jobsPerFork === 1,
    cap: jobsPerFork === 1 ? [100, 20] : threads === 1 ? [20_000, 2000] : [Infinity, Infinity],
    start: (url) => [
      spawn(command[0]!, [...command.slice(1), "work", "--require", "bench/jobs.ts"], {
        cwd: root,
        stdio: "ignore",
        env: {
          ...process.env,
          REDIS_URL: url,
          BENCH_REPORT_URL: url,
          QUEUE: "bench",
          INTERVAL,
          WORKER_COUNT: String(workers),
          THREAD_COUNT: String(threads),
          ...(jobsPerFork !== undefined && { JOBS_PER_FORK: String(jobsPerFork) }),
        },
      }),
    ],
  };
}

/**
 * Every contender, in table order; `only` keeps those whose name contains one of its parts.
 * A missing Sidekiq is an error unless `lenient` (CI's short run, whose setup installs no
 * Sidekiq); Sidekiq with YJIT runs only where this Ruby has YJIT.
 */
export function contenders(only: readonly string[] | undefined, lenient: boolean): Contender[] {
  const wanted = (name: string) => !only || only.some((o) => name.includes(o));
  const peers = [bullmq()];
  if (peerVersion("sidekiq")) {
    peers.push(sidekiq(false));
    if (peerVersion("yjit")) peers.push(sidekiq(true));
    else console.error("bench: this Ruby has no YJIT, so Sidekiq runs without it only");
  } else if (wanted("Sidekiq 7, concurrency 10, no YJIT") || wanted("Sidekiq 7, concurrency 10, YJIT")) {
    if (!lenient) throw new Error("Sidekiq 7 is not installed; run `node scripts/setup.mjs ruby sidekiq` (npm run bench does)");
    console.error("bench: Sidekiq 7 is not installed, so it is left out (`node scripts/setup.mjs sidekiq` installs it)");
  }
  const binary = [ensureBinary()];
  const all = [
    stock(1, true),
    stock(2, true),
    stock(1, false),
    stock(2, false),
    ours("binary, stock emulation", binary, 1, 1, 1),
    ours("binary", binary, 1, 1, 1_000_000),
    // Tuned for 2 cores: one worker process leaves the other core to Redis (measured against
    // 2/32, which the table keeps to show why).
    ours("binary, one process per core", binary, 2, 32, 1_000_000),
    ours("binary, tuned", binary, 1, 64, 1_000_000),
    // What a user gets who sets only THREAD_COUNT.
    ours("binary, defaults", binary, 1, 64, undefined),
    ours("node, tuned", [process.execPath, "--import", "tsx", "src/cli/main.ts"], 1, 64, 1_000_000),
    ours("bun, tuned", [realPath("bun"), "src/cli/main.ts"], 1, 64, 1_000_000),
    ours("deno, tuned", [realPath("deno"), "run", "-A", "src/cli/main.ts"], 1, 64, 1_000_000),
    ...peers,
  ];
  return all.filter((c) => wanted(c.name));
}
