import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();
const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

describe("queue latency", () => {
  it("reads ActiveJob's enqueued_at from the oldest job (the left end, where Resque pops)", async () => {
    const resque = redis.open("latency-aj");
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const now = new Date().toISOString();
    const wrapper = "ActiveJob::QueueAdapters::ResqueAdapter::JobWrapper";
    await resque.push("mailers", JSON.stringify({ class: wrapper, args: [{ job_class: "Mail", enqueued_at: hourAgo }] }));
    await resque.push("mailers", JSON.stringify({ class: wrapper, args: [{ job_class: "Mail", enqueued_at: now }] }));
    await resque.push("epoch", JSON.stringify({ class: "E", args: [], enqueued_at: (Date.now() - 7200_000) / 1000 }));
    const [epoch, mailers] = await resque.queueLatency();
    assert.equal(mailers!.queue, "mailers");
    assert.equal(mailers!.size, 2);
    assert.equal(mailers!.source, "enqueued_at");
    assert.ok(mailers!.oldestAgeSeconds! >= 3600 && mailers!.oldestAgeSeconds! < 7200, `${mailers!.oldestAgeSeconds}`);
    assert.equal(epoch!.source, "enqueued_at");
    assert.ok(epoch!.oldestAgeSeconds! >= 7200, `${epoch!.oldestAgeSeconds}`);
  });

  it("for stock payloads, counts from when the head was first seen (a lower bound), and forgets it when it changes", async () => {
    const resque = redis.open("latency-stock");
    const first = JSON.stringify({ class: "Stock", args: [1] });
    await resque.push("plain", first);
    await resque.push("plain", { class: "Stock", args: [2] });
    await resque.db.redis.sadd(resque.db.keys.queues, "empty");
    const [empty, plain] = await resque.queueLatency();
    assert.deepEqual(empty, { queue: "empty", size: 0, oldestAgeSeconds: null, source: null });
    assert.equal(plain!.source, "first-seen");
    assert.ok(plain!.oldestAgeSeconds! >= 0);
    // The same head, first seen 100 s ago: its age counts from then.
    const stored = await resque.db.redis.hget(resque.db.keys.heads, "plain");
    assert.equal(stored!.split("|")[0], sha1(first));
    await resque.db.redis.hset(resque.db.keys.heads, "plain", `${sha1(first)}|${Date.now() - 100_000}`);
    assert.ok((await resque.queueLatency())[1]!.oldestAgeSeconds! >= 100);
    // A worker took it: the new head is new.
    await resque.db.redis.lpop(resque.db.keys.queue("plain"));
    const [, after] = await resque.queueLatency();
    assert.equal(after!.size, 1);
    assert.ok(after!.oldestAgeSeconds! < 100);
  });

  it("keeps one heads field per non-empty known queue", async () => {
    const resque = redis.open("latency-bound");
    await resque.push("a", { class: "A", args: [] });
    await resque.push("b", { class: "B", args: [] });
    await resque.queueLatency();
    assert.deepEqual((await resque.db.redis.hkeys(resque.db.keys.heads)).sort(), ["a", "b"]);
    await resque.removeQueue("a");
    await resque.db.redis.del(resque.db.keys.queue("b"));
    await resque.queueLatency();
    assert.deepEqual(await resque.db.redis.hkeys(resque.db.keys.heads), []);
  });
});
