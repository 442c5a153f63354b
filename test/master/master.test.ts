import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Resque as ResqueClient } from "../../src/index.ts";
import process from "node:process";
import { describe, it } from "node:test";
import { RestartPolicy } from "../../src/master/restart-policy.ts";
import { SERVER_BINARY } from "../../scripts/lib/redis-server.ts";
import { useRedis } from "../support/fixture.ts";
import { commandLine, eventually, exited, processGone, spawnCli, spawnWork } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const startMaster = (resque: Resque, reportKey: string, env: Record<string, string>) =>
  spawnWork({ url: redis.server().url, namespace: resque.db.keys.namespace, reportKey, queue: "m", env });

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
const workerPids = async (resque: Resque) => (await resque.db.redis.smembers(resque.db.keys.workers)).map((id) => Number(id.split(":")[1]));

describe("master and worker processes", () => {
  it("recycles each worker process after JOBS_PER_FORK jobs, and every process registers with its real pid", async () => {
    const resque = redis.open("recycle");
    const reportKey = `${resque.db.keys.namespace}:report`;
    for (let i = 0; i < 20; i++) await resque.enqueueTo("m", "WhoAmI", String(i));
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", THREAD_COUNT: "1", JOBS_PER_FORK: "5" });
    await eventually(async () => (await resque.db.redis.llen(reportKey)) === 20, "20 jobs");
    const byPid = new Map<string, number>();
    for (const line of await resque.db.redis.lrange(reportKey, 0, -1)) {
      const pid = line.split(" ")[1]!;
      byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
    }
    assert.deepEqual([...byPid.values()], [5, 5, 5, 5]);
    assert.ok(![...byPid.keys()].includes(String(master.pid)), "jobs run in worker processes, not the master");
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
    assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.workers), []);
    assert.deepEqual(await resque.stats(), { processed: 20, failed: 0 });
  });

  it("starts the replacement while the old process is still draining its batch", async () => {
    const resque = redis.open("overlap");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const r = resque.db.redis;
    await r.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("m", "Held", "a");
    await resque.enqueueTo("m", "Held", "b");
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", THREAD_COUNT: "2", JOBS_PER_FORK: "2" });
    await eventually(async () => (await r.llen(reportKey)) === 2, "both held jobs to start in the first process");
    const [draining] = await workerPids(resque);
    await resque.enqueueTo("m", "WhoAmI", "next");
    // The held jobs still run in the first process, and the next job is done elsewhere meanwhile.
    const line = await eventually(async () => (await r.lrange(reportKey, 0, -1)).find((l) => l.startsWith("next ")), "the next job");
    assert.notEqual(Number(line.split(" ")[1]), draining);
    assert.ok(!(await r.lrange(reportKey, 0, -1)).some((l) => l.startsWith("done")), "the old batch is still running");
    assert.equal((await workerPids(resque)).length, 2, "old and new process registered at once");
    await r.del(`${reportKey}:hold`);
    await eventually(async () => (await workerPids(resque)).length === 1, "the old process to finish and exit");
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
    assert.deepEqual(await resque.stats(), { processed: 3, failed: 0 });
  });

  it("at 1/1/1 behaves like stock: one job per worker process", async () => {
    const resque = redis.open("oneone");
    const reportKey = `${resque.db.keys.namespace}:report`;
    for (let i = 0; i < 3; i++) await resque.enqueueTo("m", "WhoAmI", String(i));
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", THREAD_COUNT: "1", JOBS_PER_FORK: "1" });
    await eventually(async () => (await resque.db.redis.llen(reportKey)) === 3, "3 jobs");
    const pids = new Set((await resque.db.redis.lrange(reportKey, 0, -1)).map((line) => line.split(" ")[1]));
    assert.equal(pids.size, 3);
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  it("shows stock-style titles: the master what it supervises, each worker process its state", async () => {
    const resque = redis.open("titles");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "2" });
    const pids = await eventually(
      async () => ((await workerPids(resque)).length === 2 ? workerPids(resque) : undefined),
      "two worker processes",
    );
    await eventually(() => commandLine(master.pid!).startsWith("resque-0.1.0: Master of 2 workers"), "the master's title");
    for (const pid of pids) await eventually(() => commandLine(pid).startsWith("resque-0.1.0: Waiting for m"), `worker ${pid}'s title`);
    process.kill(master.pid!, "SIGUSR2");
    for (const pid of pids) await eventually(() => commandLine(pid).startsWith("resque-0.1.0: Paused"), `worker ${pid} paused`);
    await resque.db.redis.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("m", "Held", "x");
    process.kill(master.pid!, "SIGCONT");
    await eventually(async () => (await resque.db.redis.lrange(reportKey, 0, -1)).includes("start x"), "the job after CONT");
    const busy = await eventually(async () => {
      for (const pid of pids) if (commandLine(pid).startsWith("resque-0.1.0: Processing m since ")) return pid;
      return undefined;
    }, "a Processing title");
    assert.match(commandLine(busy), /Processing m since \d+ \[Held\]/);
    await resque.db.redis.del(`${reportKey}:hold`);
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  const lines = async (resque: Resque, reportKey: string) => resque.db.redis.lrange(reportKey, 0, -1);
  const count = (all: string[], line: string) => all.filter((l) => l === line).length;

  it("puts the jobs of a SIGKILLed worker process back at the head of the queue; the replacement runs them", async () => {
    const resque = redis.open("sigkill");
    const reportKey = `${resque.db.keys.namespace}:report`;
    await resque.db.redis.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("m", "Held", "a");
    await resque.enqueueTo("m", "Held", "b");
    await resque.enqueueTo("m", "Quick", "behind");
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", THREAD_COUNT: "2" });
    await eventually(async () => (await resque.db.redis.llen(reportKey)) === 2, "both jobs to start");
    const [victim] = await workerPids(resque);
    process.kill(victim!, "SIGKILL");
    // a was taken first, so it is back at the very head; it now runs alone in the replacement.
    await eventually(async () => count(await lines(resque, reportKey), "start a") === 2, "a to start again");
    const [replacement] = await workerPids(resque);
    assert.ok(replacement && replacement !== victim);
    assert.equal(count(await lines(resque, reportKey), "start b"), 1, "b waits: a suspect runs with nothing else");
    assert.equal(Object.keys(await resque.db.redis.hgetall(resque.db.keys.recoveries)).length, 2, "each job's recovery is counted");
    await resque.db.redis.del(`${reportKey}:hold`);
    await eventually(async () => {
      const all = await lines(resque, reportKey);
      return ["done a", "done b", "done behind"].every((l) => count(all, l) === 1);
    }, "every job done once");
    assert.equal(await resque.failed.count(), 0);
    assert.deepEqual(await resque.db.redis.hgetall(resque.db.keys.recoveries), {}, "finished jobs are no longer suspects");
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  it("FETCH=at-most-once records the jobs of a SIGKILLed worker process as stock's DirtyExit", async () => {
    const resque = redis.open("sigkill-amo");
    const reportKey = `${resque.db.keys.namespace}:report`;
    await resque.db.redis.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("m", "Held", "a");
    await resque.enqueueTo("m", "Held", "b");
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", THREAD_COUNT: "2", FETCH: "at-most-once" });
    await eventually(async () => (await resque.db.redis.llen(reportKey)) === 2, "both jobs to start");
    const [victim] = await workerPids(resque);
    process.kill(victim!, "SIGKILL");
    const failures = await eventually(
      async () => ((await resque.failed.count()) === 2 ? resque.failed.list(0, 2) : undefined),
      "two failure records",
    );
    for (const f of failures) {
      assert.equal(f.exception, "Resque::DirtyExit");
      assert.equal(f.error, `Child process received unhandled signal pid ${victim} SIGKILL (signal 9)`);
      assert.equal(f.queue, "m");
    }
    assert.deepEqual(failures.map((f) => (f.payload as { args: string[] }).args[0]).sort(), ["a", "b"]);
    assert.equal(await resque.size("m"), 0);
    await resque.db.redis.del(`${reportKey}:hold`);
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  for (const [fetch, expectRecord] of [
    ["reliable", false],
    ["at-most-once", true],
  ] as const) {
    it(`TERM stops now; FETCH=${fetch}: the job in flight is ${expectRecord ? "recorded as DirtyExit" : "back in its queue"}`, async () => {
      const resque = redis.open("term");
      const reportKey = `${resque.db.keys.namespace}:report`;
      await resque.db.redis.set(`${reportKey}:hold`, "1");
      await resque.enqueueTo("m", "Held", "t");
      const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", FETCH: fetch });
      await eventually(async () => (await resque.db.redis.llen(reportKey)) === 1, "the job to start");
      process.kill(master.pid!, "SIGTERM");
      assert.equal(await exited(master), 0);
      assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.workers), []);
      if (expectRecord) {
        const [failure] = await resque.failed.list(0, 1);
        assert.equal(failure?.exception, "Resque::DirtyExit");
        assert.equal(failure?.error, "Job still being processed (SIGTERM)");
        assert.equal(await resque.size("m"), 0);
      } else {
        assert.deepEqual(await resque.failed.list(0, 5), []);
        assert.deepEqual(await resque.peek("m", 0, 1), [{ raw: '{"class":"Held","args":["t"]}', className: "Held", args: ["t"] }]);
        assert.deepEqual(await resque.db.redis.hgetall(resque.db.keys.recoveries), {}, "a deliberate stop does not count toward poison");
      }
      await resque.db.redis.del(`${reportKey}:hold`);
    });
  }

  for (const [label, env, finishes] of [
    ["TERM_CHILD: TERM asks the job's process to finish within RESQUE_TERM_TIMEOUT", { TERM_CHILD: "1", RESQUE_TERM_TIMEOUT: "30" }, true],
    [
      "TERM_CHILD: past RESQUE_TERM_TIMEOUT the process stops and its job goes back to the queue",
      { TERM_CHILD: "1", RESQUE_TERM_TIMEOUT: "0.2" },
      false,
    ],
    ["GRACEFUL_TERM: TERM behaves like QUIT", { GRACEFUL_TERM: "1" }, true],
  ] as const) {
    it(label, async () => {
      const resque = redis.open("termchild");
      const reportKey = `${resque.db.keys.namespace}:report`;
      await resque.db.redis.set(`${reportKey}:hold`, "1");
      await resque.enqueueTo("m", "Held", "c");
      const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", ...env });
      await eventually(async () => (await resque.db.redis.llen(reportKey)) === 1, "the job to start");
      process.kill(master.pid!, "SIGTERM");
      if (finishes) await resque.db.redis.del(`${reportKey}:hold`);
      assert.equal(await exited(master), 0);
      const done = (await resque.db.redis.lrange(reportKey, 0, -1)).includes("done c");
      assert.equal(done, finishes);
      assert.equal(await resque.failed.count(), 0);
      assert.equal(await resque.size("m"), finishes ? 0 : 1);
      assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.workers), []);
      await resque.db.redis.del(`${reportKey}:hold`);
    });
  }

  it("USR1 kills the jobs in flight; they run again in the replacement, which keeps working", async () => {
    const resque = redis.open("usr1");
    const reportKey = `${resque.db.keys.namespace}:report`;
    await resque.db.redis.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("m", "Held", "u");
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1" });
    await eventually(async () => (await resque.db.redis.llen(reportKey)) === 1, "the job to start");
    process.kill(master.pid!, "SIGUSR1");
    await eventually(async () => count(await lines(resque, reportKey), "start u") === 2, "the killed job to start again");
    await resque.db.redis.del(`${reportKey}:hold`);
    await resque.enqueueTo("m", "Quick", "after");
    await eventually(async () => (await resque.db.redis.lrange(reportKey, 0, -1)).includes("done after"), "a job after USR1");
    assert.equal(await resque.failed.count(), 0);
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  it("Redis down at start: says so and retries without a crash loop, then works once Redis is up", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "resque-test-late-redis-"));
    const url = `redis://127.0.0.1:${port}/0`;
    const master = spawnWork({ url, namespace: "late", reportKey: "late:report", queue: "late", env: { WORKER_COUNT: "1" } });
    let stderr = "";
    master.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    await eventually(() => /refused the connection.*Retrying with backoff/.test(stderr), "the outage message");
    const children = () => spawnSync("ps", ["-o", "pid=", "--ppid", String(master.pid)], { encoding: "utf8" }).stdout.trim();
    const first = await eventually(() => children() || undefined, "a worker process");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(children(), first, "the same worker process is still waiting: no crash loop");
    const server = spawn(SERVER_BINARY, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    try {
      const resque = new ResqueClient({ redis: url, namespace: "late" });
      await eventually(
        async () =>
          (await resque.connect().then(
            () => true,
            () => false,
          )) || undefined,
        "Redis to come up",
      );
      await resque.enqueueTo("late", "Quick", "late");
      await eventually(async () => (await resque.db.redis.lrange("late:report", 0, -1)).includes("done late"), "the job to be done");
      process.kill(master.pid!, "SIGQUIT");
      assert.equal(await exited(master), 0);
      await resque.close();
    } finally {
      server.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("worker processes shut down gracefully when the master is SIGKILLed", async () => {
    const resque = redis.open("orphan");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "2" });
    const pids = await eventually(
      async () => ((await workerPids(resque)).length === 2 ? workerPids(resque) : undefined),
      "two worker processes",
    );
    process.kill(master.pid!, "SIGKILL");
    await exited(master);
    await eventually(() => pids.every((pid) => processGone(pid)), "the worker processes to exit");
    assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.workers), [], "they unregistered themselves");
  });

  it("a leaking job grows neither the master nor the next worker process: memory returns at each recycle", async () => {
    const resque = redis.open("leak");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const total = 60;
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", JOBS_PER_FORK: "15" });
    try {
      await eventually(async () => (await workerPids(resque)).length === 1, "the first worker process");
      const masterBefore = rssOf(master.pid!);
      for (let i = 0; i < total; i++) await resque.enqueueTo("m", "Leak", String(i));
      await eventually(async () => (await resque.db.redis.llen(reportKey)) === total, `${total} jobs`);
      const masterAfter = rssOf(master.pid!);
      const runs = (await resque.db.redis.lrange(reportKey, 0, -1)).map((line) => line.split(" ").map(Number) as [number, number, number]);
      const byPid = new Map<number, number[]>();
      for (const [, pid, rss] of runs) byPid.set(pid, [...(byPid.get(pid) ?? []), rss]);
      const processes = [...byPid.values()];
      assert.equal(processes.length, 4, "60 jobs at JOBS_PER_FORK=15 take four processes");
      const MiB = 1 << 20;
      for (let i = 1; i < processes.length; i++) {
        const previousPeak = Math.max(...processes[i - 1]!);
        const freshStart = processes[i]![0]!;
        assert.ok(
          freshStart < previousPeak - 24 * MiB,
          `process ${i + 1} started at ${(freshStart / MiB) | 0} MiB; the one before peaked at ${(previousPeak / MiB) | 0} MiB`,
        );
      }
      // The master never runs a job: 240 MiB leaked in workers, and it must not have taken any of it.
      assert.ok(masterAfter - masterBefore < 8 * MiB, `master grew by ${(masterAfter - masterBefore) / MiB} MiB`);
    } finally {
      process.kill(master.pid!, "SIGQUIT");
      assert.equal(await exited(master), 0);
    }
  });

  it("replaces a worker process whose memory passes MAX_WORKER_RSS once the jobs it took are done, with a warning", async () => {
    const resque = redis.open("maxrss");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const total = 5;
    for (let i = 0; i < total; i++) await resque.enqueueTo("m", "Leak", String(i));
    // 1 MiB: every process is past it after its first job, so each process runs exactly one.
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", THREAD_COUNT: "1", MAX_WORKER_RSS: "1" });
    let log = "";
    master.stderr?.on("data", (d) => (log += d));
    master.stdout?.on("data", (d) => (log += d));
    try {
      await eventually(async () => (await resque.db.redis.llen(reportKey)) === total, `${total} jobs`);
      const runs = (await resque.db.redis.lrange(reportKey, 0, -1)).map((line) => line.split(" "));
      assert.deepEqual(runs.map(([tag]) => tag).sort(), ["0", "1", "2", "3", "4"], "every job ran once");
      assert.equal(new Set(runs.map(([, pid]) => pid)).size, total, "one process per job");
      assert.match(log, /Resident memory \d+ MiB is past MAX_WORKER_RSS \(1 MiB\)/);
      assert.equal(await resque.size("m"), 0);
    } finally {
      process.kill(master.pid!, "SIGQUIT");
      assert.equal(await exited(master), 0);
    }
  });

  it("restarts a worker process that dies at start-up again and again with growing delays and a clear log line", async () => {
    const resque = redis.open("crashloop");
    const master = spawnCli(["work", "--require", "test/fixtures/crash-in-worker.ts"], {
      QUEUE: "m",
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
      WORKER_COUNT: "1",
    });
    let log = "";
    master.stderr?.on("data", (d) => (log += d));
    master.stdout?.on("data", (d) => (log += d));
    const delays = await eventually(
      () => {
        const found = [...log.matchAll(/died \d+ ms after it started; starting a replacement in (\d+) ms/g)].map((m) => Number(m[1]));
        return found.length >= 3 ? found : undefined;
      },
      "three restarts",
      2000,
    );
    assert.deepEqual(delays.slice(0, 3), [250, 500, 1000]);
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  it("a master with INTERVAL=0 first puts back the jobs of this host's dead workers, then works them and exits", async () => {
    const resque = redis.open("stranded");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const k = resque.db.keys;
    // A master and its worker process died together: registered, one job in flight, no process.
    const dead = `${hostname()}:${2 ** 22 + 321}:m`;
    await resque.db.redis.sadd(k.workers, dead);
    // ... and one of them had just taken stock's prune lock, so pruning would wait a minute.
    await resque.db.redis.set(k.pruneLock, dead, "EX", 60);
    await resque.db.redis.rpush(
      k.inflight(dead),
      '{"queue":"m","run_at":"2026-01-01T00:00:00Z","payload":{"class":"Quick","args":["stranded"]}}',
    );
    const master = startMaster(resque, reportKey, { WORKER_COUNT: "1", INTERVAL: "0" });
    assert.equal(await exited(master), 0);
    assert.deepEqual(await resque.db.redis.lrange(reportKey, 0, -1), ["done stranded"]);
    assert.equal(await resque.db.redis.exists(k.inflight(dead)), 0);
    assert.deepEqual(await resque.db.redis.smembers(k.workers), []);
  });

  it("never puts the Redis password in a worker process's argv (it goes by environment)", async () => {
    const resque = redis.open("secret");
    const reportKey = `${resque.db.keys.namespace}:report`;
    await resque.enqueueTo("m", "Argv", "a");
    // The test server has no password; Redis accepts one anyway (RESP3 HELLO), so the run works.
    const url = redis.server().url.replace("redis://", "redis://default:hunter2-secret@");
    const master = spawnCli(["work", "--require", "test/fixtures/jobs.ts", "--redis", url], {
      QUEUE: "m",
      INTERVAL: "0",
      RESQUE_NAMESPACE: resque.db.keys.namespace,
      TEST_REPORT_URL: redis.server().url,
      TEST_REPORT_KEY: reportKey,
    });
    assert.equal(await exited(master), 0);
    const line = (await resque.db.redis.lrange(reportKey, 0, -1))[0] ?? "";
    assert.ok(line?.startsWith("a ["), `the job ran: ${line}`);
    assert.ok(line.includes("worker-process") && !line.includes("hunter2"), `worker argv: ${line}`);
  });

  it("an orphaned worker process exits even while Redis is down", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "resque-test-orphan-down-"));
    const server = spawn(SERVER_BINARY, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    try {
      const url = `redis://127.0.0.1:${port}/0`;
      const resque = new ResqueClient({ redis: url, namespace: "orphan-down" });
      await eventually(
        async () =>
          (await resque.connect().then(
            () => true,
            () => false,
          )) || undefined,
        "Redis to come up",
      );
      const master = spawnWork({ url, namespace: "orphan-down", reportKey: "orphan-down:report", queue: "m", env: { WORKER_COUNT: "1" } });
      const [pid] = await eventually(async () => {
        const ids = await resque.db.redis.smembers("orphan-down:workers");
        return ids.length === 1 ? ids.map((id) => Number(id.split(":")[1])) : undefined;
      }, "a registered worker process");
      resque.db.redis.disconnect();
      server.kill("SIGKILL");
      process.kill(master.pid!, "SIGKILL");
      await exited(master);
      await eventually(() => processGone(pid!), "the orphaned worker process to exit", 2000);
    } finally {
      server.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("restarts a process that dies at once with growing delays, and at once after a healthy run", () => {
    const policy = new RestartPolicy(2000, 30_000);
    assert.deepEqual(
      [10, 10, 10, 10].map((ms) => policy.delayAfter(ms, true)),
      [250, 500, 1000, 2000],
    );
    assert.equal(policy.delayAfter(60_000, true), 0);
    assert.equal(policy.delayAfter(10, true), 250);
    assert.equal(policy.delayAfter(10, false), 0, "a clean exit (a finished batch) is replaced at once");
    assert.equal(policy.delayAfter(10, true, true), 0, "a process that registered did not die of start-up");
  });
});
