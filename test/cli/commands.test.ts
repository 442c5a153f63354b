// Every CLI command's human and --json output, on the runtime running the tests.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useRedis } from "../support/fixture.ts";
import { exited, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();

async function run(
  resque: ReturnType<typeof redis.open>,
  args: string[],
  input?: string,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawnCli(args, { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace }, input !== undefined);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  if (input !== undefined) child.stdin?.end(input);
  const code = await exited(child);
  return { code, out, err };
}

const FAILURE =
  '{"failed_at":"2026/11/23 07:54:37 UTC","payload":{"class":"FailJob","args":[9007199254740993]},"exception":"ArgumentError","error":"boom","backtrace":["/app/jobs.rb:24:in `perform\'"],"worker":"vm:4767:bench","queue":"bench"}';

describe("resque CLI", () => {
  it("enqueue: JSON args when they parse, strings otherwise; --json payloads; --bulk from stdin", async () => {
    const resque = redis.open("cli-enqueue");
    const one = await run(resque, ["enqueue", "Archive", "42", '{"deep":true}', "plain", "--queue", "archive"]);
    assert.equal(one.code, 0, one.err);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("archive"), 0, -1), [
      '{"class":"Archive","args":[42,{"deep":true},"plain"]}',
    ]);
    const raw = await run(resque, ["enqueue", "--queue", "raw", "--json", '{"class":"A","args":[9007199254740993]}']);
    assert.equal(raw.code, 0, raw.err);
    assert.equal(raw.out.trim(), '{"queue":"raw","payload":{"class":"A","args":[9007199254740993]}}');
    const bulk = await run(
      resque,
      ["enqueue", "--queue", "bulk", "--bulk", "-", "--json"],
      '{"class":"B","args":[1]}\nnot json\n{"class":"B","args":[2]}\n',
    );
    assert.equal(bulk.code, 1, "a refused line makes it a user error");
    assert.match(bulk.err, /1 line was not a valid payload/);
    const summary = JSON.parse(bulk.out.trim().split("\n")[0]!);
    assert.equal(summary.pushed, 2);
    assert.equal(summary.rejected[0].line, 2);
    assert.equal(await resque.size("bulk"), 2);
  });

  it("queues and stats, as tables and as JSON", async () => {
    const resque = redis.open("cli-read");
    await resque.enqueueTo("a", "A");
    await resque.enqueueTo("b", "B", 1);
    await resque.enqueueTo("b", "B", 2);
    assert.match((await run(resque, ["queues"])).out, /QUEUE\s+SIZE\s+OLDEST\na\s+1\s+>=\d+s\nb\s+2\s+>=\d+s/);
    // Stock payloads carry no enqueue time: the age counts from the first read that saw the head job.
    const queues = JSON.parse((await run(resque, ["queues", "--json"])).out) as { oldestAgeSeconds: number }[];
    assert.ok(
      queues.every((q) => q.oldestAgeSeconds >= 0),
      JSON.stringify(queues),
    );
    assert.deepEqual(
      queues.map(({ oldestAgeSeconds: _age, ...q }) => q),
      [
        { name: "a", size: 1, oldestAgeSource: "first-seen" },
        { name: "b", size: 2, oldestAgeSource: "first-seen" },
      ],
    );
    assert.match((await run(resque, ["stats"])).out, /pending\s+3[^]*processed\s+0[^]*queues\s+2/);
    const stats = JSON.parse((await run(resque, ["stats", "--json"])).out);
    assert.deepEqual([stats.pending, stats.failed, stats.workers, stats.queueSizes], [3, 0, 0, { a: 1, b: 2 }]);
  });

  it("failed list, show, retry, retry-all, remove, clear", async () => {
    const resque = redis.open("cli-failed");
    await resque.db.redis.rpush(resque.db.keys.failed, FAILURE, FAILURE.replace('"bench"}', '"other"}'));
    assert.match(
      (await run(resque, ["failed", "list"])).out,
      /INDEX[^]*0\s+2026\/11\/23 07:54:37 UTC\s+bench\s+FailJob\s+ArgumentError\s+boom/,
    );
    const listed = JSON.parse((await run(resque, ["failed", "list", "--queue", "other", "--json"])).out);
    assert.deepEqual(
      listed.map((f: { index: number }) => f.index),
      [1],
    );
    assert.match((await run(resque, ["failed", "show", "0"])).out, /args\s+\[9007199254740993\][^]*backtrace:\n {2}\/app\/jobs\.rb:24/);
    assert.equal((await run(resque, ["failed", "show", "0", "--json"])).out.trim(), FAILURE);
    const missing = await run(resque, ["failed", "show", "9"]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No failed job at index 9/);
    assert.equal((await run(resque, ["failed", "retry", "0", "--json"])).out.trim(), '{"retried":[0]}');
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("bench"), 0, -1), ['{"class":"FailJob","args":[9007199254740993]}']);
    assert.equal((await run(resque, ["failed", "retry-all", "--queue", "other", "--json"])).out.trim(), '{"retried":1}');
    assert.match((await run(resque, ["failed", "remove"])).err, /Say which failures to remove/);
    assert.equal((await run(resque, ["failed", "clear", "--retried", "--json"])).out.trim(), '{"removed":2}');
    await resque.db.redis.rpush(resque.db.keys.failed, FAILURE, FAILURE);
    assert.match((await run(resque, ["failed", "remove", "0"])).out, /Removed 1 failed job\./);
    assert.match((await run(resque, ["failed", "clear"])).out, /Cleared 1 failed job\./);
    assert.equal(await resque.failed.count(), 0);
  });

  it("pause, resume, workers and prune", async () => {
    const resque = redis.open("cli-admin");
    assert.equal((await run(resque, ["pause", "--json"])).out.trim(), '{"paused":true}');
    assert.equal(await resque.paused(), true);
    assert.match((await run(resque, ["resume"])).out, /resumed/);
    assert.equal(await resque.paused(), false);
    const k = resque.db.keys;
    const { hostname } = await import("node:os");
    const dead = `${hostname()}:999999997:q`;
    await resque.db.redis.sadd(k.workers, dead, "elsewhere:12:q");
    await resque.db.redis.set(k.worker(dead), '{"queue":"q","run_at":"2026-11-23T07:54:37Z","payload":{"class":"Lost","args":[]}}');
    await resque.db.redis.set(k.workerStarted("elsewhere:12:q"), "2026-11-23 07:54:37 +0000");
    assert.match(
      (await run(resque, ["workers"])).out,
      /HOST[^]*elsewhere\s+12\s+q\s+idle[^]*999999997\s+q\s+working\s+Lost on q since 2026-11-23T07:54:37Z/,
    );
    const listed = JSON.parse((await run(resque, ["workers", "--json"])).out);
    assert.deepEqual(listed.map((w: { state: string }) => w.state).sort(), ["idle", "working"]);
    assert.equal((await run(resque, ["prune", "--json"])).out.trim(), `{"pruned":["${dead}"]}`);
    assert.equal((await resque.failed.list(0, 1))[0]?.exception, "Resque::DirtyExit");
  });

  it("stats --watch repeats until stopped, with no screen codes in a pipe", async () => {
    const resque = redis.open("cli-watch");
    const child = spawnCli(["stats", "--watch", "--every", "0.2"], {
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
    });
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    await resque.enqueueTo("w", "A");
    for (let i = 0; i < 400 && (out.match(/pending\s+1/g) ?? []).length < 3; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGINT");
    await exited(child);
    assert.ok((out.match(/pending\s+1/g) ?? []).length >= 3, "it printed the stats several times");
    assert.doesNotMatch(out, /\x1b\[/, "clearing the screen is for a terminal only");
  });

  it("work names a job module it cannot load, and exits 1", async () => {
    const resque = redis.open("cli-require");
    const result = await run(resque, ["work", "--queue", "q", "--require", "./missing-jobs.ts"]);
    assert.equal(result.code, 1);
    assert.match(result.err, /Cannot load job module \.\/missing-jobs\.ts/);
    const env = await run(resque, ["work", "--queue", "q", "--require", "test/fixtures/jobs.ts,./also-missing.ts"]);
    assert.equal(env.code, 1);
    assert.match(env.err, /Cannot load job module \.\/also-missing\.ts/, "every comma-separated module is loaded");
  });

  it("answers a wrong Redis with exit code 2 and advice, a wrong location with 1", async () => {
    const resque = redis.open("cli-errors");
    const down = await run(resque, ["queues", "--redis", "redis://127.0.0.1:1/0"]);
    assert.equal(down.code, 2);
    assert.match(down.err, /Redis at 127\.0\.0\.1:1 refused the connection.*start redis-server or pass --redis URL/);
    const bad = await run(resque, ["stats", "--redis", "http://nope"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /only redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/ and redis\+cluster:\/\/ URLs are understood/);
  });
});
