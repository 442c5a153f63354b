/**
 * A payload nested as deep as its bytes allow (issue 22, point 1): nothing on the job path may
 * recurse on it, and a worker that dies with jobs in flight, however, charges them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { canonicalJson, decodeJson, encodeJson } from "../../src/protocol/index.ts";
import { encodeFailure } from "../../src/protocol/failure.ts";
import { JsonEncodeError } from "../../src/protocol/json.ts";
import { decodePayload, isMalformed } from "../../src/protocol/payload.ts";
import { recoveryCounts } from "../../src/store/recovery.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";

const DEPTH = 100_000;
const deepArray = (depth: number, inner = "") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
const deepObject = (depth: number, inner: string) => `${'{"a":'.repeat(depth)}${inner}${"}".repeat(depth)}`;

describe("JSON nested 100,000 deep", () => {
  it("encodes and decodes without the call stack, byte for byte", () => {
    for (const text of [deepArray(DEPTH, "1"), deepObject(DEPTH, "[1.5,null]")]) {
      assert.equal(encodeJson(decodeJson(text)), text);
    }
    // 16+ digits take the lossless scanner rather than JSON.parse.
    const big = deepArray(DEPTH, "9007199254740993");
    assert.equal(encodeJson(decodeJson(big)), big);
    assert.equal(canonicalJson(`{"args":${big}}`), `{"args":${big}}`);
    let inner = decodeJson(deepObject(DEPTH, "9007199254740993"));
    for (let i = 0; i < DEPTH; i++) inner = (inner as { a: typeof inner }).a;
    assert.equal(inner, 9007199254740993n);
  });

  it("still says where a deep document breaks", () => {
    assert.throws(() => decodeJson(`${deepArray(DEPTH, "12345678901234567")}]`), /after the document at position/);
    assert.throws(() => decodeJson(`${"[".repeat(DEPTH)}12345678901234567,}`), /unexpected character at position/);
  });

  it("refuses a circular value with a clear error instead of running for ever", () => {
    const loop: unknown[] = [];
    loop.push([loop]);
    assert.throws(
      () => encodeJson({ args: loop }),
      (e: unknown) => e instanceof JsonEncodeError && /circular/.test(e.message),
    );
    const shared = [1];
    assert.equal(encodeJson([shared, shared]), "[[1],[1]]", "the same value twice is not a cycle");
  });

  it("decodes a deep payload and writes its failure record", () => {
    const raw = `{"class":"Deep","args":[${deepArray(DEPTH)}]}`;
    const payload = decodePayload(raw);
    assert.ok(!isMalformed(payload));
    const record = encodeFailure({ at: new Date(0), rawPayload: raw, exception: "E", error: "m", backtrace: [], worker: "w", queue: "q" });
    assert.ok(record.includes(raw));
  });
});

describe("worker: a deep payload with VERBOSE", () => {
  const redis = useRedis();

  it("logs the got: line, runs the job and the one behind it", async () => {
    const resque = redis.open("deep-verbose");
    const ran: string[] = [];
    const deep = defineJob("Deep", { perform: () => void ran.push("deep") });
    const next = defineJob("Next", { perform: () => void ran.push("next") });
    await resque.push("deep", `{"class":"Deep","args":[${deepArray(DEPTH)}]}`);
    await resque.enqueueTo("deep", next);
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m), debug() {} };
    await workerFor(resque, registryOf(deep, next), "deep", { log, logJobs: true }).work();
    assert.deepEqual(ran, ["deep", "next"]);
    assert.ok(lines.includes(`got: (Job{deep} | Deep | ${"[".repeat(200)}...)`), lines.join("\n"));
  });

  it("charges the jobs in flight when the worker fails while holding them", async () => {
    const resque = redis.open("crash-charges");
    const job = defineJob("Held", { perform: (_n: number) => {} });
    await resque.enqueueTo("crash", job, 1);
    // Anything that throws on the worker's own path with a job in flight: here, the got: line.
    const log = {
      info: (m: string) => {
        if (m.startsWith("got:")) throw new RangeError("Maximum call stack size exceeded");
      },
      warn() {},
      error() {},
      debug() {},
    };
    await assert.rejects(workerFor(resque, registryOf(job), "crash", { log, logJobs: true }).work(), /Maximum call stack/);
    assert.equal(await resque.size("crash"), 1, "the job is back in its queue");
    assert.deepEqual(Object.values(await recoveryCounts(resque.db)), ["1"], "and charged once toward RECOVERY_LIMIT");
  });
});
