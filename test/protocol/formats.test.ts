import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodePayload,
  encodeFailure,
  encodePayload,
  failedAt,
  fnmatch,
  heartbeatAt,
  isMalformed,
  isResqueWorkerCommand,
  parseQueueList,
  parseWorkerId,
  parseWorkingOn,
  pausedTitle,
  processingTitle,
  resolveQueues,
  resqueKeys,
  runAt,
  startedAt,
  VERSION,
  waitingTitle,
  workerId,
  workingOn,
} from "../../src/protocol/index.ts";

// Exact bytes stock Resque 3.0 wrote, from shared/reference/resque-protocol.md (captured with MONITOR).
const at = new Date("2026-11-23T07:54:37Z");

describe("fixtures: the bytes stock Resque 3.0 writes", () => {
  it("queue payload", () => assert.equal(encodePayload("NoopJob", [1, "a"]), '{"class":"NoopJob","args":[1,"a"]}'));
  it("no-arg payload", () => assert.equal(encodePayload("NoopJob", []), '{"class":"NoopJob","args":[]}'));
  it("worker:<id> status", () =>
    assert.equal(
      workingOn("bench", runAt(at), encodePayload("NoopJob", [1, "a"])),
      '{"queue":"bench","run_at":"2026-11-23T07:54:37Z","payload":{"class":"NoopJob","args":[1,"a"]}}',
    ));
  it("worker:<id>:started", () => assert.equal(startedAt(at), "2026-11-23 07:54:37 +0000"));
  it("workers:heartbeat value", () => assert.equal(heartbeatAt(at), "2026-11-23T07:54:37+00:00"));
  it("failed_at", () => assert.equal(failedAt(at), "2026/11/23 07:54:37 UTC"));
  it("failure record, fields in stock's order", () =>
    assert.equal(
      encodeFailure({
        at,
        rawPayload: '{"class":"FailJob","args":[2]}',
        exception: "ArgumentError",
        error: "boom from FailJob",
        backtrace: ["/path/jobs.rb:24:in `perform'"],
        worker: "vm:4767:bench",
        queue: "bench",
      }),
      '{"failed_at":"2026/11/23 07:54:37 UTC","payload":{"class":"FailJob","args":[2]},"exception":"ArgumentError","error":"boom from FailJob","backtrace":["/path/jobs.rb:24:in `perform\'"],"worker":"vm:4767:bench","queue":"bench"}',
    ));
  it("keeps a payload that is not JSON as a string in the failure record", () =>
    assert.match(
      encodeFailure({ at, rawPayload: "not json{", exception: "E", error: "e", backtrace: [], worker: "w", queue: "q" }),
      /"payload":"not json\{"/,
    ));
});

describe("keys, ids and titles", () => {
  it("builds every key from the namespace", () => {
    const k = resqueKeys("resque");
    assert.deepEqual(
      [
        k.queues,
        k.queue("bench"),
        k.workers,
        k.worker("h:1:q"),
        k.workerStarted("h:1:q"),
        k.heartbeats,
        k.pruneLock,
        k.processed,
        k.failedCount,
        k.workerProcessed("h:1:q"),
        k.workerFailed("h:1:q"),
        k.failed,
        k.pauseAll,
      ],
      [
        "resque:queues",
        "resque:queue:bench",
        "resque:workers",
        "resque:worker:h:1:q",
        "resque:worker:h:1:q:started",
        "resque:workers:heartbeat",
        "resque:pruning_dead_workers_in_progress",
        "resque:stat:processed",
        "resque:stat:failed",
        "resque:stat:processed:h:1:q",
        "resque:stat:failed:h:1:q",
        "resque:failed",
        "resque:pause-all-workers",
      ],
    );
    assert.equal(resqueKeys("resque:GitHub").queue("a"), "resque:GitHub:queue:a");
  });

  it("worker ids split on the first two colons only", () => {
    assert.equal(workerId("vm", 4767, ["critical", "*"]), "vm:4767:critical,*");
    assert.deepEqual(parseWorkerId("vm:12:a:b,c"), { host: "vm", pid: 12, queues: ["a:b", "c"] });
  });

  it("reads a worker:<id> value back without losing digits", () => {
    assert.deepEqual(parseWorkingOn('{"queue":"q","run_at":"t","payload":{"class":"A","args":[9007199254740993]}}'), {
      queue: "q",
      runAt: "t",
      payloadJson: '{"class":"A","args":[9007199254740993]}',
    });
  });

  it("titles follow stock and match stock's pruning pattern", () => {
    assert.equal(waitingTitle(["a", "b"]), `resque-${VERSION}: Waiting for a,b`);
    assert.equal(pausedTitle("app "), `app resque-${VERSION}: Paused`);
    assert.equal(processingTitle("bench", 1795420485, ["A", "B", "A"]), `resque-${VERSION}: Processing bench since 1795420485 [A,B]`);
    assert.ok(isResqueWorkerCommand(waitingTitle(["a"])));
    assert.ok(isResqueWorkerCommand("resque: Starting"));
    assert.ok(!isResqueWorkerCommand("resque-web -p 5678"));
    assert.ok(!isResqueWorkerCommand("node worker.js"));
  });
});

describe("queue lists", () => {
  it("resolves globs and exclusions like stock (verified case from the reference)", () => {
    const list = parseQueueList("critical,*,!low,!file_*");
    assert.deepEqual(list.configured, ["critical", "*"]);
    assert.deepEqual(resolveQueues(list, ["b", "a", "low", "critical", "file_x"]), ["critical", "a", "b"]);
  });
  it("keeps a static list verbatim: order is priority", () => {
    assert.deepEqual(resolveQueues(parseQueueList("b, a"), ["a"]), ["b", "a"]);
    assert.equal(parseQueueList("b,a").dynamic, false);
  });
  it("drops a non-glob entry of a dynamic list that is not a known queue, as stock does", () => {
    assert.deepEqual(resolveQueues(parseQueueList("missing,a*"), ["a2", "a1"]), ["a1", "a2"]);
  });
  it("matches like Ruby's File.fnmatch?", () => {
    assert.ok(fnmatch("a?c", "abc"));
    assert.ok(fnmatch("*", "a/b"));
    assert.ok(fnmatch("[a-c]x", "bx"));
    assert.ok(fnmatch("[!a-c]x", "dx"));
    assert.ok(!fnmatch("[!a-c]x", "ax"));
    assert.ok(fnmatch("{a,b}", "{a,b}"));
    assert.ok(!fnmatch("{a,b}", "a"));
    assert.ok(!fnmatch("*", ".hidden"));
    assert.ok(fnmatch(".h*", ".hidden"));
    assert.ok(fnmatch("a\\*", "a*"));
    assert.ok(!fnmatch("a\\*", "ab"));
  });
  it("refuses an empty list with advice", () => assert.throws(() => parseQueueList(" , "), /at least one queue/));
});

describe("payload decoding", () => {
  it("carries extra keys and defaults missing args to none, as stock", () => {
    const p = decodePayload('{"class":"A","args":[1],"id":"x"}');
    assert.ok(!isMalformed(p));
    assert.equal(p.object["id"], "x");
    const q = decodePayload('{"class":"A"}');
    assert.ok(!isMalformed(q) && q.args.length === 0);
  });
  it("names what is wrong with a bad payload", () => {
    const problem = (raw: string) => {
      const p = decodePayload(raw);
      return isMalformed(p) ? p.problem : "";
    };
    assert.match(problem("{not json"), /not JSON/);
    assert.match(problem("[1,2]"), /not a JSON object/);
    assert.match(problem('{"args":[]}'), /no "class"/);
    assert.match(problem('{"class":"A","args":{"a":1}}'), /must be an array/);
  });
  it("keeps extra keys after class and args when encoding", () =>
    assert.equal(encodePayload("A", [1], { id: "x", class: "ignored" }), '{"class":"A","args":[1],"id":"x"}'));
});
