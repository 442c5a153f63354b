import type { Redis } from "ioredis";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import type { Resque } from "../../src/client/resque.ts";
import type { Worker } from "../../src/worker/worker.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { eventually } from "../support/spawn-cli.ts";

const redis = useRedis();

/** INTERVAL far longer than any bound below: a job picked up within them was not found by polling. */
const LONG = 30;
/** 5 s of `eventually` (200 x 25 ms), a sixth of LONG. */
const WELL_BEFORE = 200;

/** What Ruby's Resque.enqueue sends: SADD queues, RPUSH queue:<q>. */
async function rubyPush(resque: Resque, queue: string, className: string, ...args: unknown[]): Promise<void> {
  await resque.db.redis.sadd(resque.db.keys.queues, queue);
  await resque.db.redis.rpush(resque.db.keys.queue(queue), JSON.stringify({ class: className, args }));
}

/** Registered, and given a moment to have found its queues empty and started waiting. */
async function idle(resque: Resque, worker: Worker): Promise<void> {
  await eventually(() => resque.db.redis.sismember(resque.db.keys.workers, worker.id), "registration");
  await new Promise((r) => setTimeout(r, 200));
}

function stopped(work: Promise<void>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([work.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000)))]).finally(() =>
    clearTimeout(timer),
  );
}

describe("idle pickup: a waiting worker blocks on its queues instead of sleeping INTERVAL", () => {
  it("picks up a job pushed with a plain RPUSH long before INTERVAL could elapse, and QUIT ends the wait", async () => {
    const resque = redis.open("rpush");
    const ran: number[] = [];
    const job = defineJob("Plain", {
      perform(n: number) {
        ran.push(n);
      },
    });
    const worker = workerFor(resque, registryOf(job), "plain", { interval: LONG });
    const work = worker.work();
    await idle(resque, worker);
    await rubyPush(resque, "plain", "Plain", 1);
    await eventually(() => ran.length === 1, "the job, within a sixth of INTERVAL", WELL_BEFORE);
    await rubyPush(resque, "plain", "Plain", 2);
    await eventually(() => ran.length === 2, "the second job", WELL_BEFORE);
    await new Promise((r) => setTimeout(r, 100));
    worker.shutdown();
    assert.equal(await stopped(work), true, "QUIT while blocked ends the worker without waiting for INTERVAL");
    assert.deepEqual(ran, [1, 2]);
    assert.equal(await resque.db.redis.llen(resque.db.keys.queue("plain")), 0);
  });

  it("keeps queue priority when two queues fill at once", async () => {
    const resque = redis.open("priority");
    const ran: string[] = [];
    const job = defineJob("Which", {
      perform(q: string) {
        ran.push(q);
      },
    });
    const worker = workerFor(resque, registryOf(job), "high,low", { interval: LONG });
    const work = worker.work();
    await idle(resque, worker);
    const k = resque.db.keys;
    await resque.db.redis
      .multi()
      .rpush(k.queue("low"), '{"class":"Which","args":["low"]}')
      .rpush(k.queue("high"), '{"class":"Which","args":["high"]}')
      .exec();
    await eventually(() => ran.length === 2, "both jobs", WELL_BEFORE);
    worker.shutdown();
    await work;
    assert.deepEqual(ran, ["high", "low"]);
  });

  it("watches the queues a glob resolves to, exclusions left out", async () => {
    const resque = redis.open("glob");
    const ran: string[] = [];
    const job = defineJob("Globbed", {
      perform(q: string) {
        ran.push(q);
      },
    });
    await resque.db.redis.sadd(resque.db.keys.queues, "mail_a", "mail_b", "mail_low");
    const worker = workerFor(resque, registryOf(job), "mail_*,!mail_low", { interval: LONG });
    const work = worker.work();
    await idle(resque, worker);
    await rubyPush(resque, "mail_low", "Globbed", "mail_low");
    await rubyPush(resque, "mail_b", "Globbed", "mail_b");
    await eventually(() => ran.length === 1, "the job in mail_b", WELL_BEFORE);
    await rubyPush(resque, "mail_a", "Globbed", "mail_a");
    await eventually(() => ran.length === 2, "the job in mail_a", WELL_BEFORE);
    worker.shutdown();
    await work;
    assert.deepEqual(ran, ["mail_b", "mail_a"]);
    assert.equal(await resque.db.redis.llen(resque.db.keys.queue("mail_low")), 1, "the excluded queue's job stays");
  });

  it("does not take while paused (pause-all-workers, then USR2), and takes once resumed", async () => {
    const resque = redis.open("paused");
    const ran: number[] = [];
    const job = defineJob("Held", {
      perform(n: number) {
        ran.push(n);
      },
    });
    let sleeps = 0;
    const log = { info() {}, warn() {}, error() {}, debug: (m: string) => void (m.startsWith("Sleeping for") && sleeps++) };
    const worker = workerFor(resque, registryOf(job), "held", { interval: 0.05, log });
    const work = worker.work();
    await idle(resque, worker);
    await resque.pause();
    await rubyPush(resque, "held", "Held", 1);
    const seen = sleeps;
    await eventually(() => sleeps >= seen + 5, "five idle waits while paused");
    assert.deepEqual(ran, []);
    await resque.resume();
    await eventually(() => ran.length === 1, "the job after resume");
    worker.pause();
    await rubyPush(resque, "held", "Held", 2);
    const again = sleeps;
    await eventually(() => sleeps >= again + 5, "five idle waits while paused by USR2");
    assert.deepEqual(ran, [1]);
    worker.unpause();
    await eventually(() => ran.length === 2, "the job after CONT");
    worker.shutdown();
    await work;
  });

  it("recovers from a Redis restart while blocked", async () => {
    const resque = redis.open("restart");
    const ran: number[] = [];
    const job = defineJob("After", {
      perform(n: number) {
        ran.push(n);
      },
    });
    const worker = workerFor(resque, registryOf(job), "after", { interval: LONG });
    const work = worker.work();
    await idle(resque, worker);
    await redis.server().restart();
    await rubyPush(resque, "after", "After", 1);
    await eventually(() => ran.length === 1, "the job pushed after the restart", 400);
    await new Promise((r) => setTimeout(r, 100));
    await rubyPush(resque, "after", "After", 2);
    await eventually(() => ran.length === 2, "the next job", WELL_BEFORE);
    worker.shutdown();
    assert.equal(await stopped(work), true);
  });

  it("does not spin on a job it may not take yet (a suspect waiting for the other jobs to end)", async () => {
    const resque = redis.open("suspect");
    const ran: string[] = [];
    let release = () => {};
    const slow = defineJob("Slow", {
      perform: () =>
        new Promise<void>(
          (r) =>
            (release = () => {
              ran.push("slow");
              r();
            }),
        ),
    });
    const suspect = defineJob("Suspect", {
      perform() {
        ran.push("suspect");
      },
    });
    const worker = workerFor(resque, registryOf(slow, suspect), "sus", { interval: LONG, threads: 4 });
    const work = worker.work();
    await idle(resque, worker);
    await rubyPush(resque, "sus", "Slow");
    await eventually(() => resque.db.redis.llen(resque.db.keys.queue("sus")).then((n) => n === 0), "the slow job taken");
    const payload = '{"class":"Suspect","args":[]}';
    await resque.db.redis.hset(resque.db.keys.recoveries, createHash("sha1").update(payload).digest("hex"), "1");
    const calls = async () => Number(/cmdstat_blmove:calls=(\d+)/.exec(await resque.db.redis.info("commandstats"))?.[1] ?? 0);
    const before = await calls();
    await resque.db.redis.rpush(resque.db.keys.queue("sus"), payload);
    await new Promise((r) => setTimeout(r, 500));
    const peeks = (await calls()) - before;
    assert.deepEqual(ran, [], "a suspect runs alone, after the slow job");
    assert.ok(peeks < 20, `${peeks} peeks in half a second: it woke again and again on the suspect it may not take`);
    release();
    await eventually(() => ran.length === 2, "the suspect, once the slow job ended");
    worker.shutdown();
    await work;
    assert.deepEqual(ran, ["slow", "suspect"]);
  });

  it("INTERVAL=0 still exits once the queues are empty", async () => {
    const resque = redis.open("zero");
    const ran: number[] = [];
    const job = defineJob("Once", {
      perform(n: number) {
        ran.push(n);
      },
    });
    await rubyPush(resque, "zero", "Once", 1);
    assert.equal(await stopped(workerFor(resque, registryOf(job), "zero", { interval: 0 }).work()), true);
    assert.deepEqual(ran, [1]);
  });

  it("a stock-like LPOP consumer racing the blocking peek loses and duplicates nothing", async () => {
    const resque = redis.open("race");
    const ours: number[] = [];
    const job = defineJob("Id", {
      perform(n: number) {
        ours.push(n);
      },
    });
    const worker = workerFor(resque, registryOf(job), "race", { interval: LONG, threads: 4 });
    const work = worker.work();
    await idle(resque, worker);
    const key = resque.db.keys.queue("race");
    const stock = (resque.db.redis as Redis).duplicate();
    const theirs: number[] = [];
    let producing = true;
    // Resque::Worker#reserve with FORK_PER_JOB=false: LPOP, and poll again when empty.
    const consumer = (async () => {
      for (;;) {
        const payload = await stock.lpop(key);
        if (payload !== null) theirs.push((JSON.parse(payload) as { args: number[] }).args[0]!);
        else if (!producing) return;
        else await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const total = 2000;
    for (let i = 0; i < total; i++) {
      await resque.db.redis.rpush(key, `{"class":"Id","args":[${i}]}`);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    producing = false;
    await consumer;
    await eventually(() => ours.length + theirs.length >= total, "every job taken by one side or the other");
    worker.shutdown();
    await work;
    stock.disconnect();
    const all = [...ours, ...theirs].sort((a, b) => a - b);
    assert.equal(all.length, total, "duplicated or lost");
    assert.deepEqual(
      all,
      Array.from({ length: total }, (_, i) => i),
    );
    assert.ok(ours.length > 0 && theirs.length > 0, `both sides took jobs (ours ${ours.length}, stock ${theirs.length})`);
    assert.equal(await resque.db.redis.llen(key), 0);
  });
});
