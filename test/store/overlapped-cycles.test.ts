// A worker keeps two reserve cycles in flight while jobs flow (decided in src/worker/loop-decision.ts,
// sent by src/worker/cycles.ts). These check the two store-side rules that makes necessary, against
// a real Redis: a suspect taken by one cycle keeps the cycle sent beside it from taking anything,
// and cycles lost together are reconciled together. The loop's own choices are tested without
// Redis in test/worker/loop-decision.test.ts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { workingOn, workingOnPrefix } from "../../src/protocol/working-on.ts";
import { reserveCycle } from "../../src/store/workers.ts";
import { reconcileLostCycles } from "../../src/worker/reconcile.ts";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();
const AT = "2026-12-06T00:00:00.000Z";
const ID = "host:1:q";

/** A registered worker's cycle (an unregistered one takes nothing: see the last tests). */
const cycle = async (resque: ReturnType<typeof redis.open>, want: number, done: string[] = []) => {
  await resque.db.redis.sadd(resque.db.keys.workers, ID);
  return reserveCycle(resque.db, { id: ID, done, failures: [], want, queues: ["q"], prefixes: [workingOnPrefix("q", AT)] });
};

describe("overlapped reserve cycles", () => {
  it("a suspect one cycle took keeps the cycle sent beside it from taking anything, until it ends", async () => {
    const resque = redis.open("suspect-pair");
    const suspect = '{"class":"Suspect","args":[]}';
    const others = ['{"class":"Other","args":[1]}', '{"class":"Other","args":[2]}'];
    await resque.db.redis.rpush(resque.db.keys.queue("q"), suspect, ...others);
    await resque.db.redis.hset(resque.db.keys.recoveries, createHash("sha1").update(suspect).digest("hex"), "1");

    const first = await cycle(resque, 2);
    assert.equal(first.solo, true, "the suspect is taken to run alone");
    assert.deepEqual(
      first.taken.map((t) => t.payload),
      [suspect],
    );
    // The second cycle of the pair was sent before the first one's reply came back.
    const second = await cycle(resque, 2);
    assert.deepEqual(second.taken, [], "nothing beside the suspect");
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("q"), 0, -1), others, "the others wait in order");

    const after = await cycle(resque, 2, [first.taken[0]!.entry]);
    assert.deepEqual(
      after.taken.map((t) => t.payload),
      others,
      "taken once the suspect finished",
    );
    assert.equal(await resque.db.redis.hlen(resque.db.keys.recoveries), 0, "its count cleared");
  });

  it("puts a cycle's jobs in flight in the order taken, the oldest in worker:<id>", async () => {
    const resque = redis.open("batch-order");
    const jobs = Array.from({ length: 5 }, (_, i) => `{"class":"J","args":[${i}]}`);
    await resque.db.redis.rpush(resque.db.keys.queue("q"), ...jobs);
    const { taken } = await cycle(resque, 5);
    const entries = jobs.map((j) => workingOn("q", AT, j));
    assert.deepEqual(
      taken.map((t) => t.entry),
      entries,
    );
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.inflight(ID), 0, -1), entries);
    assert.equal(await resque.db.redis.get(resque.db.keys.worker(ID)), entries[0]);
  });

  it("reconciles cycles lost together: one never ran, one ran and took a job", async () => {
    const resque = redis.open("lost-pair");
    const [running, finished, taken] = ["R", "F", "T"].map((c) => workingOn("q", AT, `{"class":"${c}","args":[]}`)) as [
      string,
      string,
      string,
    ];
    // In Redis: the job still running, the one whose "done" was in the lost first cycle (which
    // never ran, so it is still there), and the job the lost second cycle took.
    await resque.db.redis.rpush(resque.db.keys.inflight(ID), running, finished, taken);
    const outcome = await reconcileLostCycles(resque.db, ID, () => [running], [
      { done: [finished], failures: [] },
      { done: [], failures: [] },
    ]);
    assert.deepEqual(outcome.applied, [false, true]);
    assert.deepEqual(
      outcome.taken.map((t) => t.entry),
      [taken],
      "only the job the second cycle took is started; the finished one is recorded again",
    );
  });

  it("a worker pruned as dead (not in the workers set) takes nothing, and says so", async () => {
    const resque = redis.open("unregistered");
    await resque.db.redis.rpush(resque.db.keys.queue("q"), '{"class":"J","args":[1]}');
    const reply = await reserveCycle(resque.db, {
      id: ID,
      done: [],
      failures: [],
      want: 1,
      queues: ["q"],
      prefixes: [workingOnPrefix("q", AT)],
    });
    assert.equal(reply.unregistered, true);
    assert.deepEqual(reply.taken, []);
    assert.equal(await resque.db.redis.llen(resque.db.keys.queue("q")), 1, "the job stays queued");
    const registered = await cycle(resque, 1);
    assert.equal(registered.unregistered, false);
    assert.equal(registered.taken.length, 1);
  });

  it("a job recovered by another worker while this one ran it is neither counted, recorded nor retried here", async () => {
    const resque = redis.open("recovered-meanwhile");
    const k = resque.db.keys;
    const jobs = ['{"class":"J","args":[1]}', '{"class":"J","args":[2]}', '{"class":"J","args":[3]}'];
    await resque.db.redis.rpush(k.queue("q"), ...jobs);
    const { taken } = await cycle(resque, 3);
    // Pruned as dead meanwhile: the list went back to the queue (as return-jobs.lua does) and the worker was unregistered.
    await resque.db.redis.del(k.inflight(ID));
    await resque.db.redis.srem(k.workers, ID);
    const [done, failed, retried] = taken.map((t) => t.entry);
    const reply = await reserveCycle(resque.db, {
      id: ID,
      done: [done!],
      failures: [
        { entry: failed!, record: "RECORD" },
        { entry: retried!, record: "", retry: { kind: "now", count: `${k.prefix}count`, queue: "q", payload: "AGAIN", ttl: 9 } },
      ],
      want: 1,
      queues: ["q"],
      prefixes: [workingOnPrefix("q", AT)],
    });
    assert.equal(reply.unregistered, true);
    assert.equal(await resque.db.redis.get(k.processed), null, "not counted");
    assert.equal(await resque.db.redis.get(k.failedCount), null);
    assert.equal(await resque.db.redis.llen(k.failed), 0, "no failure record");
    assert.equal(await resque.db.redis.llen(k.queue("q")), 0, "no retry pushed");
    assert.equal(await resque.db.redis.exists(`${k.prefix}count`), 0);
  });
});
