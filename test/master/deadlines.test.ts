import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import type { ProcessInfo } from "../../src/runtime/types.ts";
import { pruneDeadWorkers } from "../../src/worker/prune.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";

const redis = useRedis();
type Client = ReturnType<typeof redis.open>;
const failures = async (resque: Client) => (await resque.db.redis.lrange(resque.db.keys.failed, 0, -1)).map((r) => JSON.parse(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Poll until `ok` holds (a bounded wait, not a timing assertion). */
async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++)
    if (await ok()) return;
    else await sleep(25);
  assert.fail(`gave up waiting until ${what}`);
}
/** Whatever the job does, after its first run nothing of it is left in Redis but its outcome. */
async function assertNothingLeft(resque: Client, queue: string) {
  const k = resque.db.keys;
  assert.equal(await resque.size(queue), 0);
  assert.deepEqual(await resque.db.redis.keys(k.inflight("*")), []);
  assert.deepEqual(await resque.db.redis.smembers(k.workers), []);
}
const never = () => new Promise<void>(() => {});
/** A pid no process can have (Linux's pid_max is at most 2^22). */
const NO_PID = 2 ** 22 + 123;
const entry = (cls: string, arg: number) => `{"queue":"q","run_at":"2026-01-01T00:00:00Z","payload":{"class":"${cls}","args":[${arg}]}}`;

describe("deadlines", () => {
  it("unsupervised: fails a job that never settles as Resque::JobTimeout, abandons it and finishes", async () => {
    const resque = redis.open("dl-stuck");
    let signal: AbortSignal | undefined;
    const job = defineJob("Stuck", {
      timeout: 0.3,
      perform(_id: number) {
        signal = this.signal;
        return never();
      },
    });
    await resque.enqueueTo("dl", job, 1);
    await workerFor(resque, registryOf(job), "dl").work();
    const recorded = await failures(resque);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].exception, "Resque::JobTimeout");
    assert.match(recorded[0].error, /^Stuck ran longer than its 0\.3 s timeout.*did not stop when its signal aborted and was abandoned/);
    assert.deepEqual(recorded[0].payload, { class: "Stuck", args: [1] });
    assert.equal(signal?.aborted, true);
    await assertNothingLeft(resque, "dl");
    assert.deepEqual(await resque.stats(), { processed: 1, failed: 1 });
  });

  it("cooperative: a job that rejects on abort is a JobTimeout, one that resolves is done, a quick one is never aborted", async () => {
    const resque = redis.open("dl-coop");
    const aborted = (signal: AbortSignal) =>
      new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    const rejecting = defineJob("Coop", {
      timeout: 0.3,
      async perform(_id: number) {
        await aborted(this.signal);
        throw this.signal.reason;
      },
    });
    const resolving = defineJob("Polite", {
      timeout: 0.3,
      async perform(_id: number) {
        await aborted(this.signal);
      },
    });
    const seen: { signal: AbortSignal; timeout: number | undefined; queue: string; className: string }[] = [];
    const quick = defineJob("Quick", {
      timeout: 30,
      perform(_id: number) {
        seen.push({ signal: this.signal, timeout: this.timeout, queue: this.queue, className: this.className });
      },
    });
    await resque.enqueueTo("dl", rejecting, 1);
    await resque.enqueueTo("dl", resolving, 2);
    await resque.enqueueTo("dl", quick, 3);
    await workerFor(resque, registryOf(rejecting, resolving, quick), "dl").work();
    const recorded = await failures(resque);
    assert.deepEqual(
      recorded.map((f) => [f.exception, f.payload.class]),
      [["Resque::JobTimeout", "Coop"]],
    );
    assert.match(
      recorded[0].error,
      /^Coop ran longer than its 0\.3 s timeout.*it stopped when its signal aborted \(TimeoutError: Coop passed its 0\.3 s timeout\)/,
    );
    assert.equal(seen.length, 1);
    assert.deepEqual({ ...seen[0], signal: seen[0]!.signal.aborted }, { signal: false, timeout: 30, queue: "dl", className: "Quick" });
    await assertNothingLeft(resque, "dl");
    assert.deepEqual(await resque.stats(), { processed: 3, failed: 1 });
  });

  it("a job that rejects with an undescribable value after its deadline is still one JobTimeout record", async () => {
    const resque = redis.open("dl-coop-proxy");
    const trap = () => {
      throw new Error("trap");
    };
    const job = defineJob("CoopProxy", {
      timeout: 0.3,
      async perform(_id: number) {
        await new Promise<void>((resolve) => this.signal.addEventListener("abort", () => resolve(), { once: true }));
        throw new Proxy({}, new Proxy({}, { get: () => trap }));
      },
    });
    await resque.enqueueTo("dl", job, 1);
    await workerFor(resque, registryOf(job), "dl").work();
    const recorded = await failures(resque);
    assert.deepEqual(
      recorded.map((f) => [f.exception, f.payload.class]),
      [["Resque::JobTimeout", "CoopProxy"]],
    );
    assert.match(recorded[0].error, /^CoopProxy ran longer than its 0\.3 s timeout.*stopped when its signal aborted/);
    await assertNothingLeft(resque, "dl");
    assert.deepEqual(await resque.stats(), { processed: 1, failed: 1 });
  });

  it("JOB_TIMEOUT (jobTimeout) applies to jobs without a timeout; a job's own timeout overrides it", async () => {
    const resque = redis.open("dl-default");
    const plain = defineJob("Plain", {
      perform(_id: number) {
        return never();
      },
    });
    await resque.enqueueTo("dl", plain, 1);
    await workerFor(resque, registryOf(plain), "dl", { jobTimeout: 0.3 }).work();
    const [byDefault] = await failures(resque);
    assert.equal(byDefault.exception, "Resque::JobTimeout");
    assert.match(byDefault.error, /^Plain ran longer than its 0\.3 s timeout/);

    // Shorter than the default: the job's own limit is the one enforced.
    const own = defineJob("Own", {
      timeout: 0.3,
      perform(_id: number) {
        return never();
      },
    });
    await resque.enqueueTo("dl", own, 2);
    await workerFor(resque, registryOf(own), "dl", { jobTimeout: 600 }).work();
    assert.match((await failures(resque))[1]?.error, /^Own ran longer than its 0\.3 s timeout/);

    // Longer than the default: the job outlives the default (and its grace) untouched.
    let result: { aborted: boolean; timeout: number | undefined } | undefined;
    const patient = defineJob("Patient", {
      timeout: 30,
      async perform(_id: number) {
        await sleep(1600);
        result = { aborted: this.signal.aborted, timeout: this.timeout };
      },
    });
    await resque.enqueueTo("dl", patient, 3);
    await workerFor(resque, registryOf(patient), "dl", { jobTimeout: 0.3 }).work();
    assert.deepEqual(result, { aborted: false, timeout: 30 });
    assert.equal((await failures(resque)).length, 2);
    assert.deepEqual(await resque.stats(), { processed: 3, failed: 2 });
  });

  it("retryOnTimeout puts the job back counted toward RECOVERY_LIMIT instead of failing it", async () => {
    const resque = redis.open("dl-retry");
    const k = resque.db.keys;
    let runs = 0;
    const job = defineJob("Retry", {
      timeout: 0.3,
      retryOnTimeout: true,
      perform(_id: number) {
        runs++;
        return runs === 1 ? never() : undefined;
      },
    });
    await resque.enqueueTo("dl", job, 1);
    // One job per run (JOBS_PER_FORK=1), so the put-back job is left in its queue to look at.
    await workerFor(resque, registryOf(job), "dl", { maxJobs: 1 }).work();
    assert.equal(runs, 1);
    assert.deepEqual(await failures(resque), []);
    assert.deepEqual(await resque.db.redis.lrange(k.queue("dl"), 0, -1), ['{"class":"Retry","args":[1]}']);
    assert.deepEqual(Object.values(await resque.db.redis.hgetall(k.recoveries)), ["1"]);
    assert.deepEqual(await resque.db.redis.keys(k.inflight("*")), []);
    await workerFor(resque, registryOf(job), "dl").work();
    assert.equal(runs, 2);
    assert.deepEqual(await failures(resque), []);
    assert.deepEqual(await resque.db.redis.hgetall(k.recoveries), {}, "finishing clears its count");
    await assertNothingLeft(resque, "dl");

    // In one run with INTERVAL=0: timed out, put back, taken again and finished.
    runs = 0;
    await resque.enqueueTo("dl", job, 2);
    await workerFor(resque, registryOf(job), "dl").work();
    assert.equal(runs, 2);
    assert.deepEqual(await failures(resque), []);
    await assertNothingLeft(resque, "dl");
  });

  it("records one readable failure for every shape of thrown value, and goes on", async () => {
    const resque = redis.open("dl-shapes");
    const trap = () => {
      throw new Error("trap");
    };
    const shapes: Record<string, () => unknown> = {
      nullProto: () => Object.create(null),
      messageGetter: () => Object.defineProperty(new Error("m"), "message", { get: trap }),
      nameGetter: () => Object.defineProperty(new Error("named"), "name", { get: trap }),
      stackGetter: () => Object.defineProperty({}, "stack", { get: trap }),
      proxy: () => new Proxy({}, new Proxy({}, { get: () => trap })),
      undefined: () => undefined,
      string: () => "just a string",
    };
    const ran: string[] = [];
    const thrower = defineJob("Thrower", {
      perform(kind: string) {
        throw shapes[kind]!();
      },
    });
    const normal = defineJob("Normal", {
      perform() {
        ran.push("normal");
      },
    });
    for (const kind of Object.keys(shapes)) await resque.enqueueTo("dl", thrower, kind);
    await resque.enqueueTo("dl", normal);
    await workerFor(resque, registryOf(thrower, normal), "dl").work();
    assert.deepEqual(ran, ["normal"]);
    const recorded = await failures(resque);
    assert.deepEqual(
      recorded.map((f) => f.payload.args[0]),
      Object.keys(shapes),
    );
    for (const f of recorded) {
      assert.ok(typeof f.exception === "string" && f.exception.length > 0, `exception of ${f.payload.args[0]}: ${f.exception}`);
      assert.ok(typeof f.error === "string" && f.error.length > 0, `error of ${f.payload.args[0]}: ${f.error}`);
      assert.ok(Array.isArray(f.backtrace));
    }
    const byKind = Object.fromEntries(recorded.map((f) => [f.payload.args[0], [f.exception, f.error]]));
    assert.match(byKind["nullProto"][1], /null-prototype object/);
    assert.match(byKind["messageGetter"][1], /message could not be read/);
    assert.deepEqual(byKind["nameGetter"], ["Error", "named"]);
    assert.deepEqual(byKind["undefined"], ["Error", "undefined"]);
    assert.deepEqual(byKind["string"], ["Error", "just a string"]);
    await assertNothingLeft(resque, "dl");
    assert.deepEqual(await resque.stats(), { processed: 8, failed: 7 });
  });
});

describe("registration and recovery", () => {
  it("registers again when its registration disappears mid-job, and finishes normally", async () => {
    const resque = redis.open("dl-rereg");
    const k = resque.db.keys;
    const r = resque.db.redis;
    const hold = `${k.prefix}test-hold`;
    await r.set(hold, "1");
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const job = defineJob("Held", {
      async perform(_id: number) {
        started();
        while ((await r.exists(hold)) === 1) await sleep(20);
      },
    });
    await resque.enqueueTo("dl", job, 1);
    const worker = workerFor(resque, registryOf(job), "dl", { registrationCheck: 0.2 });
    const done = worker.work();
    await running;
    const startedAt = await r.get(k.workerStarted(worker.id));
    // What a stock prune (or Redis losing its registry) leaves: no registration, no heartbeat.
    await r.pipeline().srem(k.workers, worker.id).del(k.workerStarted(worker.id)).hdel(k.heartbeats, worker.id).exec();
    await until("the worker registers again", async () => (await r.sismember(k.workers, worker.id)) === 1);
    assert.equal(await r.get(k.workerStarted(worker.id)), startedAt, "with its original start time");
    await until("its heartbeat is back", async () => (await r.hget(k.heartbeats, worker.id)) !== null);
    assert.equal(await r.llen(k.inflight(worker.id)), 1);
    await r.del(hold);
    await done;
    await assertNothingLeft(resque, "dl");
    assert.deepEqual(await failures(resque), []);
    assert.deepEqual(await resque.stats(), { processed: 1, failed: 0 });
  });

  it("at start-up puts back the in-flight jobs of this host's dead workers, without the prune lock", async () => {
    const resque = redis.open("dl-startup");
    const k = resque.db.keys;
    const r = resque.db.redis;
    // Someone else holds the prune lock, and the dead worker's queues differ: only start-up recovery can act.
    await r.set(k.pruneLock, "someone-else:1:q", "EX", 60);
    const registered = `${hostname()}:${NO_PID}:q,other`;
    await r.sadd(k.workers, registered);
    await r.rpush(k.inflight(registered), entry("X", 1));
    await r.set(k.worker(registered), entry("X", 1));
    const unregistered = `${hostname()}:${NO_PID + 1}:q`;
    await r.rpush(k.inflight(unregistered), entry("X", 2));
    const seen: number[] = [];
    const job = defineJob("X", {
      perform(n: number) {
        seen.push(n);
      },
    });
    await workerFor(resque, registryOf(job), "q").work();
    assert.deepEqual(seen.sort(), [1, 2]);
    assert.deepEqual(await failures(resque), []);
    assert.equal(await r.exists(k.worker(registered), k.inflight(registered), k.inflight(unregistered)), 0);
    await assertNothingLeft(resque, "q");
  });

  it("never prunes a worker whose pid is a live resque process on this host, however old its heartbeat", async () => {
    const resque = redis.open("dl-alive");
    const k = resque.db.keys;
    const r = resque.db.redis;
    const live = `${hostname()}:${NO_PID + 2}:q`;
    await r.sadd(k.workers, live);
    await r.hset(k.heartbeats, live, "2000-01-01T00:00:00+00:00");
    await r.rpush(k.inflight(live), entry("Busy", 1));
    // Unregistered, and already seen as an orphan long ago: still not recovered while its pid lives.
    const liveOrphan = `${hostname()}:${NO_PID + 3}:q`;
    await r.rpush(k.inflight(liveOrphan), entry("Busy", 2));
    await r.hset(k.orphans, liveOrphan, "0");
    const prune = (processes: () => ProcessInfo[]) =>
      pruneDeadWorkers({
        db: resque.db,
        id: "pruner:1:q",
        hostname: hostname(),
        queues: ["q"],
        processes,
        heartbeatInterval: 1,
        pruneInterval: 1,
        takeLock: false,
      });
    const alive = [NO_PID + 2, NO_PID + 3].map((pid) => ({ pid, command: "resque-0.1.0: Waiting for q" }));
    assert.deepEqual(await prune(() => alive), []);
    assert.deepEqual(await r.smembers(k.workers), [live]);
    assert.equal(await r.llen(k.inflight(live)), 1);
    assert.equal(await r.llen(k.inflight(liveOrphan)), 1);
    assert.equal(await resque.size("q"), 0);
    // The control: once those processes are gone, the same prune recovers both. (The look above
    // forgot the orphan's first sighting, as it does for any list whose owner lives; seen long ago again.)
    await r.hset(k.orphans, liveOrphan, "0");
    assert.deepEqual((await prune(() => [])).sort(), [live, liveOrphan].sort());
    assert.deepEqual((await r.lrange(k.queue("q"), 0, -1)).sort(), ['{"class":"Busy","args":[1]}', '{"class":"Busy","args":[2]}']);
  });

  it("recovers an orphaned in-flight list only on a later look, past the grace, if still unregistered", async () => {
    const resque = redis.open("dl-orphan");
    const k = resque.db.keys;
    const r = resque.db.redis;
    const orphan = "elsewhere:77:q";
    const comesBack = "elsewhere:78:q";
    await r.rpush(k.inflight(orphan), entry("Lost", 1));
    await r.rpush(k.inflight(comesBack), entry("Kept", 2));
    const prune = () =>
      pruneDeadWorkers({
        db: resque.db,
        id: "pruner:1:q",
        hostname: hostname(),
        queues: ["q"],
        processes: () => [],
        heartbeatInterval: 1,
        pruneInterval: 300,
        takeLock: false,
      });
    assert.deepEqual(await prune(), []);
    assert.equal(await r.llen(k.inflight(orphan)), 1);
    const firstSeen = await r.hgetall(k.orphans);
    assert.deepEqual(Object.keys(firstSeen).sort(), [orphan, comesBack]);
    // A second look at once is still within the grace: nothing recovered, first sightings kept.
    assert.deepEqual(await prune(), []);
    assert.deepEqual(await r.hgetall(k.orphans), firstSeen);
    assert.equal(await resque.size("q"), 0);
    // One registers again between the looks, as a live worker does after Redis lost its registry.
    await r.sadd(k.workers, comesBack);
    // Time passes: the first sightings move a minute back (past any grace) instead of the test waiting.
    for (const [id, at] of Object.entries(firstSeen)) await r.hset(k.orphans, id, String(Number(at) - 60));
    assert.deepEqual(await prune(), [orphan]);
    assert.deepEqual(await r.lrange(k.queue("q"), 0, -1), ['{"class":"Lost","args":[1]}']);
    assert.equal(await r.exists(k.inflight(orphan)), 0);
    assert.equal(await r.llen(k.inflight(comesBack)), 1);
    assert.deepEqual(await r.hgetall(k.orphans), {}, "both forgotten: one recovered, one registered");
  });
});
