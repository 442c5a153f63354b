// Compatibility of the worker registry with stock Ruby Resque: the bytes of worker:<id>, started,
// heartbeat and failure records (scenario 3), and pruning in both directions on one host (scenario 6).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { eventually, exited, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();
const root = new URL("../../", import.meta.url).pathname;
type Resque = ReturnType<typeof redis.open>;

const rubyEnv = (resque: Resque, extra: Record<string, string> = {}) => ({
  ...process.env,
  REDIS_URL: redis.server().url,
  RESQUE_NAMESPACE: resque.db.keys.namespace,
  ...extra,
});
const stock = (resque: Resque, command: string, args: string[] = []) => {
  const run = spawnSync("ruby", ["test/compat/stock.rb", command, ...args], { cwd: root, encoding: "utf8", env: rubyEnv(resque) });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
};
/** A stock worker (FORK_PER_JOB=false, so its pid is the worker's) busy with CompatHold. */
async function busyRubyWorker(resque: Resque) {
  await resque.db.redis.set(`${resque.db.keys.prefix}compat:hold`, "1");
  stock(resque, "enqueue", ["compat", "CompatHold", "[1]"]);
  const child = spawn("ruby", ["test/compat/stock.rb", "work", "compat"], {
    cwd: root,
    env: rubyEnv(resque, { FORK_PER_JOB: "false" }),
    stdio: "ignore",
  });
  await eventually(() => resque.db.redis.llen(`${resque.db.keys.prefix}compat:started`), "the stock worker's job");
  const id = (await resque.db.redis.smembers(resque.db.keys.workers)).find((w) => w.includes(`:${child.pid}:`));
  assert.ok(id, "the stock worker registered");
  return { child, id };
}

const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d UTC/g;

describe("compatibility: the worker registry and pruning", () => {
  it("3: worker:<id>, started, heartbeat and failure records have stock's bytes", async () => {
    const resque = redis.open("bytes");
    const k = resque.db.keys;
    const ruby = await busyRubyWorker(resque);
    const rubyStatus = (await resque.db.redis.get(k.worker(ruby.id)))!;
    const rubyStarted = (await resque.db.redis.get(k.workerStarted(ruby.id)))!;
    const rubyBeat = (await resque.db.redis.hget(k.heartbeats, ruby.id))!;
    await resque.db.redis.del(`${k.prefix}compat:hold`);
    await exited(ruby.child);

    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const hold = defineJob("CompatHold", {
      perform: () =>
        new Promise<void>((r) => {
          release = r;
          started();
        }),
    });
    await resque.enqueueTo("compat", "CompatHold", 1);
    const worker = workerFor(resque, registryOf(hold), "compat");
    const work = worker.work();
    await running;
    const ourStatus = (await resque.db.redis.get(k.worker(worker.id)))!;
    const ourStarted = (await resque.db.redis.get(k.workerStarted(worker.id)))!;
    const ourBeat = (await resque.db.redis.hget(k.heartbeats, worker.id))!;
    release();
    await work;

    assert.equal(ourStatus.replace(TIME, "T"), rubyStatus.replace(TIME, "T"), "worker:<id>");
    const shape = (s: string) => s.replace(/\d/g, "9");
    assert.equal(shape(ourStarted), shape(rubyStarted), "worker:<id>:started");
    assert.equal(shape(ourBeat), shape(rubyBeat), "heartbeat");

    // The same failing job on both sides: records equal but for times, worker ids and backtraces.
    await resque.failed.clear();
    stock(resque, "enqueue", ["compat", "CompatFail", '[1,"two",{"three":3.0}]']);
    stock(resque, "work", ["compat"]);
    const fail = defineJob("CompatFail", {
      perform: () => {
        throw Object.assign(new Error('stock failure [1, "two", {"three"=>3.0}]'), { name: "ArgumentError" });
      },
    });
    await resque.db.redis.rpush(k.queue("compat"), '{"class":"CompatFail","args":[1,"two",{"three":3.0}]}');
    await workerFor(resque, registryOf(fail), "compat").work();
    const [theirs, ours] = (await resque.db.redis.lrange(k.failed, 0, -1)).map((raw) =>
      raw
        .replace(TIME, "T")
        .replace(/"backtrace":\[[^\]]*\]/, '"backtrace":[]')
        .replace(/"worker":"[^"]*"/, '"worker":"W"'),
    );
    assert.equal(ours, theirs, "failure record");
  });

  it("6a: a stock worker starting on the same host and queues does not prune our live worker processes", async () => {
    const resque = redis.open("noprune");
    const master = spawnCli(["work", "--require", "test/fixtures/jobs.ts"], {
      QUEUE: "compat",
      WORKER_COUNT: "2",
      INTERVAL: "0.1",
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
    });
    const ours = await eventually(async () => {
      const ids = await resque.db.redis.smembers(resque.db.keys.workers);
      return ids.length === 2 ? ids : undefined;
    }, "our two worker processes");
    stock(resque, "work", ["compat"]); // stock prunes at start-up (it wins the prune lock in a fresh namespace)
    assert.equal((await resque.db.redis.get(resque.db.keys.pruneLock)) !== null, true, "stock did take the prune lock");
    assert.deepEqual((await resque.db.redis.smembers(resque.db.keys.workers)).sort(), ours.sort());
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  it("6b: stock prunes a dead worker of ours (heartbeat expired) and records its job as stock does", async () => {
    const resque = redis.open("rubyprunes");
    const k = resque.db.keys;
    const reportKey = `${k.prefix}report`;
    await resque.db.redis.set(`${reportKey}:hold`, "1"); // the Held fixture runs until this key goes
    await resque.enqueueTo("compat", "Held", "z");
    const ours = spawnCli(["work", "--require", "test/fixtures/jobs.ts"], {
      QUEUE: "compat",
      DONT_FORK: "1",
      INTERVAL: "0.1",
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: k.namespace,
      TEST_REPORT_URL: redis.server().url,
      TEST_REPORT_KEY: reportKey,
    });
    await eventually(() => resque.db.redis.llen(reportKey), "our job to start");
    const [id] = await resque.db.redis.smembers(k.workers);
    process.kill(ours.pid!, "SIGKILL");
    await exited(ours);
    // As if five minutes passed without a beat (our worker's 60 s prune lock would have expired too).
    await resque.db.redis.hset(k.heartbeats, id!, "2000-01-01T00:00:00+00:00");
    await resque.db.redis.del(k.pruneLock);
    stock(resque, "prune");
    assert.deepEqual(await resque.db.redis.smembers(k.workers), []);
    const [record] = await resque.failed.list(0, 1);
    assert.equal(record?.exception, "Resque::PruneDeadWorkerDirtyExit");
    assert.equal(record?.error, `Worker ${id} did not gracefully exit while processing Held`);
  });

  it("6c: our prune removes a dead stock worker on this host by the same rules", async () => {
    const resque = redis.open("weprune");
    const ruby = await busyRubyWorker(resque);
    ruby.child.kill("SIGKILL");
    await exited(ruby.child);
    const run = spawnCli(["prune", "--json"], { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace });
    let out = "";
    run.stdout?.on("data", (d) => (out += d));
    assert.equal(await exited(run), 0);
    assert.deepEqual(JSON.parse(out).pruned, [ruby.id]);
    const [record] = await resque.failed.list(0, 1);
    assert.deepEqual([record?.exception, record?.error, record?.worker], ["Resque::DirtyExit", "Job still being processed", ruby.id]);
    assert.deepEqual(JSON.parse(stock(resque, "workers")), [], "stock agrees it is gone");
  });
});
