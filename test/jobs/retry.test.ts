// Automatic retries (resque-retry's semantics) against a real Redis: attempt counts in resque-retry's
// key, retries through resque-scheduler's delayed queue (or straight back at delay 0), and only the
// final failure in the failed list. Delays are 0, or promoted with an injected clock: nothing waits.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { defineJob, float, Scheduler, type Job, type RetryOptions } from "../../src/index.ts";
import { retryDecision, retryPolicy } from "../../src/jobs/retry.ts";
import { retryIdentifier, rubyArgsJoin } from "../../src/protocol/retry-key.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { openDb } from "../../src/store/connection.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { rubySchedulerSkip, schedulerRb } from "../support/ruby-scheduler.ts";

const redis = useRedis();
type Client = ReturnType<typeof redis.open>;

const failures = async (resque: Client) => (await resque.db.redis.lrange(resque.db.keys.failed, 0, -1)).map((r) => JSON.parse(r));
const retryKeys = async (resque: Client) => (await resque.db.redis.keys(`${resque.db.keys.prefix}resque-retry:*`)).sort();
const delayedItems = async (resque: Client) => (await resque.findDelayedSelection(() => true)).map((i) => [i.timestamp, i.raw] as const);
/** A fixed worker clock (whole seconds), so delayed timestamps are exact. */
const NOW = Math.floor(Date.now() / 1000) * 1000;
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const run = (resque: Client, jobs: Job[], queue = "rq") =>
  workerFor(resque, registryOf(...jobs), queue, { now: () => new Date(NOW), log: QUIET }).work();

/** Promote every delayed item with our scheduler, its clock a day ahead. */
async function promoteAll(resque: Client, jobs: Job[]): Promise<void> {
  const db = openDb({ redis: `redis://${resque.db.location.address}/0`, namespace: resque.db.keys.namespace });
  try {
    await new Scheduler({ db, registry: registryOf(...jobs), runtime: currentRuntime(), log: QUIET, now: () => NOW + 86_400_000 }).tick();
  } finally {
    db.redis.disconnect();
  }
}

/** A job that fails its first `failing` runs (counted per test in `runs`), then succeeds. */
function flaky(className: string, retry: RetryOptions, failing = Infinity, error: (n: number) => unknown = (n) => new Error(`boom ${n}`)) {
  const runs: unknown[][] = [];
  const job = defineJob(className, {
    queue: "rq",
    retry,
    perform(...args: unknown[]) {
      runs.push(args);
      if (runs.length <= failing) throw error(runs.length);
    },
  });
  return { job, runs };
}

describe("retry options are checked when the job is defined", () => {
  const bad: [RetryOptions, RegExp][] = [
    [{ limit: -1 }, /job J: retry\.limit must be a whole number of retries >= 0 \(or Infinity\), got -1/],
    [{ limit: 1.5 }, /retry\.limit must be a whole number/],
    [{ backoff: [] }, /retry\.backoff must be a non-empty array of seconds/],
    [{ backoff: [10, -1] }, /retry\.backoff\[1\] must be a finite number of seconds >= 0, got -1/],
    [{ delay: 5, backoff: [1] }, /retry\.takes one of delay, backoff or exponential, not delay and backoff/],
    [{ delay: Number.NaN }, /retry\.delay must be a finite number/],
    [{ exponential: { base: 0 } }, /exponential\.base must be above 0/],
    [{ exponential: { base: 10, max: 5 } }, /exponential\.max \(5\) must be at least exponential\.base \(10\)/],
    [{ jitter: { min: 2, max: 1 } }, /jitter\.max \(1\) must be at least jitter\.min \(2\)/],
    [{ retryOn: [] }, /retry\.retryOn is empty; leave it out/],
    [{ giveUpOn: [42 as never] }, /retry\.giveUpOn\[0\] must be an Error class, a class name or a predicate, got 42/],
    [{ expireKeyAfter: 0 }, /expireKeyAfter must be at least 1 second/],
  ];
  for (const [options, message] of bad) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      assert.throws(() => defineJob("J", { retry: options, perform() {} }), message);
    });
  }

  it("fills in resque-retry's defaults: limit 1 and no wait; a backoff list sets the limit to its length", () => {
    assert.equal(retryPolicy("J", {}).limit, 1);
    assert.equal(retryPolicy("J", {}).nominalDelay(0), 0);
    assert.equal(retryPolicy("J", { backoff: [0, 60, 600] }).limit, 3);
    assert.equal(retryPolicy("J", { backoff: [0, 60, 600], limit: 5 }).nominalDelay(4), 600, "the last wait repeats");
    assert.equal(retryPolicy("J", { limit: Infinity }).limit, Infinity);
  });
});

describe("retry decisions", () => {
  it("exponential waits double up to the cap, and jitter stays within its bounds", () => {
    const policy = retryPolicy("J", { exponential: { base: 10, max: 100 }, limit: 10 });
    const delays = (random: number) => [0, 1, 2, 3, 4, 9].map((attempt) => retryDecision(policy, new Error(), [], attempt, () => random));
    // Default exponential jitter multiplies by [1, 1.5): never earlier than nominal.
    assert.deepEqual(
      delays(0),
      [10, 20, 40, 80, 100, 100].map((delay) => ({ retry: true, delay })),
    );
    assert.deepEqual(
      delays(0.999999),
      [14, 29, 59, 119, 149, 149].map((delay) => ({ retry: true, delay })),
    );
    const spread = retryPolicy("J", { backoff: [100], jitter: { min: 0.5, max: 2 }, limit: 1 });
    assert.deepEqual(
      retryDecision(spread, new Error(), [], 0, () => 0),
      { retry: true, delay: 50 },
    );
    assert.deepEqual(
      retryDecision(spread, new Error(), [], 0, () => 0.5),
      { retry: true, delay: 125 },
    );
    assert.deepEqual(
      retryDecision(spread, new Error(), [], 1, () => 0.5),
      { retry: false, why: "retry limit of 1 reached" },
    );
  });
});

describe("retries in a worker", () => {
  it("delay 0: straight back on its queue until the limit, then one failed record with the attempt count", async () => {
    const resque = redis.open("retry-limit");
    const { job, runs } = flaky("Flaky", { limit: 2 });
    await resque.enqueue(job, 7, "x");
    await run(resque, [job]);
    assert.deepEqual(
      runs,
      [
        [7, "x"],
        [7, "x"],
        [7, "x"],
      ],
      "the first run and 2 retries",
    );
    const recorded = await failures(resque);
    assert.equal(recorded.length, 1, "only the final failure reaches the failed list");
    assert.deepEqual(Object.keys(recorded[0]), ["failed_at", "payload", "exception", "error", "backtrace", "worker", "queue", "attempts"]);
    assert.equal(recorded[0].error, "boom 3");
    assert.equal(recorded[0].attempts, 3);
    assert.deepEqual(recorded[0].payload, { class: "Flaky", args: [7, "x"] });
    assert.equal((await resque.failed.list())[0]?.attempts, 3, "our client reads the count");
    // As stock with resque-retry: every run is processed, every failed run is failed.
    assert.deepEqual(await resque.stats(), { processed: 3, failed: 3 });
    assert.deepEqual(await retryKeys(resque), [], "giving up drops the count");
    assert.equal(await resque.size("rq"), 0);
  });

  it("limit 0 never retries; Infinity keeps going until the job succeeds", async () => {
    const resque = redis.open("retry-zero");
    const never = flaky("Never", { limit: 0 });
    const always = flaky("Always", { limit: Infinity }, 5);
    await resque.enqueue(never.job);
    await resque.enqueue(always.job);
    await run(resque, [never.job, always.job]);
    assert.equal(never.runs.length, 1);
    assert.equal(always.runs.length, 6);
    assert.deepEqual(
      (await failures(resque)).map((f) => [f.payload.class, f.attempts]),
      [["Never", 1]],
    );
  });

  it("success clears the count; the count lives in resque-retry's key with an expiry while retrying", async () => {
    const resque = redis.open("retry-clear");
    let seen: [string | null, number][] = [];
    const job = defineJob("Clears", {
      queue: "rq",
      retry: { limit: 5, expireKeyAfter: 600 },
      async perform(id: number) {
        const key = resque.db.keys.retryAttempts("Clears", await retryIdentifier(JSON.stringify([id])));
        seen.push([await resque.db.redis.get(key), await resque.db.redis.ttl(key)]);
        if (seen.length < 3) throw new Error("not yet");
      },
    });
    await resque.enqueue(job, 42);
    await run(resque, [job]);
    assert.deepEqual(
      seen.map(([count]) => count),
      ["0", "1", "2"],
    );
    assert.ok(
      seen.every(([, ttl]) => ttl > 0 && ttl <= 600),
      `ttls ${seen.map(([, t]) => t)}`,
    );
    assert.deepEqual(await failures(resque), []);
    assert.deepEqual(await retryKeys(resque), []);
    // Run again later: it starts from 0, not where the last one left off.
    seen = [];
    await resque.enqueue(job, 42);
    await run(resque, [job]);
    assert.deepEqual(
      seen.map(([count]) => count),
      ["0", "1", "2"],
    );
  });

  it("a backoff list goes through the delayed queue, byte for byte with resque-scheduler, and the scheduler brings it back", async () => {
    const resque = redis.open("retry-backoff");
    const { job, runs } = flaky("Backoff", { backoff: [10, 20] });
    await resque.enqueueTo("other", job, 1, float(2), "a/é");
    const worker = () => workerFor(resque, registryOf(job), "other", { now: () => new Date(NOW), log: QUIET }).work();
    const item = '{"class":"Backoff","args":[1,2.0,"a/é"],"queue":"other"}';
    const at = (s: number) => NOW / 1000 + s;
    await worker();
    assert.deepEqual(await delayedItems(resque), [[at(10), item]], "retried on the queue it came from");
    assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.timestamps(item)), [`delayed:${at(10)}`]);
    assert.deepEqual(await failures(resque), []);
    const [key] = await retryKeys(resque);
    assert.equal(await resque.db.redis.get(key!), "0");
    const ttl = await resque.db.redis.ttl(key!);
    assert.ok(ttl > 86_400 && ttl <= 86_400 + 10, `the count outlives the wait: ttl ${ttl}`);

    await promoteAll(resque, [job]);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("other"), 0, -1), ['{"class":"Backoff","args":[1,2.0,"a/é"]}']);
    await worker();
    assert.deepEqual(await delayedItems(resque), [[at(20), item]]);
    await promoteAll(resque, [job]);
    await worker();
    assert.equal(runs.length, 3, "limit defaults to the backoff's length");
    assert.deepEqual(await delayedItems(resque), []);
    assert.deepEqual(
      (await failures(resque)).map((f) => [f.error, f.attempts, f.queue]),
      [["boom 3", 3, "other"]],
    );
    assert.deepEqual(await retryKeys(resque), []);
  });

  it("exponential: the delayed timestamp lies within the jittered bounds", async () => {
    const resque = redis.open("retry-exp");
    const { job } = flaky("Expo", { exponential: { base: 100 }, limit: 1 });
    await resque.enqueue(job);
    await run(resque, [job]);
    const [[ts, raw]] = (await delayedItems(resque)) as [[number, string]];
    assert.equal(raw, '{"class":"Expo","args":[],"queue":"rq"}');
    assert.ok(ts >= NOW / 1000 + 100 && ts <= NOW / 1000 + 150, `due at +${ts - NOW / 1000} s`);
    // No args: resque-retry's key has no identifier.
    assert.deepEqual(await retryKeys(resque), [`${resque.db.keys.prefix}resque-retry:Expo`]);
  });

  it("retryOn and giveUpOn: by class (subclasses too), by name (a Ruby class name), by predicate", async () => {
    const resque = redis.open("retry-match");
    class Transient extends Error {}
    class Flappy extends Transient {}
    const throwing = (n: number) => {
      if (n === 1) return new Flappy("sub");
      if (n === 2) return Object.assign(new Error("rb"), { name: "Net::ReadTimeout" });
      return new RangeError("other");
    };
    const byClass = defineJob("ByClass", {
      queue: "rq",
      retry: { limit: 1, retryOn: [Transient, "Net::ReadTimeout"] },
      perform(n: number) {
        throw throwing(n);
      },
    });
    const byPredicate = defineJob("ByPredicate", {
      queue: "rq",
      retry: { limit: 1, giveUpOn: (error: unknown, n: number) => n === 2 || error instanceof RangeError },
      perform(n: number) {
        throw throwing(n);
      },
    });
    const giveUpByName = defineJob("GiveUpByName", {
      queue: "rq",
      retry: { limit: 1, giveUpOn: "RangeError" },
      perform(n: number) {
        throw throwing(n);
      },
    });
    for (const job of [byClass, byPredicate, giveUpByName]) for (const n of [1, 2, 3]) await resque.enqueue(job, n);
    await run(resque, [byClass, byPredicate, giveUpByName]);
    const attempts = (await failures(resque)).map((f) => `${f.payload.class}(${f.payload.args[0]}) ${f.exception} x${f.attempts}`).sort();
    assert.deepEqual(attempts, [
      "ByClass(1) Flappy x2",
      "ByClass(2) Net::ReadTimeout x2",
      "ByClass(3) RangeError x1",
      "ByPredicate(1) Flappy x2",
      "ByPredicate(2) Net::ReadTimeout x1",
      "ByPredicate(3) RangeError x1",
      "GiveUpByName(1) Flappy x2",
      "GiveUpByName(2) Net::ReadTimeout x2",
      "GiveUpByName(3) RangeError x1",
    ]);
    assert.deepEqual(await retryKeys(resque), []);
  });

  it("a predicate that throws gives up: the job is failed, never lost", async () => {
    const resque = redis.open("retry-throws");
    const job = defineJob("Picky", {
      queue: "rq",
      retry: {
        limit: 3,
        retryOn: () => {
          throw new Error("predicate bug");
        },
      },
      perform() {
        throw new Error("job bug");
      },
    });
    await resque.enqueue(job);
    await run(resque, [job]);
    assert.deepEqual(
      (await failures(resque)).map((f) => [f.error, f.attempts]),
      [["job bug", 1]],
    );
    assert.deepEqual(await retryKeys(resque), []);
  });

  it("unknown classes and malformed payloads are never retried (nor counted)", async () => {
    const resque = redis.open("retry-unknown");
    const { job } = flaky("Known", { limit: 3 });
    await resque.push("rq", { class: "Ghost", args: [1] });
    await resque.push("rq", '{"class":"Known","args":"not-a-list"}');
    await resque.push("rq", "not json");
    await run(resque, [job]);
    const recorded = await failures(resque);
    assert.deepEqual(
      recorded.map((f) => f.exception),
      ["NameError", "Resque::MalformedPayload", "Resque::MalformedPayload"],
    );
    assert.ok(recorded.every((f) => !("attempts" in f)));
    assert.deepEqual(await retryKeys(resque), []);
    assert.equal(await resque.size("rq"), 0);
    assert.equal(await resque.delayedQueueScheduleSize(), 0);
  });

  it("a timeout is not retried by `retry`: it fails as Resque::JobTimeout (retryOnTimeout is what puts it back)", async () => {
    const resque = redis.open("retry-timeout");
    const job = defineJob("Slow", { queue: "rq", timeout: 0.2, retry: { limit: 3 }, perform: () => new Promise<void>(() => {}) });
    await resque.enqueue(job);
    await run(resque, [job]);
    assert.deepEqual(
      (await failures(resque)).map((f) => [f.exception, f.attempts]),
      [["Resque::JobTimeout", 1]],
    );
    assert.deepEqual(await retryKeys(resque), []);
  });
});

describe("resque-retry's attempt-count key", () => {
  // Made with Ruby 3.1: a = JSON.parse(json); s = a.join("-"); Digest::SHA1.hexdigest(s) (LANG=C.UTF-8).
  const GOLDEN: [string, string, string | undefined][] = [
    ["[]", "", undefined],
    ["[null]", "", undefined],
    ['[1,"a"]', "1-a", "92b083ca8ad311b6856d7c5dc28e0ff4b300862d"],
    ["[1,[2,[]],3]", "1-2--3", "6819c5124683584335fa3bbf803f8fa081d91e8e"],
    [
      '[{"b":2.0,"c":null,"d":"x\\"y\\n"},1.5e+20,true,-0.0,1152921504606846976,"é ✓"]',
      '{"b"=>2.0, "c"=>nil, "d"=>"x\\"y\\n"}-1.5e+20-true--0.0-1152921504606846976-é ✓',
      "62e003da0884ba8a1bea49f931f34b3ccedbc1b1",
    ],
    ["[{}]", "{}", "bf21a9e8fbc5a3846fb05b4fa0859e0917b2202f"],
    ['[[1,2],{"k":[1,"s",{"n":false}]}]', '1-2-{"k"=>[1, "s", {"n"=>false}]}', "80154e923f83b165ef9357d3c0d4904a2b74530f"],
    // String#inspect escapes what Ruby's Unicode tables call unprintable (U+2028, unassigned, U+FFFE...) and keeps
    // format characters and private use raw (LANG=C.UTF-8; Ruby 3.1, Unicode 13.0).
    [
      '[{"a":"\\u2028 \\u2029","b\\u0378":"\\u200b\\ufeff\\u00ad\\ue000"}]',
      '{"a"=>"\\u2028 \\u2029", "b\\u0378"=>"\u200b\ufeff\u00ad\ue000"}',
      "450158e51481e36cadf4c70d927db7830c127bf8",
    ],
    [
      '[{"a":"\\u0085\\u00a0\\u0001\\u007f\\ufffe\\uffff"},"\\u2028"]',
      '{"a"=>"\u0085\u00a0\\u0001\\u007F\\uFFFE\\uFFFF"}-\u2028',
      "dea810a4f5e773c65848d0e81ddeae56fbd7f9a2",
    ],
    [
      '[{"a":"\\udbff\\udfff \\ud83d\\ude00 #{x} #$y #@z"}]',
      '{"a"=>"\\u{10FFFF} \ud83d\ude00 \\#{x} \\#$y \\#@z"}',
      "26fc826478044b8bba1d5a2c03893a4939fbff2e",
    ],
    ['[{"a b\\u3000":"\\u180e\\u2065"}]', '{"a b\u3000"=>"\u180e\\u2065"}', "461097726405416bdaff7829d30bbacf5fc57e82"],
    // JSON.parse keeps a repeated key's first place and last value; nested arrays flatten, nil joins as "".
    ['[{"a":1,"b":2,"a":3},[1,[],[null]],null]', '{"a"=>3, "b"=>2}-1---', "c4034f3d2e2b4a38cb00536f99a202255b05f8a7"],
  ];
  for (const [args, joined, sha] of GOLDEN) {
    it(`matches Ruby's args.join('-') and SHA1 for ${args}`, async () => {
      assert.equal(rubyArgsJoin(args), joined);
      assert.equal(await retryIdentifier(args), sha);
    });
  }

  it("keeps resque-retry's failure-<key> entry while a job waits to retry, and deletes it on giving up", async () => {
    const resque = redis.open("retry-failure-entry");
    const { job } = flaky("Waits", { limit: 1, delay: 30 });
    const count = resque.db.keys.retryAttempts("Waits", await retryIdentifier('[7,{"k":"v"}]'));
    const entryKey = `${resque.db.keys.prefix}failure-resque-retry:Waits:${count.split(":").pop()}`;
    assert.equal(resque.db.keys.retryFailure(count), entryKey);
    await resque.enqueue(job, 7, { k: "v" });
    await run(resque, [job]);
    const entry = JSON.parse((await resque.db.redis.get(entryKey))!);
    assert.deepEqual(Object.keys(entry), ["failed_at", "payload", "exception", "error", "backtrace", "worker", "queue"]);
    assert.deepEqual(
      [entry.payload, entry.exception, entry.error, entry.queue],
      [{ class: "Waits", args: [7, { k: "v" }] }, "Error", "boom 1", "rq"],
    );
    assert.match(entry.failed_at, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/);
    assert.equal(await resque.db.redis.ttl(entryKey), 60, "twice the delay");
    assert.deepEqual(await failures(resque), []);
    // The second run is the last: the entry goes and the failure is recorded.
    await resque.enqueue(job, 7, { k: "v" });
    await run(resque, [job]);
    assert.equal(await resque.db.redis.exists(entryKey), 0);
    assert.equal((await failures(resque)).length, 1);
    // A retry straight back (delay 0) writes no entry, as resque-retry ignores a delay of 0.
    const { job: now } = flaky("NoWait", { limit: 1 });
    await resque.enqueue(now, 1);
    await workerFor(resque, registryOf(now), "rq", { now: () => new Date(NOW), log: QUIET, maxJobs: 1 }).work();
    assert.equal(await resque.db.redis.llen(resque.db.keys.queue("rq")), 1, "the retry is back on its queue, not yet run");
    assert.deepEqual(await resque.db.redis.keys(`${resque.db.keys.prefix}failure-*`), []);
  });

  it("walks args nested 100,000 levels deep without overflowing the call stack", () => {
    assert.equal(rubyArgsJoin(`[${"[".repeat(100_000)}1${"]".repeat(100_000)}]`), "1");
    assert.equal(rubyArgsJoin(`[${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}]`).length, 100_000 * 7 + 1);
  });

  it("is namespaced like every key, without whitespace, and shared by a run with the same args", async () => {
    const resque = redis.open("retry-key");
    assert.equal(resque.db.keys.retryAttempts("Mail Job", "abc"), `${resque.db.keys.prefix}resque-retry:MailJob:abc`);
    // A Ruby worker with resque-retry counted run 0 of Shared(1, "a") already: ours is run 1.
    const key = resque.db.keys.retryAttempts("Shared", "92b083ca8ad311b6856d7c5dc28e0ff4b300862d");
    await resque.db.redis.set(key, "0");
    const { job, runs } = flaky("Shared", { limit: 1 });
    await resque.enqueue(job, 1, "a");
    await run(resque, [job]);
    assert.equal(runs.length, 1, "the limit was already half used by the Ruby run");
    assert.deepEqual(
      (await failures(resque)).map((f) => f.attempts),
      [2],
    );
  });
});

describe("retries with Ruby's resque-scheduler 5.0 and stock Resque", { skip: rubySchedulerSkip }, () => {
  it("Ruby's scheduler promotes our retry; stock Resque reads and requeues the final record", async () => {
    const resque = redis.open("retry-ruby");
    const { job, runs } = flaky("RubyPromoted", { backoff: [30] }, 1);
    await resque.enqueue(job, 1, float(2.5), { k: "v" });
    await run(resque, [job]);
    assert.equal(await resque.delayedQueueScheduleSize(), 1);
    assert.equal(schedulerRb(redis.server().url, resque.db.keys.namespace, "promote_due", String(NOW / 1000 + 60)), 0);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("rq"), 0, -1), [
      '{"class":"RubyPromoted","args":[1,2.5,{"k":"v"}]}',
    ]);
    await run(resque, [job]);
    assert.equal(runs.length, 2);
    assert.deepEqual(await failures(resque), []);
    assert.deepEqual(await retryKeys(resque), []);

    // A final record with its extra "attempts" key: stock's failure backend lists and requeues it.
    const { job: hopeless } = flaky("Hopeless", { limit: 0 });
    await resque.enqueue(hopeless, 3);
    await run(resque, [hopeless]);
    const stock = (command: string, ...args: string[]) => {
      const out = spawnSync("ruby", ["test/compat/stock.rb", command, ...args], {
        cwd: new URL("../../", import.meta.url).pathname,
        encoding: "utf8",
        env: { ...process.env, REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace },
      });
      assert.equal(out.status, 0, out.stderr);
      return JSON.parse(out.stdout);
    };
    const [record] = stock("failures");
    assert.equal(record.attempts, 1);
    assert.equal(record.exception, "Error");
    const page = stock("web", "/failed")["/failed"];
    assert.equal(page.status, 200, "resque-web's Failed tab renders the record");
    assert.ok(page.body.includes("Hopeless") && page.body.includes("boom 1"));
    stock("requeue", "0");
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("rq"), 0, -1), ['{"class":"Hopeless","args":[3]}']);
    assert.equal((await failures(resque))[0].attempts, 1, "requeue keeps the key and adds retried_at");
  });
});
