// Each process role declares its signals in one table (src/master/signal-table.ts,
// src/cli/roles/worker-process-signals.ts, src/scheduler/signal-table.ts). These tests hold the
// running processes to their tables: every signal a table traps is caught by that process (Linux
// /proc/<pid>/status), and the rows no other test sends straight to their process do what they say.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import process from "node:process";
import { describe, it } from "node:test";
import { STARTING_SIGNALS, WORKER_PROCESS_SIGNALS } from "../../src/cli/roles/worker-process-signals.ts";
import { MASTER_SIGNALS } from "../../src/master/signal-table.ts";
import { trappedBy, trapTable, type SignalTable } from "../../src/runtime/trap-table.ts";
import type { TrappedSignal } from "../../src/runtime/types.ts";
import { SCHEDULER_SIGNALS } from "../../src/scheduler/signal-table.ts";
import { useRedis } from "../support/fixture.ts";
import { childrenOf, commandLine, eventually, exited, spawnWork } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const TABLES: [string, SignalTable<string>][] = [
  ["master", MASTER_SIGNALS],
  ["worker process, starting", STARTING_SIGNALS],
  ["worker process", WORKER_PROCESS_SIGNALS],
  ["scheduler process", SCHEDULER_SIGNALS],
];

/** The signals `pid` has a handler for: the SigCgt mask of /proc/<pid>/status, bit n-1 for signal n. */
function caught(pid: number): Set<string> {
  const mask = BigInt(`0x${/SigCgt:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "0"}`);
  const names = Object.entries(constants.signals).filter(([, n]) => (mask >> BigInt(n - 1)) & 1n);
  return new Set(names.map(([name]) => name.slice(3)));
}

/** Fails naming each signal the table traps that the process has no handler for. */
function assertTraps(pid: number, table: SignalTable<string>, role: string): void {
  const has = caught(pid);
  assert.deepEqual(
    trappedBy(table).filter((signal) => !has.has(signal)),
    [],
    `${role} (pid ${pid}) has no handler for these signals of its table`,
  );
}

const workerPids = async (resque: Resque) => (await resque.db.redis.smembers(resque.db.keys.workers)).map((id) => Number(id.split(":")[1]));

/** A master with one worker process on queue m, its jobs reporting to `reportKey`. */
const masterOn = (resque: Resque, reportKey: string) =>
  spawnWork({ url: redis.server().url, namespace: resque.db.keys.namespace, reportKey, queue: "m", env: { WORKER_COUNT: "1" } });

/** A master with one worker process, running a Held job (tagged `tag`) that waits until `${reportKey}:hold` is deleted. */
async function heldJobRunning(namespace: string, tag: string) {
  const resque = redis.open(namespace);
  const reportKey = `${resque.db.keys.namespace}:report`;
  const r = resque.db.redis;
  await r.set(`${reportKey}:hold`, "1");
  await resque.enqueueTo("m", "Held", tag);
  const master = masterOn(resque, reportKey);
  await eventually(async () => (await r.lrange(reportKey, 0, -1)).includes(`start ${tag}`), "the job to start");
  return { resque, r, reportKey, master };
}

describe("signal tables", () => {
  it("every table gives every signal a reason, and trapTable traps exactly the rows that name a handler", () => {
    for (const [role, table] of TABLES) {
      for (const [signal, row] of Object.entries(table)) assert.ok(row.why.trim().length > 0, `${role} ${signal} says why`);
      const trapped: TrappedSignal[] = [];
      const told: TrappedSignal[] = [];
      const handlers = new Map<TrappedSignal, () => void>();
      const runtime = {
        onSignal(signal: TrappedSignal, handler: () => void) {
          trapped.push(signal);
          handlers.set(signal, handler);
          return () => handlers.delete(signal);
        },
      };
      const actions = new Set(Object.values(table).map((row) => row.does));
      const untrap = trapTable(runtime, table, Object.fromEntries([...actions].map((a) => [a, (s: TrappedSignal) => told.push(s)])));
      assert.deepEqual(
        trapped,
        Object.entries(table).flatMap(([signal, row]) => (row.does === "untrapped" ? [] : [signal])),
        role,
      );
      for (const handler of handlers.values()) handler();
      assert.deepEqual(told, trapped, `${role}: each handler is told its signal`);
      untrap();
      assert.equal(handlers.size, 0, `${role}: the untrap removes every trap`);
    }
  });

  it("a running master, its worker process and its scheduler process each handle every signal their table traps", async () => {
    const resque = redis.open("sigtables");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const master = spawnWork({
      url: redis.server().url,
      namespace: resque.db.keys.namespace,
      reportKey,
      queue: "m",
      env: { WORKER_COUNT: "1", RESQUE_SCHEDULER: "1", RESQUE_SCHEDULER_INTERVAL: "0.05" },
    });
    const [worker] = await eventually(async () => ((await workerPids(resque)).length === 1 ? workerPids(resque) : undefined), "the worker");
    const scheduler = await eventually(
      () => childrenOf(master.pid!).find((pid) => commandLine(pid).startsWith("resque-scheduler-")),
      "the scheduler process",
    );
    await eventually(() => commandLine(master.pid!).includes("Master of"), "the master's title");
    assertTraps(master.pid!, MASTER_SIGNALS, "the master");
    assertTraps(worker!, WORKER_PROCESS_SIGNALS, "the worker process");
    assertTraps(scheduler, SCHEDULER_SIGNALS, "the scheduler process");
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });

  // Sent to the master, USR1 becomes KILL: only a signal sent straight to a worker process runs its USR1 row.
  it("USR1 sent to a worker process kills it; the master counts its job toward RECOVERY_LIMIT and the replacement runs it", async () => {
    const { resque, r, reportKey, master } = await heldJobRunning("sigtables-usr1", "u");
    const [victim] = await workerPids(resque);
    process.kill(victim!, "SIGUSR1");
    await eventually(async () => (await r.lrange(reportKey, 0, -1)).filter((l) => l === "start u").length === 2, "the job to start again");
    assert.notEqual((await workerPids(resque))[0], victim);
    assert.equal(Object.keys(await r.hgetall(resque.db.keys.recoveries)).length, 1, "the job's recovery is counted");
    await r.del(`${reportKey}:hold`);
    await eventually(async () => (await r.lrange(reportKey, 0, -1)).includes("done u"), "the job to finish");
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
    assert.equal(await resque.failed.count(), 0);
  });

  // Other tests send INT to the whole process group (as a terminal does), which reaches the worker processes directly too.
  it("INT sent to the master alone stops the worker processes now: the job in flight goes back to its queue", async () => {
    const { resque, r, reportKey, master } = await heldJobRunning("sigtables-int", "i");
    process.kill(master.pid!, "SIGINT");
    assert.equal(await exited(master), 0);
    assert.equal(await resque.size("m"), 1, "the job is back in its queue");
    assert.deepEqual(await r.smembers(resque.db.keys.workers), []);
    await r.del(`${reportKey}:hold`);
  });

  it("HUP without a pool file changes nothing: the same worker process goes on working", async () => {
    const resque = redis.open("sigtables-hup");
    const reportKey = `${resque.db.keys.namespace}:report`;
    const r = resque.db.redis;
    const master = masterOn(resque, reportKey);
    const [before] = await eventually(async () => ((await workerPids(resque)).length === 1 ? workerPids(resque) : undefined), "the worker");
    process.kill(master.pid!, "SIGHUP");
    await resque.enqueueTo("m", "WhoAmI", "after-hup");
    const line = await eventually(
      async () => (await r.lrange(reportKey, 0, -1)).find((l) => l.startsWith("after-hup ")),
      "the job after HUP",
    );
    assert.equal(Number(line.split(" ")[1]), before, "run by the worker process that was there before HUP");
    assert.deepEqual(await workerPids(resque), [before]);
    process.kill(master.pid!, "SIGQUIT");
    assert.equal(await exited(master), 0);
  });
});
