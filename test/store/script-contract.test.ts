// Each Lua script's header declares its contract (KEYS, ARGV, groups, reply: see scripts/gen-scripts.mjs).
// Here every store function that runs a script is called against a real Redis, with the script's
// command watched on the client: what it sends must lay out as the header says, and what the
// script returns must have the header's shape. A script whose body returns another shape, or a
// call that sends one value too many, fails here; a renamed or missing name already fails tsc.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Db } from "../../src/store/connection.ts";
import * as delayed from "../../src/store/delayed.ts";
import * as history from "../../src/store/history.ts";
import * as latency from "../../src/store/latency.ts";
import * as metrics from "../../src/store/metrics.ts";
import * as processes from "../../src/store/processes.ts";
import * as recovery from "../../src/store/recovery.ts";
import * as retry from "../../src/store/retry.ts";
import * as scheduler from "../../src/store/scheduler.ts";
import { type LuaScript, luaPieces, luaScripts } from "../../src/store/scripts.generated.ts";
import * as views from "../../src/store/views.ts";
import * as workers from "../../src/store/workers.ts";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();
type Value = string | number;
interface Seen {
  keys: Value[];
  argv: Value[];
  reply: unknown;
}

/**
 * Check every call of every script on this client against its header: the arguments before they
 * are sent, the reply when it comes (the real command runs in between). Returns the calls seen.
 */
function watch(db: Db): Map<string, Seen[]> {
  const seen = new Map<string, Seen[]>();
  const client = db.redis as unknown as Record<string, (...args: Value[]) => Promise<unknown>>;
  for (const script of Object.values(luaScripts) as LuaScript[]) {
    const run = client[script.name]!;
    client[script.name] = async (...args: Value[]) => {
      const count = script.numberOfKeys ?? Number(args[0]);
      const rest = script.numberOfKeys === undefined ? args.slice(1) : args;
      const call = { keys: rest.slice(0, count), argv: rest.slice(count) };
      checkKeys(script, call.keys);
      checkArgv(script, call.argv, call.keys);
      const reply = await run.apply(db.redis, args);
      checkReply(script, reply);
      seen.set(script.name, [...(seen.get(script.name) ?? []), { ...call, reply }]);
      return reply;
    };
  }
  return seen;
}

/** Every store function that runs a script, each path once (retry kinds, optional keys, empty batches). */
async function exerciseAll(db: Db): Promise<void> {
  const r = db.redis;
  const k = db.keys;
  await r.rpush(k.queue("q"), '{"class":"A","args":[1]}', '{"class":"B","args":[2]}', "not json");
  await r.rpush(k.queue("r"), '{"class":"C","args":[3]}');
  const tally = new Map([
    [
      "A",
      {
        runs: 2,
        failures: 1,
        totalMs: 30,
        maxMs: 20,
        buckets: new Map([
          [3, 1],
          [5, 1],
        ]),
      },
    ],
    ["B", { runs: 1, failures: 0, totalMs: 5, buckets: new Map<number, number>() }],
  ]);
  const prefixes = ['{"queue":"q","run_at":"t","payload":', '{"queue":"r","run_at":"t","payload":'];
  const request = { id: "h:1:q", done: [], failures: [], want: 3, queues: ["q", "r"], prefixes };
  await db.redis.sadd(k.workers, request.id);
  const first = await workers.reserveCycle(db, request);
  const [a, b, c] = first.taken.map((t) => t.entry);
  await workers.reserveCycle(db, {
    ...request,
    done: [a!],
    failures: [
      { entry: b!, record: "REC" },
      { entry: c!, record: "", retry: { kind: "now", count: `${k.prefix}cnt1`, queue: "q", payload: "P", ttl: 9 } },
    ],
    cleared: [`${k.prefix}clr`],
    metrics: tally,
    nowMs: 1_700_000_000_000,
  });
  await workers.reserveCycle(db, {
    ...request,
    want: 0,
    failures: [
      {
        entry: "x",
        record: "R",
        retry: { kind: "later", count: `${k.prefix}cnt2`, ts: 123, item: "I", ttl: 7, failure: { entry: "F", ttl: 14 } },
      },
      { entry: "y", record: "R", retry: { kind: "later", count: `${k.prefix}cnt3`, ts: 124, item: "J", ttl: 8 } },
      { entry: "z", record: "R", retry: { kind: "fail", count: `${k.prefix}cnt4` } },
    ],
  });
  const held = await workers.inflightEntries(db, "h:1:q");
  const charges = ["uncounted", "counted", "failed"] as const;
  await recovery.returnJobs(
    db,
    "h:1:q",
    held.map((entry, i) => ({ entry, payload: `p${i}`, queue: "q", charge: charges[i % 3]!, record: `rec${i}` })),
    3,
  );
  await workers.unregisterWorker(db, "h:1:q");
  await metrics.recordMetrics(db, tally, 1_700_000_000_000);
  await processes.requestKill(db, "h:1:q", "tok");
  await processes.processBeat(db, "h:1:q", "{}");
  await retry.startRetryAttempt(db, `${k.prefix}cnt9`, 2.5);
  await history.samplePoint(db);
  await latency.queueHeads(db);
  await views.viewRange(db, k.queue("q"), 0, 5);
  await views.viewStrings(db, [k.processed, `${k.prefix}none`, k.queue("q")]);
  await r.hset(`${k.prefix}h`, "a", "1", "b", "2");
  await views.viewHash(db, `${k.prefix}h`);
  await scheduler.acquireLock(db, `${k.prefix}lock`, "me", 5);
  await scheduler.renewLock(db, `${k.prefix}lock`, "me", 5);
  await scheduler.releaseLock(db, `${k.prefix}lock`, "me");
  const [d, e] = ['{"class":"D","args":[],"queue":"q"}', '{"class":"E","args":[],"queue":"q"}'];
  for (const [ts, item] of [
    [100, d],
    [100, e],
    [101, d],
    [102, "X"],
    [103, "Y"],
    [104, "Z"],
    [105, "V"],
  ] as const) {
    await delayed.pushDelayed(db, ts, item!);
  }
  await scheduler.promoteBatch(db, 100, [
    { item: d!, mode: "push", queue: "q", payload: "PP" },
    { item: e!, mode: "drop" },
  ]);
  await scheduler.promoteBatch(db, 101, []);
  await delayed.removeDelayedItem(db, "X", { queue: "q", payload: "XP" });
  await delayed.removeDelayedItem(db, "Y");
  await delayed.removeDelayedItemAt(db, 104, "Z");
  await delayed.resetDelayed(db);
}

/** How many values a rest of `name` takes per item: its group's size, else 1. */
const groupSize = (script: LuaScript, name: string | undefined): number => script.groups[name ?? ""]?.length ?? 1;

/** KEYS as the header declares them: the fixed ones, the optional ones, then whole groups of the rest. */
function checkKeys(script: LuaScript, keys: Value[]): void {
  const fixed = script.keys.length;
  assert.ok(keys.length >= fixed, `${script.name}: ${keys.length} keys, the header requires ${fixed}`);
  const extra = keys.length - fixed;
  if (script.restKeys === undefined) {
    assert.ok(extra === 0 || extra === script.optionalKeys.length, `${script.name}: ${extra} optional keys sent`);
  } else {
    assert.equal(extra % groupSize(script, script.restKeys), 0, `${script.name}: the rest of KEYS is not whole groups`);
  }
}

/** ARGV as the header declares it; the three scripts with a rest of ARGV are walked value by value. */
function checkArgv(script: LuaScript, argv: Value[], keys: Value[]): void {
  const fixed = script.argv.length;
  assert.ok(argv.length >= fixed, `${script.name}: ${argv.length} arguments, the header requires ${fixed}`);
  const at = (name: string) => Number(argv[script.argv.indexOf(name)]);
  const rest = argv.length - fixed;
  switch (script.name) {
    case "reserveCycle": {
      const queues = keys.length - script.keys.length;
      let i = fixed + at("doneCount") + at("failureCount") * script.groups.failure!.length + at("clearedCount");
      i = metricsBlockEnd(argv, i);
      assert.equal(argv.length, i + queues, "reserveCycle: one entry prefix per queue key, and nothing after");
      return;
    }
    case "returnJobs":
    case "promoteDue": {
      const items = (keys.length - script.keys.length) / groupSize(script, script.restKeys);
      const size = script.name === "returnJobs" ? script.groups.job!.length : script.groups.item!.length;
      assert.equal(rest, items * size, `${script.name}: one ARGV group per item of KEYS`);
      return;
    }
    case "recordMetrics":
      assert.equal(metricsBlockEnd(argv, 0), argv.length, "recordMetrics: the metrics block and nothing after");
      return;
    default:
      assert.equal(script.restArgv, undefined, `${script.name}: a rest of ARGV this test does not walk`);
      assert.ok(rest === 0 || rest === script.optionalArgv.length, `${script.name}: ${rest} optional arguments sent`);
  }
}

/** Where a metrics block (lua/_metrics.lua) starting at `i` ends. */
function metricsBlockEnd(argv: Value[], i: number): number {
  const { metrics, metricsClass, bucket } = luaPieces.metrics.groups;
  const classes = Number(argv[i + metrics.indexOf("classCount")]);
  i += metrics.length;
  for (let c = 0; c < classes; c++) i += metricsClass.length + bucket.length * Number(argv[i + metricsClass.indexOf("bucketCount")]);
  return i;
}

/** The reply as RETURNS declares it: one value, or a table of the fixed fields then whole groups of the rest. */
function checkReply(script: LuaScript, reply: unknown): void {
  const { table, fields, rest } = script.returns;
  if (!table) {
    assert.ok(!Array.isArray(reply), `${script.name}: RETURNS one value, the script returned a table`);
    return;
  }
  assert.ok(Array.isArray(reply), `${script.name}: RETURNS a table, the script returned ${String(reply)}`);
  if (rest === undefined) {
    assert.equal(reply.length, fields.length, `${script.name}: RETURNS { ${fields.join(" ")} }`);
  } else {
    const size = groupSize(script, rest);
    assert.ok(reply.length >= fields.length, `${script.name}: fewer values than RETURNS' fixed fields`);
    assert.equal((reply.length - fields.length) % size, 0, `${script.name}: the rest of the reply is not whole groups of ${size}`);
  }
}

describe("script contracts", () => {
  it("scripts.generated.ts holds what the Lua headers declare now", async () => {
    // The generator's own reading of src/store/lua (a plain .mjs: no types to import).
    const generator = "../../scripts/gen-scripts.mjs";
    const { readScripts } = (await import(generator)) as {
      readScripts(): { scripts: { name: string; lua: string; numberOfKeys?: number }[] };
    };
    const { scripts } = readScripts();
    assert.deepEqual(scripts.map((s) => s.name).sort(), Object.keys(luaScripts).sort());
    for (const s of scripts) {
      const generated = (luaScripts as Record<string, LuaScript>)[s.name]!;
      assert.equal(generated.lua, s.lua, `${s.name}: regenerate with node scripts/gen-scripts.mjs`);
      assert.equal(generated.numberOfKeys, s.numberOfKeys);
    }
  });

  it("every script call lays out KEYS and ARGV as its header says, and every reply has the declared shape", async () => {
    const resque = redis.open("script-contract");
    const seen = watch(resque.db);
    await exerciseAll(resque.db);
    // Each call was checked as it went (watch); every script must have been called.
    for (const script of Object.values(luaScripts) as LuaScript[]) {
      const calls = seen.get(script.name) ?? [];
      assert.ok(calls.length > 0, `${script.name} was not called: add it to exerciseAll`);
    }
    // A taken job's reply names the queue by its index among the queue keys sent.
    const cycle = seen.get("reserveCycle")![0]!;
    const taken = luaScripts.reserveCycle.groups.taken;
    const replies = cycle.reply as Value[];
    for (let i = luaScripts.reserveCycle.returns.fields.length; i < replies.length; i += taken.length) {
      const index = Number(replies[i + taken.indexOf("queueIndex")]);
      assert.ok(index >= 1 && index <= cycle.keys.length - luaScripts.reserveCycle.keys.length, `queue index ${index}`);
    }
  });
});
