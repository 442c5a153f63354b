/**
 * A hostile store: one namespace holding every malformed record a real installation accumulates
 * (issue 22 point 8), and the worst sizes a read path meets (point 5): wrong key types, non-JSON,
 * NaN/Infinity numbers, 100,000-level nesting, 50 MB values, invalid UTF-8, 10,000 queues and a
 * 1M-entry list. Seeded with pipelines and one Lua loop, so a test file pays for it once.
 */
import type { Redis } from "ioredis";
import { resqueKeys, type ResqueKeys } from "../../src/protocol/keys.ts";

export const HUGE_BYTES = 50 * 1024 * 1024;
export const DEEP_LEVELS = 100_000;
export const MANY_QUEUES = 10_000;
export const LONG_LIST = 1_000_000;

/** Names the test uses to find the records again (a worker page, a delayed time, a schedule). */
export const hostile = {
  hugeQueue: "huge",
  longQueue: "long",
  wrongTypeQueue: "wrongtype",
  oddQueue: "odd",
  /** A worker whose id has no colons. */
  colonless: "nocolons",
  /** A worker whose worker:<id> names run_at as an object. */
  objectRunAt: "host:101:odd",
  /** A worker whose worker:<id> is not JSON. */
  badJob: "host:102:odd",
  /** A worker whose worker:<id> key is a hash. */
  wrongTypeJob: "host:103:odd",
  /** A worker whose in-flight list is a string and whose process record has the wrong shape. */
  badProcess: "host:104:odd",
  /** A delayed time whose list is a hash. */
  wrongTypeDelayed: 2_000_000_000,
  /** A good delayed time holding undecodable items. */
  badItemsDelayed: 2_000_000_100,
  badSchedule: "not-json",
  deepSchedule: "deep",
};

/** `depth` nested arrays: `[[[...1...]]]`. */
export const deepJson = (depth: number): string => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

// The 50 MB values are built inside Redis (string.rep), so the test process never holds them.
const HUGE_VALUES = `
local huge = '{"class":"Huge","args":["' .. string.rep('x', tonumber(ARGV[1])) .. '"]}'
redis.call('RPUSH', KEYS[1], huge, '{"class":"Small","args":[]}')
redis.call('SET', KEYS[2], '{"queue":"huge","run_at":"2026-12-06T01:00:00Z","payload":' .. huge .. '}')
redis.call('RPUSH', KEYS[3], '{"failed_at":"2026/12/06 01:00:00 UTC","payload":' .. huge .. ',"exception":"E","error":"e","backtrace":[],"worker":"w","queue":"huge"}')
redis.call('RPUSH', KEYS[4], huge)
redis.call('HSET', KEYS[5], 'huge', huge)
return 1`;

const INVALID_UTF8 = Buffer.from([0x7b, 0x22, 0x63, 0xff, 0xfe, 0x22, 0x3a, 0xc3, 0x28, 0x7d]);

// 1M entries in one script call: RPUSH in batches of 5000 (Lua's unpack has a stack limit).
const FILL_LIST = `
local n, batch, item = tonumber(ARGV[1]), {}, ARGV[2]
for i = 1, 5000 do batch[i] = item end
local left = n
while left > 0 do
  local take = math.min(left, 5000)
  redis.call('RPUSH', KEYS[1], unpack(batch, 1, take))
  left = left - take
end
return n`;

/** Seed `namespace` on `redis` with every hostile record; returns its keys. */
export async function seedHostileStore(redis: Redis, namespace: string): Promise<ResqueKeys> {
  const k = resqueKeys(namespace);
  const deep = deepJson(DEEP_LEVELS);
  const p = redis.pipeline();

  // Queues: 10,000 names (most empty), a 50 MB head, a 1M-entry list, a key of the wrong type, odd payloads.
  const names = Array.from({ length: MANY_QUEUES }, (_, i) => `q${String(i).padStart(5, "0")}`);
  for (let i = 0; i < names.length; i += 1000) p.sadd(k.queues, ...names.slice(i, i + 1000));
  for (const name of names.slice(0, 50)) p.rpush(k.queue(name), '{"class":"Small","args":[]}');
  p.sadd(k.queues, hostile.hugeQueue, hostile.longQueue, hostile.wrongTypeQueue, hostile.oddQueue, "", "../../etc", "<script>x</script>");
  p.hset(k.queue(hostile.wrongTypeQueue), "not", "a list");
  p.rpush(
    k.queue(hostile.oddQueue),
    "not json",
    INVALID_UTF8,
    deep,
    "null",
    "[]",
    '{"class":7,"args":"x"}',
    `{"class":"E","args":[],"enqueued_at":{"x":1}}`,
  );
  p.eval(FILL_LIST, 1, k.queue(hostile.longQueue), LONG_LIST, '{"class":"Long","args":[1]}');

  // Counters that are not numbers.
  p.set(k.processed, "abc");
  p.set(k.failedCount, "Infinity");

  // Workers: no colons, run_at an object, non-JSON job, wrong-typed keys, NaN stats, a 50 MB job.
  const ids = [
    hostile.colonless,
    hostile.objectRunAt,
    hostile.badJob,
    hostile.wrongTypeJob,
    hostile.badProcess,
    "host:105:huge",
    "host:abc:odd",
    "::",
    "host:106:deep",
  ];
  p.sadd(k.workers, ...ids);
  p.set(k.worker(hostile.colonless), '{"queue":"odd","run_at":"2026-12-06T01:00:00Z","payload":{"class":"A","args":[]}}');
  p.set(k.worker(hostile.objectRunAt), '{"queue":{"q":1},"run_at":{"t":1},"payload":{"class":"A","args":[]}}');
  p.set(k.worker(hostile.badJob), "{not json");
  p.hset(k.worker(hostile.wrongTypeJob), "a", "b");
  p.set(k.worker("host:106:deep"), `{"queue":"odd","run_at":"2026-12-06T01:00:00Z","payload":${deep}}`);
  p.set(k.workerStarted(hostile.objectRunAt), "yesterday-ish");
  p.hset(k.workerStarted(hostile.badJob), "a", "b");
  p.set(k.workerProcessed(hostile.objectRunAt), "NaN");
  p.set(k.workerFailed(hostile.objectRunAt), "-Infinity");
  p.hset(k.heartbeats, hostile.objectRunAt, "not a time", hostile.colonless, "2026-12-06T01:00:00+00:00");
  p.set(k.inflight(hostile.badProcess), "not a list");
  p.rpush(k.inflight(hostile.objectRunAt), "garbage entry", deep);
  p.set(k.process(hostile.badProcess), '{"role":"worker","running":"x","queues":7,"pid":"abc"}');
  p.set(k.process(hostile.objectRunAt), '{"role":"worker","host":{"h":1},"running":[null,7,{"token":{}}],"queues":[1,null]}');
  p.set(k.process(hostile.badJob), deep);
  p.set(k.master("host:1"), '{"role":"master","pid":"x","children":"y","title":{"t":1},"host":7}');
  p.set(k.master("host:2"), "not json");
  p.zadd(k.masters, Date.now() + 3_600_000, "host:1", Date.now() + 3_600_000, "host:2");

  // Failed list: deep nesting, non-JSON, invalid UTF-8, wrong shapes, a 50 MB record.
  p.rpush(
    k.failed,
    deep,
    "not json",
    INVALID_UTF8,
    "7",
    '{"payload":"x","failed_at":{"t":1},"backtrace":"no","queue":[1]}',
    `{"payload":${deep},"queue":"odd"}`,
  );
  p.eval(
    HUGE_VALUES,
    5,
    k.queue(hostile.hugeQueue),
    k.worker("host:105:huge"),
    k.failed,
    k.delayed(hostile.badItemsDelayed),
    k.persistentSchedules,
    HUGE_BYTES,
  );

  // Delayed: a non-numeric member, an infinite score, a wrong-typed time list, undecodable items.
  p.zadd(
    k.delayedSchedule,
    "5",
    "abc",
    "inf",
    "inf",
    "-inf",
    "-inf",
    "7",
    "1e400",
    "8",
    "12.5",
    hostile.wrongTypeDelayed,
    hostile.wrongTypeDelayed,
    hostile.badItemsDelayed,
    hostile.badItemsDelayed,
  );
  p.hset(k.delayed(hostile.wrongTypeDelayed), "a", "b");
  p.rpush(k.delayed(hostile.badItemsDelayed), "not json", INVALID_UTF8, deep, '{"class":"Ok","args":[],"queue":"q"}');

  // Schedules: non-JSON, deep, wrong shapes; last runs that are not times.
  p.hset(
    k.persistentSchedules,
    hostile.badSchedule,
    "{nope",
    hostile.deepSchedule,
    deep,
    "number",
    "7",
    "cron-object",
    '{"cron":{"x":1},"class":["A"],"args":{"a":1}}',
  );
  p.hset(k.lastEnqueuedAt, hostile.badSchedule, "whenever", "number", deep);

  // Our own records: metrics with non-numbers and one real run (the Infinity bucket), history garbage, heads.
  p.hset(
    k.metricsTotals,
    "Job|r",
    "1",
    "Job|ms",
    "12",
    "Job|b3",
    "1",
    "Bad|r",
    "abc",
    "Bad|ms",
    "Infinity",
    "nobar",
    "1",
    "Weird|b99999",
    "1",
  );
  p.hset(k.metricsMinute(Math.floor(Date.now() / 60_000)), "Job|r", "1", "Job|ms", "NaN", "Job|b3", "1", "Bad|bx", "1");
  p.rpush(k.historySeconds, "garbage", "1 2 3", `${Date.now()} abc NaN Infinity -1`, deep);
  p.rpush(k.historyMinutes, "garbage");
  p.hset(k.heads, hostile.oddQueue, "short", "gone", "x|y");
  await p.exec();
  return k;
}
