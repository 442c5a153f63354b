import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineJob, float, JobRegistry } from "../../src/index.ts";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();

describe("client: enqueue and dequeue", () => {
  it("pushes stock's exact bytes and registers the queue", async () => {
    const resque = redis.open("enqueue");
    const job = defineJob("Archive", { queue: "archive", perform(..._args: unknown[]) {} });
    assert.equal(await resque.enqueue(job, 1, "a", { nested: [true, null] }, float(1), 9007199254740993n), true);
    const raw = await resque.db.redis.lrange(resque.db.keys.queue("archive"), 0, -1);
    assert.deepEqual(raw, ['{"class":"Archive","args":[1,"a",{"nested":[true,null]},1.0,9007199254740993]}']);
    assert.deepEqual(await resque.queues(), ["archive"]);
    assert.equal(await resque.size("archive"), 1);
  });

  it("runs every beforeEnqueue hook, stops on exactly false, then runs afterEnqueue", async () => {
    const resque = redis.open("hooks");
    const calls: string[] = [];
    const job = defineJob("Gated", {
      queue: "gated",
      perform() {},
      beforeEnqueue: (x: number) => {
        calls.push(`before:${x}`);
        return x !== 0 ? undefined : false;
      },
      beforeEnqueueAudit: (x: number) => {
        calls.push(`beforeAudit:${x}`);
        return 0;
      },
      afterEnqueue: (x: number) => {
        calls.push(`after:${x}`);
      },
    });
    assert.equal(await resque.enqueue(job, 0), false);
    assert.equal(await resque.enqueue(job, 1), true);
    assert.deepEqual(calls, ["before:0", "beforeAudit:0", "before:1", "beforeAudit:1", "after:1"]);
    assert.equal(await resque.size("gated"), 1);
  });

  it("explains a job with no queue and a missing class", async () => {
    const resque = redis.open("noqueue");
    await assert.rejects(resque.enqueue("Nowhere", 1), /No queue could be inferred for class Nowhere/);
    await assert.rejects(resque.enqueueTo("q", ""), /must be given a class/);
  });

  it("enqueues by class name, using a registered job's queue and hooks", async () => {
    const resque = redis.open("byname");
    const registry = new JobRegistry().register(defineJob("Named", { queue: "named", perform() {} }));
    const byName = new (resque.constructor as typeof import("../../src/client/resque.ts").Resque)({ db: resque.db, registry });
    await byName.enqueue("Named", 5);
    assert.deepEqual(await resque.peek("named"), [{ raw: '{"class":"Named","args":[5]}', className: "Named", args: [5] }]);
  });

  it("dequeues exact matches with args, every job of the class without", async () => {
    const resque = redis.open("dequeue");
    for (const args of [[1], [2], [1], ["x"]]) await resque.enqueueTo("d", "A", ...args);
    await resque.enqueueTo("d", "B", 1);
    assert.equal(await resque.dequeueFrom("d", "A", 1), 2);
    assert.equal(await resque.size("d"), 3);
    assert.equal(await resque.dequeueFrom("d", "A"), 2);
    assert.deepEqual(
      (await resque.peek("d", 0, 10)).map((j) => j.raw),
      ['{"class":"B","args":[1]}'],
    );
  });

  it("pushes raw payloads untouched, peeks, sizes and removes queues", async () => {
    const resque = redis.open("raw");
    await resque.push("r", '{"class":"A","args":[],"id":"keep-me"}');
    await resque.push("r", { class: "B", args: [1], meta: 2 });
    assert.deepEqual(
      (await resque.peek("r", 0, 5)).map((j) => j.raw),
      ['{"class":"A","args":[],"id":"keep-me"}', '{"class":"B","args":[1],"meta":2}'],
    );
    assert.deepEqual(await resque.sizes(), { r: 2 });
    await resque.removeQueue("r");
    assert.deepEqual(await resque.queues(), []);
    assert.equal(await resque.size("r"), 0);
  });
});

describe("client: info, pause and stats", () => {
  it("reports info as stock's Resque.info", async () => {
    const resque = redis.open("info");
    await resque.enqueueTo("a", "A");
    await resque.enqueueTo("b", "B");
    await resque.enqueueTo("b", "B");
    const info = await resque.info();
    assert.deepEqual(
      { ...info, servers: info.servers.length },
      { pending: 3, processed: 0, queues: 2, workers: 0, working: 0, failed: 0, servers: 1, environment: "development" },
    );
  });

  it("sets and clears stock's pause-all-workers key", async () => {
    const resque = redis.open("pause");
    assert.equal(await resque.paused(), false);
    await resque.pause();
    assert.equal(await resque.db.redis.get(resque.db.keys.pauseAll), "true");
    assert.equal(await resque.paused(), true);
    await resque.db.redis.set(resque.db.keys.pauseAll, "  TRUE \n");
    assert.equal(await resque.paused(), true, "stock trims and lower-cases");
    await resque.resume();
    assert.equal(await resque.paused(), false);
  });
});

describe("client: the failed list", () => {
  const record = (cls: string, queue: string, args: string) =>
    `{"failed_at":"2026/11/23 07:54:37 UTC","payload":{"class":"${cls}","args":${args}},"exception":"E","error":"boom","backtrace":[],"worker":"vm:1:${queue}","queue":"${queue}"}`;

  it("lists, retries with retried_at, and re-enqueues the payload byte for byte", async () => {
    const resque = redis.open("failed");
    await resque.db.redis.rpush(resque.db.keys.failed, record("A", "qa", '[9007199254740993,1.0,{"2":1,"1":2}]'), record("B", "qb", "[]"));
    assert.equal(await resque.failed.count(), 2);
    const [first] = await resque.failed.list(0, 1);
    assert.equal(first?.exception, "E");
    const retried = await resque.failed.retry(0);
    assert.match(retried.retriedAt ?? "", /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d UTC$/);
    assert.ok(retried.raw.endsWith(`,"retried_at":"${retried.retriedAt}"}`), "retried_at goes last, as stock");
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("qa"), 0, -1), [
      '{"class":"A","args":[9007199254740993,1.0,{"2":1,"1":2}]}',
    ]);
    assert.equal(await resque.failed.count(), 2, "the record stays, marked retried");
    assert.deepEqual(await resque.queues(), ["qa"]);
  });

  it("retries all or by queue or class, removes, clears retried and clears", async () => {
    const resque = redis.open("failed2");
    await resque.db.redis.rpush(resque.db.keys.failed, record("A", "q1", "[1]"), record("B", "q2", "[2]"), record("A", "q2", "[3]"));
    assert.equal(await resque.failed.retryAll({ queue: "q2" }), 2);
    assert.equal(await resque.size("q2"), 2);
    assert.equal(await resque.failed.retryAll({ className: "A" }), 2);
    assert.equal(await resque.size("q1"), 1);
    assert.equal(await resque.failed.clearRetried(), 3);
    assert.equal(await resque.failed.count(), 0);
    await resque.db.redis.rpush(resque.db.keys.failed, record("A", "q1", "[1]"), record("B", "q1", "[2]"));
    await resque.failed.remove(0);
    assert.equal(
      (await resque.failed.get(0))?.payload && JSON.stringify((await resque.failed.get(0))!.payload),
      '{"class":"B","args":[2]}',
    );
    await assert.rejects(resque.failed.remove(5), /No failed job at index 5/);
    assert.equal(await resque.failed.clear(), 1);
    assert.equal(await resque.failed.count(), 0);
  });

  it("retries a record whose payload was not JSON by pushing the text back as it came", async () => {
    const resque = redis.open("failed3");
    await resque.db.redis.rpush(
      resque.db.keys.failed,
      '{"failed_at":"x","payload":"not json{","exception":"E","error":"e","backtrace":[],"worker":"w","queue":"m"}',
    );
    await resque.failed.retry(0);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("m"), 0, -1), ["not json{"]);
  });
});

describe("client: connection errors", () => {
  it("says which Redis is unreachable and what to do", async () => {
    const { Resque } = await import("../../src/client/resque.ts");
    const resque = new Resque({ redis: "redis://127.0.0.1:1/0", outage: "fail" });
    await assert.rejects(
      resque.connect(),
      /Redis at 127\.0\.0\.1:1 (refused the connection|is not reachable).*start redis-server or pass --redis URL/,
    );
    resque.db.redis.disconnect();
  });
});
