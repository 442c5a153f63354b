import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MINUTE_POINTS, SECOND_POINTS } from "../../src/store/history.ts";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();

describe("history", () => {
  it("samples stock's counters, queue sizes and the failed list", async () => {
    const resque = redis.open("history-sample");
    await resque.push("a", { class: "A", args: [] });
    await resque.push("b", { class: "B", args: [] });
    await resque.push("b", { class: "B", args: [1] });
    await resque.db.redis.set(resque.db.keys.processed, "42");
    await resque.db.redis.set(resque.db.keys.failedCount, "7");
    await resque.db.redis.rpush(resque.db.keys.failed, "{}", "{}");
    const { sampled, point } = await resque.sampleHistory();
    assert.equal(sampled, true);
    assert.deepEqual({ ...point, t: 0 }, { t: 0, processed: 42, failed: 7, queued: 3, failedTotal: 2 });
    assert.ok(Math.abs(point!.t - Date.now()) < 60_000, "t is epoch ms");
    assert.equal(await resque.db.redis.llen(resque.db.keys.historyMinutes), 1);
  });

  it("appends one point per second however many dashboards sample at once", async () => {
    const resque = redis.open("history-once");
    const results = await Promise.all(Array.from({ length: 20 }, () => resque.sampleHistory()));
    const stored = await resque.db.redis.lrange(resque.db.keys.historySeconds, 0, -1);
    const seconds = new Set(stored.map((p) => Math.floor(Number(p.split(" ")[0]) / 1000)));
    assert.equal(seconds.size, stored.length, "no second holds two points");
    assert.equal(results.filter((r) => r.sampled).length, stored.length);
    assert.ok(results.every((r) => r.point !== undefined));
  });

  it("turns counter deltas into per-second rates, never negative across a stats reset", async () => {
    const resque = redis.open("history-rates");
    const t0 = Date.now() - 10_000;
    const points = [
      `${t0} 100 10 5 1`,
      `${t0 + 2000} 120 14 6 2`, // +20 processed, +4 failed in 2 s
      `${t0 + 3000} 3 0 0 0`, // stats reset: counters restart from 0
      `${t0 + 4000} 8 1 0 1`,
    ];
    await resque.db.redis.rpush(resque.db.keys.historySeconds, ...points);
    const history = await resque.history({ range: "1h" });
    assert.deepEqual(history, [
      { t: t0 + 2000, processed: 10, failed: 2, queued: 6, failedTotal: 2 },
      { t: t0 + 3000, processed: 3, failed: 0, queued: 0, failedTotal: 0 },
      { t: t0 + 4000, processed: 5, failed: 1, queued: 0, failedTotal: 1 },
    ]);
    // Points older than the range are left out.
    await resque.db.redis.lpush(resque.db.keys.historySeconds, `${t0 - 2 * 3600_000} 0 0 0 0`);
    assert.equal((await resque.history({ range: "1h" })).length, 3);
  });

  it("reads the per-minute list for 7d, and trims both lists", async () => {
    const resque = redis.open("history-trim");
    const old = Date.now() - 8 * 24 * 3600_000;
    const minutes = Array.from({ length: MINUTE_POINTS + 5 }, (_, i) => `${old + i * 60_000} ${i * 60} 0 0 0`);
    await resque.db.redis.rpush(resque.db.keys.historyMinutes, ...minutes);
    const seconds = Array.from({ length: SECOND_POINTS + 5 }, (_, i) => `${old + i * 1000} ${i} 0 0 0`);
    await resque.db.redis.rpush(resque.db.keys.historySeconds, ...seconds);
    await resque.sampleHistory();
    assert.equal(await resque.db.redis.llen(resque.db.keys.historySeconds), SECOND_POINTS);
    assert.equal(await resque.db.redis.llen(resque.db.keys.historyMinutes), MINUTE_POINTS);
    const week = await resque.history({ range: "7d" });
    assert.ok(week.length > 0);
    assert.ok(
      week.slice(0, -1).every((p) => p.processed === 1),
      "60 more per minute is 1 per second",
    );
  });
});
