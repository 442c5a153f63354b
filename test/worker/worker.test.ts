import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineJob, defineWorkerHooks, DontPerform, JobRegistry } from "../../src/index.ts";
import { hostname } from "node:os";
import { parseWorkerId } from "../../src/protocol/worker-id.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { pruneDeadWorkers } from "../../src/worker/prune.ts";
import type { RecoveryPolicy } from "../../src/worker/recover.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";

const redis = useRedis();
const failures = async (resque: ReturnType<typeof redis.open>) =>
  (await resque.db.redis.lrange(resque.db.keys.failed, 0, -1)).map((r) => JSON.parse(r));

describe("worker: performing jobs", () => {
  it("performs with stock's hook order, records failures and counts every attempt", async () => {
    const resque = redis.open("perform");
    const calls: string[] = [];
    const job = defineJob("Hooked", {
      perform: (n: number) => {
        calls.push(`perform ${n}`);
        if (n === 2) throw new RangeError("two is bad");
      },
      beforePerform: (n: number) => {
        calls.push(`before ${n}`);
        if (n === 3) throw new DontPerform();
      },
      beforePerformB: (n: number) => {
        calls.push(`beforeB ${n}`);
      },
      aroundPerform: async (next: () => Promise<void>, n: number) => {
        calls.push(`around-in ${n}`);
        await next();
        calls.push(`around-out ${n}`);
      },
      aroundPerformZ: async (next: () => Promise<void>, n: number) => {
        calls.push(`aroundZ ${n}`);
        await next();
      },
      afterPerform: (n: number) => {
        calls.push(`after ${n}`);
      },
      onFailure: (e: unknown, n: number) => {
        calls.push(`failure ${n} ${(e as Error).message}`);
      },
    });
    for (const n of [1, 2, 3]) await resque.enqueueTo("hooks", job, n);
    const worker = workerFor(resque, registryOf(job), "hooks");
    await worker.work();
    assert.deepEqual(calls, [
      "before 1",
      "beforeB 1",
      "around-in 1",
      "aroundZ 1",
      "perform 1",
      "around-out 1",
      "after 1",
      "before 2",
      "beforeB 2",
      "around-in 2",
      "aroundZ 2",
      "perform 2",
      "failure 2 two is bad",
      "before 3",
    ]);
    const [failure] = await failures(resque);
    assert.deepEqual(Object.keys(failure), ["failed_at", "payload", "exception", "error", "backtrace", "worker", "queue"]);
    assert.equal(failure.exception, "RangeError");
    assert.equal(failure.error, "two is bad");
    assert.deepEqual(failure.payload, { class: "Hooked", args: [2] });
    assert.equal(failure.worker, worker.id);
    assert.equal(failure.queue, "hooks");
    assert.ok(
      failure.backtrace.length > 0 && failure.backtrace.every((f: string) => !f.includes("src/worker/")),
      failure.backtrace.join("\n"),
    );
    assert.match(failure.backtrace[0], /worker\.test\.ts:\d+:in `/);
    assert.deepEqual(await resque.stats(), { processed: 3, failed: 1 }, "stock counts DontPerform and failures as processed");
  });

  it("keeps integers beyond 2^53 and extra payload keys through a failure and a retry", async () => {
    const resque = redis.open("bigint");
    const seen: unknown[] = [];
    let fail = true;
    const job = defineJob("Snowflake", {
      perform(id: bigint) {
        seen.push(id);
        if (fail) throw new Error("first time");
      },
    });
    await resque.push("big", '{"class":"Snowflake","args":[9007199254740993],"trace":"abc"}');
    await workerFor(resque, registryOf(job), "big").work();
    assert.match(
      (await resque.db.redis.lindex(resque.db.keys.failed, 0)) ?? "",
      /"payload":\{"class":"Snowflake","args":\[9007199254740993\],"trace":"abc"\}/,
    );
    await resque.failed.retry(0);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("big"), 0, -1), [
      '{"class":"Snowflake","args":[9007199254740993],"trace":"abc"}',
    ]);
    fail = false;
    await workerFor(resque, registryOf(job), "big").work();
    assert.deepEqual(seen, [9007199254740993n, 9007199254740993n]);
  });

  it("turns every kind of bad payload into a readable failure and goes on", async () => {
    const resque = redis.open("malformed");
    const ok: number[] = [];
    const job = defineJob("Good", {
      perform(n: number) {
        ok.push(n);
      },
    });
    const bad = [
      "{not json",
      "[1,2]",
      '"just a string"',
      '{"args":[1]}',
      '{"class":"Good","args":{"a":1}}',
      '{"class":"Missing","args":[]}',
    ];
    await resque.enqueueTo("mixed", job, 1);
    for (const raw of bad) await resque.push("mixed", raw);
    await resque.enqueueTo("mixed", job, 2);
    await workerFor(resque, registryOf(job), "mixed").work();
    assert.deepEqual(ok, [1, 2]);
    const recorded = await failures(resque);
    assert.equal(recorded.length, bad.length);
    assert.deepEqual(
      recorded.map((f) => f.exception),
      [...Array(5).fill("Resque::MalformedPayload"), "NameError"],
    );
    assert.match(recorded[0].error, /not JSON/);
    assert.equal(recorded[0].payload, "{not json", "the text is kept so nothing is lost");
    assert.match(recorded[3].error, /no "class"/);
    assert.match(recorded[4].error, /must be an array/);
    assert.match(recorded[5].error, /uninitialized constant Missing .*knows Good.*--require/);
    assert.deepEqual(await resque.stats(), { processed: 8, failed: 6 });
    await resque.failed.retryAll();
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("mixed"), 0, -1), bad, "retry puts every payload back as it was");
  });

  it("registers plain { className, perform } exports as jobs, as a module run by the binary writes them", async () => {
    const resque = redis.open("plain");
    const seen: string[] = [];
    const registry = new JobRegistry();
    assert.equal(
      registry.registerModule({
        hello: {
          className: "Hello",
          perform: (n: string) => {
            seen.push(n);
          },
        },
        notAJob: { className: "X" },
      }),
      1,
    );
    await resque.enqueueTo("plain", "Hello", "world");
    await workerFor(resque, registry, "plain").work();
    assert.deepEqual(seen, ["world"]);
  });

  it("serves queues in priority order and expands globs against the queues set", async () => {
    const resque = redis.open("priority");
    const order: string[] = [];
    const job = defineJob("Track", {
      perform(tag: string) {
        order.push(tag);
      },
    });
    for (const [q, tag] of [
      ["low", "l1"],
      ["high", "h1"],
      ["low", "l2"],
      ["high", "h2"],
      ["a_other", "o1"],
      ["skip_me", "s1"],
    ])
      await resque.enqueueTo(q!, job, tag!);
    await workerFor(resque, registryOf(job), "high,low").work();
    assert.deepEqual(order, ["h1", "h2", "l1", "l2"]);
    order.length = 0;
    await resque.enqueueTo("high", job, "h3");
    await workerFor(resque, registryOf(job), "high,*,!skip_*").work();
    assert.deepEqual(order, ["h3", "o1"]);
    assert.equal(await resque.size("skip_me"), 1);
  });

  it("VERBOSE logs a line as each job starts, finishes and fails: queue, class, arguments, run time, error", async () => {
    const resque = redis.open("verbose");
    const job = defineJob("Chatty", {
      perform: (n: number) => {
        if (n === 2) throw new RangeError("two is bad");
      },
    });
    await resque.enqueueTo("talk", job, 1);
    await resque.enqueueTo("talk", job, 2);
    await resque.push("talk", { class: "Chatty", args: ["x".repeat(500)] });
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn() {}, error() {}, debug() {} };
    await workerFor(resque, registryOf(job), "talk", { log, logJobs: true }).work();
    const jobLines = lines.filter((l) => l.includes("Chatty")).map((l) => l.replace(/in \d+ ms/, "in N ms"));
    assert.deepEqual(jobLines.slice(0, 4), [
      "got: (Job{talk} | Chatty | [1])",
      "done: (Job{talk} | Chatty | [1]) in N ms",
      "got: (Job{talk} | Chatty | [2])",
      "(Job{talk} | Chatty | [2]) failed in N ms: RangeError: two is bad",
    ]);
    assert.equal(jobLines[4], `got: (Job{talk} | Chatty | ["${"x".repeat(198)}...)`, "long arguments are cut");
    const quiet: string[] = [];
    await resque.enqueueTo("talk", job, 3);
    await workerFor(resque, registryOf(job), "talk", { log: { ...log, info: (m: string) => quiet.push(m) } }).work();
    assert.deepEqual(
      quiet.filter((l) => l.includes("Chatty")),
      [],
      "no job lines unless asked",
    );
  });

  it("runs THREAD_COUNT jobs at once in one process", async () => {
    const resque = redis.open("threads");
    let active = 0;
    let peak = 0;
    const gate: (() => void)[] = [];
    const job = defineJob("Overlap", {
      async perform() {
        active++;
        peak = Math.max(peak, active);
        // Hold every job until four are in flight (or none are left to arrive).
        await new Promise<void>((resolve) => {
          gate.push(resolve);
          if (gate.length === 4) for (const r of gate.splice(0)) r();
        });
        active--;
      },
    });
    for (let i = 0; i < 8; i++) await resque.enqueueTo("t", job);
    await workerFor(resque, registryOf(job), "t", { threads: 4 }).work();
    assert.equal(peak, 4);
    assert.deepEqual(await resque.stats(), { processed: 8, failed: 0 });
  });
});

describe("worker: registry, status and lifecycle", () => {
  it("registers as a stock worker, shows its job in worker:<id>, heartbeats, and unregisters", async () => {
    const resque = redis.open("registry");
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const job = defineJob("Slow", {
      perform: (_tag: string) =>
        new Promise<void>((r) => {
          release = r;
          started();
        }),
    });
    await resque.enqueueTo("reg", job, "x");
    const hooks: string[] = [];
    const registry = registryOf(job).addWorkerHooks(
      defineWorkerHooks({
        beforeFirstFork: () => {
          hooks.push("beforeFirstFork");
        },
        queueEmpty: () => {
          hooks.push("queueEmpty");
        },
        workerExit: () => {
          hooks.push("workerExit");
        },
      }),
    );
    const worker = workerFor(resque, registry, "reg");
    const done = worker.work();
    await running;
    const k = resque.db.keys;
    const [status] = await resque.working();
    assert.equal(status?.id, worker.id);
    assert.deepEqual(parseWorkerId(worker.id).queues, ["reg"]);
    assert.equal(parseWorkerId(worker.id).pid, Number(worker.id.split(":")[1]));
    const current = JSON.parse((await resque.db.redis.get(k.worker(worker.id)))!);
    assert.deepEqual(Object.keys(current), ["queue", "run_at", "payload"]);
    assert.deepEqual(current.payload, { class: "Slow", args: ["x"] });
    assert.match(current.run_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match((await resque.db.redis.get(k.workerStarted(worker.id)))!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/);
    assert.match((await resque.db.redis.hget(k.heartbeats, worker.id))!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.deepEqual(await resque.db.redis.smembers(k.workers), [worker.id]);
    assert.equal((await resque.info()).working, 1);
    release();
    await done;
    assert.deepEqual(await resque.db.redis.smembers(k.workers), []);
    assert.equal(
      await resque.db.redis.exists(k.worker(worker.id), k.workerStarted(worker.id), k.workerProcessed(worker.id), k.inflight(worker.id)),
      0,
    );
    assert.equal(await resque.db.redis.hget(k.heartbeats, worker.id), null);
    assert.deepEqual(hooks, ["beforeFirstFork", "queueEmpty", "workerExit"]);
  });

  it("takes nothing while pause-all-workers is set, then resumes", async () => {
    const resque = redis.open("paused");
    const done: number[] = [];
    const job = defineJob("P", {
      perform(n: number) {
        done.push(n);
      },
    });
    await resque.enqueueTo("p", job, 1);
    await resque.pause();
    const worker = workerFor(resque, registryOf(job), "p", { interval: 0.05 });
    const work = worker.work();
    // Let it poll several times while paused.
    for (let i = 0; i < 5; i++) await resque.db.redis.ping();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(done, []);
    assert.equal(await resque.size("p"), 1);
    await resque.resume();
    while (done.length === 0) await new Promise((r) => setTimeout(r, 20));
    worker.shutdown();
    await work;
    assert.deepEqual(done, [1]);
  });

  /** Dead workers of every kind, as a test's starting point; returns their ids. */
  async function deadWorkers(resque: ReturnType<typeof redis.open>) {
    const k = resque.db.keys;
    const r = resque.db.redis;
    const host = (await import("node:os")).hostname();
    const job = '{"queue":"pq","run_at":"2026-11-23T07:54:37Z","payload":{"class":"Lost","args":[1]}}';
    // A dead stock worker on this host (pid that cannot exist), same queues, running a job.
    const dead = `${host}:999999999:pq`;
    await r.sadd(k.workers, dead);
    await r.set(k.worker(dead), job);
    // A stock worker elsewhere whose heartbeat expired long ago.
    const expired = "otherhost:42:pq";
    await r.sadd(k.workers, expired);
    await r.hset(k.heartbeats, expired, "2000-01-01T00:00:00+00:00");
    await r.set(k.worker(expired), job.replace("Lost", "AlsoLost"));
    // One of ours that died with two jobs in flight (its in-flight list, with worker:<id> showing the oldest).
    const ours = `${host}:999999998:pq`;
    const entries = [job.replace("Lost", "Ours1"), job.replace("Lost", "Ours2")];
    await r.sadd(k.workers, ours);
    await r.rpush(k.inflight(ours), ...entries);
    await r.set(k.worker(ours), entries[0]!);
    // One of ours that a stock worker already pruned: only its in-flight list is left.
    const orphan = `${host}:999999997:pq`;
    await r.rpush(k.inflight(orphan), job.replace("Lost", "Orphaned"));
    // A live worker on another host, fresh heartbeat: must stay.
    const alive = "otherhost:43:pq";
    await r.sadd(k.workers, alive);
    await r.hset(k.heartbeats, alive, new Date().toISOString().replace(/\.\d+Z$/, "+00:00"));
    await r.rpush(k.queue("pq"), '{"class":"AlreadyQueued","args":[]}');
    return { dead, expired, ours, orphan, alive };
  }

  const prune = (resque: ReturnType<typeof redis.open>, recovery: RecoveryPolicy) =>
    pruneDeadWorkers({
      db: resque.db,
      id: "pruner:1:pq",
      hostname: hostname(),
      queues: ["pq"],
      processes: () => currentRuntime().processes(),
      heartbeatInterval: 60,
      pruneInterval: 300,
      recovery,
    });

  it("prunes dead workers by stock's rules: our in-flight jobs go back to the head of their queue, in order", async () => {
    const resque = redis.open("prune");
    const k = resque.db.keys;
    const r = resque.db.redis;
    const { dead, expired, ours, orphan, alive } = await deadWorkers(resque);
    const pruned = await prune(resque, { mode: "reliable", limit: 3 });
    assert.deepEqual(pruned.sort(), [dead, expired, ours, orphan].sort());
    assert.deepEqual(await r.smembers(k.workers), [alive]);
    const queued = (await r.lrange(k.queue("pq"), 0, -1)).map((p) => JSON.parse(p).class);
    assert.deepEqual(queued.slice(-1), ["AlreadyQueued"]);
    assert.deepEqual(
      queued.filter((c) => c.startsWith("Ours")),
      ["Ours1", "Ours2"],
      "our jobs, in the order taken",
    );
    assert.ok(queued.includes("Orphaned"), "the orphaned list's job is back too");
    assert.equal(await r.exists(k.inflight(ours), k.worker(ours), k.inflight(orphan)), 0);
    assert.deepEqual(Object.values(await r.hgetall(k.recoveries)), ["1", "1", "1"], "each recovery counted once");
    // Stock workers' jobs were popped by stock: they can only be recorded, as stock does.
    const byError = Object.fromEntries((await failures(resque)).map((f) => [f.exception, f]));
    assert.deepEqual(Object.keys(byError).sort(), ["Resque::DirtyExit", "Resque::PruneDeadWorkerDirtyExit"]);
    assert.equal(byError["Resque::DirtyExit"].error, "Job still being processed");
    assert.equal(byError["Resque::DirtyExit"].worker, dead);
    assert.deepEqual(byError["Resque::DirtyExit"].payload, { class: "Lost", args: [1] });
    assert.equal(byError["Resque::PruneDeadWorkerDirtyExit"].error, `Worker ${expired} did not gracefully exit while processing AlsoLost`);
    assert.equal(await r.get(k.failedCount), null, "stock does not count these in stat:failed");
  });

  it("FETCH=at-most-once prunes as stock does: our in-flight jobs become DirtyExit records", async () => {
    const resque = redis.open("prune-amo");
    const r = resque.db.redis;
    const { ours } = await deadWorkers(resque);
    await prune(resque, { mode: "at-most-once", limit: 3 });
    const ourRecords = (await failures(resque)).filter((f) => f.worker === ours);
    assert.deepEqual(
      ourRecords.map((f) => [f.exception, f.payload.class]),
      [
        ["Resque::DirtyExit", "Ours1"],
        ["Resque::DirtyExit", "Ours2"],
      ],
    );
    assert.deepEqual(await r.lrange(resque.db.keys.queue("pq"), 0, -1), ['{"class":"AlreadyQueued","args":[]}']);
  });

  it("takes stock's prune lock when it starts", async () => {
    const resque = redis.open("prune-lock");
    await workerFor(resque, new JobRegistry(), "pq").work();
    assert.equal((await resque.db.redis.get(resque.db.keys.pruneLock)) !== null, true);
  });

  it("loses nothing and records nothing twice when its connection is killed mid-run", async () => {
    const resque = redis.open("clientkill");
    const performed = new Map<number, number>();
    const job = defineJob("Count", {
      async perform(n: number) {
        performed.set(n, (performed.get(n) ?? 0) + 1);
        if (n % 50 === 0) await resque.db.redis.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        if (n % 7 === 0) throw new Error(`seven ${n}`);
      },
    });
    const total = 400;
    await resque.pushMany(
      "ck",
      Array.from({ length: total }, (_, n) => `{"class":"Count","args":[${n}]}`),
    );
    await workerFor(resque, registryOf(job), "ck", { threads: 4 }).work();
    const missing = Array.from({ length: total }, (_, n) => n).filter((n) => !performed.has(n));
    const twice = [...performed].filter(([, c]) => c > 1).map(([n]) => n);
    assert.deepEqual(missing, []);
    assert.deepEqual(twice, []);
    const recorded = await failures(resque);
    const failedIds = recorded.map((f) => f.payload.args[0]).sort((a: number, b: number) => a - b);
    assert.deepEqual(
      failedIds,
      Array.from({ length: total }, (_, n) => n).filter((n) => n % 7 === 0),
    );
    assert.deepEqual(
      recorded.filter((f) => f.exception !== "Error").map((f) => `${f.exception} ${f.payload.args[0]}`),
      [],
    );
    assert.deepEqual(await resque.stats(), { processed: total, failed: failedIds.length });
  });
});
