// Every long-running role (`resque scheduler`, `resque work --scheduler`, `resque work`) stops
// promptly on QUIT, TERM and INT whatever Redis is doing, and loses no job: the test's own
// redis-server is paused (SIGSTOP: it accepts connections and never answers) or stopped (the port
// refuses) just before the signal, and comes back once the process is gone; a fresh process then
// finds every job. Also run against the compiled binary (RESQUE_TEST_BINARY).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { Resque } from "../../src/client/resque.ts";
import { encodeDelayedItem } from "../../src/protocol/delayed.ts";
import { pushDelayed } from "../../src/store/delayed.ts";
import { commandLine, eventually, exited, killSpawned, spawnCli } from "../support/spawn-cli.ts";

after(killSpawned);

/**
 * Not timing assertions, but bounds the old code could not meet: the scheduler and QUIT never
 * stopped at all (still running after 30 s), and `work` took 10-18 s on TERM and INT. Now each
 * stops within STOP_WAIT_MS (3 s) of Redis going silent, plus a second or two for the master
 * (the README says 5 s).
 */
const NEVER_STOPPED_MS = 15_000;
const SLOW_STOP_MS = 9000;
/** 60 s (25 ms a try) for a master and its processes to start on a loaded machine. */
const START_TRIES = 2400;
const PAST = Math.floor(Date.now() / 1000) - 60;

type Role = "scheduler" | "work --scheduler" | "work";
type Cut = "paused" | "stopped";
type Signal = "SIGTERM" | "SIGQUIT" | "SIGINT";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Take the test's Redis away; returns how to bring it back (with its data: the harness's server keeps an AOF). */
async function cut(server: TestRedis, how: Cut): Promise<() => Promise<void>> {
  const pid = Number(/^process_id:(\d+)/m.exec(await server.client.info("server"))?.[1]);
  assert.ok(pid > 0, "the test's redis-server pid");
  if (how === "paused") {
    process.kill(pid, "SIGSTOP");
    return async () => void process.kill(pid, "SIGCONT");
  }
  process.kill(pid, "SIGTERM");
  await eventually(() => !alive(pid), "the test's redis-server to stop");
  return () => server.restart();
}

interface Started {
  child: ReturnType<typeof spawnCli>;
  stderr: () => string;
  /** Exited (Deno can leave exitCode null for a process a signal ended). */
  done: boolean;
}

function start(role: Role, env: Record<string, string>): Started {
  const args = role === "scheduler" ? ["scheduler"] : ["work", "--require", "test/fixtures/nap-jobs.ts"];
  const child = spawnCli(args, { ...env, ...(role === "work --scheduler" && { RESQUE_SCHEDULER: "1" }) });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  child.stdout?.on("data", () => {});
  const started: Started = { child, stderr: () => err, done: false };
  void exited(child).then(() => (started.done = true));
  return started;
}

/** The pids descended from `pid` (Linux /proc): a master's worker and scheduler processes. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (let i = -1; i < found.length; i++) {
    const parent = i < 0 ? pid : found[i];
    for (const [child, ppid] of parents) if (ppid === parent) found.push(child);
  }
  return found;
}

/**
 * End a process this test started. KILL (after a failure) takes its own children with it: one
 * that ignored its signal would leave them running, holding the test's pipes open.
 */
/** How long a TERM'd process may take to exit before the test says so (and kills it) rather than hang. */
const ENDED_MS = 30_000;

async function ended(started: Started, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  if (started.done) return;
  const killTree = () => {
    for (const pid of [...descendantsOf(started.child.pid!), started.child.pid!]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  if (signal === "SIGKILL") killTree();
  else process.kill(started.child.pid!, signal);
  // One full run hung here for 16 minutes: a `work --scheduler` master (its scheduler child gone)
  // did not stop its worker on this TERM, and stopped at once on a TERM sent by hand. Until that
  // is understood, fail with its log instead of hanging the suite.
  const outcome = await Promise.race([exited(started.child), sleep(ENDED_MS).then(() => "still running" as const)]);
  if (outcome === "still running") {
    const tree = descendantsOf(started.child.pid!).map((pid) => `${pid}: ${commandLine(pid)}`);
    killTree();
    await exited(started.child);
    assert.fail(`still running ${ENDED_MS / 1000} s after ${signal}; children:\n${tree.join("\n")}\nits log:\n${started.stderr()}`);
  }
}

const CASES: [Role, Signal, Cut][] = [
  ["scheduler", "SIGTERM", "stopped"],
  ["scheduler", "SIGQUIT", "stopped"],
  ["scheduler", "SIGINT", "stopped"],
  ["scheduler", "SIGTERM", "paused"],
  ["work --scheduler", "SIGTERM", "stopped"],
  ["work --scheduler", "SIGQUIT", "paused"],
  ["work --scheduler", "SIGINT", "stopped"],
  ["work", "SIGTERM", "paused"],
  ["work", "SIGQUIT", "paused"],
  ["work", "SIGINT", "stopped"],
];

describe("stopping while Redis does not answer", () => {
  for (const [role, signal, how] of CASES) {
    it(`resque ${role}: ${signal} with Redis ${how} ends the process promptly, and no job is lost once Redis is back`, async () => {
      const server = await startRedis();
      server.client.on("error", () => {}); // the harness's own client, while its server is away
      const dir = mkdtempSync(join(tmpdir(), "resque-test-stop-"));
      const resque = new Resque({ redis: server.url, namespace: uniqueNamespace("stop") });
      const r = resque.db.redis;
      const naps = join(dir, "naps");
      writeFileSync(naps, "");
      const scheduling = role !== "work";
      const working = role !== "scheduler";
      const env = {
        REDIS_URL: server.url,
        RESQUE_NAMESPACE: resque.db.keys.namespace,
        QUEUE: "naps",
        INTERVAL: "0.1",
        WORKER_COUNT: "1",
        RESQUE_SCHEDULER_INTERVAL: "0.1",
        // A lock left by a scheduler that could not release it must not hold up the check below for 180 s.
        LOCK_TIMEOUT: "1",
        TEST_NAP_FILE: naps,
      };
      // QUIT lets the job finish (it needs no Redis), then the worker cannot record it; TERM and INT stop it mid-nap.
      const first = start(role, { ...env, TEST_NAP_MS: signal === "SIGQUIT" ? "1000" : "600000" });
      let back: (() => Promise<void>) | undefined;
      try {
        if (scheduling) await eventually(() => r.get(resque.db.keys.schedulerLock()), "the scheduler to lead", START_TRIES);
        if (working) {
          await resque.enqueueTo("naps", "Nap", "a");
          await eventually(() => readFileSync(naps, "utf8").includes("start a"), "the job to start", START_TRIES);
        }
        // Due already: promoted before the cut, or caught mid-poll by it; either way it must end up queued once.
        if (scheduling) await pushDelayed(resque.db, PAST, encodeDelayedItem("Nap", ["late"], "later"));
        back = await cut(server, how);
        const bound = role === "scheduler" || signal === "SIGQUIT" ? NEVER_STOPPED_MS : SLOW_STOP_MS;
        process.kill(first.child.pid!, signal);
        const signalled = Date.now();
        const outcome = await Promise.race([exited(first.child), sleep(bound).then(() => "still running" as const)]);
        // For the record (the README quotes these), not asserted.
        if (outcome !== "still running") console.log(`resque ${role}, Redis ${how}: exited ${Date.now() - signalled} ms after ${signal}`);
        await back();
        back = undefined;
        assert.notEqual(outcome, "still running", `still running ${bound / 1000} s after ${signal}; its log:\n${first.stderr()}`);

        // Redis is back: a fresh process of the same role finds every job.
        const second = start(role, { ...env, TEST_NAP_MS: "0" });
        try {
          if (working) {
            await eventually(async () => (await resque.stats()).processed >= 1, "the job to be recorded as processed", 2400);
            assert.equal((await resque.stats()).failed, 0);
            assert.equal(await resque.size("naps"), 0);
          }
          if (scheduling) {
            await eventually(async () => (await resque.size("later")) === 1, "the delayed job to be queued", 2400);
            assert.equal(await r.zcard(resque.db.keys.delayedSchedule), 0, "nothing left delayed");
          }
        } finally {
          await ended(second, "SIGTERM");
        }
      } finally {
        await back?.();
        await ended(first, "SIGKILL");
        r.disconnect();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
