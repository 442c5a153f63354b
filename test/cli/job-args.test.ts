// Job arguments typed on the command line (issue 22, points 10 and 15): JSON that does not parse is
// refused rather than sent as a string, a delay split by the shell is refused rather than half
// taken as an argument, and numbers go out as typed (2.0 a Ruby Float), so `delayed remove`
// matches what Ruby stored. Runs the CLI under the test's runtime, or RESQUE_TEST_BINARY.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseArgs } from "../../src/cli/kit/job-args.ts";
import { encodeJson, float } from "../../src/protocol/json.ts";
import { useRedis } from "../support/fixture.ts";
import { runToEnd } from "../support/spawn-cli.ts";

const redis = useRedis();
type Client = ReturnType<typeof redis.open>;
const run = (resque: Client, args: string[]) =>
  runToEnd(args, { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace });
const keysOf = (resque: Client) => resque.db.redis.keys(`${resque.db.keys.namespace}:*`);
const queued = (resque: Client, queue: string) => resque.db.redis.lrange(resque.db.keys.queue(queue), 0, -1);

describe("job arguments as typed", () => {
  it("keeps numbers as typed: 2.0, 1e3 and -0.0 are Floats, 2 and -0 Integers, long integers exact", () => {
    const typed = ["2.0", "2", "-0.0", "-0", "1e3", "1.5", "9007199254740993", '{"a":2.0,"b":[1.0,-0.0,{"c":1E2}]}', "[2.50]"];
    assert.equal(encodeJson(parseArgs(typed)), '[2.0,2,-0.0,0,1000.0,1.5,9007199254740993,{"a":2.0,"b":[1.0,-0.0,{"c":100.0}]},[2.5]]');
    assert.deepEqual(parseArgs(["2.0"]), [float(2)]);
  });

  it("reads JSON when it is JSON and strings otherwise; --strings takes every argument as typed", () => {
    assert.deepEqual(parseArgs(["report.pdf", "007", "1.2.3", "true", "null", '"42"', ' {"a":1} ', "tru", "-", ""]), [
      "report.pdf",
      "007",
      "1.2.3",
      true,
      null,
      "42",
      { a: 1 },
      "tru",
      "-",
      "",
    ]);
    assert.deepEqual(parseArgs(["{bad", "42", "2.0"], true), ["{bad", "42", "2.0"]);
    const proto = parseArgs(['{"__proto__":{"x":1}}'])[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(proto), ["__proto__"], "a __proto__ key stays data, as JSON.parse keeps it");
  });

  it("refuses text that starts like JSON but is not, and a number past any Float, naming the argument and the way out", () => {
    for (const [bad, position] of [
      ["{bad", 1],
      ["[1,2", 1],
      ['"unclosed', 1],
      ['{"a":1,}', 1],
      ["  [", 1],
    ] as const) {
      assert.throws(
        () => parseArgs([bad]),
        (error: Error) => {
          assert.match(
            error.message,
            new RegExp(
              `^Argument ${position} \\(.*\\) starts like JSON but is not JSON: .*Nothing was done\\. .*write it in JSON quotes \\('.*'\\) or pass --strings\\.$`,
            ),
          );
          return true;
        },
        bad,
      );
    }
    assert.throws(() => parseArgs(["ok", "{bad"]), /Argument 2 \(\{bad\)/);
    assert.throws(() => parseArgs(["1e400"]), /Argument 1 \(1e400\): 1e400 is beyond what a Float can hold/);
    assert.throws(() => parseArgs(['{"a":[-1e999]}']), /-1e999 is beyond what a Float can hold/);
  });

  it("reads arguments nested 100,000 deep without recursion", () => {
    const depth = 100_000;
    const [value] = parseArgs([`${"[".repeat(depth)}2.0${"]".repeat(depth)}`]);
    let inner: unknown = value;
    for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
    assert.deepEqual(inner, float(2));
  });
});

describe("resque enqueue: typos do not become jobs", () => {
  it("refuses an argument that starts like JSON but is not, and writes nothing; JSON quotes or --strings send it as a string", async () => {
    const resque = redis.open("args-bad-json");
    for (const args of [
      ["Archive", "{bad"],
      ["Archive", "1", "[1,2"],
      ["Archive", "--in", "5m", "{bad"],
      ["--active-job", "ArchiveJob", "{bad"],
    ]) {
      const result = await run(resque, ["enqueue", ...args, "--queue", "q"]);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.out}${result.err}`);
      assert.match(result.err, /starts like JSON but is not JSON.*Nothing was done/, args.join(" "));
    }
    assert.deepEqual(await keysOf(resque), [], "nothing written");
    const quoted = await run(resque, ["enqueue", "Archive", '"{bad"', "--queue", "q"]);
    assert.equal(quoted.code, 0, quoted.err);
    const strings = await run(resque, ["enqueue", "Archive", "{bad", "42", "--strings", "--queue", "q"]);
    assert.equal(strings.code, 0, strings.err);
    assert.deepEqual(await queued(resque, "q"), ['{"class":"Archive","args":["{bad"]}', '{"class":"Archive","args":["{bad","42"]}']);
  });

  it('refuses --in 5 minutes unquoted (minutes is not an argument), and understands --in "5 minutes"', async () => {
    const resque = redis.open("args-split-delay");
    for (const split of [
      ["--in", "5", "minutes"],
      ["--in", "1h", "30m"],
      ["--in=5", "min"],
      ["--at", "2100-01-01", "09:00Z"],
    ]) {
      const result = await run(resque, ["enqueue", "Archive", "1", ...split, "--queue", "q"]);
      assert.equal(result.code, 1, `${split.join(" ")}: ${result.out}`);
      assert.match(
        result.err,
        /looks like more of the --(in|at) value, not an argument\. Quote the value \(--(in|at) ".+ .+"\); if ".+" is an argument, put it before --(in|at) or after --\./,
        split.join(" "),
      );
    }
    assert.deepEqual(await keysOf(resque), [], "nothing written");
    const before = Math.floor(Date.now() / 1000);
    const words = await run(resque, ["enqueue", "Archive", "1", "--in", "5 minutes", "--queue", "q"]);
    assert.equal(words.code, 0, words.err);
    assert.match(words.out, /Delayed Archive on q until .* \(in [45]m/);
    const [ts] = (await resque.db.redis.zrange(resque.db.keys.delayedSchedule, "0", "-1")).map(Number);
    assert.ok(ts! >= before + 300 && ts! <= Math.floor(Date.now() / 1000) + 300, `${ts} is 5 minutes ahead`);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.delayed(ts!), 0, -1), ['{"class":"Archive","args":[1],"queue":"q"}']);
    // A word after the delay that is no part of one is an argument, as before; so is one after --.
    const after = await run(resque, ["enqueue", "Archive", "--in", "1h", "report.pdf", "--queue", "q", "--", "minutes"]);
    assert.equal(after.code, 0, after.err);
    assert.equal(
      (await resque.db.redis.lrange(resque.db.keys.delayed(Number((/Unix (\d+)/.exec(after.out) ?? [])[1])), 0, -1))[0],
      '{"class":"Archive","args":["report.pdf","minutes"],"queue":"q"}',
    );
  });

  it("pushes numbers as typed: 2.0 stays a Float, -0.0 too", async () => {
    const resque = redis.open("args-floats");
    const result = await run(resque, ["enqueue", "Archive", "2.0", "2", "-0.0", '{"x":1.0}', "--queue", "q"]);
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(await queued(resque, "q"), ['{"class":"Archive","args":[2.0,2,-0.0,{"x":1.0}]}']);
  });
});

describe("resque delayed remove / enqueue-now: matching what Ruby stored", () => {
  it("matches a job Ruby delayed with a whole Float (2.0), and not the Integer 2", async () => {
    const resque = redis.open("args-remove-float");
    // As Ruby's Resque.enqueue_at_with_queue("q", ts, Report, 2.0) stores it.
    await resque.enqueueAtWithQueue("q", 4102444800, "Report", float(2));
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.delayed(4102444800), 0, -1), [
      '{"class":"Report","args":[2.0],"queue":"q"}',
    ]);
    const integer = await run(resque, ["delayed", "remove", "Report", "2", "--queue", "q", "--json"]);
    assert.equal(integer.out.trim(), '{"removed":0}', integer.err);
    const typed = await run(resque, ["delayed", "remove", "Report", "2.0", "--queue", "q", "--json"]);
    assert.equal(typed.out.trim(), '{"removed":1}', typed.err);
    await resque.enqueueAtWithQueue("q", 4102444800, "Report", float(2));
    const now = await run(resque, ["delayed", "enqueue-now", "Report", "2.0", "--queue", "q", "--json"]);
    assert.equal(now.out.trim(), '{"enqueued":1,"dropped":0}', now.err);
    assert.deepEqual(await queued(resque, "q"), ['{"class":"Report","args":[2.0]}']);
  });

  it("refuses JSON typos and split times there too, writing nothing", async () => {
    const resque = redis.open("args-remove-bad");
    await resque.enqueueAtWithQueue("q", 4102444800, "Report", "{bad");
    for (const args of [
      ["remove", "Report", "{bad"],
      ["enqueue-now", "Report", "{bad"],
      ["remove", "Report", "x", "--at", "2100-01-01", "00:00Z"],
    ]) {
      const result = await run(resque, ["delayed", ...args, "--queue", "q"]);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.out}`);
      assert.match(result.err, /starts like JSON but is not JSON|looks like more of the --at value/, args.join(" "));
    }
    const strings = await run(resque, ["delayed", "remove", "Report", "{bad", "--strings", "--queue", "q", "--json"]);
    assert.equal(strings.out.trim(), '{"removed":1}', strings.err);
  });
});
