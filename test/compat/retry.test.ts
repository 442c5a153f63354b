// resque-retry 1.9 interop proven against the gem itself: the attempt-count key for arguments holding
// every code point (Ruby's Hash#inspect / String#inspect decides which are escaped), and the
// failure-<key> entry that MultipleWithRetrySuppression writes while a job waits to retry (read by
// resque-retry's web tab), written by a stock Ruby worker and by ours side by side.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { retryIdentifier, retryKeySuffix, rubyArgsJoin } from "../../src/protocol/retry-key.ts";
import { RUBY_UNICODE_VERSION } from "../../src/protocol/ruby-printable.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";

const redis = useRedis();
const root = new URL("../../", import.meta.url).pathname;
type Client = ReturnType<typeof redis.open>;

/** test/compat/retry.rb under a UTF-8 locale (String#inspect escapes every non-ASCII character under LANG=C). */
function retryRb(args: string[], input?: string, resque?: Client): string {
  const env = {
    ...process.env,
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    ...(resque && { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace }),
  };
  const run = spawnSync("ruby", ["test/compat/retry.rb", ...args], {
    cwd: root,
    encoding: "utf8",
    env,
    ...(input !== undefined && { input }),
    maxBuffer: 1 << 28,
  });
  assert.equal(run.status, 0, `ruby test/compat/retry.rb ${args[0]}: ${run.error?.message ?? run.stderr}`);
  return run.stdout;
}

/** Every code point but the surrogates, as hash values (and keys) of 4096 characters each. */
function codePointArgs(): string[] {
  const out: string[] = [];
  for (let start = 0; start <= 0x10ffff; start += 4096) {
    let chunk = "";
    for (let cp = start; cp < start + 4096 && cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) chunk += String.fromCodePoint(cp);
    out.push(JSON.stringify([{ s: chunk }, [chunk.slice(0, 8)]]));
    if (start < 0x10000 || start % 0x10000 === 0) out.push(JSON.stringify([{ [chunk]: [1, 2.5, null, true] }]));
  }
  return out;
}

const HAND_PICKED = [
  '[{"a":"\\u2028"}]',
  '[{"a":"\\u2029"}]',
  '[{"k\\u2028":1}]',
  '[{"a":"\\u0378"}]',
  '[{"a":"\\u200b\\ufeff\\u00ad"}]',
  '[{"a":"\\ue000\\udb80\\udc00"}]',
  '[{"a":"\\ud83d\\ude00"}]',
  '[{"a":"#{x} #$y #@z #x"}]',
  '[{"a":"\\u0085\\u00a0"}]',
  '["plain \\u2028", {"n":[1,2.0,null,"\\u0001\\u007f"]}]',
  '[[{"a":"\\ufffe\\uffff"}]]',
  '[1,"x"]',
  "[]",
  '[""]',
];

describe("resque-retry 1.9: the same key and failure entry as the gem", () => {
  it(`builds Ruby's key for arguments holding every code point (tables of Unicode ${RUBY_UNICODE_VERSION})`, async () => {
    const version = spawnSync(
      "ruby",
      ["-e", 'require "resque-retry"; print Gem.loaded_specs["resque-retry"].version, " ", RbConfig::CONFIG["UNICODE_VERSION"]'],
      { encoding: "utf8" },
    ).stdout;
    console.log(`# resque-retry, Ruby's Unicode: ${version}`);
    assert.equal(
      version.split(" ")[1],
      RUBY_UNICODE_VERSION,
      "Ruby's Unicode version differs from the table's: run `ruby scripts/gen-ruby-printable.rb`",
    );
    const inputs = [...HAND_PICKED, ...codePointArgs()];
    const ruby = JSON.parse(retryRb(["keys"], JSON.stringify(inputs))) as { join: string; key: string }[];
    assert.equal(ruby.length, inputs.length);
    const wrong: string[] = [];
    for (const [i, argsJson] of inputs.entries()) {
      const join = rubyArgsJoin(argsJson);
      const key = retryKeySuffix("CompatRetry", await retryIdentifier(argsJson));
      if (key === ruby[i]!.key && join === ruby[i]!.join) continue;
      // Name the first character where the two inspections part.
      const theirs = [...ruby[i]!.join];
      const ours = [...join];
      const at = ours.findIndex((c, j) => c !== theirs[j]);
      wrong.push(
        `${argsJson.slice(0, 60)}: at ${at}: ours ${JSON.stringify(ours.slice(at, at + 8).join(""))}, Ruby ${JSON.stringify(theirs.slice(at, at + 8).join(""))}`,
      );
      if (wrong.length > 20) break;
    }
    assert.deepEqual(wrong, []);
  });

  it("writes failure-<key> while a job waits to retry and deletes it on giving up, as MultipleWithRetrySuppression does", async () => {
    const args = [1, "x", { k: "\u2028" }];
    const argsJson = JSON.stringify(args);
    // Stock Ruby: a worker with resque-retry's failure backend, twice (a retry, then giving up).
    const rubyNs = redis.open("retry-entry-ruby");
    const ruby1 = JSON.parse(retryRb(["work", argsJson], undefined, rubyNs)) as {
      key: string;
      value: string | null;
      ttl: number;
      failed: number;
    };
    const ruby2 = JSON.parse(retryRb(["work", argsJson], undefined, rubyNs)) as typeof ruby1;
    assert.ok(ruby1.value, "Ruby wrote the entry");
    assert.equal(ruby1.failed, 0);
    assert.deepEqual([ruby2.value, ruby2.failed], [null, 1]);

    // Ours: the same class, limit and delay.
    const ours = redis.open("retry-entry-ours");
    class RuntimeError extends Error {
      override name = "RuntimeError";
    }
    const job = defineJob("CompatRetry", {
      queue: "compat_retry",
      retry: { limit: 1, delay: 30 },
      perform: (..._a: unknown[]) => {
        throw new RuntimeError("boom");
      },
    });
    const key = `${ours.db.keys.namespace}:${ruby1.key}`;
    const oursRun = async () => {
      await ours.enqueueTo("compat_retry", "CompatRetry", ...args);
      await workerFor(ours, registryOf(job), "compat_retry").work();
      return {
        value: await ours.db.redis.get(key),
        ttl: await ours.db.redis.ttl(key),
        failed: await ours.db.redis.llen(ours.db.keys.failed),
      };
    };
    const ours1 = await oursRun();
    assert.ok(ours1.value, `our worker wrote ${key}`);
    assert.equal(ours1.failed, 0);
    assert.ok(
      ours1.ttl > 55 && ours1.ttl <= 60 && ruby1.ttl > 55 && ruby1.ttl <= 60,
      `expiry twice the delay: ours ${ours1.ttl}, Ruby ${ruby1.ttl}`,
    );
    const theirs = JSON.parse(ruby1.value!) as Record<string, unknown>;
    const mine = JSON.parse(ours1.value!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(mine), Object.keys(theirs), "the same fields in the same order");
    for (const field of ["payload", "exception", "error", "queue"]) assert.deepEqual(mine[field], theirs[field], field);
    for (const entry of [mine, theirs]) {
      assert.match(String(entry.failed_at), /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/);
      assert.ok(Array.isArray(entry.backtrace));
      assert.match(String(entry.worker), /^[^:]+:\d+:compat_retry$/);
    }
    // resque-retry's web tab finds and decodes ours.
    assert.deepEqual(JSON.parse(retryRb(["details", argsJson], undefined, ours)), mine);

    const ours2 = await oursRun();
    assert.deepEqual([ours2.value, ours2.failed], [null, 1], "giving up deletes the entry; the failure goes to the failed list");
  });
});
