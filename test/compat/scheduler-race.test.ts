// Issue 13.6: Ruby's resque-scheduler 5.0 process and our `resque scheduler` process on one namespace. One
// leader at a time, 10,000 delayed jobs (half Ruby's enqueue_at, half ours) each pushed exactly once, and
// after a SIGKILL of the leader the other takes over when the lock expires and promotes a new batch.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import process from "node:process";
import { after, describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { openDb, type Db } from "../../src/store/connection.ts";
import { useRedis } from "../support/fixture.ts";
import { rubyScript, rubySchedulerSkip, rubySchedulerVersion } from "../support/ruby-scheduler.ts";
import { eventually, exited, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();
const root = new URL("../../", import.meta.url).pathname;
type Resque = ReturnType<typeof redis.open>;

const skip = rubySchedulerSkip;
// Bun and Deno do not print a suite's skip reason; say it once for every runtime.
if (skip) console.log(`# compat-scheduler-race skipped: ${skip}`);

const raceJob = defineJob("RaceJob", { queue: "race", perform(..._args: unknown[]) {} });
const JOBS = 10_000;
const BATCH = 1_000;
// Short, so each takeover comes quickly. Ruby renews its lock only between polls, never during a drain
// (reference §5.4, §8.2), so Ruby only ever drains the small batches here, well inside this TTL.
const LOCK_TIMEOUT = 5;
const INTERVAL = "0.1";

const children: ChildProcess[] = [];
const dbs: Db[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
  for (const db of dbs) db.redis.disconnect();
});

/** Run test/compat/scheduler-race.rb to the end (Resque.enqueue_at from Ruby). */
const rubyRace = (resque: Resque, ...args: string[]): Promise<string> => rubyScript("scheduler-race.rb", args, rubyEnv(resque), children);

function rubyEnv(resque: Resque): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // redis-rb 5.4 needs redis loaded before resque-scheduler's executable path (reference §6).
    RUBYOPT: "-rredis",
    REDIS_URL: redis.server().url,
    RESQUE_NAMESPACE: resque.db.keys.namespace,
    RESQUE_SCHEDULER_INTERVAL: INTERVAL,
    LOCK_TIMEOUT: String(LOCK_TIMEOUT),
  };
}

/** Ruby's Resque::Scheduler.run; `pushes` counts, per args id, the pushes its after_enqueue hook reported. */
function startRuby(resque: Resque): { child: ChildProcess; pushes: Map<string, number>; log: () => string } {
  const child = spawn("ruby", ["test/compat/scheduler-race.rb", "run"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: rubyEnv(resque),
  });
  children.push(child);
  const pushes = new Map<string, number>();
  let rest = "";
  let log = "";
  child.stdout.on("data", (d: Buffer) => {
    const lines = (rest + d.toString()).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith("pushed ")) pushes.set(line.slice(7), (pushes.get(line.slice(7)) ?? 0) + 1);
      else log += `${line}\n`;
    }
  });
  child.stderr.on("data", (d) => (log += d));
  return { child, pushes, log: () => log };
}

/** Every distinct value the lock key takes, in order (null = free), read every 10 ms on its own connection. */
function watchLock(resque: Resque): { values: (string | null)[]; stop: () => void } {
  const db = openDb({ redis: redis.server().url, namespace: resque.db.keys.namespace });
  dbs.push(db);
  const key = resque.db.keys.schedulerLock();
  const values: (string | null)[] = [];
  let on = true;
  void (async () => {
    while (on) {
      const value = await db.redis.get(key);
      if (values.at(-1) !== value || values.length === 0) values.push(value);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return { values, stop: () => void (on = false) };
}

/** How often each args id sits in queue:race. */
async function queued(resque: Resque): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const payload of await resque.db.redis.lrange(resque.db.keys.queue("race"), 0, -1)) {
    const id = (JSON.parse(payload) as { args: [string] }).args[0];
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Our enqueueAt for `${prefix}-${i}`, i in [0, count), due from t0 to t0 + spread - 1 in write order; 200 in flight at a time. */
async function enqueueOurs(resque: Resque, prefix: string, count: number, t0: number, spread: number): Promise<void> {
  for (let i = 0; i < count; i += 200) {
    const n = Math.min(200, count - i);
    await Promise.all(
      Array.from({ length: n }, (_, j) => resque.enqueueAt(t0 + Math.floor(((i + j) * spread) / count), raceJob, `${prefix}-${i + j}`)),
    );
  }
}

/** Both clients write `count` items due within `spread` seconds from `t0`: half Ruby's Resque.enqueue_at, half our enqueueAt. */
async function enqueueBoth(resque: Resque, rbPrefix: string, tsPrefix: string, count: number, t0: number, spread: number): Promise<void> {
  const [rubyOut] = await Promise.all([
    rubyRace(resque, "enqueue_at", rbPrefix, "0", String(count / 2), String(t0), String(spread)),
    enqueueOurs(resque, tsPrefix, count / 2, t0, spread),
  ]);
  assert.doesNotMatch(rubyOut, /pushed/, "Ruby's enqueue_at stored every item delayed (none was already due)");
}

/** `resque scheduler` as a child process; its output is kept for failure messages and to see it follow. */
function startOurs(resque: Resque): { child: ChildProcess; log: () => string } {
  const child = spawnCli(["scheduler"], {
    REDIS_URL: redis.server().url,
    RESQUE_NAMESPACE: resque.db.keys.namespace,
    RESQUE_SCHEDULER_INTERVAL: INTERVAL,
    LOCK_TIMEOUT: String(LOCK_TIMEOUT),
    VERBOSE: "1",
  });
  children.push(child);
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  return { child, log: () => log };
}

const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const isPid = (value: string | null | undefined, child: ChildProcess): boolean => value?.endsWith(`:${child.pid}`) ?? false;

describe("resque-scheduler 5.0 and ours on one namespace", { skip }, () => {
  it(`one leader at a time; 10,000 delayed jobs each pushed once; SIGKILLed leaders replaced both ways (resque-scheduler ${rubySchedulerVersion})`, async () => {
    const resque = redis.open("race");
    const key = resque.db.keys.schedulerLock();
    const lock = watchLock(resque);
    const holder = () => resque.db.redis.get(key);
    const promoted = (total: number) => async () => (await resque.size("race")) >= total && (await resque.delayedQueueScheduleSize()) === 0;

    // Phase 1: ours leads (started first), Ruby follows. Both clients write 10,000 items, due over three
    // seconds in write order, and ours promotes them as they fall due. Ours leads here, not Ruby, on purpose:
    // with redis-rb 5 Ruby's promotion pushes before its MULTI, so a write to a list it drains aborts its WATCH
    // and the batch, already pushed, stays delayed and is pushed again (reference §3.4, §8.1); and Ruby does
    // not renew the lock during a drain (§8.2), so 10,000 items would need a long LOCK_TIMEOUT. Ruby leads
    // only the 1,000-item batch below, written before it takes over.
    const ours1 = startOurs(resque);
    await eventually(async () => isPid(await holder(), ours1.child), "ours to lead", 4000);
    const rb = startRuby(resque);
    const half = JOBS / 2;
    await enqueueBoth(resque, "rb", "ts", JOBS, Math.floor(Date.now() / 1000) + 5, 3);
    await eventually(promoted(JOBS), "all 10,000 promoted", 4000);
    const byOurs = [...ours1.log().matchAll(/Promoted (\d+) delayed jobs?\b/g)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(byOurs, JOBS, `our scheduler promoted all 10,000 (no client pushed one at once):\n${ours1.log()}`);
    const phase1 = [...ids("rb", half), ...ids("ts", half)];
    let counts = await queued(resque);
    assert.deepEqual(
      phase1.filter((id) => (counts.get(id) ?? 0) > 1),
      [],
      `no job pushed twice; our scheduler's log:\n${ours1.log()}`,
    );
    assert.deepEqual(
      phase1.filter((id) => !counts.has(id)),
      [],
      "no job lost",
    );
    assert.equal(counts.size, JOBS);
    assert.deepEqual(
      phase1.filter((id) => rb.pushes.has(id)),
      [],
      "Ruby, following, pushed none of them",
    );
    assert.ok(isPid(await holder(), ours1.child), "ours still leads");

    // Phase 2: SIGKILL ours; its lock stays until its TTL runs out, then Ruby takes it and promotes a new batch.
    const ruby = await failover(ours1.child, rb.child, "rb2", "ts2", resque);
    assert.deepEqual(
      ids("rb2", BATCH / 2)
        .concat(ids("ts2", BATCH / 2))
        .filter((id) => rb.pushes.get(id) !== 1),
      [],
      "Ruby pushed every item of the new batch, once",
    );

    // Phase 3: a new scheduler of ours follows Ruby; SIGKILL Ruby, and ours takes over and promotes another batch.
    const ours2 = startOurs(resque);
    await eventually(() => /Following/.test(ours2.log()), "the new scheduler of ours to follow", 4000);
    const ours = await failover(rb.child, ours2.child, "rb3", "ts3", resque);
    assert.deepEqual(
      ids("rb3", BATCH / 2)
        .concat(ids("ts3", BATCH / 2))
        .filter((id) => rb.pushes.has(id)),
      [],
      "Ruby, dead, pushed none of the last batch",
    );

    counts = await queued(resque);
    assert.equal(counts.size, JOBS + 2 * BATCH);
    assert.deepEqual(
      [...counts].filter(([, n]) => n !== 1),
      [],
      "every job pushed exactly once",
    );
    lock.stop();
    // Exclusive: the key only ever named one of the three processes, in this order, and never went back.
    assert.deepEqual(
      lock.values.filter((v) => v !== null),
      [lock.values.find((v) => isPid(v, ours1.child)), ruby, ours],
      `holders over the run: ${JSON.stringify(lock.values)}`,
    );

    process.kill(ours2.child.pid!, "SIGTERM");
    assert.equal(await exited(ours2.child), 0);
    assert.equal(await holder(), null, "ours released the lock on TERM");
  });
});

/**
 * SIGKILL the leader, write BATCH items (half Ruby's enqueue_at, half ours) while its lock still stands,
 * wait for `survivor` to take the lock and promote them; returns the survivor's lock value.
 */
async function failover(victim: ChildProcess, survivor: ChildProcess, rbPrefix: string, tsPrefix: string, resque: Resque): Promise<string> {
  const key = resque.db.keys.schedulerLock();
  const dead = (await resque.db.redis.get(key))!;
  assert.ok(isPid(dead, victim), `the victim leads (${dead})`);
  const before = await resque.size("race");
  const ttl = await resque.db.redis.ttl(key);
  assert.ok(ttl > 0 && ttl <= LOCK_TIMEOUT, `the lock's TTL (${ttl} s) is LOCK_TIMEOUT at most`);
  const killedAt = Date.now();
  process.kill(victim.pid!, "SIGKILL");
  await exited(victim);
  // Due two seconds from now: stored delayed, and nobody can drain them before the stale lock expires.
  const due = Math.floor(Date.now() / 1000) + 2;
  await enqueueBoth(resque, rbPrefix, tsPrefix, BATCH, due, 2);
  assert.equal(await resque.db.redis.get(key), dead, "the batch was written while the dead leader's lock still stood");
  const next = await eventually(
    async () => {
      const value = await resque.db.redis.get(key);
      return value !== dead && value !== null ? value : undefined;
    },
    "the follower to take over",
    4000,
  );
  assert.ok(isPid(next, survivor), `the survivor leads (${next})`);
  console.log(
    `# ${next} took over from ${dead} ${((Date.now() - killedAt) / 1000).toFixed(1)} s after its SIGKILL (LOCK_TIMEOUT=${LOCK_TIMEOUT})`,
  );
  await eventually(
    async () => (await resque.size("race")) >= before + BATCH && (await resque.delayedQueueScheduleSize()) === 0,
    "the new batch promoted",
    4000,
  );
  const counts = await queued(resque);
  assert.deepEqual(
    ids(rbPrefix, BATCH / 2)
      .concat(ids(tsPrefix, BATCH / 2))
      .filter((id) => counts.get(id) !== 1),
    [],
    "each of the new batch pushed exactly once",
  );
  return next;
}
