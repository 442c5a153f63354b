import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { useRedis } from "../support/fixture.ts";
import { commandLine, eventually, exited, spawnWork } from "../support/spawn-cli.ts";

const redis = useRedis();

// Deno's child.kill() sends only once per child and then misreports the exit: use process.kill.
const signal_ = (child: { pid?: number }, signal: NodeJS.Signals) => process.kill(child.pid!, signal);

const startWorker = (resque: ReturnType<typeof redis.open>, reportKey: string) =>
  spawnWork({ url: redis.server().url, namespace: resque.db.keys.namespace, reportKey, queue: "sig", env: { DONT_FORK: "1" } });

describe("signals to a single inline worker (DONT_FORK)", () => {
  for (const signal of ["SIGQUIT", "SIGTERM", "SIGINT"] as const) {
    it(`${signal} lets the job in flight finish, then unregisters and exits 0`, async () => {
      const resque = redis.open(signal);
      const reportKey = `${resque.db.keys.namespace}:report`;
      const r = resque.db.redis;
      await r.set(`${reportKey}:hold`, "1");
      await resque.enqueueTo("sig", "Held", "a");
      await resque.enqueueTo("sig", "Held", "b");
      const child = startWorker(resque, reportKey);
      await eventually(async () => (await r.lrange(reportKey, 0, -1)).includes("start a"), "the job to start");
      signal_(child, signal);
      await r.del(`${reportKey}:hold`);
      assert.equal(await exited(child), 0);
      assert.deepEqual(await r.lrange(reportKey, 0, -1), ["start a", "done a"]);
      assert.equal(await resque.size("sig"), 1, "the second job is left queued");
      assert.deepEqual(await r.smembers(resque.db.keys.workers), []);
      assert.deepEqual(await resque.stats(), { processed: 1, failed: 0 });
    });
  }

  it("USR2 pauses (title says Paused, nothing taken) and CONT resumes", async () => {
    const resque = redis.open("pause");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const r = resque.db.redis;
    const child = startWorker(resque, reportKey);
    await eventually(() => commandLine(child.pid!).includes("Waiting for sig"), "the idle title");
    signal_(child, "SIGUSR2");
    await eventually(() => commandLine(child.pid!).includes("resque-0.1.0: Paused"), "the paused title");
    await resque.enqueueTo("sig", "Quick", "p");
    // Several idle polls pass while paused; the job must still be queued.
    const [id] = await r.smembers(resque.db.keys.workers);
    assert.ok(id);
    for (let i = 0; i < 5; i++) {
      const before = await r.hget(resque.db.keys.heartbeats, id);
      await new Promise((res) => setTimeout(res, 60));
      assert.ok(before);
    }
    assert.equal(await resque.size("sig"), 1);
    signal_(child, "SIGCONT");
    await eventually(async () => (await r.lrange(reportKey, 0, -1)).includes("done p"), "the job after CONT");
    signal_(child, "SIGQUIT");
    assert.equal(await exited(child), 0);
  });

  it("a stop signal ends a worker still waiting for a Redis that never answered", async () => {
    // A port nothing listens on: the worker says so and keeps retrying until told to stop.
    const url = redis.server().url.replace(/:\d+\//, ":1/");
    const child = spawnWork({ url, namespace: "never", reportKey: "never:report", queue: "sig", env: { DONT_FORK: "1" } });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    await eventually(() => /Retrying with backoff/.test(stderr), "the outage message");
    signal_(child, "SIGTERM");
    assert.equal(await exited(child), 0);
  });
});
