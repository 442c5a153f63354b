// `resque enqueue --bulk`: lines split at \n only, invalid UTF-8 refused, and a Redis that dies part-way.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startRedis, uniqueNamespace } from "../../scripts/lib/redis-server.ts";
import { useRedis } from "../support/fixture.ts";
import { eventually, finished, runToEnd, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();

describe("resque enqueue --bulk", () => {
  it("keeps U+2028 and U+2029 inside payloads, takes \\r\\n endings, and pushes the bytes it was given", async () => {
    const resque = redis.open("bulk-separators");
    // Ruby's JSON.generate leaves U+2028 and U+2029 raw inside strings.
    const lines = ['{"class":"A","args":["one\u2028two"]}', '{"class":"A","args":["three\u2029four"]}', '{"class":"A","args":["crlf"]}'];
    const input = `${lines[0]}\n${lines[1]}\n\n${lines[2]}\r\n`;
    const result = await runToEnd(
      ["enqueue", "--queue", "q", "--bulk", "-", "--json"],
      { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace },
      input,
    );
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(JSON.parse(result.out), { queue: "q", pushed: 3, rejected: [] });
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("q"), 0, -1), lines);
  });

  it("pushes a 20 MB line and the many short lines around it, byte for byte and in order", async () => {
    const resque = redis.open("bulk-long-line");
    const short = (n: number) => `{"class":"A","args":[${n}]}`;
    // Spaces inside the document too: the line is trimmed at its ends only.
    const long = `{"class":"A","args":["${"x".repeat(20 * 1024 * 1024)}", ${" ".repeat(100_000)}1]}`;
    const lines = [...Array.from({ length: 3000 }, (_, i) => short(i)), long, ...Array.from({ length: 3000 }, (_, i) => short(3000 + i))];
    const result = await runToEnd(
      ["enqueue", "--queue", "q", "--bulk", "-", "--json", "--redis-timeout", "60"],
      { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace },
      `${lines.join("\n")}\n`,
    );
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(JSON.parse(result.out), { queue: "q", pushed: 6001, rejected: [] });
    const stored = await resque.db.redis.lrange(resque.db.keys.queue("q"), 0, -1);
    assert.equal(stored.length, 6001);
    assert.ok(stored[3000] === long, "the long line is stored as given");
    assert.deepEqual([stored[0], stored[2999], stored[3001], stored[6000]], [short(0), short(2999), short(3000), short(5999)]);
  });

  it("refuses and names a line that is not UTF-8 instead of pushing U+FFFD", async () => {
    const resque = redis.open("bulk-utf8");
    const bytes = Buffer.concat([
      Buffer.from('{"class":"A","args":[1]}\n{"class":"A","args":["'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"]}\n{"class":"A","args":[3]}\n'),
    ]);
    const result = await runToEnd(
      ["enqueue", "--queue", "q", "--bulk", "-"],
      { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace },
      bytes,
    );
    assert.equal(result.code, 1);
    assert.match(result.out + result.err, /line 2 not pushed: not valid UTF-8/);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("q"), 0, -1), [
      '{"class":"A","args":[1]}',
      '{"class":"A","args":[3]}',
    ]);
  });

  it("says how many lines were pushed and from which line to resume when Redis goes away", async () => {
    const server = await startRedis();
    const namespace = uniqueNamespace("bulk-outage");
    const key = `${namespace}:queue:q`;
    const child = spawnCli(
      ["enqueue", "--queue", "q", "--bulk", "-", "--redis-timeout", "1"],
      { REDIS_URL: server.url, RESQUE_NAMESPACE: namespace },
      true,
    );
    let err = "";
    child.stdout?.resume();
    child.stderr?.on("data", (d) => (err += d));
    let stopped = false;
    try {
      const line = (n: number) => `{"class":"A","args":[${n}]}\n`;
      child.stdin!.write(Array.from({ length: 1000 }, (_, i) => line(i + 1)).join(""));
      await eventually(async () => (await server.client.llen(key)) === 1000, "the first batch to arrive");
      await server.stop();
      stopped = true;
      child.stdin!.end(Array.from({ length: 5 }, (_, i) => line(1001 + i)).join(""));
      assert.equal(await finished(child), 2, err);
      assert.match(err, /1000 jobs from the lines before 1001 were pushed to q/);
      assert.match(err, /tail -n \+1001 YOUR_FILE \| resque enqueue --queue q --bulk -/);
    } finally {
      // Once only: under Deno a second stop() waits for an exit event that already came.
      if (!stopped) await server.stop();
    }
  });
});
