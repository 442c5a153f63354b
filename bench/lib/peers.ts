// The neighbours in the macro benchmark, on the same Redis in the same run: BullMQ (one Node
// process, concurrency 64, removeOnComplete) and Sidekiq 7 (concurrency 10, with and without
// YJIT). Each is driven through its own API; the clock rule is the closest equivalent of the
// Resque contenders' pause-all-workers:
// - jobs are enqueued first with the peer's bulk API (BullMQ Queue#addBulk, Sidekiq push_bulk,
//   1,000 a call) and held: BullMQ's queue is paused (Queue#pause), Sidekiq's list is renamed
//   away (OSS Sidekiq has no pause);
// - the worker process starts and says it is ready (BullMQ: Worker#waitUntilReady; Sidekiq: its
//   process is in `processes` and all 10 fetchers are blocked in BRPOP), then 200 ms pass;
// - the clock starts and the jobs are released (Queue#resume; RENAME back, which wakes BRPOP);
// - it stops when the worker has seen N jobs finish (BullMQ's `completed` event, Sidekiq's server
//   middleware after perform), counted in the worker's memory and reported with one RPUSH when
//   the count reaches N, so counting costs the peer no Redis command per job.
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import type { Redis } from "ioredis";
import type { Contender } from "./contenders.ts";
import { HARNESS_COMMANDS, oneClockPickup, type Driver } from "./driver.ts";
import { root, sleep } from "./tools.ts";

const DONE = "bench:done";
const READY = "bench:ready";
const finished = async (redis: Redis) => (await redis.exists(DONE)) === 1;

async function waitFor(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within 60 s`);
    await sleep(20);
  }
}

type BullQueue = import("bullmq").Queue;

function bullmqDriver(): Driver {
  let queue: BullQueue | undefined;
  // One Queue (one connection) for the run, opened outside the clock.
  const open = async (url: string) => {
    if (!queue) {
      const { Queue } = await import("bullmq");
      const u = new URL(url);
      queue = new Queue("bench", {
        connection: { host: u.hostname, port: Number(u.port) },
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
      });
      await queue.waitUntilReady();
    }
    return queue;
  };
  return {
    async fill(_redis, url, job, n, held) {
      const q = await open(url);
      if (held) await q.pause();
      for (let i = 0; i < n; i += 1000) {
        await q.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: job, data: { i: i + j } })));
      }
    },
    ready: (redis) => waitFor("BullMQ's worker was not ready", async () => (await redis.llen(READY)) >= 1),
    release: async () => void (await queue!.resume()),
    finished,
    async pickupClient(redis, url) {
      const q = await open(url);
      const waiter = redis.duplicate();
      return {
        measure: () => oneClockPickup(waiter, () => q.add("Pickup", {})),
        close: async () => waiter.disconnect(),
      };
    },
    workerPids: async () => [],
    ignored: HARNESS_COMMANDS,
    stopSignal: "SIGQUIT",
    async close() {
      await queue?.close();
      queue = undefined;
    },
  };
}

const SIDEKIQ_THREADS = 10;
const HELD = "bench:held";

function sidekiqDriver(): Driver {
  return {
    async fill(redis, url, job, n, held) {
      const env = { ...process.env, REDIS_URL: url };
      const ruby = spawnSync("ruby", ["bench/peers/sidekiq_jobs.rb", "enqueue", job, String(n)], { cwd: root, encoding: "utf8", env });
      if (ruby.status !== 0) throw new Error(`Sidekiq push_bulk failed: ${ruby.stderr}`);
      if (held) await redis.rename("queue:bench", HELD);
    },
    ready: (redis) =>
      waitFor("Sidekiq did not start its fetchers", async () => {
        if ((await redis.scard("processes")) < 1) return false;
        return Number(/blocked_clients:(\d+)/.exec(await redis.info("clients"))?.[1]) >= SIDEKIQ_THREADS;
      }),
    release: async (redis) => void (await redis.rename(HELD, "queue:bench")),
    finished,
    async pickupClient(_redis, url) {
      const env = { ...process.env, REDIS_URL: url };
      const ruby = spawn("ruby", ["bench/peers/sidekiq_jobs.rb", "pickup"], { cwd: root, stdio: ["pipe", "pipe", "inherit"], env });
      const lines = createInterface({ input: ruby.stdout! })[Symbol.asyncIterator]();
      return {
        // The Ruby pusher measures on its own clock, as oneClockPickup does, and prints ms.
        async measure() {
          ruby.stdin!.write("\n");
          const line = await lines.next();
          if (line.done) throw new Error("Sidekiq's pickup client exited");
          return Number(line.value);
        },
        async close() {
          ruby.stdin!.end();
          await new Promise((r) => (ruby.exitCode !== null ? r(null) : ruby.once("exit", r)));
        },
      };
    },
    workerPids: async () => [],
    ignored: HARNESS_COMMANDS,
    // TERM waits out BRPOP's 2 s timeout, some 50 times a run; the jobs are done by then and
    // the next run flushes Redis, so nothing is lost by not waiting.
    stopSignal: "SIGKILL",
    close: async () => {},
  };
}

/** Runs the sidekiq executable of the installed 7.x gem (not whichever Sidekiq is newest). */
const SIDEKIQ_CLI = 'gem "sidekiq", "~> 7.3"; load Gem.bin_path("sidekiq", "sidekiq")';

export function bullmq(): Contender {
  const version = peerVersion("bullmq");
  return {
    name: `BullMQ ${version}, 1 process, concurrency 64`,
    kind: "peer",
    perJobProcess: false,
    cap: [Infinity, Infinity],
    driver: bullmqDriver(),
    start: (url, n) => [
      spawn(process.execPath, ["bench/peers/bullmq-worker.mjs"], {
        cwd: root,
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, REDIS_URL: url, BENCH_N: String(n) },
      }),
    ],
  };
}

export function sidekiq(yjit: boolean): Contender {
  const version = peerVersion("sidekiq");
  return {
    name: `Sidekiq ${version}, concurrency ${SIDEKIQ_THREADS}, ${yjit ? "YJIT" : "no YJIT"}`,
    kind: "peer",
    perJobProcess: false,
    cap: [Infinity, Infinity],
    driver: sidekiqDriver(),
    start: (url, n) => [
      spawn(
        "ruby",
        [
          ...(yjit ? ["--yjit"] : []),
          "-e",
          SIDEKIQ_CLI,
          "--",
          "-c",
          String(SIDEKIQ_THREADS),
          "-q",
          "bench",
          "-r",
          "./bench/peers/sidekiq_jobs.rb",
        ],
        {
          cwd: root,
          stdio: ["ignore", "ignore", "inherit"],
          env: { ...process.env, REDIS_URL: url, BENCH_N: String(n), BENCH_YJIT: yjit ? "1" : "0" },
        },
      ),
    ],
  };
}

/** The installed version, or "" when the peer is missing (macro.ts then leaves it out). */
export function peerVersion(peer: "bullmq" | "sidekiq" | "yjit"): string {
  const script = {
    bullmq: 'import("bullmq/package.json", { with: { type: "json" } }).then((m) => console.log(m.default.version))',
    sidekiq: 'begin; gem "sidekiq", "~> 7.3"; require "sidekiq"; puts Sidekiq::VERSION; rescue LoadError, Gem::LoadError; end',
    yjit: "puts RUBY_VERSION if defined?(RubyVM::YJIT) && RubyVM::YJIT.enabled?",
  }[peer];
  const run =
    peer === "bullmq"
      ? spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" })
      : spawnSync("ruby", [...(peer === "yjit" ? ["--yjit"] : []), "-e", script], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : "";
}
