// Rails' ActiveJob payloads (resque 3.0's adapter, ActiveJob 7.2): the codec against bytes captured
// from Ruby, and our worker running JobWrapper payloads. The Ruby-driven proof is compat-active-job.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defineJob,
  Duration,
  float,
  GlobalID,
  JOB_WRAPPER,
  keywords,
  RubyModule,
  RubySymbol,
  symbolKeys,
  decodeActiveJob,
  deserializeArguments,
  serializeArguments,
  type ActiveJobMeta,
} from "../../src/index.ts";
import { encodeJson } from "../../src/protocol/json.ts";
import { decodeJson } from "../../src/protocol/json-decode.ts";
import { decodePayload, isMalformed } from "../../src/protocol/payload.ts";
import { encodeActiveJob, isoNow9 } from "../../src/protocol/active-job.ts";
import { RAILS_SAMPLE_VALUES } from "../support/active-job-sample.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { exited, spawnCli } from "../support/spawn-cli.ts";

// Captured from Ruby: ArchiveJob.perform_later(*sample, mode: "fast", level: 3) in test/compat/active-job.rb.
const CAPTURED =
  '{"class":"ActiveJob::QueueAdapters::ResqueAdapter::JobWrapper","args":[{"job_class":"ArchiveJob","job_id":"63677fe1-4d74-4d72-a6eb-58198ea23566","provider_job_id":null,"queue_name":"archive","priority":null,"arguments":[42,-7,1152921504606846976,1.5,2.0,1.0e-05,"text é ✓",null,true,false,{"compress":true,"n":1.5,"_aj_symbol_keys":["compress"]},{"plain":[1,[2,[3,"deep"]]],"_aj_symbol_keys":[]},{"_aj_serialized":"ActiveJob::Serializers::SymbolSerializer","value":"a_symbol"},{"_aj_serialized":"ActiveJob::Serializers::TimeSerializer","value":"2026-11-23T16:18:57.500417581Z"},{"_aj_serialized":"ActiveJob::Serializers::DateSerializer","value":"2026-11-23"},{"_aj_serialized":"ActiveJob::Serializers::DateTimeSerializer","value":"2026-11-23T10:30:15.000000000+02:00"},{"_aj_serialized":"ActiveJob::Serializers::TimeWithZoneSerializer","value":"2026-11-23T09:00:00.000000000Z","time_zone":"Etc/UTC"},{"_aj_serialized":"ActiveJob::Serializers::DurationSerializer","value":5400,"parts":[[{"_aj_serialized":"ActiveJob::Serializers::SymbolSerializer","value":"hours"},1],[{"_aj_serialized":"ActiveJob::Serializers::SymbolSerializer","value":"minutes"},30]]},{"_aj_serialized":"ActiveJob::Serializers::BigDecimalSerializer","value":"0.12345678901234567890123456789e20"},{"_aj_serialized":"ActiveJob::Serializers::ModuleSerializer","value":"String"},{"_aj_serialized":"ActiveJob::Serializers::RangeSerializer","begin":1,"end":10,"exclude_end":false},{"_aj_serialized":"ActiveJob::Serializers::RangeSerializer","begin":1,"end":10,"exclude_end":true},{"_aj_globalid":"gid://app/User/1"},[{"_aj_serialized":"ActiveJob::Serializers::SymbolSerializer","value":"nested"},{"k":[{"_aj_serialized":"ActiveJob::Serializers::SymbolSerializer","value":"v"}],"_aj_symbol_keys":[]}],{"mode":"fast","level":3,"_aj_ruby2_keywords":["mode","level"]}],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2026-12-06T02:44:56.053401985Z","scheduled_at":null}]}';

/** What a TS job sees for the captured arguments. */
const EXPECTED = RAILS_SAMPLE_VALUES;

const payloadArgs = (raw: string) => {
  const p = decodePayload(raw);
  assert.ok(!isMalformed(p));
  return p.args;
};

describe("ActiveJob codec", () => {
  it("reads Rails 7.2's payload into JS values and metadata", () => {
    const run = decodeActiveJob(payloadArgs(CAPTURED));
    assert.equal(run.jobClass, "ArchiveJob");
    assert.deepEqual(run.args, EXPECTED);
    assert.equal(String(run.args[22]), "gid://app/User/1");
    assert.equal(String(run.args[18]), "12345678901234567890.123456789");
    assert.equal((run.args[17] as Duration).toISOString(), "PT1H30M");
    assert.equal(String(run.args[14]), "2026-11-23");
    assert.deepEqual({ ...run.meta, data: undefined }, {
      jobClass: "ArchiveJob",
      jobId: "63677fe1-4d74-4d72-a6eb-58198ea23566",
      providerJobId: null,
      queueName: "archive",
      priority: null,
      executions: 0,
      exceptionExecutions: {},
      locale: "en",
      timezone: "UTC",
      enqueuedAt: new Date("2026-12-06T02:44:56.053Z"),
      enqueuedAtText: "2026-12-06T02:44:56.053401985Z",
      scheduledAt: null,
      data: undefined,
    } satisfies Record<keyof ActiveJobMeta, unknown>);
  });

  it("writes back the bytes Ruby wrote, for every type that survives the trip", () => {
    const raw = payloadArgs(CAPTURED)[0] as { arguments: never[] };
    const decoded = deserializeArguments(raw.arguments);
    // Floats that were 2.0 and 1.0e-05 need float() to be written as Ruby Floats; times lose their nanoseconds and zones.
    const send = decoded.map((v, i) =>
      i === 4 || i === 5
        ? float(v as number)
        : i === 12
          ? new RubySymbol(v as string)
          : i === 19
            ? new RubyModule(v as string)
            : i === 23
              ? [new RubySymbol("nested"), { k: [new RubySymbol("v")] }]
              : v,
    );
    const out = decodeJson(encodeJson(serializeArguments(send))) as unknown[];
    const want = decodeJson(encodeJson(raw.arguments)) as unknown[];
    for (const i of [13, 15, 16, 18]) out[i] = want[i] = null; // checked below
    assert.deepEqual(out, want);
    const plain = encodeJson(serializeArguments(send).slice(0, 12));
    assert.ok(CAPTURED.includes(`"arguments":[${plain.slice(1, -1)},{"_aj_serialized"`), `bytes of the plain values: ${plain}`);
    const [time, , dateTime, zoned, , bigDecimal] = serializeArguments(send.slice(13, 19));
    assert.deepEqual(time, { _aj_serialized: "ActiveJob::Serializers::TimeSerializer", value: "2026-11-23T16:18:57.500000000Z" });
    assert.deepEqual(dateTime, { _aj_serialized: "ActiveJob::Serializers::TimeSerializer", value: "2026-11-23T08:30:15.000000000Z" });
    assert.deepEqual(zoned, { _aj_serialized: "ActiveJob::Serializers::TimeSerializer", value: "2026-11-23T09:00:00.000000000Z" });
    assert.deepEqual(bigDecimal, {
      _aj_serialized: "ActiveJob::Serializers::BigDecimalSerializer",
      value: "12345678901234567890.123456789",
    });
  });

  it("marks symbol keys and keyword arguments only where asked", () => {
    assert.equal(encodeJson(serializeArguments([{ a: 1 }])), '[{"a":1,"_aj_symbol_keys":[]}]');
    assert.equal(encodeJson(serializeArguments([{ a: 1 }], { symbolKeys: true })), '[{"a":1,"_aj_symbol_keys":["a"]}]');
    assert.equal(encodeJson(serializeArguments([symbolKeys({ a: 1, b: 2 }, ["b"])])), '[{"a":1,"b":2,"_aj_symbol_keys":["b"]}]');
    assert.equal(
      encodeJson(serializeArguments([5, keywords({ mode: new RubySymbol("slow") })])),
      '[5,{"mode":{"_aj_serialized":"ActiveJob::Serializers::SymbolSerializer","value":"slow"},"_aj_ruby2_keywords":["mode"]}]',
    );
    assert.deepEqual(
      deserializeArguments([{ a: 1, _aj_hash_with_indifferent_access: true }, { _aj_globalid: "gid://shop/Admin%3A%3AUser/7?tenant=2" }]),
      [{ a: 1 }, new GlobalID("shop", "Admin::User", "7", { tenant: "2" })],
    );
    assert.equal(String(GlobalID.parse("gid://shop/Admin::User/7?tenant=2")), "gid://shop/Admin::User/7?tenant=2");
    assert.throws(() => serializeArguments([{ _aj_globalid: "x" }]), /reserved key/);
    assert.throws(() => serializeArguments([new Map()]), /Map cannot be an ActiveJob argument/);
    assert.throws(() => deserializeArguments([{ _aj_serialized: "MoneySerializer", value: 1 }]), /MoneySerializer is not known/);
  });

  it("writes ActiveJob 7.2's job data, keys in its order", () => {
    const raw = encodeActiveJob("ArchiveJob", [42], {
      jobId: "id-1",
      queue: "archive",
      enqueuedAt: isoNow9(Date.UTC(2026, 10, 23, 16, 18, 57) + 500.25),
    });
    assert.equal(
      raw,
      `{"class":"${JOB_WRAPPER}","args":[{"job_class":"ArchiveJob","job_id":"id-1","provider_job_id":null,"queue_name":"archive","priority":null,"arguments":[42],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2026-11-23T16:18:57.500250000Z","scheduled_at":null}]}`,
    );
  });
});

const redis = useRedis();

describe("worker: ActiveJob payloads", () => {
  it("runs the job defined under job_class with deserialized arguments and this.activeJob", async () => {
    const resque = redis.open("aj-run");
    const seen: { args: unknown[]; meta: ActiveJobMeta | undefined; className: string }[] = [];
    const hooks: string[] = [];
    const archive = defineJob("ArchiveJob", {
      perform(...args: unknown[]) {
        seen.push({ args, meta: this.activeJob, className: this.className });
      },
      beforePerform: (...args: unknown[]) => {
        hooks.push(`before ${args.length}`);
      },
      afterPerform: (...args: unknown[]) => {
        hooks.push(`after ${args.length}`);
      },
    });
    await resque.push("archive", CAPTURED);
    await workerFor(resque, registryOf(archive), "archive").work();
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0]!.args, EXPECTED);
    assert.equal(seen[0]!.meta?.jobId, "63677fe1-4d74-4d72-a6eb-58198ea23566");
    assert.equal(seen[0]!.meta?.executions, 0);
    assert.equal(seen[0]!.className, JOB_WRAPPER);
    assert.deepEqual(hooks, [`before ${EXPECTED.length}`, `after ${EXPECTED.length}`]);
    assert.deepEqual(await resque.stats(), { processed: 1, failed: 0 });
    // The dashboard's per-class metrics name the Rails job, not the wrapper every Rails job shares.
    assert.deepEqual(
      (await resque.classMetrics({ minutes: 5 })).map((m) => [m.className, m.runs]),
      [["ArchiveJob", 1]],
    );
  });

  it("records a failure as stock does for the wrapper: the payload as popped", async () => {
    const resque = redis.open("aj-fail");
    const failing = defineJob("FailingJob", {
      perform(n: number) {
        throw new RangeError(`archive ${n} is missing`);
      },
    });
    const raw = encodeActiveJob("FailingJob", [7], { jobId: "j-7", queue: "archive", enqueuedAt: "2026-11-23T16:18:57.500417581Z" });
    const unknown = encodeActiveJob("NoSuchJob", [], { jobId: "j-8", queue: "archive", enqueuedAt: "2026-11-23T16:18:57.500417581Z" });
    const custom = raw.replace('"arguments":[7]', '"arguments":[{"_aj_serialized":"MoneySerializer","value":"1 EUR"}]');
    await resque.push("archive", raw);
    await resque.push("archive", unknown);
    await resque.push("archive", custom);
    await workerFor(resque, registryOf(failing), "archive").work();
    const records = (await resque.db.redis.lrange(resque.db.keys.failed, 0, -1)).map((r) => JSON.parse(r));
    assert.deepEqual(
      records.map((r) => [r.exception, r.error.replace(/ \(.*/, "").replace(/ is not known.*/, ""), r.queue]),
      [
        ["RangeError", "archive 7 is missing", "archive"],
        ["NameError", "uninitialized constant NoSuchJob", "archive"],
        ["ActiveJob::DeserializationError", "Serializer MoneySerializer", "archive"],
      ],
    );
    assert.equal(records[2].payload.args[0].arguments[0]._aj_serialized, "MoneySerializer", "kept as popped");
    assert.deepEqual(records[0].payload, JSON.parse(raw));
    assert.match(
      (await resque.db.redis.lindex(resque.db.keys.failed, 0))!,
      new RegExp(`"payload":${raw.replace(/[[\]{}().*+?^$|\\]/g, "\\$&")}`),
    );
    assert.deepEqual(await resque.stats(), { processed: 3, failed: 3 });
  });

  it("runs a JobWrapper defined by the app itself as an ordinary job", async () => {
    const resque = redis.open("aj-own");
    const got: unknown[] = [];
    const wrapper = defineJob(JOB_WRAPPER, {
      perform(data: unknown) {
        got.push(data);
      },
    });
    await resque.push("q", encodeActiveJob("X", [1], { jobId: "j", queue: "q", enqueuedAt: "2026-11-23T16:18:57.500417581Z" }));
    await workerFor(resque, registryOf(wrapper), "q").work();
    assert.equal((got[0] as { job_class: string }).job_class, "X");
  });

  it("enqueueActiveJob pushes now, or delays through the delayed queue", async () => {
    const resque = redis.open("aj-enqueue");
    const job = defineJob("ArchiveJob", { queue: "archive", perform(_n: number) {} });
    const now = await resque.enqueueActiveJob(job, [42], { priority: 5 });
    assert.match(now.jobId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [queued] = await resque.db.redis.lrange(resque.db.keys.queue("archive"), 0, -1);
    assert.equal(queued, now.payload);
    assert.match(
      queued!,
      /"priority":5,"arguments":\[42\],.*"enqueued_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z","scheduled_at":null\}\]\}$/,
    );
    const later = await resque.enqueueActiveJob("ArchiveJob", [1, "late"], { queue: "archive", wait: 3600 });
    assert.equal(later.delayed, true);
    const items = await resque.findDelayedSelection(() => true, JOB_WRAPPER);
    assert.equal(items.length, 1);
    assert.equal(items[0]!.queue, "archive");
    assert.match(items[0]!.raw, /"scheduled_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"\}\],"queue":"archive"\}$/);
    const past = await resque.enqueueActiveJob("ArchiveJob", [2], { queue: "archive", waitUntil: new Date(Date.now() - 1000) });
    assert.equal(past.delayed, false, "a time not ahead is enqueued at once, as resque-scheduler does");
    assert.equal(await resque.db.redis.llen(resque.db.keys.queue("archive")), 2);
  });
});

describe("resque enqueue --active-job", () => {
  const cli = async (resque: ReturnType<typeof redis.open>, args: string[]) => {
    const child = spawnCli(args, { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace }, false);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (err += d));
    return { code: await exited(child), out, err };
  };

  it("pushes the payload perform_later writes, or delays it with --in", async () => {
    const resque = redis.open("aj-cli");
    const now = await cli(resque, [
      "enqueue",
      "--active-job",
      "ArchiveJob",
      "42",
      '{"compress":true}',
      "plain",
      "--queue",
      "archive",
      "--symbol-keys",
      "--json",
    ]);
    assert.equal(now.code, 0, now.err);
    const shown = JSON.parse(now.out);
    const [queued] = await resque.db.redis.lrange(resque.db.keys.queue("archive"), 0, -1);
    assert.deepEqual(JSON.parse(queued!), shown.payload);
    assert.match(
      queued!,
      new RegExp(
        `^\\{"class":"${JOB_WRAPPER}","args":\\[\\{"job_class":"ArchiveJob","job_id":"${shown.jobId}","provider_job_id":null,"queue_name":"archive","priority":null,"arguments":\\[42,\\{"compress":true,"_aj_symbol_keys":\\["compress"\\]\\},"plain"\\],"executions":0,`,
      ),
    );
    const later = await cli(resque, ["enqueue", "--active-job", "ArchiveJob", "1", "--queue", "archive", "--in", "1h", "--priority", "3"]);
    assert.equal(later.code, 0, later.err);
    assert.match(later.out + later.err, /Delayed ActiveJob ArchiveJob \(job_id [0-9a-f-]{36}\) on archive until/);
    const [item] = await resque.findDelayedSelection(() => true, JOB_WRAPPER);
    assert.match(item!.raw, /"priority":3,"arguments":\[1\],.*"scheduled_at":"[^"]+Z"\}\],"queue":"archive"\}$/);
  });
});
