// Durable writes (opt-in): an enqueue waits (Redis WAIT) until N replicas hold it, and a worker with
// DURABLE_ACK=N waits so before going on from finished jobs. Fewer replicas than asked is a
// NOT_DURABLE error for an enqueue (the job stays queued on the primary: nothing vanishes) and a
// warning for a worker (its jobs are done all the same). A real primary with one real replica.
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { ResqueError } from "../../src/errors.ts";
import { Resque } from "../../src/client/resque.ts";
import { quick } from "../fixtures/jobs.ts";
import { eventually, exited, killSpawned, runToEnd, spawnWork } from "../support/spawn-cli.ts";

let primary: TestRedis;
let replica: TestRedis;

before(async () => {
  primary = await startRedis();
  replica = await startRedis({ args: ["--replicaof", "127.0.0.1", String(primary.port)] });
  await eventually(async () => /master_link_status:up/.test(await replica.client.info("replication")), "the replica in sync");
});
after(async () => {
  killSpawned();
  await replica?.stop();
  await primary?.stop();
});

describe("durable writes", () => {
  it("an enqueue with durable replicas: 1 resolves once the replica holds the job", async () => {
    const namespace = uniqueNamespace("durable");
    const resque = new Resque({ redis: primary.url, namespace, durable: { replicas: 1, timeoutMs: 2000 } });
    try {
      await resque.enqueueTo("d", quick, "one");
      await resque.enqueueInWithQueue("d", 60, quick, "later");
      await resque.pushMany("d", ['{"class":"Quick","args":["bulk"]}']);
      // Read at once from the replica: WAIT returned, so it has them (no polling).
      assert.equal(await replica.client.llen(`${namespace}:queue:d`), 2);
      assert.equal(await replica.client.zcard(`${namespace}:delayed_queue_schedule`), 1);
    } finally {
      await resque.close();
    }
  });

  it("asking for more replicas than answer rejects with NOT_DURABLE and loses nothing", async () => {
    const namespace = uniqueNamespace("short");
    const resque = new Resque({ redis: primary.url, namespace, durable: { replicas: 2, timeoutMs: 200 } });
    try {
      await assert.rejects(
        resque.enqueueTo("d", quick, "x"),
        (e: unknown) =>
          e instanceof ResqueError &&
          e.code === "NOT_DURABLE" &&
          /The job is on the primary, but only 1 of the 2 replica\(s\) asked for acknowledged it within 200 ms/.test(e.message),
      );
      assert.equal(await primary.client.llen(`${namespace}:queue:d`), 1, "the job is still queued");
    } finally {
      await resque.close();
    }
    assert.throws(() => new Resque({ redis: primary.url, durable: { replicas: 0 } }), /durable.replicas must be a whole number from 1/);
  });

  it("resque enqueue --durable waits for a replica; --durable=2 exits 2 with the reason", async () => {
    const namespace = uniqueNamespace("cli");
    const env = { REDIS_URL: primary.url, RESQUE_NAMESPACE: namespace };
    const ok = await runToEnd(["enqueue", "--durable", "Quick", "a", "--queue", "c"], env);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(await replica.client.llen(`${namespace}:queue:c`), 1);
    const short = await runToEnd(["enqueue", "Quick", "b", "--queue", "c", "--durable=2", "--durable-timeout", "200"], env);
    assert.equal(short.code, 2);
    assert.match(short.err, /only 1 of the 2 replica\(s\)/);
    assert.equal(await primary.client.llen(`${namespace}:queue:c`), 2, "written all the same");
    const bad = await runToEnd(["enqueue", "Quick", "b", "--queue", "c", "--durable=none"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--durable wants a whole number of at least 1, got "none"/);
  });

  it("a worker with DURABLE_ACK runs its jobs; with more replicas asked than exist it warns once and goes on", async () => {
    for (const [durableAck, warns] of [
      ["1", false],
      ["2", true],
    ] as const) {
      const namespace = uniqueNamespace(`ack${durableAck}`);
      const reportKey = `${namespace}:reports`;
      const resque = new Resque({ redis: primary.url, namespace });
      for (let i = 0; i < 5; i++) await resque.enqueueTo("w", quick, `j${i}`);
      const worker = spawnWork({ url: primary.url, namespace, reportKey, queue: "w", env: { DONT_FORK: "1", DURABLE_ACK: durableAck } });
      let log = "";
      worker.stderr?.on("data", (d) => (log += d));
      worker.stdout?.on("data", (d) => (log += d));
      try {
        await eventually(async () => Number(await replica.client.get(`${namespace}:stat:processed`)) === 5, "5 recorded on the replica");
        assert.equal(/DURABLE_ACK=2: only 1 replica\(s\) held the record/.test(log), warns, log);
        if (warns) assert.equal(log.match(/DURABLE_ACK=2/g)?.length, 1, "told once, not per cycle");
      } finally {
        process.kill(worker.pid!, "SIGQUIT");
        await exited(worker);
        await resque.close();
      }
    }
  });

  it("after a shortfall a worker waits 50 ms, not 1 s, per cycle until replicas answer again", async () => {
    const namespace = uniqueNamespace("ack-short");
    const reportKey = `${namespace}:reports`;
    const resque = new Resque({ redis: primary.url, namespace });
    const monitor = await primary.client.monitor();
    const waits: string[] = [];
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === "WAIT") waits.push(args.slice(1).join(" "));
    });
    // More replicas asked than exist: every cycle falls short.
    const worker = spawnWork({ url: primary.url, namespace, reportKey, queue: "s", env: { DONT_FORK: "1", DURABLE_ACK: "2" } });
    try {
      for (let i = 0; i < 10; i++) {
        await resque.enqueueTo("s", quick, `s${i}`);
        await eventually(async () => (await resque.db.redis.llen(reportKey)) === i + 1, `job ${i} done`);
      }
      await eventually(async () => Number(await resque.db.redis.get(`${namespace}:stat:processed`)) === 10, "10 recorded");
      assert.ok(waits.length >= 2, `a WAIT per recording cycle (${waits.join(", ")})`);
      assert.deepEqual(waits[0], "2 1000", "the first waits the full second");
      assert.deepEqual(new Set(waits.slice(1)), new Set(["2 50"]), "the later ones 50 ms");
    } finally {
      monitor.disconnect();
      process.kill(worker.pid!, "SIGQUIT");
      await exited(worker);
      await resque.close();
    }
  });
});
