import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { BUCKET_BOUNDS_MS, BUCKET_COUNT, bucketOf, percentileMs } from "../../src/protocol/histogram.ts";
import { CLASS_CAP, OTHER_CLASS } from "../../src/store/metrics.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";

const redis = useRedis();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("histogram", () => {
  it("puts durations in log-scale buckets and estimates percentiles inside them", () => {
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(1), 0);
    assert.equal(bucketOf(3), 2);
    assert.equal(bucketOf(10 ** 9), BUCKET_BOUNDS_MS.length);
    const counts = new Array<number>(BUCKET_COUNT).fill(0);
    counts[bucketOf(60)] = 10; // (50, 100]
    assert.equal(percentileMs(counts, 0.5), 75);
    assert.equal(percentileMs(counts, 1), 100);
    assert.equal(percentileMs(new Array<number>(BUCKET_COUNT).fill(0), 0.5), undefined);
  });
});

describe("per-class metrics", () => {
  it("counts runs, failures, time and percentiles per class, per minute and in total", async () => {
    const resque = redis.open("metrics");
    const fast = defineJob("Fast", { perform: () => {} });
    const slow = defineJob("Slow", { perform: () => sleep(60) });
    const flaky = defineJob("Flaky", {
      perform: (n: number) => {
        if (n % 2 === 0) throw new Error("even");
      },
    });
    for (let i = 0; i < 10; i++) await resque.enqueueTo("m", fast);
    for (let i = 0; i < 4; i++) await resque.enqueueTo("m", slow);
    for (let i = 0; i < 6; i++) await resque.enqueueTo("m", flaky, i);
    await workerFor(resque, registryOf(fast, slow, flaky), "m", { threads: 3 }).work();

    const metrics = await resque.classMetrics({ minutes: 5 });
    const by = new Map(metrics.map((m) => [m.className, m]));
    assert.deepEqual([...by.keys()], ["Fast", "Flaky", "Slow"]);
    assert.equal(by.get("Fast")!.runs, 10);
    assert.equal(by.get("Fast")!.failures, 0);
    assert.equal(by.get("Flaky")!.runs, 6);
    assert.equal(by.get("Flaky")!.failures, 3);
    const s = by.get("Slow")!;
    assert.equal(s.runs, 4);
    assert.ok(s.totalMs >= 4 * 55, `total ${s.totalMs}`);
    assert.ok(s.p50Ms !== null && s.p50Ms >= 50, `p50 ${s.p50Ms}`);
    assert.ok(s.p95Ms !== null && s.p95Ms >= s.p50Ms!, `p95 ${s.p95Ms}`);
    for (const m of metrics) {
      assert.equal(m.perMinute.length, 5);
      assert.equal(
        m.perMinute.reduce((a, p) => a + p.runs, 0),
        m.runs,
      );
      assert.equal(
        m.perMinute.reduce((a, p) => a + p.failures, 0),
        m.failures,
      );
      assert.ok(m.perMinute.every((p, i) => i === 0 || p.minute - m.perMinute[i - 1]!.minute === 60_000));
    }
    const ttl = await resque.db.redis.ttl(resque.db.keys.metricsMinute(Math.floor(Date.now() / 60_000)));
    assert.ok(ttl > 0 && ttl <= 24 * 3600, `minute hash ttl ${ttl}`);

    const totals = new Map((await resque.classTotals()).map((t) => [t.className, t]));
    const st = totals.get("Slow")!;
    assert.equal(st.runs, 4);
    assert.equal(st.buckets.length, BUCKET_COUNT);
    assert.equal(st.buckets.at(-1)!.le, Number.POSITIVE_INFINITY);
    assert.equal(st.buckets.at(-1)!.count, 4, "cumulative: +Inf holds every run");
    assert.equal(st.buckets[0]!.le, BUCKET_BOUNDS_MS[0]! / 1000);
    assert.equal(st.buckets.find((b) => b.le === 0.05)!.count, 0, "no 60 ms sleep ends within 50 ms");
    assert.equal(totals.get("Flaky")!.failures, 3);
    // Stock's counters are untouched by ours.
    assert.deepEqual(await resque.stats(), { processed: 20, failed: 3 });
  });

  it("keeps at most CLASS_CAP class names; a hostile payload's random names go under (other)", async () => {
    const resque = redis.open("metrics-cap");
    const names = Array.from({ length: CLASS_CAP + 100 }, (_, i) => `Hostile${i}_${Math.random().toString(36).slice(2)}`);
    await resque.pushMany(
      "h",
      names.map((name) => JSON.stringify({ class: name, args: [] })),
    );
    await workerFor(resque, registryOf(), "h", { threads: 10 }).work();
    const classes = await resque.db.redis.scard(resque.db.keys.metricsClasses);
    assert.ok(classes <= CLASS_CAP + 1, `${classes} classes kept`);
    const totals = await resque.classTotals();
    assert.ok(totals.length <= CLASS_CAP + 1);
    assert.equal(
      totals.reduce((a, t) => a + t.runs, 0),
      names.length,
      "every run is counted somewhere",
    );
    assert.ok(totals.find((t) => t.className === OTHER_CLASS)!.runs >= 100);
    assert.equal(
      totals.reduce((a, t) => a + t.failures, 0),
      names.length,
      "unknown classes fail",
    );
  });
});
