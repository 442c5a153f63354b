// The scheduler process: resque-scheduler's leader lock and the promotion of due delayed jobs.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import { defineJob, float } from "../../src/index.ts";
import { encodeDelayedItem } from "../../src/protocol/delayed.ts";
import { currentRuntime, detectRuntimeName } from "../../src/runtime/detect.ts";
import { Scheduler, type SchedulerOptions } from "../../src/scheduler/scheduler.ts";
import { drainDue } from "../../src/scheduler/promote.ts";
import { openDb, type Db } from "../../src/store/connection.ts";
import { pushDelayed } from "../../src/store/delayed.ts";
import { registryOf, useRedis } from "../support/fixture.ts";
import { rubySchedulerSkip, schedulerRb } from "../support/ruby-scheduler.ts";
import { eventually, exited } from "../support/spawn-cli.ts";

const redis = useRedis();
const root = new URL("../../", import.meta.url).pathname;
type Resque = ReturnType<typeof redis.open>;

const someJob = defineJob("SomeJob", { queue: "jobq", perform(..._args: unknown[]) {} });
const QUIET = { info() {}, warn() {}, error() {} };
const PAST = Math.floor(Date.now() / 1000) - 60;
const FUTURE = Math.floor(Date.now() / 1000) + 86_400;

const dbs: Db[] = [];
function dbOf(resque: Resque): Db {
  const db = openDb({ redis: redis.server().url, namespace: resque.db.keys.namespace });
  dbs.push(db);
  return db;
}

/** A scheduler on its own connection; by default its clock is a day ahead, so FUTURE items are due. */
function schedulerOf(resque: Resque, options: Partial<SchedulerOptions> = {}): Scheduler {
  return new Scheduler({
    db: dbOf(resque),
    runtime: currentRuntime(),
    interval: 0.02,
    log: QUIET,
    now: () => (FUTURE + 1) * 1000,
    ...options,
  });
}

/** `count` delayed SomeJob items with args [i], spread over `stamps` timestamps from `ts`. */
async function delayMany(resque: Resque, ts: number, count: number, stamps = 10): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        pushDelayed(resque.db, ts + ((i + j) % stamps), encodeDelayedItem("SomeJob", [i + j], "jobq")),
      ),
    );
  }
}

/**
 * Items [from, to) in one MULTI, as delayed_push writes them: a Ruby leader (redis-rb 5) draining while
 * we still write to the same list would abort its WATCH and push duplicates itself (reference §3.4).
 */
async function delayAtomically(resque: Resque, from: number, to: number): Promise<void> {
  const k = resque.db.keys;
  const multi = resque.db.redis.multi();
  for (let i = from; i < to; i++) {
    const ts = PAST + (i % 10);
    const item = encodeDelayedItem("SomeJob", [i], "jobq");
    multi.rpush(k.delayed(ts), item).sadd(k.timestamps(item), `delayed:${ts}`).zadd(k.delayedSchedule, ts, String(ts));
  }
  await multi.exec();
}

/** Every payload in queue:jobq is distinct and the args cover 0..count-1. */
async function assertExactlyOnce(resque: Resque, count: number): Promise<void> {
  const payloads = await resque.db.redis.lrange(resque.db.keys.queue("jobq"), 0, -1);
  assert.equal(payloads.length, count, "pushed count");
  assert.equal(new Set(payloads).size, count, "no duplicates");
  const args = payloads.map((p) => (JSON.parse(p) as { args: number[] }).args[0]!).sort((a, b) => a - b);
  assert.deepEqual(
    args,
    Array.from({ length: count }, (_, i) => i),
    "none lost",
  );
}

async function leftovers(resque: Resque): Promise<string[]> {
  const keys = await resque.db.redis.keys(`${resque.db.keys.prefix}*`);
  return keys.filter((k) => !k.endsWith(":queues") && !k.includes(":queue:")).sort();
}

/** The scheduler command as a child process under this test's runtime (test/fixtures/scheduler-cli.ts). */
function spawnScheduler(resque: Resque, env: Record<string, string> = {}): ChildProcess {
  const entry = `${root}test/fixtures/scheduler-cli.ts`;
  const argv = { node: ["--import", "tsx", entry], bun: [entry], deno: ["run", "-A", entry] }[detectRuntimeName()];
  const child = spawn(process.execPath, argv, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
      RESQUE_SCHEDULER_INTERVAL: "0.05",
      ...env,
    },
  });
  children.push(child);
  return child;
}
const children: ChildProcess[] = [];
// Deno's child.kill() sends only once per child and then misreports the exit: use process.kill.
const signal = (child: ChildProcess, name: NodeJS.Signals): void => void process.kill(child.pid!, name);
const lockKey = (resque: Resque): string => resque.db.keys.schedulerLock();

describe("scheduler", () => {
  it("uses resque-scheduler's lock key: the namespace twice, then the prefix", () => {
    const resque = redis.open("sch-key");
    const ns = resque.db.keys.namespace;
    assert.equal(resque.db.keys.schedulerLock(), `${ns}:${ns}:resque_scheduler_master_lock`);
    assert.equal(resque.db.keys.schedulerLock("MyApp"), `${ns}:${ns}:MyApp:resque_scheduler_master_lock`);
  });

  it("promotes due items from our client byte-exact, cleans up, and leaves future ones", async () => {
    const resque = redis.open("sch-ours");
    const sample = [1, "a", { b: float(2), c: null }, 1152921504606846976n, float(1.5e20), "x/yé<>&"];
    await resque.enqueueAt(FUTURE, someJob, ...sample);
    await resque.enqueueAt(FUTURE, someJob, ...sample);
    await resque.enqueueAtWithQueue("other", FUTURE - 5, someJob, 2);
    await resque.enqueueAt(FUTURE + 100, someJob, "later");
    const scheduler = schedulerOf(resque);
    await scheduler.tick();
    assert.equal(scheduler.leader, true);
    const expected = '{"class":"SomeJob","args":[1,"a",{"b":2.0,"c":null},1152921504606846976,1.5e+20,"x/yé<>&"]}';
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("jobq"), 0, -1), [expected, expected]);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("other"), 0, -1), ['{"class":"SomeJob","args":[2]}']);
    assert.deepEqual((await resque.queues()).sort(), ["jobq", "other"]);
    const later = encodeDelayedItem("SomeJob", ["later"], "jobq");
    const k = resque.db.keys;
    assert.deepEqual(await leftovers(resque), [k.delayed(FUTURE + 100), k.delayedSchedule, lockKey(resque), k.timestamps(later)].sort());
    const status = await resque.schedulerStatus();
    assert.equal(status.leader, scheduler.lock.value);
    assert.deepEqual([status.dueJobs, status.lagSeconds], [0, 0]);
  });

  it("uses a registered job's queue for items without one, drops undecodable items, and runs promotion hooks in resque-scheduler's order", async () => {
    const resque = redis.open("sch-hooks");
    const calls: string[] = [];
    const hooked = defineJob("Hooked", {
      queue: "hq",
      perform(..._args: unknown[]) {},
      beforeSchedule: () => void calls.push("beforeSchedule"),
      beforeDelayedEnqueue: () => void calls.push("beforeDelayedEnqueue"),
      beforeEnqueue: () => void calls.push("beforeEnqueue"),
      afterEnqueue: () => void calls.push("afterEnqueue"),
      afterSchedule: () => void calls.push("afterSchedule"),
    });
    const plain = defineJob("Plain", { queue: "pq", perform() {} });
    await pushDelayed(resque.db, PAST, encodeDelayedItem("Hooked", [7, float(2)], "hq"));
    await pushDelayed(resque.db, PAST, encodeDelayedItem("Plain", [], null));
    await pushDelayed(resque.db, PAST, "not json");
    await pushDelayed(resque.db, PAST, encodeDelayedItem("Unknown", [], null));
    const errors: string[] = [];
    const scheduler = schedulerOf(resque, { registry: registryOf(hooked, plain), log: { ...QUIET, error: (m) => errors.push(m) } });
    await scheduler.tick();
    assert.deepEqual(calls, ["beforeSchedule", "beforeDelayedEnqueue", "beforeEnqueue", "afterEnqueue", "afterSchedule"]);
    assert.deepEqual(
      await resque.db.redis.lrange(resque.db.keys.queue("hq"), 0, -1),
      ['{"class":"Hooked","args":[7,2.0]}'],
      "Ruby's float form kept through the hooks",
    );
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("pq"), 0, -1), ['{"class":"Plain","args":[]}']);
    assert.equal(errors.length, 2, errors.join("\n"));
    assert.deepEqual(await leftovers(resque), [lockKey(resque)]);
  });

  it("renews the lock between batches and stops promoting as soon as the lock is no longer ours", async () => {
    const resque = redis.open("sch-renew");
    let seen = 0;
    const thief = defineJob("Thief", {
      queue: "tq",
      perform(..._args: unknown[]) {},
      // The third promotion hands the lock to someone else, as an expiry plus another leader would.
      beforeSchedule: async () => void (++seen === 3 && (await resque.db.redis.set(lockKey(resque), "intruder:9"))),
    });
    for (let i = 0; i < 8; i++) await pushDelayed(resque.db, PAST, encodeDelayedItem("Thief", [i], "tq"));
    const scheduler = schedulerOf(resque, { registry: registryOf(thief), batchSize: 1, lockTimeout: 100 });
    await scheduler.tick();
    assert.equal(scheduler.leader, false);
    assert.equal(await resque.size("tq"), 3, "three promoted before the loss was seen");
    assert.equal(await resque.delayedTimestampSize(PAST), 5, "the rest wait for the new leader");
    assert.equal(await resque.db.redis.get(lockKey(resque)), "intruder:9", "never released what is not ours");
  });

  it("warns when the oldest due job waits past the lag threshold, and schedulerStatus reports the backlog", async () => {
    const resque = redis.open("sch-lag");
    await delayMany(resque, PAST, 30, 3);
    const status = await resque.schedulerStatus();
    assert.equal(status.leader, null);
    assert.deepEqual([status.dueTimestamps, status.dueJobs], [3, 30]);
    assert.ok(status.lagSeconds >= 60, `lag ${status.lagSeconds}`);
    const warnings: string[] = [];
    await schedulerOf(resque, { now: Date.now, lagWarn: 30, log: { ...QUIET, warn: (m) => warnings.push(m) } }).tick();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /late/);
    assert.equal((await resque.schedulerStatus()).dueJobs, 0);
  });

  it("two drains at once, with items added and removed meanwhile: each item is pushed exactly once", async () => {
    const resque = redis.open("sch-race");
    await delayMany(resque, PAST, 2000, 3);
    const drain = (db: Db) =>
      drainDue({
        db,
        registry: registryOf(),
        batchSize: 7,
        now: PAST + 10,
        stillLeader: () => Promise.resolve(true),
        stopping: () => false,
        log: QUIET,
      });
    const removed: number[] = [];
    const meddle = (async () => {
      for (let i = 2000; i < 2100; i++) await pushDelayed(resque.db, PAST + (i % 3), encodeDelayedItem("SomeJob", [i], "jobq"));
      for (let i = 1999; i >= 1900; i--) if ((await resque.removeDelayed(someJob, i)) > 0) removed.push(i);
    })();
    await Promise.all([drain(dbOf(resque)), drain(dbOf(resque)), meddle]);
    await drain(dbOf(resque)); // what was added after both drains had passed
    const payloads = await resque.db.redis.lrange(resque.db.keys.queue("jobq"), 0, -1);
    assert.equal(new Set(payloads).size, payloads.length, "no duplicates");
    const pushed = new Set(payloads.map((p) => (JSON.parse(p) as { args: number[] }).args[0]));
    for (let i = 0; i < 2100; i++) assert.equal(pushed.has(i), !removed.includes(i), `item ${i}: pushed xor removed`);
    assert.deepEqual(await leftovers(resque), []);
  });

  it("two schedulers at once: exactly one holds the lock, and each of 2,000 due jobs is pushed exactly once", async () => {
    const resque = redis.open("sch-two");
    await delayMany(resque, PAST, 2000);
    const a = schedulerOf(resque, { lockValue: "host-a:1", batchSize: 50 });
    const b = schedulerOf(resque, { lockValue: "host-b:2", batchSize: 50 });
    const runs = [a.run(), b.run()];
    await eventually(async () => (await resque.size("jobq")) === 2000 && (await resque.delayedQueueScheduleSize()) === 0, "all promoted");
    const holder = await resque.db.redis.get(lockKey(resque));
    assert.ok(holder === "host-a:1" || holder === "host-b:2", `holder ${holder}`);
    assert.deepEqual([a.leader, b.leader].filter(Boolean), [true], "exactly one leads");
    assert.equal((holder === "host-a:1" ? a : b).leader, true);
    assert.ok((await resque.db.redis.ttl(lockKey(resque))) > 0, "the lock has a TTL");
    await assertExactlyOnce(resque, 2000);
    a.stop();
    b.stop();
    await Promise.all(runs);
    assert.equal(await resque.db.redis.get(lockKey(resque)), null, "released on stop");
  });

  it("QUIT makes the leader release the lock at once and exit 0", async () => {
    const resque = redis.open("sch-quit");
    const child = spawnScheduler(resque);
    const value = await eventually(() => resque.db.redis.get(lockKey(resque)), "the child to lead");
    assert.match(value!, new RegExp(`:${child.pid}$`));
    signal(child, "SIGQUIT");
    assert.equal(await exited(child), 0);
    assert.equal(await resque.db.redis.get(lockKey(resque)), null);
  });

  it("a follower takes over within the lock timeout when the leader is SIGKILLed, and promotes the rest", async () => {
    const resque = redis.open("sch-kill");
    const env = { LOCK_TIMEOUT: "2" };
    const first = spawnScheduler(resque, env);
    await eventually(async () => (await resque.db.redis.get(lockKey(resque)))?.endsWith(`:${first.pid}`), "the first child to lead");
    const second = spawnScheduler(resque, env);
    await delayMany(resque, PAST, 500);
    await eventually(async () => (await resque.size("jobq")) === 500, "the first batch promoted");
    signal(first, "SIGKILL");
    await exited(first);
    for (let i = 500; i < 2000; i++) await pushDelayed(resque.db, PAST + (i % 10), encodeDelayedItem("SomeJob", [i], "jobq"));
    await eventually(async () => (await resque.db.redis.get(lockKey(resque)))?.endsWith(`:${second.pid}`), "the second child to lead");
    await eventually(
      async () => (await resque.size("jobq")) === 2000 && (await resque.delayedQueueScheduleSize()) === 0,
      "the rest promoted",
    );
    await assertExactlyOnce(resque, 2000);
    signal(second, "SIGTERM");
    assert.equal(await exited(second), 0);
    assert.equal(await resque.db.redis.get(lockKey(resque)), null);
  });
});

const skip = rubySchedulerSkip;
if (skip) console.log(`# scheduler compat skipped: ${skip}`);

const ruby = (resque: Resque, command: string, ...args: string[]): unknown =>
  schedulerRb(redis.server().url, resque.db.keys.namespace, command, ...args);

/** A Ruby resque-scheduler (Resque::Scheduler.run) on this namespace, polling every 0.05 s. */
function spawnRubyScheduler(resque: Resque): ChildProcess {
  const child = spawn("ruby", ["test/compat/scheduler.rb", "run"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      RUBYOPT: "-rredis",
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
      RESQUE_SCHEDULER_INTERVAL: "0.05",
    },
  });
  children.push(child);
  return child;
}

describe("scheduler with resque-scheduler 5.0", { skip }, () => {
  it("promotes Ruby's enqueue_at items with the bytes Ruby's own enqueue_delayed pushes", async () => {
    const ours = redis.open("sch-rb-ours");
    const theirs = redis.open("sch-rb-theirs");
    ruby(ours, "enqueue_at", String(FUTURE));
    ruby(theirs, "enqueue_at", String(FUTURE));
    assert.equal(ruby(theirs, "enqueue_delayed"), 1);
    await schedulerOf(ours).tick();
    const expected = await theirs.db.redis.lrange(theirs.db.keys.queue("jobq"), 0, -1);
    assert.equal(expected.length, 1);
    assert.deepEqual(await ours.db.redis.lrange(ours.db.keys.queue("jobq"), 0, -1), expected);
    assert.deepEqual(await leftovers(ours), [lockKey(ours)]);
  });

  it("while ours leads, Ruby follows; stopping ours frees the key at once and Ruby leads at its next poll", async () => {
    const resque = redis.open("sch-rb-follow");
    const ts = schedulerOf(resque, { now: Date.now, lockValue: "ts-host:2" });
    const running = ts.run();
    await eventually(() => ts.leader, "ours to lead");
    // Ruby loads its locked? script (reference §5.3) only once its acquire! has failed: seeing it proves Ruby polled and lost.
    const lockedSha = "8d4e4994f7049799013e71b43d439219209e9f57";
    await resque.db.redis.script("FLUSH");
    const rb = spawnRubyScheduler(resque);
    await eventually(async () => ((await resque.db.redis.script("EXISTS", lockedSha)) as number[])[0] === 1, "Ruby to poll", 2000);
    assert.equal(await resque.db.redis.get(lockKey(resque)), "ts-host:2", "Ruby did not take our lock");
    await delayAtomically(resque, 0, 500);
    await eventually(
      async () => (await resque.size("jobq")) >= 500 && (await resque.delayedQueueScheduleSize()) === 0,
      "ours to promote",
      2000,
    );
    assert.equal(await resque.db.redis.get(lockKey(resque)), "ts-host:2");
    ts.stop();
    await running;
    await eventually(async () => (await resque.db.redis.get(lockKey(resque)))?.endsWith(`:${rb.pid}`), "Ruby to lead", 2000);
    await delayAtomically(resque, 500, 1000);
    await eventually(
      async () => (await resque.size("jobq")) >= 1000 && (await resque.delayedQueueScheduleSize()) === 0,
      "Ruby to promote",
      2000,
    );
    await assertExactlyOnce(resque, 1000);
    signal(rb, "SIGTERM");
    await exited(rb);
    assert.equal(await resque.db.redis.get(lockKey(resque)), null, "Ruby released on TERM");
  });

  it("a Ruby scheduler and ours: one leader at a time, Ruby's TERM hands over, no duplicate across 2,000 due jobs", async () => {
    const resque = redis.open("sch-rb-both");
    const rb = spawnRubyScheduler(resque);
    await eventually(async () => (await resque.db.redis.get(lockKey(resque)))?.endsWith(`:${rb.pid}`), "Ruby to lead", 2000);
    const ts = schedulerOf(resque, { now: Date.now, lockValue: "ts-host:1" });
    const running = ts.run();
    // Sampled throughout: ours never believes it leads while the key names someone else.
    const overlaps: string[] = [];
    const sampler = setInterval(() => {
      const ours = ts.leader;
      void resque.db.redis.get(lockKey(resque)).then((holder) => {
        if (ours && ts.leader && holder !== "ts-host:1") overlaps.push(String(holder));
      });
    }, 10);
    await delayAtomically(resque, 0, 1000);
    await eventually(
      async () => (await resque.size("jobq")) >= 1000 && (await resque.delayedQueueScheduleSize()) === 0,
      "Ruby to promote the first 1,000",
      2000,
    );
    assert.equal(ts.leader, false, "ours follows while Ruby leads");
    signal(rb, "SIGTERM");
    await exited(rb);
    for (let i = 1000; i < 2000; i++) await pushDelayed(resque.db, PAST + (i % 10), encodeDelayedItem("SomeJob", [i], "jobq"));
    await eventually(
      async () => (await resque.size("jobq")) === 2000 && (await resque.delayedQueueScheduleSize()) === 0,
      "ours to promote the rest",
      2000,
    );
    assert.equal(ts.leader, true);
    assert.equal(await resque.db.redis.get(lockKey(resque)), "ts-host:1");
    clearInterval(sampler);
    assert.deepEqual(overlaps, []);
    await assertExactlyOnce(resque, 2000);
    ts.stop();
    await running;
  });
});

// Children and connections of this file (useRedis then stops the server).
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const db of dbs) db.redis.disconnect();
});
