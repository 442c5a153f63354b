import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { ResqueError } from "../../src/errors.ts";
import { DIRTY_EXIT, KILLED_MESSAGE } from "../../src/protocol/failure.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { eventually, exited, spawnWork } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;
const failures = async (resque: Resque) => (await resque.db.redis.lrange(resque.db.keys.failed, 0, -1)).map((r) => JSON.parse(r));
const argsOf = (payload: unknown) => (payload as { args: unknown[] }).args;

describe("killing a job from the dashboard", () => {
  it("under a master: fails the named job, hands its sibling back, and loses nothing", async () => {
    const resque = redis.open("kill-master");
    const r = resque.db.redis;
    const reportKey = `${resque.db.keys.namespace}:report`;
    await r.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("m", "Held", "long");
    await resque.enqueueTo("m", "Held", "sibling");
    const master = spawnWork({
      url: redis.server().url,
      namespace: resque.db.keys.namespace,
      reportKey,
      queue: "m",
      env: { WORKER_COUNT: "1", THREAD_COUNT: "2", RESQUE_HEARTBEAT_INTERVAL: "1" },
    });
    try {
      const worker = await eventually(
        async () => (await resque.workers()).find((w) => w.running.length === 2 && w.running.every((j) => j.queue === "m")),
        "both jobs running in one process",
      );
      assert.ok(worker.current, "stock's worker:<id> still shows one job");
      const long = worker.running.find((j) => argsOf(j.payload)[0] === "long")!;
      await eventually(async () => (await r.exists(resque.db.keys.process(worker.id))) === 1, "the process record");
      const asked = await resque.killJob(worker.id, long.token);
      assert.deepEqual(asked, { workerId: worker.id, tokens: [long.token] });

      const [failure] = await eventually(async () => {
        const f = await failures(resque);
        return f.length > 0 && f;
      }, "the killed job's failure record");
      assert.equal(failure.exception, DIRTY_EXIT);
      assert.equal(failure.error, KILLED_MESSAGE);
      assert.deepEqual(failure.payload, { class: "Held", args: ["long"] });
      assert.equal(failure.worker, worker.id);
      // The sibling went back and runs again in the replacement process; let it finish.
      await eventually(
        async () => (await resque.workers()).some((w) => w.id !== worker.id && w.running.some((j) => argsOf(j.payload)[0] === "sibling")),
        "the sibling running again in the replacement",
      );
      await r.del(`${reportKey}:hold`);
      await eventually(async () => (await r.lrange(reportKey, 0, -1)).includes("done sibling"), "the sibling to finish");
      assert.equal(await r.llen(resque.db.keys.queue("m")), 0);
      assert.equal(await r.hlen(resque.db.keys.recoveries), 0, "the sibling was not charged");
      assert.equal((await failures(resque)).length, 1, "only the named job failed");
      assert.ok(!(await r.lrange(reportKey, 0, -1)).includes("done long"), "the killed job did not run again");
      assert.ok(
        (await resque.classTotals()).some((t) => t.className === "Held" && t.failures === 1),
        "the master counted the kill in the metrics",
      );
    } finally {
      process.kill(master.pid!, "SIGQUIT");
      await exited(master);
    }
    assert.deepEqual(await r.smembers(resque.db.keys.workers), []);
  });

  it("DONT_FORK: fails the named job in-process while its sibling keeps running", async () => {
    const resque = redis.open("kill-inline");
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const finished: string[] = [];
    const job = defineJob("Blocker", {
      async perform(tag: string) {
        if (tag === "long") await new Promise(() => {}); // never ends: only a kill takes it away
        await released;
        finished.push(tag);
      },
    });
    await resque.enqueueTo("k", job, "long");
    await resque.enqueueTo("k", job, "sibling");
    const worker = workerFor(resque, registryOf(job), "k", { threads: 2, heartbeatInterval: 1 });
    const working = worker.work();
    const status = await eventually(async () => (await resque.workers()).find((w) => w.running.length === 2), "both jobs running");
    const long = status.running.find((j) => argsOf(j.payload)[0] === "long")!;
    await eventually(async () => (await resque.db.redis.exists(resque.db.keys.process(worker.id))) === 1, "the process record");
    await resque.killJob(worker.id, long.token);
    const [failure] = await eventually(async () => {
      const f = await failures(resque);
      return f.length > 0 && f;
    }, "the killed job's failure record");
    assert.equal(failure.exception, DIRTY_EXIT);
    assert.deepEqual(failure.payload, { class: "Blocker", args: ["long"] });
    const still = (await resque.workers()).find((w) => w.id === worker.id)!;
    assert.deepEqual(
      still.running.map((j) => argsOf(j.payload)[0]),
      ["sibling"],
      "the sibling is still running in the same process",
    );
    release();
    await working;
    assert.deepEqual(finished, ["sibling"]);
    assert.deepEqual(await resque.stats(), { processed: 2, failed: 1 });
  });

  it("refuses unknown workers, stock workers and jobs that are not running", async () => {
    const resque = redis.open("kill-refuse");
    await assert.rejects(
      resque.killJob("nohost:1:q"),
      (e: unknown) => e instanceof ResqueError && e.code === "NO_WORKER" && /not registered|No worker/.test(e.message),
    );
    const stock = "rubyhost:4242:q";
    await resque.db.redis.sadd(resque.db.keys.workers, stock);
    await assert.rejects(
      resque.killJob(stock),
      (e: unknown) => e instanceof ResqueError && e.code === "NO_WORKER" && /not a resque-ts worker process/.test(e.message),
    );
    await resque.db.redis.set(resque.db.keys.process(stock), JSON.stringify({ role: "worker", running: [] }));
    await assert.rejects(resque.killJob(stock, "nosuch"), (e: unknown) => e instanceof ResqueError && e.code === "NO_JOB");
    assert.equal(await resque.db.redis.exists(resque.db.keys.kill(stock)), 0);
  });
});
