import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { eventually } from "../support/spawn-cli.ts";

const redis = useRedis();

describe("worker: outages, idle backoff and heartbeats", () => {
  it("rides out a Redis restart mid-run: every job performed once, counted once", async () => {
    const resque = redis.open("restart");
    const performed = new Map<number, number>();
    const job = defineJob("Count", {
      async perform(n: number) {
        performed.set(n, (performed.get(n) ?? 0) + 1);
        if (n === 150) await redis.server().restart();
      },
    });
    const total = 300;
    await resque.pushMany(
      "rs",
      Array.from({ length: total }, (_, n) => `{"class":"Count","args":[${n}]}`),
    );
    await workerFor(resque, registryOf(job), "rs", { threads: 2 }).work();
    const all = Array.from({ length: total }, (_, n) => n);
    assert.deepEqual(
      all.filter((n) => !performed.has(n)),
      [],
      "lost",
    );
    assert.deepEqual(
      all.filter((n) => (performed.get(n) ?? 0) > 1),
      [],
      "performed twice",
    );
    assert.deepEqual(await resque.stats(), { processed: total, failed: 0 });
    assert.equal(await resque.failed.count(), 0);
  });

  it("backs off from MIN_INTERVAL by BACKOFF_INTERVAL up to MAX_INTERVAL, and starts over after a job", async () => {
    const resque = redis.open("backoff");
    const sleeps: number[] = [];
    let performedAfter = -1;
    const job = defineJob("Nap", {
      perform() {
        performedAfter = sleeps.length;
      },
    });
    const log = {
      info() {},
      warn() {},
      error() {},
      debug: (m: string) => {
        const s = /Sleeping for ([\d.]+) seconds/.exec(m);
        if (s) sleeps.push(Number(s[1]));
      },
    };
    const worker = workerFor(resque, registryOf(job), "bo", {
      interval: 0.03,
      minInterval: 0.01,
      backoffInterval: 0.01,
      maxInterval: 0.03,
      log,
    });
    const work = worker.work();
    await eventually(() => sleeps.length >= 4, "four idle sleeps");
    await resque.enqueueTo("bo", job);
    await eventually(async () => (await resque.stats()).processed === 1, "the job");
    const after = performedAfter;
    await eventually(() => sleeps.length >= after + 1, "the next idle sleep");
    worker.shutdown();
    await work;
    const rounded = sleeps.map((s) => Math.round(s * 100) / 100);
    assert.deepEqual(rounded.slice(0, 4), [0.01, 0.02, 0.03, 0.03]);
    assert.equal(rounded[after], 0.01, "a job resets the interval to MIN_INTERVAL");
  });

  it("writes its heartbeat again every interval", async () => {
    const resque = redis.open("heartbeat");
    const worker = workerFor(resque, registryOf(), "hb", { interval: 0.02, heartbeatInterval: 0.05 });
    const work = worker.work();
    const k = resque.db.keys;
    await eventually(() => resque.db.redis.sismember(k.workers, worker.id), "registration");
    await resque.db.redis.hdel(k.heartbeats, worker.id);
    const again = await eventually(async () => (await resque.db.redis.hget(k.heartbeats, worker.id)) ?? undefined, "the next heartbeat");
    assert.match(again, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    worker.shutdown();
    await work;
    assert.equal(await resque.db.redis.hget(k.heartbeats, worker.id), null);
  });
});
