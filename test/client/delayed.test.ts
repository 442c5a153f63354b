// Delayed jobs (resque-scheduler 5.0's client API) against a real Redis, byte for byte with what
// the resque-scheduler protocol reference (resque-scheduler-protocol.md §2-§3) observed Ruby writing on the wire.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineJob, float, JobRegistry, Resque } from "../../src/index.ts";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();

// §3.1, observed from Ruby: field order class, args, queue; Ruby floats; raw UTF-8; `/` unescaped.
const RUBY_ITEM = '{"class":"SomeJob","args":[1,"a",{"b":2.0,"c":null},1152921504606846976,1.5e+20,"x/yé<>&"],"queue":"jobq"}';
const RUBY_EMPTY = '{"class":"SomeJob","args":[],"queue":"jobq"}';
const SAMPLE = [1, "a", { b: float(2), c: null }, 1152921504606846976n, float(1.5e20), "x/yé<>&"] as const;

const someJob = defineJob("SomeJob", { queue: "jobq", perform(..._args: unknown[]) {} });
// A day ahead: no run of this suite reaches it, so every item stays delayed.
const T1 = Math.floor(Date.now() / 1000) + 86_400;
const T2 = T1 + 60;

/** What the delayed-job keys hold for one timestamp and one item, as raw strings. */
async function dump(resque: Resque, ts: number, item: string) {
  const { redis: r, keys } = resque.db;
  return {
    schedule: await r.zrange(keys.delayedSchedule, "0", "-1", "WITHSCORES"),
    list: await r.lrange(keys.delayed(ts), 0, -1),
    timestamps: (await r.smembers(keys.timestamps(item))).sort(),
  };
}

const allKeys = async (resque: Resque) => (await resque.db.redis.keys(`${resque.db.keys.prefix}*`)).sort();

describe("delayed jobs: storing", () => {
  it("enqueueAt writes resque-scheduler's exact bytes: list, reverse-index set, zset member = score", async () => {
    const resque = redis.open("delayed-bytes");
    assert.equal(await resque.enqueueAt(T1, someJob, ...SAMPLE), true);
    assert.deepEqual(await dump(resque, T1, RUBY_ITEM), {
      schedule: [String(T1), String(T1)],
      list: [RUBY_ITEM],
      timestamps: [`delayed:${T1}`],
    });
    const p = resque.db.keys.prefix;
    assert.deepEqual(await allKeys(resque), [`${p}delayed:${T1}`, `${p}delayed_queue_schedule`, `${p}timestamps:${RUBY_ITEM}`]);
    assert.deepEqual(await resque.queues(), [], "nothing reaches a work queue");
  });

  it("takes a Date (floored to whole seconds), seconds from now, and an explicit queue", async () => {
    const resque = redis.open("delayed-times");
    await resque.enqueueAt(new Date(T1 * 1000 + 999), someJob);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.delayed(T1), 0, -1), [RUBY_EMPTY]);
    await resque.enqueueAtWithQueue("other", T2 + 0.9, "Remote", 5);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.delayed(T2), 0, -1), ['{"class":"Remote","args":[5],"queue":"other"}']);
    const before = Math.floor(Date.now() / 1000);
    await resque.enqueueIn(7200.5, someJob, "in");
    await resque.enqueueInWithQueue("q2", 7200, someJob, "in");
    const after = Math.floor(Date.now() / 1000);
    const stamps = await resque.db.redis.zrange(resque.db.keys.delayedSchedule, "0", "-1");
    const inTs = stamps.map(Number).filter((ts) => ts < T1);
    assert.ok(inTs.length >= 1 && inTs.every((ts) => ts >= before + 7200 && ts <= after + 7201), `enqueueIn stamps ${inTs}`);
    const items = (await resque.findDelayedSelection(() => true)).filter((i) => i.timestamp < T1).map((i) => i.raw);
    assert.deepEqual(items.sort(), ['{"class":"SomeJob","args":["in"],"queue":"jobq"}', '{"class":"SomeJob","args":["in"],"queue":"q2"}']);
  });

  it("refuses what Ruby refuses, and milliseconds mistaken for seconds", async () => {
    const resque = redis.open("delayed-refuse");
    await assert.rejects(resque.enqueueAt(T1, "Nowhere", 1), /No queue could be inferred for class Nowhere/);
    await assert.rejects(resque.enqueueAt(Date.now(), someJob), /looks like milliseconds/);
    await assert.rejects(resque.enqueueIn(Number.NaN, someJob), /number of seconds/);
    assert.deepEqual(await allKeys(resque), []);
  });

  it("a time not in the future is enqueued at once, as stock's push (no queue field)", async () => {
    const resque = redis.open("delayed-past");
    assert.equal(await resque.enqueueAt(new Date(Date.now() - 5000), someJob, float(2)), true);
    assert.equal(await resque.enqueueIn(0, someJob, 3), true);
    assert.deepEqual(
      (await resque.peek("jobq", 0, 5)).map((j) => j.raw),
      ['{"class":"SomeJob","args":[2.0]}', '{"class":"SomeJob","args":[3]}'],
    );
    assert.equal(await resque.delayedQueueScheduleSize(), 0);
  });

  it("one set member per timestamp however many copies; peek, sizes and scheduledAt read them", async () => {
    const resque = redis.open("delayed-copies");
    for (const ts of [T1, T1, T2]) await resque.enqueueAt(ts, someJob);
    await resque.enqueueAt(T2, someJob, 1);
    assert.deepEqual(await dump(resque, T1, RUBY_EMPTY), {
      schedule: [String(T1), String(T1), String(T2), String(T2)],
      list: [RUBY_EMPTY, RUBY_EMPTY],
      timestamps: [`delayed:${T1}`, `delayed:${T2}`],
    });
    assert.deepEqual(await resque.delayedQueuePeek(0, 5), [T1, T2]);
    assert.deepEqual(await resque.delayedQueuePeek(1, 1), [T2]);
    assert.equal(await resque.delayedQueueScheduleSize(), 2);
    assert.equal(await resque.delayedTimestampSize(T1), 2);
    assert.equal(await resque.delayedTimestampSize(new Date(T2 * 1000)), 2);
    assert.deepEqual(await resque.scheduledAt(someJob), [T1, T2]);
  });
});

describe("delayed jobs: removing", () => {
  it("removeDelayed takes every copy at every time, by exact bytes only, and clears empty timestamps", async () => {
    const resque = redis.open("delayed-remove");
    for (const ts of [T1, T1, T2]) await resque.enqueueAt(ts, someJob, ...SAMPLE);
    await resque.enqueueAt(T2, someJob, "keep");
    // Ruby's 2 and 2.0 are different bytes, so a different item (§8 trap 7).
    assert.equal(await resque.removeDelayed(someJob, 1, "a", { b: 2, c: null }, 1152921504606846976n, float(1.5e20), "x/yé<>&"), 0);
    assert.equal(await resque.removeDelayed(someJob, ...SAMPLE), 3);
    assert.deepEqual(await dump(resque, T1, RUBY_ITEM), { schedule: [String(T2), String(T2)], list: [], timestamps: [] });
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.delayed(T2), 0, -1), [
      '{"class":"SomeJob","args":["keep"],"queue":"jobq"}',
    ]);
  });

  it("removeDelayedInQueue matches the stored queue, null included (Ruby's nil queue)", async () => {
    const resque = redis.open("delayed-inqueue");
    await resque.enqueueAtWithQueue("elsewhere", T1, someJob, 1);
    await resque.db.redis.rpush(resque.db.keys.delayed(T1), '{"class":"SomeJob","args":[1],"queue":null}');
    await resque.db.redis.sadd(resque.db.keys.timestamps('{"class":"SomeJob","args":[1],"queue":null}'), `delayed:${T1}`);
    assert.equal(await resque.removeDelayed(someJob, 1), 0);
    assert.equal(await resque.removeDelayedInQueue(someJob, "elsewhere", 1), 1);
    assert.equal(await resque.removeDelayedInQueue(someJob, null, 1), 1);
    assert.deepEqual(await allKeys(resque), []);
  });

  it("removeDelayedJobFromTimestamp takes the copies at one time only", async () => {
    const resque = redis.open("delayed-from-ts");
    for (const ts of [T1, T1, T2]) await resque.enqueueAt(ts, someJob, "x");
    const item = '{"class":"SomeJob","args":["x"],"queue":"jobq"}';
    assert.equal(await resque.removeDelayedJobFromTimestamp(T1, someJob, "x"), 2);
    assert.deepEqual(await dump(resque, T2, item), { schedule: [String(T2), String(T2)], list: [item], timestamps: [`delayed:${T2}`] });
    assert.equal(await resque.removeDelayedJobFromTimestamp(T1, someJob, "x"), 0);
  });

  it("findDelayedSelection decodes Ruby's bytes; removeDelayedSelection removes what it finds", async () => {
    const resque = redis.open("delayed-select");
    // Written as Ruby's delayed_push writes it, with Ruby's own bytes.
    await resque.db.redis.rpush(resque.db.keys.delayed(T1), RUBY_ITEM, "not json");
    await resque.db.redis.sadd(resque.db.keys.timestamps(RUBY_ITEM), `delayed:${T1}`);
    await resque.db.redis.zadd(resque.db.keys.delayedSchedule, T1, String(T1));
    for (const n of [1, 2, 3]) await resque.enqueueAtWithQueue("q", T2, "Other", n);
    const found = await resque.findDelayedSelection((args) => args[1] === "a", someJob);
    assert.deepEqual(found, [
      {
        raw: RUBY_ITEM,
        className: "SomeJob",
        args: [1, "a", { b: 2, c: null }, 1152921504606846976n, 1.5e20, "x/yé<>&"],
        queue: "jobq",
        timestamp: T1,
      },
    ]);
    assert.equal((await resque.findDelayedSelection((args) => args[0] === 1)).length, 2, "any class when none is given");
    assert.equal(await resque.removeDelayedSelection((args) => Number(args[0]) >= 2, "Other"), 2);
    assert.equal(await resque.removeDelayedSelection((args) => args[1] === "a"), 1);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.delayed(T1), 0, -1), ["not json"]);
    assert.deepEqual(
      (await resque.findDelayedSelection(() => true)).map((i) => i.raw),
      ['{"class":"Other","args":[1],"queue":"q"}'],
    );
  });

  it("resetDelayedQueue clears every timestamp, list and reverse index, past one batch", async () => {
    const resque = redis.open("delayed-reset");
    for (let i = 0; i < 130; i++) await resque.enqueueAt(T1 + i, someJob, i % 3);
    await resque.enqueueAt(T1, someJob, 0);
    assert.equal(await resque.delayedQueueScheduleSize(), 130);
    assert.equal(await resque.resetDelayedQueue(), 131);
    assert.deepEqual(await allKeys(resque), []);
  });
});

describe("delayed jobs: enqueueDelayed and hooks", () => {
  it("enqueueDelayed pushes each copy now with stock's payload, atomically when there are no hooks", async () => {
    const resque = redis.open("delayed-now");
    for (const ts of [T1, T1, T2]) await resque.enqueueAt(ts, someJob, float(2));
    await resque.enqueueAt(T2, someJob, 9);
    assert.equal(await resque.enqueueDelayed(someJob, float(2)), 3);
    assert.deepEqual(
      (await resque.peek("jobq", 0, 5)).map((j) => j.raw),
      Array(3).fill('{"class":"SomeJob","args":[2.0]}'),
    );
    assert.deepEqual(await resque.delayedQueuePeek(0, 5), [T2]);
    assert.equal(await resque.enqueueDelayed(someJob, float(2)), 0);
  });

  it("enqueueAt runs beforeSchedule then afterSchedule; a false stores nothing", async () => {
    const resque = redis.open("delayed-hooks-at");
    const calls: string[] = [];
    const job = defineJob("Hooked", {
      queue: "h",
      perform(_x: number) {},
      beforeSchedule: (x: number) => {
        calls.push(`beforeSchedule:${x}`);
        return x === 0 ? false : undefined;
      },
      beforeScheduleAudit: (x: number) => {
        calls.push(`beforeScheduleAudit:${x}`);
      },
      afterSchedule: (x: number) => {
        calls.push(`afterSchedule:${x}`);
      },
      beforeEnqueue: (x: number) => {
        calls.push(`beforeEnqueue:${x}`);
      },
      afterEnqueue: (x: number) => {
        calls.push(`afterEnqueue:${x}`);
      },
    });
    assert.equal(await resque.enqueueAt(T1, job, 0), false);
    assert.equal(await resque.enqueueAt(T1, job, 1), true);
    assert.equal(await resque.enqueueAt(1000, job, 2), true);
    assert.deepEqual(calls, [
      "beforeSchedule:0",
      "beforeScheduleAudit:0",
      "beforeSchedule:1",
      "beforeScheduleAudit:1",
      "afterSchedule:1",
      // In the past: the core enqueue runs inside the schedule hooks.
      "beforeSchedule:2",
      "beforeScheduleAudit:2",
      "beforeEnqueue:2",
      "afterEnqueue:2",
      "afterSchedule:2",
    ]);
    assert.equal(await resque.delayedTimestampSize(T1), 1);
    assert.equal(await resque.size("h"), 1);
  });

  it("enqueueDelayed runs the promotion hooks in resque-scheduler's order; beforeSchedule false drops the copy", async () => {
    const resque = redis.open("delayed-hooks-now");
    const calls: string[] = [];
    let drop = false;
    const job = defineJob("Promoted", {
      queue: "p",
      perform(_x: string) {},
      beforeSchedule: (x: string) => {
        calls.push(`beforeSchedule:${x}`);
        return drop ? false : undefined;
      },
      beforeDelayedEnqueue: (_x: string) => {
        calls.push("beforeDelayedEnqueue");
        return false;
      },
      beforeEnqueue: (_x: string) => {
        calls.push("beforeEnqueue");
      },
      afterEnqueue: (_x: string) => {
        calls.push("afterEnqueue");
      },
      afterSchedule: (_x: string) => {
        calls.push("afterSchedule");
      },
    });
    const registry = new JobRegistry().register(job);
    const byName = new Resque({ db: resque.db, registry });
    await resque.db.redis.rpush(resque.db.keys.delayed(T1), '{"class":"Promoted","args":["a"],"queue":"p"}');
    await resque.db.redis.sadd(resque.db.keys.timestamps('{"class":"Promoted","args":["a"],"queue":"p"}'), `delayed:${T1}`);
    await resque.db.redis.zadd(resque.db.keys.delayedSchedule, T1, String(T1));
    assert.equal(await byName.enqueueDelayed("Promoted", "a"), 1);
    assert.deepEqual(calls, ["beforeSchedule:a", "beforeDelayedEnqueue", "beforeEnqueue", "afterEnqueue", "afterSchedule"]);
    assert.deepEqual(
      (await resque.peek("p")).map((j) => j.raw),
      ['{"class":"Promoted","args":["a"]}'],
    );
    calls.length = 0;
    drop = true;
    await resque.enqueueAt(T1, job, "b");
    drop = false;
    assert.equal(await resque.delayedTimestampSize(T1), 0, "a false beforeSchedule stored nothing");
    await resque.enqueueAt(T1, job, "b");
    drop = true;
    assert.equal(await resque.enqueueDelayed(job, "b"), 1, "the copy was removed");
    assert.equal(await resque.size("p"), 1, "and dropped, not pushed");
    assert.deepEqual(await resque.delayedQueueScheduleSize(), 0);
  });
});
