// Issue 16: Rails interop proven against ActiveJob 7.2 itself (no Rails app), through resque 3.0's adapter
// and resque-scheduler 5.0: Ruby's perform_later run by our worker, our enqueueActiveJob run by a Ruby
// Resque::Worker, a failing ActiveJob in stock resque-web, and delayed ActiveJobs promoted by the other side.
import assert from "node:assert/strict";
import { spawnSync, type ChildProcess } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import {
  BigDecimal,
  CalendarDate,
  defineJob,
  Duration,
  float,
  GlobalID,
  JOB_WRAPPER,
  keywords,
  Range,
  RubyModule,
  RubySymbol,
  symbolKeys,
  type ActiveJobMeta,
} from "../../src/index.ts";
import { drainDue } from "../../src/scheduler/promote.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { rubyScript, rubySchedulerSkip, serveResqueWeb } from "../support/ruby-scheduler.ts";
import { RAILS_SAMPLE_VALUES } from "../support/active-job-sample.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const probe = spawnSync("ruby", ["-e", 'require "active_job"; require "globalid"; print ActiveJob.version'], { encoding: "utf8" });
const activeJobVersion = probe.status === 0 ? probe.stdout : undefined;
const rackup = spawnSync("ruby", ["-e", 'require "rackup"; require "rackup/handler/webrick"'], { stdio: "ignore" }).status === 0;
const skip =
  rubySchedulerSkip ||
  (!activeJobVersion?.startsWith("7.2.") &&
    `needs Ruby with the activejob gem 7.2.x (found ${activeJobVersion ?? "none"}): run \`node scripts/setup.mjs ruby\``) ||
  (!rackup && "needs the rackup gem (2.x) and webrick to serve resque-web: run `node scripts/setup.mjs ruby`");
// Bun and Deno do not print a suite's skip reason; say it once for every runtime.
if (skip) console.log(`# compat-active-job skipped: ${skip}`);

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
});
const rubyEnv = (resque: Resque): NodeJS.ProcessEnv => ({
  ...process.env,
  REDIS_URL: redis.server().url,
  RESQUE_NAMESPACE: resque.db.keys.namespace,
});
/** One command of test/compat/active-job.rb; its JSON answer. */
const rails = async (resque: Resque, ...args: string[]): Promise<unknown> =>
  JSON.parse(await rubyScript("active-job.rb", args, rubyEnv(resque), children));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What our ArchiveJob receives for test/compat/active-job.rb's `sample` plus `mode: "fast", level: 3`. */
const FROM_RUBY = RAILS_SAMPLE_VALUES;

/** What we send to RecordJob, and (TO_RUBY) what its perform receives in Ruby: class and inspect. */
const TO_SEND: unknown[] = [
  42,
  -7,
  1152921504606846976n,
  1.5,
  float(2),
  "text é ✓",
  null,
  true,
  false,
  { plain: 1, list: [1, [2, ["deep"]]] },
  symbolKeys({ compress: true, n: float(1.5) }),
  new Date("2026-11-23T16:18:57.500Z"),
  new CalendarDate(2026, 11, 23),
  new Duration(5400, { hours: 1, minutes: 30 }),
  new BigDecimal("12345678901234567890.123456789"),
  new RubySymbol("fast"),
  new RubyModule("String"),
  new Range(1, 10, true),
  new GlobalID("app", "User", "1"),
  keywords({ mode: new RubySymbol("slow"), level: 3 }),
];
const v = (cls: string, inspect: string) => ({ class: cls, inspect });
const TO_RUBY_ARGS = [
  v("Integer", "42"),
  v("Integer", "-7"),
  v("Integer", "1152921504606846976"),
  v("Float", "1.5"),
  v("Float", "2.0"),
  v("String", '"text é ✓"'),
  v("NilClass", "nil"),
  v("TrueClass", "true"),
  v("FalseClass", "false"),
  {
    class: "Hash",
    hash: [
      ['"plain"', v("Integer", "1")],
      [
        '"list"',
        {
          class: "Array",
          items: [v("Integer", "1"), { class: "Array", items: [v("Integer", "2"), { class: "Array", items: [v("String", '"deep"')] }] }],
        },
      ],
    ],
  },
  {
    class: "Hash",
    hash: [
      [":compress", v("TrueClass", "true")],
      [":n", v("Float", "1.5")],
    ],
  },
  v("Time", "2026-11-23 16:18:57.5 UTC"),
  v("Date", "#<Date: 2026-11-23 ((2461368j,0s,0n),+0s,2299161j)>"),
  v("ActiveSupport::Duration", "1 hour and 30 minutes"),
  v("BigDecimal", "0.12345678901234567890123456789e20"),
  v("Symbol", ":fast"),
  v("Class", "String"),
  v("Range", "1...10"),
  v("User", "#<User id=1>"),
];
const TO_RUBY_KWARGS = { ":mode": v("Symbol", ":slow"), ":level": v("Integer", "3") };

interface Seen {
  args: unknown[];
  kwargs: unknown;
  job_id: string;
  executions: number;
  locale: string;
  queue: string;
  priority: number | null;
  enqueued_at: string;
  scheduled_at: string | null;
}

describe(`Rails interop: ActiveJob ${activeJobVersion ?? "(missing)"} through resque's adapter`, { skip }, () => {
  it("perform_later from Ruby runs on our worker with the expected JS values and metadata", async () => {
    const resque = redis.open("aj-from-ruby");
    const got: { job: string; args: unknown[]; meta: ActiveJobMeta | undefined }[] = [];
    const archive = defineJob("ArchiveJob", {
      perform(...args: unknown[]) {
        got.push({ job: "ArchiveJob", args, meta: this.activeJob });
      },
    });
    const kw = defineJob("KwJob", {
      perform(...args: unknown[]) {
        got.push({ job: "KwJob", args, meta: this.activeJob });
      },
    });
    const before = Date.now();
    assert.equal(await rails(resque, "perform_later", "archive"), true);
    await workerFor(resque, registryOf(archive, kw), "archive").work();
    assert.deepEqual(
      got.map((g) => g.job),
      ["ArchiveJob", "KwJob"],
    );
    assert.deepEqual(got[0]!.args, FROM_RUBY);
    assert.deepEqual(got[1]!.args, [5, { mode: "slow" }]);
    const meta = got[0]!.meta!;
    assert.match(meta.jobId, UUID);
    assert.deepEqual(
      [meta.jobClass, meta.queueName, meta.executions, meta.locale, meta.timezone, meta.priority, meta.scheduledAt],
      ["ArchiveJob", "archive", 0, "en", "UTC", null, null],
    );
    assert.match(meta.enqueuedAtText!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.ok(Math.abs(meta.enqueuedAt!.getTime() - before) < 60_000, `${meta.enqueuedAtText} is about now`);
    assert.deepEqual(await resque.stats(), { processed: 2, failed: 0 });
  });

  it("enqueueActiveJob is performed by a Ruby Resque::Worker with exactly the Ruby values", async () => {
    const resque = redis.open("aj-to-ruby");
    const sent = await resque.enqueueActiveJob("RecordJob", TO_SEND, { queue: "from_ts", priority: 4 });
    const [seen] = (await rails(resque, "work", "from_ts")) as Seen[];
    assert.deepEqual(seen!.args, TO_RUBY_ARGS);
    assert.deepEqual(seen!.kwargs, TO_RUBY_KWARGS);
    assert.deepEqual(
      [seen!.job_id, seen!.executions, seen!.locale, seen!.queue, seen!.priority, seen!.scheduled_at],
      [sent.jobId, 1, "en", "from_ts", 4, null],
    );
    assert.deepEqual(await resque.stats(), { processed: 1, failed: 0 });
  });

  it("a failing ActiveJob on our side is recorded, and shown by stock resque-web, as a Ruby worker's is", async () => {
    const resque = redis.open("aj-failure");
    const failing = defineJob("FailingJob", {
      perform(n: number) {
        throw Object.assign(new Error(`archive ${n} is missing`), { name: "ArgumentError" });
      },
    });
    await rails(resque, "perform_later_failing", "ts_side");
    await workerFor(resque, registryOf(failing), "ts_side").work();
    await rails(resque, "perform_later_failing", "rb_side");
    await rails(resque, "work", "rb_side");
    const [ours, theirs] = (await resque.db.redis.lrange(resque.db.keys.failed, 0, -1)).map((r) => JSON.parse(r));
    assert.deepEqual(Object.keys(ours), Object.keys(theirs));
    for (const record of [ours, theirs]) {
      assert.equal(record.payload.class, JOB_WRAPPER);
      assert.equal(record.payload.args[0].job_class, "FailingJob");
      assert.deepEqual(record.payload.args[0].arguments, [7]);
      assert.equal(record.payload.args[0].executions, 0, "the payload as popped, not re-serialized");
      assert.deepEqual([record.exception, record.error], ["ArgumentError", "archive 7 is missing"]);
    }
    const web = await serveResqueWeb(rubyEnv(resque), children);
    const base = web.base;
    const response = await fetch(`${base}/failed`);
    assert.equal(response.status, 200, web.log());
    const items = [...(await response.text()).matchAll(/<li>\s*<dl>([\s\S]*?)<\/dl>/g)].map((m) => m[1]!);
    assert.equal(items.length, 2);
    // Each shows the Rails job class "(via ActiveJob)", the exception and the message; they differ only in worker, queue, time, ids and backtrace.
    const normal = (html: string) =>
      html
        .replace(/<dt>Worker<\/dt>[\s\S]*?<dt>Class<\/dt>/, "<dt>Class</dt>")
        // Psych quotes about 1 random id in 70 (some of those starting "0" and a digit, which YAML 1.1
        // could read as a number), so either job's id may be quoted.
        .replace(/(&#39;)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(&#39;)?/g, "ID")
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "TIME")
        .replace(/ts_side|rb_side/g, "QUEUE")
        .replace(/<pre style='display:none'>[\s\S]*?<\/pre>/, "BACKTRACE")
        .replace(/\s+/g, " ");
    assert.equal(normal(items[0]!), normal(items[1]!));
    assert.match(items[0]!, /<code>FailingJob<\/code>\s*<small>\s*<a [^>]*>\(via ActiveJob\)<\/a>/);
    assert.match(items[0]!, /<code>ArgumentError<\/code>[\s\S]*archive 7 is missing/);
  });

  it("a delayed ActiveJob from Ruby (set(wait:)) is promoted by our scheduler and run by our worker", async () => {
    const resque = redis.open("aj-delayed-from-ruby");
    const got: { args: unknown[]; meta: ActiveJobMeta | undefined }[] = [];
    const archive = defineJob("ArchiveJob", {
      perform(...args: unknown[]) {
        got.push({ args, meta: this.activeJob });
      },
    });
    await rails(resque, "set_wait", "later", "3600");
    const [item] = await resque.findDelayedSelection(() => true, JOB_WRAPPER);
    assert.ok(item, "Ruby stored a delayed item");
    const quiet = { info() {}, warn() {}, error() {} };
    const drained = await drainDue({
      db: resque.db,
      registry: registryOf(archive),
      batchSize: 10,
      now: item.timestamp,
      stillLeader: async () => true,
      stopping: () => false,
      log: quiet,
    });
    assert.equal(drained.promoted, 1);
    await workerFor(resque, registryOf(archive), "later").work();
    assert.deepEqual(
      got.map((g) => g.args),
      [[1, "late"]],
    );
    const meta = got[0]!.meta!;
    assert.ok(
      meta.scheduledAt && Math.floor(meta.scheduledAt.getTime() / 1000) === item.timestamp,
      `scheduled_at ${meta.scheduledAt?.toISOString()} is the item's second ${item.timestamp}`,
    );
  });

  it("a delayed enqueueActiveJob (wait:) is promoted by resque-scheduler and run by a Ruby worker", async () => {
    const resque = redis.open("aj-delayed-to-ruby");
    const sent = await resque.enqueueActiveJob("RecordJob", [1, "late"], { queue: "from_ts", wait: 3600 });
    assert.equal(sent.delayed, true);
    const due = Math.floor(sent.scheduledAt!.getTime() / 1000);
    assert.equal(await rails(resque, "promote_due", String(due - 1)), 1, "not promoted before its second");
    assert.equal(await rails(resque, "promote_due", String(due)), 0);
    const [seen] = (await rails(resque, "work", "from_ts")) as Seen[];
    assert.deepEqual(seen!.args, [v("Integer", "1"), v("String", '"late"')]);
    assert.equal(seen!.job_id, sent.jobId);
    assert.equal(seen!.scheduled_at, `${sent.scheduledAt!.toISOString().slice(0, 19).replace("T", " ")} UTC`);
  });
});
