// Compatibility proven against stock Ruby Resque 3.0 itself (the resque gem), both directions.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { defineJob, float } from "../../src/index.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";

const redis = useRedis();
const root = new URL("../../", import.meta.url).pathname;
type Resque = ReturnType<typeof redis.open>;

function stock(resque: Resque, command: string, args: string[] = [], env: Record<string, string> = {}): string {
  const run = spawnSync("ruby", ["test/compat/stock.rb", command, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace, ...env },
  });
  assert.equal(run.status, 0, `ruby ${command}: ${run.stderr}`);
  return run.stdout.trim();
}

// The same values as SAMPLE_ARGS in test/compat/stock.rb, as our client writes them.
const SAMPLE = [
  "plain",
  "unicode é ✓ 日本",
  'escapes " \\ / \n \t \u0001',
  { nested: { list: [1, [2, 3]], flag: true } },
  null,
  true,
  false,
  float(1),
  float(1e20),
  0.5,
  -3,
  9007199254740993n,
  12345678901234567890n,
  [],
  {},
];
// What a TS job receives for them (JS has one number type: Ruby's 1.0 arrives as 1).
const RECEIVED = [
  "plain",
  "unicode é ✓ 日本",
  'escapes " \\ / \n \t \u0001',
  { nested: { list: [1, [2, 3]], flag: true } },
  null,
  true,
  false,
  1,
  1e20,
  0.5,
  -3,
  9007199254740993n,
  12345678901234567890n,
  [],
  {},
];

describe("compatibility with stock Ruby Resque", () => {
  it("runs against resque 3.0.x", async () => {
    const resque = redis.open("version");
    const version = spawnSync("ruby", ["-e", 'require "resque"; print Resque::VERSION'], { encoding: "utf8" }).stdout;
    assert.match(version, /^3\.0\./);
    console.log(`# stock Resque ${version}`);
    resque.db.redis.disconnect();
  });

  it("1+3: Ruby enqueues, our worker gets exactly those values; our enqueue writes the same bytes", async () => {
    const resque = redis.open("ruby-to-ts");
    stock(resque, "enqueue_sample");
    const [rubyBytes] = await resque.db.redis.lrange(resque.db.keys.queue("compat"), 0, -1);
    await resque.enqueueTo("mine", "CompatCheck", ...SAMPLE);
    const [ourBytes] = await resque.db.redis.lrange(resque.db.keys.queue("mine"), 0, -1);
    assert.equal(ourBytes, rubyBytes, "queue entry bytes");
    await resque.removeQueue("mine");
    const seen: unknown[][] = [];
    const job = defineJob("CompatCheck", {
      perform: (...args: unknown[]) => {
        seen.push(args);
      },
    });
    await workerFor(resque, registryOf(job), "compat").work();
    assert.deepEqual(seen, [RECEIVED]);
  });

  for (const fork of ["fork per job", "FORK_PER_JOB=false"]) {
    it(`2: our client enqueues, a stock worker (${fork}) performs with exactly those values`, async () => {
      const resque = redis.open("ts-to-ruby");
      await resque.enqueueTo("compat", "CompatCheck", ...SAMPLE);
      stock(resque, "work", ["compat"], fork === "fork per job" ? {} : { FORK_PER_JOB: "false" });
      const seen = await resque.db.redis.lrange(`${resque.db.keys.prefix}compat:seen`, 0, -1);
      assert.equal(seen.length, 1);
      const expected = stock(resque, "sample_args");
      assert.equal(seen[0]!.slice(seen[0]!.indexOf(",") + 1, -1), expected, "Ruby's JSON.generate of the args it received");
      assert.deepEqual(await resque.stats(), { processed: 1, failed: 0 });
      await resque.db.redis.del(`${resque.db.keys.prefix}compat:seen`);
    });
  }

  it("4: our failures are stock failures: same fields; stock requeue is processed by us; our retry of a Ruby failure by Ruby", async () => {
    const resque = redis.open("failures");
    let attempts = 0;
    const job = defineJob("CompatFail", {
      perform: () => {
        attempts++;
        if (attempts === 1) throw Object.assign(new Error("ours failed"), { name: "ArgumentError" });
      },
    });
    await resque.enqueueTo("compat", "CompatFail", 9007199254740993n);
    await workerFor(resque, registryOf(job), "compat").work();
    const [failure] = JSON.parse(stock(resque, "failures"));
    assert.deepEqual(Object.keys(failure), ["failed_at", "payload", "exception", "error", "backtrace", "worker", "queue"]);
    assert.equal(failure.exception, "ArgumentError");
    assert.equal(failure.error, "ours failed");
    assert.equal(failure.queue, "compat");
    assert.match(failure.failed_at, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d UTC$/);
    stock(resque, "requeue", ["0"]);
    assert.match((await resque.failed.get(0))?.retriedAt ?? "", /UTC$/, "stock marked it retried");
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("compat"), 0, -1), [
      '{"class":"CompatFail","args":[9007199254740993]}',
    ]);
    await workerFor(resque, registryOf(job), "compat").work();
    assert.equal(attempts, 2);

    await resque.failed.clear();
    stock(resque, "enqueue", ["compat", "CompatFail", "[1]"]);
    stock(resque, "work", ["compat"]);
    assert.equal((await resque.failed.get(0))?.exception, "ArgumentError");
    await resque.failed.retry(0);
    stock(resque, "work", ["compat"]);
    const records = await resque.failed.list(0, 5);
    assert.equal(records.length, 2, "Ruby performed the retried job (and it failed again, as CompatFail always does)");
    assert.equal(records[1]?.error, "stock failure [1]");
    // 7: after this mixed run (two jobs ours, two stock's) both sides read the same counters.
    assert.deepEqual(JSON.parse(stock(resque, "stats")), await resque.stats());
    assert.deepEqual(await resque.stats(), { processed: 4, failed: 3 });
  });

  it("5+7: stock sees our worker while it runs (workers, working, info, resque-web pages) and the stats agree", async () => {
    const resque = redis.open("visible");
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const job = defineJob("Slow", {
      perform: () =>
        new Promise<void>((r) => {
          release = r;
          started();
        }),
    });
    const failing = defineJob("Bad", {
      perform: () => {
        throw new TypeError("bad");
      },
    });
    await resque.enqueueTo("vis", "Bad");
    await resque.enqueueTo("vis", "Slow", "x");
    const worker = workerFor(resque, registryOf(job, failing), "vis");
    const work = worker.work();
    await running;
    const workers = JSON.parse(stock(resque, "workers"));
    assert.deepEqual(
      workers.map((w: { id: string }) => w.id),
      [worker.id],
    );
    assert.equal(workers[0].job.payload.class, "Slow");
    assert.deepEqual([workers[0].processed, workers[0].failed], [1, 1], "stock reads our per-worker counters");
    assert.deepEqual(JSON.parse(stock(resque, "working")), [worker.id]);
    const info = JSON.parse(stock(resque, "info"));
    assert.deepEqual([info.workers, info.working, info.failed, info.processed], [1, 1, 1, 1]);
    const pages = JSON.parse(
      stock(resque, "web", [
        "/overview",
        "/working",
        "/workers",
        "/queues",
        "/failed",
        "/stats/resque",
        "/stats/keys",
        `/workers/${worker.id}`,
      ]),
    );
    const [host, pid] = worker.id.split(":");
    for (const [path, page] of Object.entries(pages) as [string, { status: number; body: string }][]) {
      assert.equal(page.status, 200, `${path} rendered`);
    }
    assert.ok(pages["/working"].body.includes(`${host}:${pid}`) && pages["/working"].body.includes("Slow"), "working tab shows our job");
    assert.ok(pages["/workers"].body.includes(`${host}:${pid}`), "workers tab lists our process");
    assert.ok(pages["/failed"].body.includes("TypeError") && pages["/failed"].body.includes("bad"), "failed tab shows our failure");
    release();
    await work;
    assert.equal(JSON.parse(stock(resque, "info")).processed, (await resque.stats()).processed);
  });

  it("8: job hooks fire in stock's order on both sides", async () => {
    const resque = redis.open("hooks");
    // Ruby's Resque.redis is namespaced, so both sides log to <ns>:compat:hooks.
    const hooksKey = `${resque.db.keys.prefix}compat:hooks`;
    const order = async (fail: boolean) => {
      await resque.db.redis.del(hooksKey);
      stock(resque, "enqueue_hooks", [fail ? "fail" : "ok"]);
      stock(resque, "work", ["compat"], { FORK_PER_JOB: "false" });
      const rubyOrder = await resque.db.redis.lrange(hooksKey, 0, -1);
      await resque.db.redis.del(hooksKey);
      const log = (what: string) => resque.db.redis.rpush(hooksKey, what);
      const job = defineJob("CompatHooks", {
        queue: "compat",
        beforeEnqueueA: () => log("before_enqueue_a"),
        beforeEnqueue: () => log("before_enqueue"),
        afterEnqueue: () => log("after_enqueue"),
        beforePerform: () => log("before_perform"),
        beforePerformB: () => log("before_perform_b"),
        aroundPerform: async (next: () => Promise<void>) => {
          await log("around_perform in");
          await next();
          await log("around_perform out");
        },
        afterPerform: () => log("after_perform"),
        onFailure: () => log("on_failure"),
        perform: async (shouldFail: boolean) => {
          await log("perform");
          if (shouldFail) throw new Error("boom");
        },
      });
      await resque.enqueue(job, fail);
      await workerFor(resque, registryOf(job), "compat").work();
      return [rubyOrder, await resque.db.redis.lrange(hooksKey, 0, -1)];
    };
    for (const fail of [false, true]) {
      const [rubyOrder, ourOrder] = await order(fail);
      assert.deepEqual(ourOrder, rubyOrder, fail ? "failing job" : "succeeding job");
    }
  });
});
