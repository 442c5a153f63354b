/**
 * Scheduler faults: 20,000 delayed jobs are due at once, two `resque scheduler` processes (the
 * compiled binary under `npm test`) share resque-scheduler's leader lock, and the fault hits
 * while the leader is promoting. Every job must reach its queue exactly once: lost = 0 and
 * duplicated = 0, counted by id. No worker runs: the queue itself is the record of every push.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { startSentinelGroup } from "../../scripts/lib/redis-sentinel.ts";
import { encodeDelayedItem } from "../../src/protocol/delayed.ts";
import { exited, killSpawned, spawnCli } from "../support/spawn-cli.ts";

const JOBS = 20_000;
/** Small batches make the drain long enough (2,000 scripts) to be hit in the middle. */
const BATCH = "10";
const LOCK_TIMEOUT = "2";

let server: TestRedis;
const table: Record<string, number | string>[] = [];
before(async () => {
  server = await startRedis();
});
// Every client a test opened, closed in `after` too: a failed assertion must not leave one
// reconnecting to a stopped server and holding the test process open for ever.
const clients: Redis[] = [];
after(async () => {
  for (const client of clients) client.disconnect();
  killSpawned();
  await server.stop();
  console.log("\nScheduler fault injection (20,000 due delayed jobs):");
  console.table(table);
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Run {
  /** Where the queue is counted: after a failover, the new primary's client. */
  redis: Redis;
  namespace: string;
  queue: string;
  lockKey: string;
  start: () => ChildProcess;
}

/**
 * A namespace with JOBS delayed items due in the past over 20 timestamps, stored as resque-scheduler
 * stores them, on `server` (or through `url`, a Sentinel group's, with `redis` its primary's client).
 */
async function prepare(target: { url: string; redis?: Redis; env?: Record<string, string> } = { url: server.url }): Promise<Run> {
  const namespace = uniqueNamespace("sched-faults");
  const redis = target.redis ?? new Redis(target.url, { maxRetriesPerRequest: null });
  redis.on("error", () => {});
  clients.push(redis);
  const past = Math.floor(Date.now() / 1000) - 120;
  for (let from = 0; from < JOBS; from += 1000) {
    const multi = redis.multi();
    for (let i = from; i < from + 1000; i++) {
      const ts = past + (i % 20);
      const item = encodeDelayedItem("Record", [i], "faults");
      multi
        .rpush(`${namespace}:delayed:${ts}`, item)
        .sadd(`${namespace}:timestamps:${item}`, `delayed:${ts}`)
        .zadd(`${namespace}:delayed_queue_schedule`, ts, String(ts));
    }
    await multi.exec();
  }
  const start = () =>
    spawnCli(["scheduler"], {
      REDIS_URL: target.url,
      RESQUE_NAMESPACE: namespace,
      RESQUE_SCHEDULER_INTERVAL: "0.05",
      DELAYED_REQUEUE_BATCH_SIZE: BATCH,
      LOCK_TIMEOUT,
      ...target.env,
    });
  // resque-scheduler's key carries the namespace twice (reference §5.1).
  return { redis, namespace, queue: `${namespace}:queue:faults`, lockKey: `${namespace}:${namespace}:resque_scheduler_master_lock`, start };
}

/** Wait (up to 3 minutes) until nothing is delayed and the queue has stopped growing; then count each id. */
async function count(
  run: Run,
  name: string,
  extra: Record<string, number | string> | (() => Record<string, number | string>),
): Promise<{ lost: number[]; duplicated: number[] }> {
  const deadline = Date.now() + 180_000;
  let quiet = 0;
  let last = -1;
  while (quiet < 10 && Date.now() < deadline) {
    const length = await run.redis.llen(run.queue);
    quiet = length === last && (await run.redis.zcard(`${run.namespace}:delayed_queue_schedule`)) === 0 ? quiet + 1 : 0;
    last = length;
    await sleep(100);
  }
  const seen = new Map<number, number>();
  for (const payload of await run.redis.lrange(run.queue, 0, -1)) {
    const id = (JSON.parse(payload) as { args: number[] }).args[0]!;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const lost = Array.from({ length: JOBS }, (_, i) => i).filter((i) => !seen.has(i));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const leftover = await run.redis.keys(`${run.namespace}:delayed*`);
  table.push({
    scenario: name,
    jobs: JOBS,
    pushed: [...seen.values()].reduce((a, b) => a + b, 0),
    lost: lost.length,
    duplicated: duplicated.length,
    ...(typeof extra === "function" ? extra() : extra),
  });
  assert.deepEqual(leftover, [], "delayed keys left behind");
  return { lost, duplicated };
}

/** Poll (every few ms, up to 3 minutes) until the leader has pushed a quarter of the jobs. */
async function promotionUnderWay(run: Run): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if ((await run.redis.llen(run.queue)) >= JOBS / 4) return;
    await sleep(2);
  }
  throw new Error("the scheduler never promoted a quarter of the jobs");
}

async function stop(children: ChildProcess[]): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
  for (const child of children) await exited(child);
}

/** `child`'s output so far, as it comes. */
function output(child: ChildProcess): () => string {
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d));
  child.stderr?.on("data", (d: Buffer) => (text += d));
  return () => text;
}

describe("scheduler faults: every due job pushed exactly once", () => {
  it("SIGKILL the Redis primary behind Sentinel mid-promotion: the schedulers follow the new primary", async () => {
    const group = await startSentinelGroup({ downAfterMs: 1000 });
    try {
      const old = await group.primary();
      // Written on the primary, then held by both replicas before the schedulers start.
      // VERBOSE: the "Leading as" lines, counted below.
      const run = await prepare({ url: group.url, redis: old.client, env: { VERBOSE: "1" } });
      assert.equal(await old.client.call("WAIT", "2", "5000"), 2, "both replicas hold the delayed items");
      const schedulers = [run.start(), run.start()];
      const logs = schedulers.map(output);
      await promotionUnderWay(run);
      const beforeKill = await run.redis.llen(run.queue);
      process.kill(old.pid, "SIGKILL");
      const promoted = await group.promotedFrom(old);
      run.redis = promoted.client;
      assert.ok(beforeKill < JOBS, `the kill came mid-promotion (${beforeKill} of ${JOBS} pushed)`);
      const { lost, duplicated } = await count(run, "SIGKILL the Redis primary (Sentinel) mid-promotion", () => ({
        "pushed before the fault": beforeKill,
        // How often each scheduler took the lead ("Leading as"), in start order, once all was pushed.
        leaderships: logs.map((log) => (log().match(/Leading as/g) ?? []).length).join(" / "),
      }));
      await stop(schedulers);
      if (process.env["FAULT_DEBUG"]) for (const log of logs) console.log(log());
      assert.deepEqual(lost, [], "lost");
      assert.deepEqual(duplicated, [], "duplicated");
      for (const log of logs) assert.match(log(), /Redis failover: resquetest primary moved/, "each scheduler saw the failover");
    } finally {
      await group.stop();
    }
  });

  it("SIGKILL the leading scheduler mid-promotion: the follower takes over after the lock timeout", async () => {
    const run = await prepare();
    const leader = run.start();
    await (async () => {
      for (let i = 0; i < 2000 && !(await run.redis.get(run.lockKey))?.endsWith(`:${leader.pid}`); i++) await sleep(5);
    })();
    const follower = run.start();
    await promotionUnderWay(run);
    process.kill(leader.pid!, "SIGKILL");
    await exited(leader);
    const atKill = await run.redis.llen(run.queue);
    assert.ok(atKill < JOBS, `the kill came mid-promotion (${atKill} of ${JOBS} pushed)`);
    const { lost, duplicated } = await count(run, "SIGKILL the leader mid-promotion", { "pushed before the fault": atKill });
    assert.match((await run.redis.get(run.lockKey)) ?? "", new RegExp(`:${follower.pid}$`), "the follower leads");
    await stop([follower]);
    run.redis.disconnect();
    assert.deepEqual(lost, [], "lost");
    assert.deepEqual(duplicated, [], "duplicated");
  });

  it("Redis restarted mid-promotion (AOF on): the schedulers reconnect and finish", async () => {
    const run = await prepare();
    const schedulers = [run.start(), run.start()];
    await promotionUnderWay(run);
    // Read just before the restart: after it, the schedulers may reconnect and finish before a read.
    const beforeRestart = await run.redis.llen(run.queue);
    await server.restart();
    assert.ok(beforeRestart < JOBS, `the restart came mid-promotion (${beforeRestart} of ${JOBS} pushed)`);
    const { lost, duplicated } = await count(run, "Redis restarted mid-promotion", { "pushed before the fault": beforeRestart });
    await stop(schedulers);
    assert.equal(await run.redis.get(run.lockKey), null, "released on TERM");
    run.redis.disconnect();
    assert.deepEqual(lost, [], "lost");
    assert.deepEqual(duplicated, [], "duplicated");
  });
});
