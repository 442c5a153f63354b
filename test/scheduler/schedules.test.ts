// Recurring schedules: storage as resque-scheduler's, the schedule file, timing, firing, leadership and catch-up.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { lastEnqueuedAt } from "../../src/protocol/time.ts";
import { parseTiming } from "../../src/protocol/schedule-timing.ts";
import { durationSeconds } from "../../src/protocol/schedule-duration.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { Scheduler, type SchedulerOptions } from "../../src/scheduler/scheduler.ts";
import { parseScheduleFile } from "../../src/scheduler/schedule-file.ts";
import { openDb, type Db } from "../../src/store/connection.ts";
import { registryOf, useRedis } from "../support/fixture.ts";
import { eventually, exited, runToEnd, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const QUIET = { info() {}, warn() {}, error() {} };
// 2026-11-23 12:00:00 UTC, a Monday.
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const S = 1000;
const dir = mkdtempSync(join(tmpdir(), "resque-schedules-"));

const dbs: Db[] = [];
after(() => dbs.forEach((db) => db.redis.disconnect()));

/** A scheduler on its own connection whose clock is `clock.now` (ms). */
function schedulerOf(resque: Resque, clock: { now: number }, options: Partial<SchedulerOptions> = {}): Scheduler {
  const db = openDb({ redis: redis.server().url, namespace: resque.db.keys.namespace });
  dbs.push(db);
  return new Scheduler({ db, runtime: currentRuntime(), log: QUIET, now: () => clock.now, lockValue: "test-host:1", ...options });
}

const queued = (resque: Resque, queue: string): Promise<string[]> => resque.db.redis.lrange(resque.db.keys.queue(queue), 0, -1);
const lastRun = (resque: Resque, name: string): Promise<string | null> => resque.db.redis.hget(resque.db.keys.lastEnqueuedAt, name);

describe("schedules: storage", () => {
  it("setSchedule writes Ruby's bytes (persist dropped, caller's key order) and marks the change; fetch, list and remove", async () => {
    const resque = redis.open("sched-store");
    const k = resque.db.keys;
    await resque.setSchedule("dyn", {
      class: "SomeJob",
      every: ["2s", { first_in: "1s" }],
      queue: "high",
      args: [1, "a"],
      description: "dyn",
      persist: true,
    });
    // The exact value Ruby's Resque.set_schedule stored for the same call (test/compat-schedules checks it live).
    assert.equal(
      await resque.db.redis.hget(k.persistentSchedules, "dyn"),
      '{"class":"SomeJob","every":["2s",{"first_in":"1s"}],"queue":"high","args":[1,"a"],"description":"dyn"}',
    );
    assert.deepEqual(await resque.db.redis.smembers(k.schedulesChanged), ["dyn"]);
    await resque.setSchedule("local", { class: "SomeJob", cron: "0 5 * * *", queue: "low" });
    assert.equal(await resque.db.redis.hexists(k.persistentSchedules, "local"), 0, "without persist, only this object holds it");
    assert.deepEqual((await resque.db.redis.smembers(k.schedulesChanged)).sort(), ["dyn", "local"]);
    assert.deepEqual(Object.keys(await resque.schedules()).sort(), ["dyn", "local"]);
    assert.deepEqual(await resque.fetchSchedule("local"), { class: "SomeJob", cron: "0 5 * * *", queue: "low" });
    assert.equal(await resque.removeSchedule("dyn"), true);
    assert.equal(await resque.removeSchedule("dyn"), false);
    assert.equal(await resque.fetchSchedule("dyn"), undefined);
    assert.equal(await resque.db.redis.hlen(k.persistentSchedules), 0);
  });

  it("refuses what would crash a Ruby scheduler or its web page, naming the schedule and the problem, and writes nothing", async () => {
    const resque = redis.open("sched-invalid");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ class: "A", queue: "q", cron: "5/* * * *" }, /cron "5\/\* \* \* \*": a cron line has 5 fields/],
      [{ class: "A", queue: "q", cron: "0 5 * * * Mars/Olympus" }, /unknown time zone "Mars\/Olympus"/],
      [{ class: "A", queue: "q", cron: "0 0 ? * *" }, /"\?" and "W"/],
      [{ class: "A", queue: "q", every: "5 parsecs" }, /every "5 parsecs" is not a duration/],
      [{ class: "A", queue: "q", every: 30 }, /every must be a string/],
      [{ class: "A", queue: "q", every: "0s" }, /at least 1s/],
      [{ class: "A", queue: "q", every: ["1h", { first_at: "2001-01-01T00:00:00Z" }] }, /first_at .* is in the past/],
      [{ class: "A", queue: "q", every: ["1h", { times: 3 }] }, /option "times" is not supported/],
      [{ queue: "q", every: "1h" }, /it has no class/],
      [{ class: "Unknown", every: "1h" }, /say which queue/],
      [{ class: "A", queue: "q", every: "1h", args: [new Date(0)] }, /config.args\[0\] is a Date/],
      [{ class: "A", queue: "q", every: "1h", args: [Number.NaN] }, /config.args\[0\] is NaN/],
      [{ class: "A", queue: "q", every: "1h", rails_env: ["prod"] }, /rails_env must be a string/],
      [{ class: "A", queue: "q", every: "1h", catch_up: "sometimes" }, /catch_up must be/],
    ];
    for (const [config, message] of cases) {
      await assert.rejects(
        resque.setSchedule("bad", { ...config, persist: true }),
        (error: Error) => {
          assert.match(error.message, /^Schedule "bad": /);
          assert.match(error.message, message);
          return true;
        },
        JSON.stringify(config),
      );
    }
    assert.deepEqual(await resque.db.redis.keys(`${resque.db.keys.prefix}*`), []);
  });
});

describe("schedules: the schedule file", () => {
  it("reads YAML as Ruby's Psych does (floats stay floats, yes is true, :symbols are names) and a missing class is the name", () => {
    const yaml = [
      "CancelAbandonedOrders:",
      '  cron: "*/5 * * * *"',
      "  queue: low",
      "clear_leaderboards:",
      '  every: ["30s", {":first_in": "120s"}]',
      "  class: ClearLeaderboards",
      "  queue: low",
      "  args: [2.0, 1.5e+20, 7, 12345678901234567890, yes, :sym, 1e3]",
      "manual:",
      "  class: Manual",
      "  queue: low",
      "  args: contributors",
    ].join("\n");
    const schedule = parseScheduleFile(yaml, "schedule.yml", T0);
    assert.deepEqual([...schedule.keys()], ["CancelAbandonedOrders", "clear_leaderboards", "manual"]);
    assert.equal(schedule.get("CancelAbandonedOrders"), '{"cron":"*/5 * * * *","queue":"low","class":"CancelAbandonedOrders"}');
    assert.equal(
      schedule.get("clear_leaderboards"),
      '{"every":["30s",{":first_in":"120s"}],"class":"ClearLeaderboards","queue":"low","args":[2.0,1.5e+20,7,12345678901234567890,true,"sym","1e3"]}',
    );
    const json = '{"nightly": {"cron": "0 3 * * * America/Chicago", "class": "Nightly", "queue": "low", "args": {"ratio": 2.0}}}';
    assert.equal(
      parseScheduleFile(json, "schedule.json", T0).get("nightly"),
      '{"cron":"0 3 * * * America/Chicago","class":"Nightly","queue":"low","args":{"ratio":2.0}}',
    );
    assert.equal(parseScheduleFile("", "empty.yml", T0).size, 0);
  });

  it("names every bad entry and loads nothing", () => {
    const yaml =
      "good:\n  every: 1h\n  queue: q\nbad_cron:\n  cron: '61 * * * *'\n  queue: q\nbad_every:\n  every: soon\n  queue: q\nnot_a_map: 5\n";
    assert.throws(
      () => parseScheduleFile(yaml, "s.yml", T0),
      (error: Error) => {
        assert.match(error.message, /^Schedule file s\.yml has 3 bad entries; nothing was loaded:/);
        assert.match(error.message, /entry "bad_cron": cron "61 \* \* \* \*"/);
        assert.match(error.message, /entry "bad_every": every "soon" is not a duration/);
        assert.match(error.message, /entry "not_a_map": its settings must be a map/);
        assert.doesNotMatch(error.message, /"good"/);
        return true;
      },
    );
    assert.throws(() => parseScheduleFile("a: [1,\n", "broken.yml", T0), /Schedule file broken\.yml is not valid YAML/);
    assert.throws(() => parseScheduleFile("{", "broken.json", T0), /Schedule file broken\.json is not valid JSON/);
  });
});

describe("schedules: timing", () => {
  const next = (kind: "cron" | "every", value: unknown, from = T0) => new Date(parseTiming(kind, value, from).next(from)!).toISOString();

  it("cron: 5 fields, 6 with seconds first, a zone as the last word, and the @ shortcuts", () => {
    assert.equal(next("cron", "0 5 * * * America/Chicago"), "2026-11-24T11:00:00.000Z");
    assert.equal(next("cron", "30 * * * * *"), "2026-11-23T12:00:30.000Z");
    assert.equal(next("cron", "@hourly"), "2026-11-23T13:00:00.000Z");
    assert.equal(next("cron", "@noon UTC"), "2026-11-24T12:00:00.000Z");
    assert.equal(next("cron", "0 9 * * 1-5 Europe/Berlin"), "2026-11-24T08:00:00.000Z");
    assert.equal(next("cron", "0 0 L * * UTC"), "2026-11-30T00:00:00.000Z");
    assert.equal(next("cron", ["0 * * * * UTC", { first_in: "3h" }]), "2026-11-23T15:00:00.000Z");
  });

  it("every: fugit's durations, counted from load time, with first_in / first_at", () => {
    assert.deepEqual(
      ["30s", "5m", "1h", "1d", "1h30m", "15mins", "2w", "1M", "PT1H", "90"].map((d) => durationSeconds(d)),
      [30, 300, 3600, 86400, 5400, 900, 1209600, 2592000, 3600, 90],
    );
    assert.equal(durationSeconds("5 parsecs"), undefined);
    assert.equal(next("every", "30s"), "2026-11-23T12:00:30.000Z");
    assert.equal(next("every", "30s", T0), new Date(T0 + 30 * S).toISOString());
    const timing = parseTiming("every", ["30s", { first_in: "10s" }], T0);
    assert.deepEqual(
      [T0, T0 + 10 * S, T0 + 25 * S, T0 + 41 * S].map((t) => (timing.next(t)! - T0) / S),
      [10, 40, 40, 70],
    );
    assert.equal(next("every", ["1h", { first_at: "2026-11-23T12:20:00+00:00" }]), "2026-11-23T12:20:00.000Z");
    // rufus runs `first_in: 0` at once; an interval without one waits a whole interval first.
    assert.deepEqual(
      [parseTiming("every", ["1m", { first_in: 0 }], T0).first, parseTiming("every", "1m", T0).first].map((t) => (t! - T0) / S),
      [0, 60],
    );
  });
});

describe("schedules: the scheduler", () => {
  const known = defineJob("Known", { queue: "known", perform() {} });
  const seen: string[] = [];
  const hooked = defineJob("Hooked", {
    queue: "hooked",
    perform() {},
    beforeSchedule: () => void seen.push("beforeSchedule"),
    beforeDelayedEnqueue: () => void seen.push("beforeDelayedEnqueue"),
    beforeEnqueue: () => void seen.push("beforeEnqueue"),
    afterEnqueue: () => void seen.push("afterEnqueue"),
    afterSchedule: () => void seen.push("afterSchedule"),
  });
  const refused = defineJob("Refused", { queue: "hooked", perform() {}, beforeSchedule: () => false });
  const FILE = [
    "every30: { every: 30s, class: Tick, queue: q, args: { a: 1, f: 2.0 } }",
    "scalar: { every: 1m, class: Scalar, queue: q, args: x }",
    "hourly: { cron: '0 * * * * UTC', class: Hourly, queue: q }",
    "known: { every: 30s, class: Known }",
    "custom: { every: 30s, class: Inner, custom_job_class: 'Custom::Job', queue: q, args: [1] }",
    "hooked: { every: 30s, class: Hooked }",
    "refused: { every: 30s, class: Refused }",
    "manual: { class: Manual, queue: q }",
    "prod_only: { every: 30s, class: Prod, queue: q, rails_env: 'production, staging' }",
  ].join("\n");

  it("fires as Ruby does: args wrapped, queue from the job, custom_job_class, hooks in order, env lists; last_enqueued_at each run", async () => {
    const resque = redis.open("sched-fire");
    const clock = { now: T0 };
    const scheduler = schedulerOf(resque, clock, {
      registry: registryOf(known, hooked, refused),
      schedule: parseScheduleFile(FILE, "s.yml", T0),
      env: "test",
    });
    await scheduler.tick();
    assert.equal(scheduler.leader, true);
    assert.deepEqual([...scheduler.schedules.scheduled.keys()].sort(), [
      "custom",
      "every30",
      "hooked",
      "hourly",
      "known",
      "refused",
      "scalar",
    ]);
    assert.deepEqual(await queued(resque, "q"), [], "nothing is due at load time");
    clock.now = T0 + 30 * S;
    await scheduler.tick();
    assert.deepEqual(await queued(resque, "q"), ['{"class":"Tick","args":[{"a":1,"f":2.0}]}', '{"class":"Custom::Job","args":[1]}']);
    assert.deepEqual(await queued(resque, "known"), ['{"class":"Known","args":[]}']);
    assert.deepEqual(await queued(resque, "hooked"), ['{"class":"Hooked","args":[]}']);
    assert.deepEqual(seen, ["beforeSchedule", "beforeDelayedEnqueue", "beforeEnqueue", "afterEnqueue", "afterSchedule"]);
    assert.equal(await lastRun(resque, "every30"), "2026-11-23 12:00:30 +0000");
    assert.equal(await lastRun(resque, "refused"), "2026-11-23 12:00:30 +0000", "written even when a hook stopped the run, as Ruby does");
    clock.now = T0 + 3600 * S + 5 * S;
    await resque.db.redis.del(resque.db.keys.queue("q"));
    await scheduler.tick();
    // A late poll fires each due schedule once (rufus discards the missed beats).
    assert.deepEqual(await queued(resque, "q"), [
      '{"class":"Tick","args":[{"a":1,"f":2.0}]}',
      '{"class":"Scalar","args":["x"]}',
      '{"class":"Hourly","args":[]}',
      '{"class":"Custom::Job","args":[1]}',
    ]);
    assert.equal(await lastRun(resque, "hourly"), lastEnqueuedAt(new Date(T0 + 3605 * S)));
    assert.equal(await lastRun(resque, "manual"), null);
    assert.equal(await lastRun(resque, "prod_only"), null);
    assert.equal(scheduler.schedules.msUntilNext(clock.now), 25 * S, "the next beat of the 30s schedules");
  });

  it("only the leader fires; a follower that takes over loads every schedule, persisted ones included", async () => {
    const resque = redis.open("sched-leader");
    await resque.setSchedule("dyn", { class: "Dyn", every: "1m", queue: "q", persist: true });
    const clock = { now: T0 };
    const schedule = parseScheduleFile("static: { every: 1m, class: Static, queue: q }", "s.yml", T0);
    const a = schedulerOf(resque, clock, { schedule, lockValue: "host-a:1" });
    const b = schedulerOf(resque, clock, { schedule, lockValue: "host-b:2" });
    await a.tick();
    await b.tick();
    assert.deepEqual([a.leader, b.leader], [true, false]);
    assert.equal(b.schedules.scheduled.size, 0, "a follower fires nothing");
    clock.now = T0 + 60 * S;
    await b.tick();
    await a.tick();
    assert.deepEqual((await queued(resque, "q")).sort(), ['{"class":"Dyn","args":[]}', '{"class":"Static","args":[]}']);
    await a.lock.release();
    await b.tick();
    assert.equal(b.leader, true);
    assert.deepEqual([...b.schedules.scheduled.keys()].sort(), ["dyn", "static"]);
    clock.now = T0 + 120 * S;
    await b.tick();
    assert.equal((await queued(resque, "q")).length, 4);
    await a.tick();
    assert.equal(a.leader, false);
    assert.equal(a.schedules.scheduled.size, 0, "a leader that lost the lock stops firing");
  });

  it("dynamic: applies set_schedule and remove_schedule while leading; without it, changes wait for the next load", async () => {
    const resque = redis.open("sched-dynamic");
    const clock = { now: T0 };
    const dynamic = schedulerOf(resque, clock, { dynamic: true });
    await dynamic.tick();
    await resque.setSchedule("added", { class: "Added", every: "30s", queue: "q", persist: true });
    clock.now = T0 + 5 * S;
    await dynamic.tick();
    assert.deepEqual([...dynamic.schedules.scheduled.keys()], ["added"]);
    assert.equal(await resque.db.redis.scard(resque.db.keys.schedulesChanged), 0, "the leader spent the change");
    clock.now = T0 + 35 * S;
    await dynamic.tick();
    assert.deepEqual(await queued(resque, "q"), ['{"class":"Added","args":[]}'], "counted from when it was loaded");
    await resque.removeSchedule("added");
    clock.now = T0 + 70 * S;
    await dynamic.tick();
    assert.equal((await queued(resque, "q")).length, 1);
    assert.equal(dynamic.schedules.scheduled.size, 0);

    const other = redis.open("sched-static");
    const fixed = schedulerOf(other, clock);
    await fixed.tick();
    await other.setSchedule("late", { class: "Late", every: "30s", queue: "q", persist: true });
    clock.now = T0 + 200 * S;
    await fixed.tick();
    assert.equal(fixed.schedules.scheduled.size, 0);
    assert.equal(await other.db.redis.scard(other.db.keys.schedulesChanged), 1);
  });

  it("catch-up on takeover: off (Ruby's), once, or all of the runs missed since last_enqueued_at", async () => {
    const resque = redis.open("sched-catch-up");
    const k = resque.db.keys;
    const lastRunAt = lastEnqueuedAt(new Date(T0 - 5 * 60 * S + 1 * S));
    for (const [name, policy] of [
      ["off", "off"],
      ["once", "once"],
      ["all", "all"],
      ["cron", "all"],
      ["never_ran", "all"],
      ["default", undefined],
    ] as const) {
      const timing = name === "cron" ? { cron: "* * * * * UTC" } : { every: "1m" };
      await resque.setSchedule(name, { class: name, ...timing, queue: name, ...(policy && { catch_up: policy }), persist: true });
      if (name !== "never_ran") await resque.db.redis.hset(k.lastEnqueuedAt, name, lastRunAt);
    }
    const clock = { now: T0 };
    await schedulerOf(resque, clock, { catchUp: "once" }).tick();
    const sizes = await Promise.all(["off", "once", "all", "cron", "never_ran", "default"].map((q) => resque.size(q)));
    // 4m59s since the last run: 4 whole minutes for `every`, 5 minute marks for the cron line.
    assert.deepEqual(sizes, [0, 1, 4, 5, 0, 1]);
    assert.equal(await lastRun(resque, "all"), lastEnqueuedAt(new Date(T0)));
    assert.equal(await lastRun(resque, "off"), lastRunAt);
  });
});

describe("schedules: the command line", () => {
  const env = (resque: Resque) => ({ REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace });

  it("resque schedule add | list | run-now | remove, with --json", async () => {
    const resque = redis.open("sched-cli");
    const added = await runToEnd(
      [
        "schedule",
        "add",
        "nightly",
        "--cron",
        "0 3 * * * America/Chicago",
        "--class",
        "Cleanup",
        "--queue",
        "low",
        "--args",
        '{"all":true}',
        "--json",
      ],
      env(resque),
    );
    assert.equal(added.code, 0, added.err);
    assert.deepEqual(JSON.parse(added.out), {
      name: "nightly",
      config: { class: "Cleanup", cron: "0 3 * * * America/Chicago", queue: "low", args: { all: true } },
    });
    assert.equal(
      await resque.db.redis.hget(resque.db.keys.persistentSchedules, "nightly"),
      '{"class":"Cleanup","cron":"0 3 * * * America/Chicago","queue":"low","args":{"all":true}}',
    );
    const bad = await runToEnd(["schedule", "add", "broken", "--every", "soonish", "--queue", "q"], env(resque));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /Schedule "broken": every "soonish" is not a duration/);
    const ran = await runToEnd(["schedule", "run-now", "nightly", "--json"], env(resque));
    assert.equal(ran.code, 0, ran.err);
    assert.deepEqual(JSON.parse(ran.out), { name: "nightly", queue: "low", className: "Cleanup", pushed: true });
    assert.deepEqual(await queued(resque, "low"), ['{"class":"Cleanup","args":[{"all":true}]}']);
    const listed = await runToEnd(["schedule", "list", "--json"], env(resque));
    const [row] = JSON.parse(listed.out) as { name: string; lastEnqueuedAt: string }[];
    assert.equal(row!.name, "nightly");
    assert.match(row!.lastEnqueuedAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/);
    const table = await runToEnd(["schedule", "list"], env(resque));
    assert.match(table.out, /nightly\s+cron 0 3 \* \* \* America\/Chicago\s+Cleanup\s+low/);
    assert.equal((await runToEnd(["schedule", "remove", "nightly", "--json"], env(resque))).out.trim(), '{"removed":"nightly"}');
    const again = await runToEnd(["schedule", "remove", "nightly"], env(resque));
    assert.equal(again.code, 1);
    assert.match(again.err, /No schedule named "nightly"/);
  });

  it("resque scheduler --schedule FILE --dynamic-schedule: fires the file's and Redis's schedules, and TERM releases the lock", async () => {
    const resque = redis.open("sched-cli-run");
    const file = join(dir, "every.yml");
    writeFileSync(file, "tick:\n  every: 1s\n  class: Tick\n  queue: ticks\n  args: [1]\n");
    const child = spawnCli(["scheduler", "--schedule", file, "--dynamic-schedule", "--interval", "0.1"], env(resque));
    await eventually(async () => (await resque.size("ticks")) >= 2, "two ticks of the file's schedule");
    await resque.setSchedule("dyn", { class: "Dyn", every: "1s", queue: "dyn", persist: true });
    await eventually(async () => (await resque.size("dyn")) >= 1, "the dynamic schedule to fire");
    assert.deepEqual(await queued(resque, "ticks").then((q) => q.slice(0, 1)), ['{"class":"Tick","args":[1]}']);
    assert.match((await lastRun(resque, "dyn")) ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/);
    process.kill(child.pid!, "SIGTERM");
    assert.equal(await exited(child), 0);
    assert.equal(await resque.db.redis.get(resque.db.keys.schedulerLock()), null);
  });

  it("resque scheduler --schedule with a bad file: exit 2, every bad entry named, nothing written", async () => {
    const resque = redis.open("sched-cli-bad");
    const file = join(dir, "bad.yml");
    writeFileSync(file, "ok:\n  every: 1h\n  queue: q\nbroken:\n  cron: '* * *'\n  queue: q\n");
    const run = await runToEnd(["scheduler", "--schedule", file], env(resque));
    assert.equal(run.code, 2);
    assert.match(run.err, /bad\.yml has 1 bad entry; nothing was loaded/);
    assert.match(run.err, /entry "broken": cron "\* \* \*": a cron line has 5 fields/);
    const missing = await runToEnd(["scheduler"], { ...env(resque), RESQUE_SCHEDULE: join(dir, "nope.yml") });
    assert.equal(missing.code, 2);
    assert.match(missing.err, /Cannot read the schedule file .*nope\.yml/);
    assert.deepEqual(await resque.db.redis.keys(`${resque.db.keys.prefix}*`), []);
  });
});
