// `resque work --scheduler`: one master keeps the workers and a scheduler process running; with
// --no-fork the scheduler polls inside the one worker process. Also run against the compiled binary.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { encodeDelayedItem } from "../../src/protocol/delayed.ts";
import { pushDelayed } from "../../src/store/delayed.ts";
import { useRedis } from "../support/fixture.ts";
import { childrenOf, commandLine, eventually, exited, runToEnd, spawnWork } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const PAST = Math.floor(Date.now() / 1000) - 60;
const SCHEDULER_ENV = { RESQUE_SCHEDULER: "1", RESQUE_SCHEDULER_INTERVAL: "0.05" };

const start = (resque: Resque, env: Record<string, string>) => {
  const reportKey = `${resque.db.keys.namespace}:report`;
  const child = spawnWork({
    url: redis.server().url,
    namespace: resque.db.keys.namespace,
    reportKey,
    queue: "m",
    env: { ...SCHEDULER_ENV, ...env },
  });
  return { child, reportKey };
};

/** A Quick job delayed to a time already past: only a scheduler brings it to queue m. */
const delayQuick = (resque: Resque, tag: string) => pushDelayed(resque.db, PAST, encodeDelayedItem("Quick", [tag], "m"));

const reported = async (resque: Resque, reportKey: string, line: string) => (await resque.db.redis.lrange(reportKey, 0, -1)).includes(line);

const schedulerChild = (master: number) => childrenOf(master).find((pid) => commandLine(pid).startsWith("resque-scheduler-"));

describe("resque work --scheduler", () => {
  it("the master keeps a scheduler process: it promotes, a worker runs the job, and the lock names the master", async () => {
    const resque = redis.open("work-sched");
    const { child, reportKey } = start(resque, { WORKER_COUNT: "2" });
    const lockKey = resque.db.keys.schedulerLock();
    await delayQuick(resque, "first");
    await eventually(() => reported(resque, reportKey, "done first"), "the delayed job to run");
    assert.equal(await resque.db.redis.get(lockKey), `${hostname()}:${child.pid}`);
    // The binary's own short argv leaves the title only the room of its command line: it is cut.
    const full = process.env["RESQUE_TEST_BINARY"]
      ? /^resque-\S+: Master of/
      : /^resque-\S+: Master of 2 workers \(\d+,\d+\) and a scheduler \(\d+\) for m,/;
    await eventually(() => full.test(commandLine(child.pid!)), "the master's title");

    // A scheduler that dies is replaced, and the replacement leads at once: the lock names the master, not it.
    const first = await eventually(() => schedulerChild(child.pid!), "the scheduler process");
    process.kill(first, "SIGKILL");
    const second = await eventually(() => schedulerChild(child.pid!) !== first && schedulerChild(child.pid!), "a replacement scheduler");
    assert.notEqual(second, first);
    await delayQuick(resque, "second");
    await eventually(() => reported(resque, reportKey, "done second"), "the next delayed job to run (LOCK_TIMEOUT is 180 s)");

    process.kill(child.pid!, "SIGQUIT");
    assert.equal(await exited(child), 0);
    assert.equal(await resque.db.redis.get(lockKey), null, "the scheduler released the lock on its way out");
    assert.deepEqual(childrenOf(child.pid!), []);
  });

  it("USR2 pauses the workers only: the scheduler keeps promoting, and the jobs wait in their queue", async () => {
    const resque = redis.open("work-sched-usr2");
    const { child, reportKey } = start(resque, {});
    await delayQuick(resque, "before");
    await eventually(() => reported(resque, reportKey, "done before"), "the first delayed job to run");
    const scheduler = await eventually(() => schedulerChild(child.pid!), "the scheduler process");
    process.kill(child.pid!, "SIGUSR2");
    await eventually(
      () => childrenOf(child.pid!).some((pid) => pid !== scheduler && commandLine(pid).includes("Paused")),
      "the worker to pause",
    );
    await delayQuick(resque, "paused");
    await eventually(async () => (await resque.size("m")) === 1, "the scheduler to promote while the workers are paused");
    assert.equal(schedulerChild(child.pid!), scheduler, "the scheduler was not signalled");
    process.kill(child.pid!, "SIGCONT");
    await eventually(() => reported(resque, reportKey, "done paused"), "the job to run after CONT");
    process.kill(child.pid!, "SIGQUIT");
    assert.equal(await exited(child), 0);
  });

  it("runs a schedule file's entries (RESQUE_SCHEDULE reaches the scheduler process); a bad file stops the master before it starts anything", async () => {
    const resque = redis.open("work-sched-file");
    const dir = mkdtempSync(join(tmpdir(), "resque-schedule-"));
    const good = join(dir, "schedule.yml");
    writeFileSync(good, "every_second:\n  every: 1s\n  class: Quick\n  queue: m\n  args: tick\n");
    const { child, reportKey } = start(resque, { RESQUE_SCHEDULE: good });
    await eventually(() => reported(resque, reportKey, "done tick"), "the scheduled job to run");
    process.kill(child.pid!, "SIGQUIT");
    assert.equal(await exited(child), 0);

    const bad = join(dir, "bad.yml");
    writeFileSync(bad, "broken:\n  cron: '61 * * * *'\n  class: Quick\n  queue: m\n");
    const env = { QUEUE: "m", REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace };
    const run = await runToEnd(["work", "--scheduler", "--schedule", bad], env);
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, /broken/);
    assert.deepEqual(await resque.workers(), [], "no worker started");
  });

  it("with INTERVAL=0 the workers exit when the queues are empty, and the scheduler goes with them", async () => {
    const resque = redis.open("work-sched-once");
    const { child } = start(resque, { INTERVAL: "0" });
    assert.equal(await exited(child), 0);
    assert.equal(await resque.db.redis.get(resque.db.keys.schedulerLock()), null);
  });

  it("--no-fork runs the scheduler inside the worker's process, which keeps stock's title", async () => {
    const resque = redis.open("work-sched-inline");
    const { child, reportKey } = start(resque, { DONT_FORK: "1" });
    await delayQuick(resque, "inline");
    await eventually(() => reported(resque, reportKey, "done inline"), "the delayed job to run");
    assert.equal(await resque.db.redis.get(resque.db.keys.schedulerLock()), `${hostname()}:${child.pid}`);
    assert.match(commandLine(child.pid!), /^resque-\d/, "the worker's title, not the scheduler's");
    process.kill(child.pid!, "SIGQUIT");
    assert.equal(await exited(child), 0);
    assert.equal(await resque.db.redis.get(resque.db.keys.schedulerLock()), null);
  });
});
