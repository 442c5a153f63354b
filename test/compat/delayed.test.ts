// Delayed jobs proven against resque-scheduler 5.0 itself (the gem), both directions.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineJob, float } from "../../src/index.ts";
import { useRedis } from "../support/fixture.ts";
import { rubySchedulerSkip, rubySchedulerVersion as version, schedulerRb } from "../support/ruby-scheduler.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const skip = rubySchedulerSkip;
// Bun and Deno do not print a suite's skip reason; say it once for every runtime.
if (skip) console.log(`# compat-delayed skipped: ${skip}`);

const scheduler = (resque: Resque, command: string, ...args: string[]): unknown =>
  schedulerRb(redis.server().url, resque.db.keys.namespace, command, ...args);

// SAMPLE_ARGS of test/compat/scheduler.rb, as our client writes them.
const SAMPLE = [
  1,
  "a",
  { b: float(2), c: null },
  1152921504606846976n,
  float(1.5e20),
  "x/yé<>&",
  "unicode é ✓ 日本",
  'escapes " \\ / \n \t \u0001',
  float(1e-5),
  float(-0),
  [],
  {},
];
const someJob = defineJob("SomeJob", { queue: "jobq", perform(..._args: unknown[]) {} });
const T1 = Math.floor(Date.now() / 1000) + 86_400;
const T2 = T1 + 60;

describe("compatibility with resque-scheduler 5.0", { skip }, () => {
  it(`runs against resque-scheduler ${version}`, () => {
    console.log(`# resque-scheduler ${version}`);
  });

  it("Ruby's enqueue_at items are byte-equal to ours, found by findDelayedSelection and removed by removeDelayed", async () => {
    const resque = redis.open("rs-ruby-to-ts");
    scheduler(resque, "enqueue_at", String(T1));
    scheduler(resque, "enqueue_at", String(T1));
    scheduler(resque, "enqueue_at", String(T2));
    const [rubyItem] = await resque.db.redis.lrange(resque.db.keys.delayed(T1), 0, 0);
    const ours = redis.open("rs-bytes");
    await ours.enqueueAt(T1, someJob, ...SAMPLE);
    const [ourItem] = await ours.db.redis.lrange(ours.db.keys.delayed(T1), 0, 0);
    assert.equal(ourItem, rubyItem, "delayed item bytes");
    assert.deepEqual((await resque.db.redis.smembers(resque.db.keys.timestamps(rubyItem!))).sort(), [`delayed:${T1}`, `delayed:${T2}`]);
    assert.deepEqual(await resque.db.redis.zrange(resque.db.keys.delayedSchedule, "0", "-1", "WITHSCORES"), [
      String(T1),
      String(T1),
      String(T2),
      String(T2),
    ]);
    assert.deepEqual(await resque.scheduledAt(someJob, ...SAMPLE), [T1, T2]);
    const found = await resque.findDelayedSelection((args) => args[1] === "a", someJob);
    assert.deepEqual(
      found.map((i) => [i.timestamp, i.raw]),
      [
        [T1, rubyItem],
        [T1, rubyItem],
        [T2, rubyItem],
      ],
    );
    assert.equal(await resque.removeDelayed(someJob, ...SAMPLE), 3);
    assert.equal(await resque.delayedTimestampSize(T1), 0);
    assert.deepEqual(await resque.db.redis.keys(`${resque.db.keys.prefix}*`), []);
    assert.equal(scheduler(resque, "schedule_size"), 0);
  });

  it("our enqueueAt items are seen, counted and removed by Ruby", async () => {
    const resque = redis.open("rs-ts-to-ruby");
    await resque.enqueueAt(T1, someJob, ...SAMPLE);
    await resque.enqueueAt(T1, someJob, ...SAMPLE);
    await resque.enqueueAt(T2, someJob, ...SAMPLE);
    await resque.enqueueAt(T2, someJob, "other");
    assert.equal(scheduler(resque, "schedule_size"), 2);
    assert.equal(scheduler(resque, "timestamp_size", String(T1)), 2);
    assert.deepEqual(
      (scheduler(resque, "scheduled_at") as number[]).sort((a, b) => a - b),
      [T1, T2],
    );
    const [ourItem] = await resque.db.redis.lrange(resque.db.keys.delayed(T1), 0, 0);
    assert.deepEqual(scheduler(resque, "find"), [ourItem, ourItem, ourItem], "Ruby's find_delayed_selection returns our exact bytes");
    assert.equal(scheduler(resque, "remove_delayed"), 3);
    assert.equal(await resque.delayedTimestampSize(T1), 0);
    assert.deepEqual(await resque.findDelayedSelection(() => true).then((items) => items.map((i) => i.raw)), [
      '{"class":"SomeJob","args":["other"],"queue":"jobq"}',
    ]);
    // Ruby leaves the emptied T1 in the schedule for its leader to clear (reference §3.5).
    assert.equal(scheduler(resque, "schedule_size"), 2);
  });

  it("Ruby's enqueue_delayed pushes our item with the same queue bytes our enqueueDelayed writes", async () => {
    const resque = redis.open("rs-enqueue-delayed");
    await resque.enqueueAt(T1, someJob, ...SAMPLE);
    assert.equal(scheduler(resque, "enqueue_delayed"), 1);
    const [rubyPush] = await resque.db.redis.lrange(resque.db.keys.queue("jobq"), 0, -1);
    await resque.db.redis.del(resque.db.keys.queue("jobq"));
    scheduler(resque, "enqueue_at", String(T1));
    assert.equal(await resque.enqueueDelayed(someJob, ...SAMPLE), 1);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("jobq"), 0, -1), [rubyPush]);
  });
});
