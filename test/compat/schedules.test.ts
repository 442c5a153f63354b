// Recurring schedules proven against resque-scheduler 5.0 itself (the gem, rufus-scheduler and fugit), both directions.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import { float } from "../../src/index.ts";
import { durationSeconds } from "../../src/protocol/schedule-duration.ts";
import { parseTiming } from "../../src/protocol/schedule-timing.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { openDb, type Db } from "../../src/store/connection.ts";
import { useRedis } from "../support/fixture.ts";
import { rubySchedulerSkip as skip, rubySchedulerVersion as version, schedulerRb } from "../support/ruby-scheduler.ts";
import { eventually, exited } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

// Bun and Deno do not print a suite's skip reason; say it once for every runtime.
if (skip) console.log(`# compat-schedules skipped: ${skip}`);

const ruby = (resque: Resque, command: string, ...args: string[]): unknown =>
  schedulerRb(redis.server().url, resque.db.keys.namespace, command, ...args);
const QUIET = { info() {}, warn() {}, error() {} };
const dbs: Db[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  dbs.forEach((db) => db.redis.disconnect());
});

/** Ruby's own scheduler process (Resque::Scheduler.run) with DYNAMIC_SCHEDULE on. */
function spawnRubyScheduler(resque: Resque): ChildProcess {
  const root = new URL("../../", import.meta.url).pathname;
  const env = {
    ...process.env,
    RUBYOPT: "-rredis",
    REDIS_URL: redis.server().url,
    RESQUE_NAMESPACE: resque.db.keys.namespace,
    RESQUE_SCHEDULER_INTERVAL: "0.1",
    DYNAMIC_SCHEDULE: "true",
  };
  const child = spawn("ruby", ["test/compat/scheduler.rb", "run"], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
  children.push(child);
  return child;
}

function schedulerOf(resque: Resque, clock: { now: number }): Scheduler {
  const db = openDb({ redis: redis.server().url, namespace: resque.db.keys.namespace });
  dbs.push(db);
  return new Scheduler({ db, runtime: currentRuntime(), log: QUIET, now: () => clock.now, lockValue: "compat-host:1", dynamic: true });
}

// Times a scheduler might start from: an ordinary Monday noon, and the two 2026 US DST changes.
const FROM = [Date.UTC(2026, 10, 23, 12, 0, 0), Date.UTC(2026, 2, 8, 6, 59, 0), Date.UTC(2026, 10, 1, 5, 30, 0)].map((ms) => ms / 1000);
const LINES = [
  "0 5 * * *",
  "*/15 * * * *",
  "30 * * * * *",
  "0 0 1 * *",
  "0 9 * * 1-5",
  "0 0 * * 0",
  "0 0 * * 7",
  "15 10 * * mon,wed,fri",
  "0 5 * * * America/Chicago",
  "0 9 * * 1-5 Europe/Berlin",
  "30 2 * * * America/New_York",
  "0 1 * * * America/New_York",
  "0 12 L * *",
  "0 0 * * mon#2",
  "0 0 1 jan *",
  "@hourly",
  "@daily",
  "@weekly",
  "@monthly",
  "@yearly",
  "@noon",
  "0 4 * * * UTC",
  "0 0 1-15/2 * *",
  "*/10 * * * * *",
  "0 0 * jan-mar *",
  "0 22 * * 1-5",
  "0 0 29 2 *",
  "5,35 8-18 * * *",
  "0 0 1 * 1",
];

describe("schedules: compatibility with resque-scheduler 5.0", { skip }, () => {
  it(`runs against resque-scheduler ${version}`, () => {
    console.log(`# resque-scheduler ${version}`);
  });

  it("setSchedule stores the bytes Ruby's Resque.set_schedule stores, and Ruby reads ours back", async () => {
    const config = {
      class: "SomeJob",
      every: ["2s", { first_in: "1s" }] as [string, Record<string, unknown>],
      queue: "high",
      args: [1, "a", float(2), { b: null }],
      description: "dyn é/✓",
    };
    const rb = redis.open("rsch-bytes-rb");
    ruby(rb, "set_schedule", "dyn", JSON.stringify({ ...config, args: [1, "a", 2.5, { b: null }], persist: true }).replace("2.5", "2.0"));
    const ours = redis.open("rsch-bytes-ts");
    await ours.setSchedule("dyn", { ...config, persist: true });
    const k = ours.db.keys;
    assert.equal(await ours.db.redis.hget(k.persistentSchedules, "dyn"), await rb.db.redis.hget(rb.db.keys.persistentSchedules, "dyn"));
    assert.deepEqual(await ours.db.redis.smembers(k.schedulesChanged), await rb.db.redis.smembers(rb.db.keys.schedulesChanged));
    assert.deepEqual(ruby(ours, "schedule"), { dyn: { ...config, args: [1, "a", 2, { b: null }] } });
    ruby(ours, "remove_schedule", "dyn");
    assert.equal(await ours.fetchSchedule("dyn"), undefined);
  });

  it("a Ruby scheduler loads everything we write (no crash), with the same cron next times", async () => {
    const resque = redis.open("rsch-load");
    const now = Date.now();
    const configs: Record<string, Record<string, unknown>> = {
      zoned: { class: "A", cron: "0 5 * * * America/Chicago", queue: "q" },
      seconds: { class: "A", cron: "30 * * * * *", queue: "q", args: "x" },
      hourly: { class: "A", cron: "@hourly", queue: "q", args: { k: 1 } },
      every: { class: "A", every: ["1h", { first_in: "10m" }], queue: "q" },
      first_at: {
        class: "A",
        every: ["1d", { first_at: new Date(now + 86_400_000).toISOString().replace(/\.\d+Z$/, "+00:00") }],
        queue: "q",
      },
      custom: { class: "A", every: "5m", custom_job_class: "Custom::Job", queue: "q", catch_up: "all" },
      manual: { class: "A", queue: "q", description: "by hand only" },
      production: { class: "A", every: "1m", queue: "q", rails_env: "production" },
    };
    for (const [name, config] of Object.entries(configs)) await resque.setSchedule(name, { ...config, persist: true });
    const loaded = ruby(resque, "load_schedule") as Record<string, number>;
    // Ruby skips the entry with no timing and the one for another env (its env is unset), as we do.
    assert.deepEqual(Object.keys(loaded).sort(), ["custom", "every", "first_at", "hourly", "seconds", "zoned"]);
    // Ruby's next fire is the one ours finds just before it (each side loaded at its own moment).
    for (const name of ["zoned", "seconds", "hourly"]) {
      const rubyNext = loaded[name]! * 1000;
      assert.equal(parseTiming("cron", configs[name]!["cron"], rubyNext - 1000).next(rubyNext - 1000), rubyNext, name);
    }
  });

  it("we fire Ruby's set_schedule entries with the payload and last_enqueued_at format of Ruby's own tick", async () => {
    const resque = redis.open("rsch-fire");
    ruby(
      resque,
      "set_schedule",
      "rb",
      '{"class":"SomeJob","every":"30s","queue":"jobq","args":{"ratio":2.0,"big":1152921504606846976},"persist":true}',
    );
    const clock = { now: Date.UTC(2026, 10, 23, 12, 0, 0) };
    const scheduler = schedulerOf(resque, clock);
    await scheduler.tick();
    clock.now += 30_000;
    await scheduler.tick();
    const [ours] = await resque.db.redis.lrange(resque.db.keys.queue("jobq"), 0, -1);
    assert.equal(ours, '{"class":"SomeJob","args":[{"ratio":2.0,"big":1152921504606846976}]}');
    assert.equal(await resque.db.redis.hget(resque.db.keys.lastEnqueuedAt, "rb"), "2026-11-23 12:00:30 +0000");
    const rubyLast = ruby(resque, "tick", "rb") as string;
    assert.match(rubyLast, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$/);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("jobq"), 0, -1), [ours, ours], "Ruby's tick pushes the same bytes");
  });

  it("a running Ruby master applies our setSchedule and removeSchedule, and fires with the bytes we fire", async () => {
    const resque = redis.open("rsch-live");
    const child = spawnRubyScheduler(resque);
    await eventually(
      async () => (await resque.db.redis.get(resque.db.keys.schedulerLock()))?.endsWith(`:${child.pid}`),
      "Ruby to lead",
      2000,
    );
    await resque.setSchedule("from_ts", {
      class: "SomeJob",
      every: "1s",
      queue: "fromts",
      args: { n: float(1) },
      catch_up: "once",
      persist: true,
    });
    await eventually(async () => (await resque.size("fromts")) >= 1, "Ruby to fire our schedule", 2000);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("fromts"), 0, 0), ['{"class":"SomeJob","args":[{"n":1.0}]}']);
    // Ruby writes last_enqueued_at after the push (reference 4.2), so the queue can fill first.
    await eventually(
      async () => (await resque.db.redis.hexists(resque.db.keys.lastEnqueuedAt, "from_ts")) === 1,
      "Ruby to note the run",
      2000,
    );
    assert.match(
      (await resque.db.redis.hget(resque.db.keys.lastEnqueuedAt, "from_ts")) ?? "",
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$/,
    );
    await resque.removeSchedule("from_ts");
    await eventually(async () => (await resque.db.redis.scard(resque.db.keys.schedulesChanged)) === 0, "Ruby to take the removal");
    process.kill(child.pid!, "SIGTERM");
    await exited(child);
  });

  it("cron next times match fugit's, DST days and named zones included", () => {
    const resque = redis.open("rsch-cron");
    const pairs = LINES.flatMap((line) => FROM.map((from) => [line, from] as const));
    const rubyNext = ruby(resque, "cron_next", JSON.stringify(pairs)) as (number | string)[];
    const ours = pairs.map(([line, from]) => parseTiming("cron", line, from * 1000).next(from * 1000)! / 1000);
    const differ = pairs.flatMap(([line, from], i) =>
      ours[i] === rubyNext[i] ? [] : [`${line} from ${from}: ours ${ours[i]}, fugit ${rubyNext[i]}`],
    );
    assert.deepEqual(differ, []);
  });

  it("durations: fugit's seconds for every form we accept, and undefined where fugit has none", () => {
    const resque = redis.open("rsch-durations");
    const samples = [
      "30s",
      "5m",
      "1h",
      "1d",
      "2w",
      "1M",
      "1y",
      "15mins",
      "1d2h",
      "30",
      "1.5s",
      "1h30m",
      "0.5h",
      "2hours",
      "3days",
      "PT1H",
      "P1D",
      "1 h",
      "1h and 5m",
      "1h,2m",
      "1m2",
      "5M",
      "1ms",
      "abc",
      "5ms",
    ];
    const rubySeconds = ruby(resque, "durations", JSON.stringify(samples)) as (number | null)[];
    assert.deepEqual(
      samples.map((s) => durationSeconds(s) ?? null),
      rubySeconds,
    );
  });
});
