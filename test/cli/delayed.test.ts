// Delayed jobs from the command line: enqueue --at/--in and `resque delayed ...`, against a real
// Redis, on the runtime running the tests; plus the time and duration reader they share.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isoTime, parseDuration, parseTime, relative } from "../../src/cli/kit/when.ts";
import { useRedis } from "../support/fixture.ts";
import { runToEnd } from "../support/spawn-cli.ts";

const redis = useRedis();
type Client = ReturnType<typeof redis.open>;
const run = (resque: Client, args: string[]) =>
  runToEnd(args, { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace });
const keysOf = (resque: Client) => resque.db.redis.keys(`${resque.db.keys.namespace}:*`);
const schedule = (resque: Client) => resque.db.redis.zrange(resque.db.keys.delayedSchedule, "0", "-1").then((s) => s.map(Number));
const itemsAt = (resque: Client, ts: number) => resque.db.redis.lrange(resque.db.keys.delayed(ts), 0, -1);

describe("when.ts: times and durations typed on the command line", () => {
  it("reads seconds and d/h/m/s durations (or the words: 5 minutes), largest unit first, and refuses anything else naming the forms", () => {
    assert.equal(parseDuration("90"), 90);
    assert.equal(parseDuration("1.5"), 1.5);
    assert.equal(parseDuration("90s"), 90);
    assert.equal(parseDuration("5m"), 300);
    assert.equal(parseDuration("2h"), 7200);
    assert.equal(parseDuration("1d"), 86400);
    assert.equal(parseDuration("1h30m"), 5400);
    assert.equal(parseDuration("1d2h3m4s"), 93784);
    assert.equal(parseDuration("1.5H"), 5400);
    assert.throws(() => parseDuration(`1${"0".repeat(400)}s`), /is too long/);
    assert.equal(parseDuration("5 minutes"), 300);
    assert.equal(parseDuration("1 hour 30 minutes"), 5400);
    assert.equal(parseDuration("1h 30m"), 5400);
    assert.equal(parseDuration("1 hr, 30 mins and 15 secs"), 5415);
    assert.equal(parseDuration("2 Days"), 172800);
    for (const bad of ["", "5x", "30m1h", "5m5m", "5 minutes ago", "minutes", "-5", "1e3", "ms", "Infinity", "5ms", "5 months", "1h30"]) {
      assert.throws(() => parseDuration(bad), /--in .* takes seconds \(90, 1\.5\) or a duration such as 90s, 5m, 2h, 1d, 1h30m/, bad);
    }
  });

  it("reads Unix seconds and ISO 8601 times with a zone; a time with no zone is refused, not guessed", () => {
    assert.equal(parseTime("1795446938"), 1795446938);
    assert.equal(parseTime("2026-11-23T09:00:00Z"), Date.UTC(2026, 10, 23, 9) / 1000);
    assert.equal(parseTime("2026-11-23 10:00+01:00"), Date.UTC(2026, 10, 23, 9) / 1000);
    assert.equal(parseTime("2026-11-23T04:30:00.999-0430"), Date.UTC(2026, 10, 23, 9) / 1000, "fractions dropped, as Time#to_i");
    assert.equal(parseTime("2026-11-23t09:00z"), Date.UTC(2026, 10, 23, 9) / 1000);
    assert.throws(() => parseTime("2026-11-23T09:00"), /has no time zone: add Z for UTC \(2026-11-23T09:00Z\)/);
    assert.throws(() => parseTime("2026-11-23"), /has no time of day/);
    for (const bad of ["tomorrow", "2026-02-30T09:00Z", "2026-11-23T24:00Z", "2026-11-23T09:00+25:00", "99999999999999", "1.5"]) {
      assert.throws(() => parseTime(bad), /takes Unix seconds \(1795446938\) or an ISO 8601 time with a zone/, bad);
    }
  });

  it("prints times as ISO UTC, which it reads back, and distances in two units", () => {
    assert.equal(isoTime(1795446938), "2026-11-23T15:15:38Z");
    assert.equal(parseTime(isoTime(1795446938)), 1795446938);
    assert.equal(relative(1000 + 5400, 1000_000), "in 1h30m");
    assert.equal(relative(1000 + 93784, 1000_000), "in 1d2h");
    assert.equal(relative(1000 - 45, 1000_999), "45s ago");
    assert.equal(relative(1000, 1000_500), "now");
  });
});

describe("resque enqueue --at / --in", () => {
  it("stores the delayed item byte-exact at the time asked for", async () => {
    const resque = redis.open("cli-delay-store");
    const before = Math.floor(Date.now() / 1000);
    const later = await run(resque, ["enqueue", "Report", "7", "x", '{"deep":1.5}', "--queue", "reports", "--in", "1h30m"]);
    const after = Math.floor(Date.now() / 1000);
    assert.equal(later.code, 0, later.err);
    const [ts] = await schedule(resque);
    assert.ok(ts! >= before + 5400 && ts! <= after + 5400, `${ts} is 1h30m after ${before}..${after}`);
    const item = '{"class":"Report","args":[7,"x",{"deep":1.5}],"queue":"reports"}';
    assert.deepEqual(await itemsAt(resque, ts!), [item]);
    assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.timestamps(item)), [`delayed:${ts}`]);
    assert.match(later.out, new RegExp(`Delayed Report on reports until ${isoTime(ts!)} \\(in 1h\\d+m; Unix ${ts}\\)`));

    const at = await run(resque, ["enqueue", "Report", "8", "--queue", "reports", "--at", "2100-01-01T01:00:00+01:00"]);
    assert.equal(at.code, 0, at.err);
    assert.ok((await schedule(resque)).includes(Date.UTC(2100, 0, 1) / 1000));
    const unix = await run(resque, ["enqueue", "Report", "9", "--queue", "reports", "--at", "4102444800"]);
    assert.equal(unix.code, 0, unix.err);
    assert.deepEqual(await itemsAt(resque, 4102444800), [
      '{"class":"Report","args":[8],"queue":"reports"}',
      '{"class":"Report","args":[9],"queue":"reports"}',
    ]);
    assert.equal(await resque.size("reports"), 0, "nothing enqueued yet");
  });

  it("a time not in the future enqueues now, as resque-scheduler does, and says so", async () => {
    const resque = redis.open("cli-delay-past");
    const past = await run(resque, ["enqueue", "Report", "1", "--queue", "reports", "--at", "2020-01-01T00:00:00Z"]);
    assert.equal(past.code, 0, past.err);
    assert.match(past.out, /Enqueued Report on reports now: 2020-01-01T00:00:00Z is not in the future/);
    const zero = await run(resque, ["enqueue", "Report", "2", "--queue", "reports", "--in", "0"]);
    assert.equal(zero.code, 0, zero.err);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("reports"), 0, -1), [
      '{"class":"Report","args":[1]}',
      '{"class":"Report","args":[2]}',
    ]);
    assert.deepEqual(await schedule(resque), []);
  });

  it("bad times, durations and combinations are refused with the accepted forms, exit 1, and nothing is written", async () => {
    const resque = redis.open("cli-delay-bad");
    const cases: [string[], RegExp][] = [
      [["--at", "2026-11-23T09:00"], /--at "2026-11-23T09:00" has no time zone: add Z for UTC/],
      [
        ["--at", "next tuesday"],
        /--at "next tuesday" is not a time; --at takes Unix seconds \(1795446938\) or an ISO 8601 time with a zone/,
      ],
      [["--at", "1795446938000"], /is past the year 9999 \(milliseconds, perhaps\?/],
      [["--in", "5x"], /--in "5x" has an unknown unit "x".*90s, 5m, 2h, 1d, 1h30m/],
      [["--in", "30m1h"], /repeats a unit or puts a smaller one first/],
      [["--in", "-5"], /--in "-5" is negative/],
      [["--in", "99999999999d"], /too far ahead/],
      [["--in", "5m", "--at", "2099-01-01T00:00Z"], /Give --at \(a time\) or --in \(a delay\), not both/],
      [["--in"], /--in needs a value: --in DURATION/],
    ];
    for (const [flags, message] of cases) {
      const result = await run(resque, ["enqueue", "Report", "1", "--queue", "reports", ...flags]);
      assert.equal(result.code, 1, `${flags.join(" ")}: ${result.err}`);
      assert.match(result.err, message, flags.join(" "));
    }
    const json = await run(resque, ["enqueue", "--queue", "q", "--json", '{"class":"A","args":[]}', "--in", "5m"]);
    assert.equal(json.code, 1);
    assert.match(json.err, /--in delays one job given as CLASS \[ARGS\.\.\.\]; --json and --bulk push payloads now/);
    assert.deepEqual(await keysOf(resque), [], "nothing written");
  });
});

describe("resque delayed", () => {
  async function seed(resque: Client): Promise<void> {
    await resque.enqueueAtWithQueue("reports", 4102444800, "Report", 7);
    await resque.enqueueAtWithQueue("reports", 4102444800, "Report", 8);
    await resque.enqueueAtWithQueue("mail", 4102444800, "Mail", "a@b.c");
    await resque.enqueueAtWithQueue("reports", 4102448400, "Report", 7);
    await resque.enqueueAtWithQueue("reports", 4133980800, "Report", 9007199254740993n);
  }

  it("list and show, as tables and as JSON, paginated", async () => {
    const resque = redis.open("cli-delayed-read");
    assert.match((await run(resque, ["delayed", "list"])).out, /No delayed jobs\./);
    await seed(resque);
    const list = await run(resque, ["delayed", "list"]);
    assert.equal(list.code, 0, list.err);
    assert.match(
      list.out,
      /TIMESTAMP\s+TIME \(UTC\)\s+WHEN\s+JOBS\s+FIRST JOB\n4102444800\s+2100-01-01T00:00:00Z\s+in \S+\s+3\s+Report\(7\) on reports\n4102448400 /,
    );
    assert.match(list.out, /3 of 3 times shown/);
    assert.deepEqual(JSON.parse((await run(resque, ["delayed", "list", "--json", "--offset", "1", "--limit", "1"])).out), [
      { timestamp: 4102448400, time: "2100-01-01T01:00:00Z", jobs: 1 },
    ]);
    const show = await run(resque, ["delayed", "show", "2100-01-01T00:00:00Z"]);
    assert.equal(show.code, 0, show.err);
    assert.match(
      show.out,
      /INDEX\s+CLASS\s+QUEUE\s+ARGS\n0\s+Report\s+reports\s+\[7\]\n1\s+Report\s+reports\s+\[8\]\n2\s+Mail\s+mail\s+\["a@b\.c"\]/,
    );
    const big = await run(resque, ["delayed", "show", "4133980800", "--json"]);
    assert.equal(
      big.out.trim(),
      '{"timestamp":4133980800,"time":"2101-01-01T00:00:00Z","jobs":1,"items":[{"class":"Report","queue":"reports","args":[9007199254740993]}]}',
    );
    const page = JSON.parse((await run(resque, ["delayed", "show", "4102444800", "--json", "--offset", "2"])).out);
    assert.deepEqual([page.jobs, page.items], [3, [{ class: "Mail", queue: "mail", args: ["a@b.c"] }]]);
    await resque.db.redis.rpush(resque.db.keys.delayed(4102444800), "not json");
    const unreadable = JSON.parse((await run(resque, ["delayed", "show", "4102444800", "--json", "--offset", "3"])).out);
    assert.deepEqual(unreadable.items, [{ unreadable: true, raw: "not json" }]);
    const none = await run(resque, ["delayed", "show", "2100-01-02T00:00:00Z"]);
    assert.match(none.out, /No delayed jobs at 2100-01-02T00:00:00Z/);
    const bad = await run(resque, ["delayed", "show", "noon"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /TIME "noon" is not a time; TIME takes Unix seconds/);
    const limit = await run(resque, ["delayed", "list", "--limit", "0"]);
    assert.equal(limit.code, 1);
    assert.match(limit.err, /--limit wants a whole number of at least 1, got "0"/);
  });

  it("remove: every copy by exact bytes, or one time's copies with --at", async () => {
    const resque = redis.open("cli-delayed-remove");
    await seed(resque);
    const noQueue = await run(resque, ["delayed", "remove", "Report", "7"]);
    assert.equal(noQueue.code, 1);
    assert.match(noQueue.err, /delayed remove needs --queue QUEUE/);
    const wrongQueue = await run(resque, ["delayed", "remove", "Report", "7", "--queue", "mail", "--json"]);
    assert.equal(wrongQueue.out.trim(), '{"removed":0}');
    const at = await run(resque, ["delayed", "remove", "Report", "7", "--queue", "reports", "--at", "2100-01-01T01:00:00Z", "--json"]);
    assert.equal(at.out.trim(), '{"removed":1}');
    assert.deepEqual(await itemsAt(resque, 4102444800), [
      '{"class":"Report","args":[7],"queue":"reports"}',
      '{"class":"Report","args":[8],"queue":"reports"}',
      '{"class":"Mail","args":["a@b.c"],"queue":"mail"}',
    ]);
    await resque.enqueueAtWithQueue("reports", 4133980800, "Report", 7);
    const all = await run(resque, ["delayed", "remove", "Report", "7", "--queue", "reports"]);
    assert.equal(all.code, 0, all.err);
    assert.match(all.out, /Removed 2 delayed copies of Report on reports/);
    assert.equal(await resque.db.redis.exists(resque.db.keys.timestamps('{"class":"Report","args":[7],"queue":"reports"}')), 0);
    const big = await run(resque, ["delayed", "remove", "Report", "9007199254740993", "--queue", "reports", "--json"]);
    assert.equal(big.out.trim(), '{"removed":1}', "a big integer argument keeps its exact digits");
    const missed = await run(resque, ["delayed", "remove", "Report", "8", "--queue", "other"]);
    assert.equal(missed.code, 0);
    assert.match(missed.err, /No delayed job is stored as \{"class":"Report","args":\[8\],"queue":"other"\}; nothing removed/);
  });

  it("enqueue-now: one time's jobs, one job's copies, or all; refuses what it cannot read", async () => {
    const resque = redis.open("cli-delayed-now");
    await seed(resque);
    const queued = (q: string) => resque.db.redis.lrange(resque.db.keys.queue(q), 0, -1);
    const one = await run(resque, ["delayed", "enqueue-now", "2100-01-01T00:00:00Z", "--json"]);
    assert.equal(one.out.trim(), '{"enqueued":3,"dropped":0}', one.err);
    assert.deepEqual(await queued("reports"), ['{"class":"Report","args":[7]}', '{"class":"Report","args":[8]}']);
    assert.deepEqual(await queued("mail"), ['{"class":"Mail","args":["a@b.c"]}']);
    assert.deepEqual(await schedule(resque), [4102448400, 4133980800], "the emptied time leaves the schedule");
    const noQueue = await run(resque, ["delayed", "enqueue-now", "Report", "7"]);
    assert.equal(noQueue.code, 1);
    assert.match(noQueue.err, /enqueue-now Report needs --queue QUEUE/);
    const extra = await run(resque, ["delayed", "enqueue-now", "all", "Report"]);
    assert.equal(extra.code, 1);
    assert.match(extra.err, /enqueue-now all takes no job arguments/);
    const badTime = await run(resque, ["delayed", "enqueue-now", "2100-01-01T00:00"]);
    assert.equal(badTime.code, 1);
    assert.match(badTime.err, /has no time zone/);
    const job = await run(resque, ["delayed", "enqueue-now", "Report", "7", "--queue", "reports"]);
    assert.equal(job.code, 0, job.err);
    assert.match(job.out, /Enqueued 1 delayed copy of Report on reports/);
    assert.equal(await resque.size("reports"), 3);
    const all = await run(resque, ["delayed", "enqueue-now", "all", "--json"]);
    assert.equal(all.out.trim(), '{"enqueued":1,"dropped":0}', all.err);
    assert.equal((await queued("reports")).at(-1), '{"class":"Report","args":[9007199254740993]}');
    assert.deepEqual(await schedule(resque), []);
    assert.match((await run(resque, ["delayed", "enqueue-now", "all"])).err, /No delayed jobs\./);
  });

  it("clear asks for --yes and deletes nothing without it", async () => {
    const resque = redis.open("cli-delayed-clear");
    await seed(resque);
    const refused = await run(resque, ["delayed", "clear"]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.err,
      /This deletes every delayed job, at 3 times, and they cannot be brought back; to go on: resque delayed clear --yes/,
    );
    assert.equal((await schedule(resque)).length, 3);
    const cleared = await run(resque, ["delayed", "clear", "--yes", "--json"]);
    assert.equal(cleared.out.trim(), '{"removed":5}', cleared.err);
    assert.deepEqual(await keysOf(resque), []);
  });

  it("stats adds the delayed times and the scheduler, and keeps its JSON fields", async () => {
    const resque = redis.open("cli-delayed-stats");
    await seed(resque);
    await resque.db.redis.rpush(resque.db.keys.delayed(1000), '{"class":"Late","args":[],"queue":"q"}');
    await resque.db.redis.zadd(resque.db.keys.delayedSchedule, 1000, 1000);
    const table = await run(resque, ["stats"]);
    assert.match(table.out, /pending\s+0[^]*delayed times\s+4\nscheduler\s+none leading\ndelayed due\s+1 job, oldest \d+s late/);
    const json = JSON.parse((await run(resque, ["stats", "--json"])).out);
    assert.deepEqual([json.pending, json.queueSizes, json.delayedTimestamps], [0, {}, 4]);
    assert.deepEqual([json.scheduler.leader, json.scheduler.dueTimestamps, json.scheduler.dueJobs], [null, 1, 1]);
  });
});
