/**
 * Containing what a job can do with signals (issue 22, points 2 and 3): each worker process
 * leads its own process group, so a job's kill(0) reaches only its own process, while Ctrl-C
 * and a master's death still end every worker process; a job may not signal its master, nor
 * send its own worker the signals that control it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { signalName } from "../../src/runtime/signal-guard.ts";
import { refuseJobSignal, SignalRefused } from "../../src/worker/job-signals.ts";
import { useRedis } from "../support/fixture.ts";
import { eventually, exited, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

/** pgrp and state from /proc/<pid>/stat; undefined once the process is gone. */
function stat(pid: number): { pgrp: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}
const gone = (pid: number) => {
  const s = stat(pid);
  return s === undefined || s.state === "Z";
};

const workerPids = async (resque: Resque) => (await resque.db.redis.smembers(resque.db.keys.workers)).map((id) => Number(id.split(":")[1]));

/** `resque work` with two worker processes, started as a terminal starts a command: leading its own group. */
function startPool(resque: Resque, reportKey: string) {
  return spawnCli(
    ["work", "--require", "test/fixtures/jobs.ts"],
    {
      QUEUE: "g",
      INTERVAL: "0.05",
      WORKER_COUNT: "2",
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
      TEST_REPORT_URL: redis.server().url,
      TEST_REPORT_KEY: reportKey,
    },
    false,
    true,
  );
}

describe("worker processes in their own process groups", () => {
  it("each leads its own group; Ctrl-C (INT to the terminal's group) still stops them all and hands the job back", async () => {
    const resque = redis.open("groups-int");
    const reportKey = `${resque.db.keys.namespace}:report`;
    await resque.db.redis.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("g", "Held", "a");
    const master = startPool(resque, reportKey);
    await eventually(async () => (await resque.db.redis.lrange(reportKey, 0, -1)).includes("start a"), "the held job to start");
    const pids = await eventually(async () => {
      const found = await workerPids(resque);
      return found.length === 2 && found;
    }, "two registered worker processes");
    for (const pid of pids) {
      assert.equal(stat(pid)?.pgrp, pid, `worker process ${pid} leads its own process group`);
      assert.notEqual(stat(pid)?.pgrp, stat(master.pid!)?.pgrp, "apart from the master's");
    }
    process.kill(-master.pid!, "SIGINT");
    await exited(master);
    await eventually(() => pids.every(gone), "every worker process to exit", 2400);
    assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.workers), []);
    assert.deepEqual(
      await resque.db.redis.lrange(resque.db.keys.queue("g"), 0, -1),
      ['{"class":"Held","args":["a"]}'],
      "the job went back to its queue",
    );
  });

  it("a master killed by SIGKILL leaves no worker process running", async () => {
    const resque = redis.open("groups-orphans");
    const master = startPool(resque, `${resque.db.keys.namespace}:report`);
    const pids = await eventually(async () => {
      const found = await workerPids(resque);
      return found.length === 2 && found;
    }, "two registered worker processes");
    process.kill(master.pid!, "SIGKILL");
    await exited(master);
    await eventually(() => pids.every(gone), "the orphaned worker processes to exit", 2400);
  });
});

describe("signals a job may not send", () => {
  const self = 1000;
  const master = 999;

  it("refuses any signal to the master and the control signals to its own process or group", () => {
    for (const [pid, signal] of [
      [master, "TERM"],
      [master, "KILL"],
      [-master, "INT"],
      [self, "TERM"],
      [0, "TERM"],
      [-self, "QUIT"],
      [self, "USR1"],
      [0, "HUP"],
    ] as const) {
      assert.ok(refuseJobSignal(pid, signal, self, master) instanceof SignalRefused, `${pid} SIG${signal}`);
    }
    assert.match(refuseJobSignal(master, "TERM", self, master)!.message, /may not signal its worker's master \(pid 999, SIGTERM\)/);
  });

  it("lets through fatal signals to itself (the master charges the death), others' processes, and existence checks", () => {
    for (const [pid, signal] of [
      [self, "KILL"],
      [0, "KILL"],
      [self, "SEGV"],
      [12345, "TERM"],
      [-12345, "TERM"],
      [master, "0"],
      [self, "0"],
    ] as const) {
      assert.equal(refuseJobSignal(pid, signal, self, master), undefined, `${pid} SIG${signal}`);
    }
  });

  it("names signals the way the rule reads them, and the guard throws the refusal to the caller", () => {
    assert.deepEqual(
      [signalName(undefined), signalName("SIGTERM"), signalName("kill"), signalName(9), signalName(0)],
      ["TERM", "TERM", "KILL", "KILL", "0"],
    );
    // Guards this test process for one pid that cannot exist; everything else goes through.
    const refused = -2_000_000_000;
    currentRuntime().guardSignals((pid) => (pid === refused ? new SignalRefused("not that one") : undefined));
    assert.throws(() => process.kill(refused, "SIGTERM"), SignalRefused);
    assert.equal(process.kill(process.pid, 0), true);
  });
});
