/**
 * Losing a whole host (issue 24): two "hosts", each a master with 2 worker processes in its own
 * UTS namespace (`unshare --uts`, then `hostname`: worker ids carry the hostname, as on two
 * machines), share one Redis and 20,000 jobs. All of host A is SIGKILLed at once, or SIGSTOPped for
 * twice the prune interval and then continued. Host B must recover A's in-flight jobs by pruning
 * (RESQUE_PRUNE_INTERVAL, here 3 s; heartbeats every 1 s); no job may be lost, a job may run twice
 * only if it was in flight on A, and every job is counted once in stat:processed. `npm test` runs
 * it against the compiled binary (RESQUE_TEST_BINARY).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { Resque } from "../../src/client/resque.ts";
import { serveResqueWeb } from "../support/ruby-scheduler.ts";
import { childrenOf, cliCommand, eventually, exited } from "../support/spawn-cli.ts";
import { useWebServers } from "../support/web-server.ts";
import { readRuns } from "./runs.ts";

const root = new URL("../../", import.meta.url).pathname;
const JOBS = 20_000;
const HEARTBEAT_S = 1;
const PRUNE_S = 3;

let server: TestRedis;
const started: ChildProcess[] = [];
const table: Record<string, number | string>[] = [];
before(async () => {
  server = await startRedis();
});
after(async () => {
  for (const child of started) {
    for (const pid of [child.pid!, ...childrenOf(child.pid!)]) {
      try {
        process.kill(pid, "SIGCONT");
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
  await server.stop();
  console.log(`\nHost loss (2 hosts x 2 worker processes x 8, ${JOBS} jobs, heartbeat ${HEARTBEAT_S} s, prune interval ${PRUNE_S} s):`);
  console.table(table);
});

const serveWeb = useWebServers();

/** The workers pages of our dashboard and of stock resque-web (Ruby), as HTML. */
async function workerPages(namespace: string): Promise<{ ours: string; stock: string }> {
  const resque = new Resque({ redis: server.url, namespace });
  try {
    const { base } = await serveWeb(resque);
    const ruby = await serveResqueWeb({ ...process.env, REDIS_URL: server.url, RESQUE_NAMESPACE: namespace }, started);
    const [ours, stock] = await Promise.all([fetch(`${base}/workers`), fetch(`${ruby.base}/workers`)].map(async (r) => (await r).text()));
    return { ours: ours!, stock: stock! };
  } finally {
    await resque.close();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** unshare's flags: a UTS namespace needs root, or a user namespace where we are root. */
const UNSHARE = process.getuid?.() === 0 ? ["--uts"] : ["--user", "--map-root-user", "--uts"];
const canUnshare = spawnSync("unshare", [...UNSHARE, "hostname", "probe-host"]).status === 0;

/** `resque work` as if on a machine called `host`. */
function startHost(host: string, namespace: string, reportKey: string): { child: ChildProcess; log: () => string } {
  const [command, ...argv] = cliCommand(["work", "--require", "test/fixtures/fault-jobs.ts"]);
  const child = spawn("unshare", [...UNSHARE, "sh", "-c", 'hostname "$0" && exec "$@"', host, command, ...argv], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env: {
      ...process.env,
      QUEUE: "faults",
      INTERVAL: "0.05",
      WORKER_COUNT: "2",
      THREAD_COUNT: "8",
      REDIS_URL: server.url,
      RESQUE_NAMESPACE: namespace,
      RESQUE_HEARTBEAT_INTERVAL: String(HEARTBEAT_S),
      RESQUE_PRUNE_INTERVAL: String(PRUNE_S),
      FAULT_REPORT_URL: server.url,
      FAULT_REPORT_KEY: reportKey,
    },
  });
  started.push(child);
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d));
  child.stderr?.on("data", (d: Buffer) => (text += d));
  return { child, log: () => text };
}

interface Run {
  namespace: string;
  reportKey: string;
  a: ReturnType<typeof startHost>;
  b: ReturnType<typeof startHost>;
}

async function startTwoHosts(): Promise<Run> {
  const namespace = uniqueNamespace("host-loss");
  const reportKey = `${namespace}:performed`;
  const queue = `${namespace}:queue:faults`;
  for (let i = 0; i < JOBS; i += 5000) {
    await server.client.rpush(queue, ...Array.from({ length: 5000 }, (_, j) => `{"class":"Record","args":[${i + j},2]}`));
  }
  await server.client.sadd(`${namespace}:queues`, "faults");
  const a = startHost("host-a", namespace, reportKey);
  const b = startHost("host-b", namespace, reportKey);
  // Both hosts working (each registered its 2 worker processes), and a quarter of the jobs done.
  for (let i = 0; i < 2400; i++) {
    const ids = await server.client.smembers(`${namespace}:workers`);
    const hosts = new Set(ids.map((id) => id.split(":")[0]));
    if (hosts.has("host-a") && hosts.has("host-b") && (await server.client.hlen(reportKey)) >= JOBS / 4) break;
    await sleep(25);
  }
  return { namespace, reportKey, a, b };
}

/** Every process of a host: its master and worker processes. */
const hostPids = (host: ReturnType<typeof startHost>) => [host.child.pid!, ...childrenOf(host.child.pid!)];

/** Jobs that were in flight on host A at the fault: the entries of its in-flight lists, by job id. */
async function inFlightOn(run: Run, host: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const key of await server.client.keys(`${run.namespace}:inflight:${host}:*`)) {
    for (const entry of await server.client.lrange(key, 0, -1)) {
      const id = /"args":\[(\d+)/.exec(entry)?.[1];
      if (id) ids.add(id);
    }
  }
  return ids;
}

/** Wait until the queue and every in-flight list are empty (3 min at most), then count each job. */
async function count(run: Run, name: string, aPids: Set<number>, inFlightAtFault: Set<string>, faultAt: number) {
  const queue = `${run.namespace}:queue:faults`;
  const deadline = Date.now() + 180_000;
  let quiet = 0;
  while (quiet < 5 && Date.now() < deadline) {
    const inflight = await server.client.keys(`${run.namespace}:inflight:*`);
    let held = 0;
    for (const key of inflight) held += await server.client.llen(key);
    quiet = (await server.client.llen(queue)) === 0 && held === 0 ? quiet + 1 : 0;
    await sleep(100);
  }
  assert.equal(quiet, 5, `${name}: not drained within 3 minutes`);
  const runs = await readRuns(server.client, run.reportKey);
  const lost: string[] = [];
  const unexplained: string[] = [];
  let duplicated = 0;
  for (let i = 0; i < JOBS; i++) {
    const id = String(i);
    const mine = runs.get(id) ?? [];
    if (mine.length === 0) lost.push(id);
    if (mine.length > 1) {
      duplicated++;
      // Explained: in flight on host A at the fault, run twice, once on A.
      if (!(mine.length === 2 && inFlightAtFault.has(id) && mine.some((r) => aPids.has(r.pid)))) unexplained.push(id);
    }
  }
  // Recovery: the first run on host B of a job that was in flight on A, after the fault.
  const recoveredAt = Math.min(
    ...[...inFlightAtFault].flatMap((id) =>
      (runs.get(id) ?? []).filter((r) => !aPids.has(r.pid) && r.started >= faultAt).map((r) => r.started),
    ),
  );
  const processed = Number(await server.client.get(`${run.namespace}:stat:processed`));
  table.push({
    scenario: name,
    jobs: JOBS,
    completed: JOBS - lost.length,
    lost: lost.length,
    duplicated,
    "in flight on A": inFlightAtFault.size,
    "s until B ran A's jobs": Number.isFinite(recoveredAt) ? Math.round((recoveredAt - faultAt) / 100) / 10 : "-",
    "stat:processed": processed,
  });
  return { lost, unexplained, processed };
}

async function stopHost(host: ReturnType<typeof startHost>): Promise<void> {
  if (host.child.exitCode === null && host.child.signalCode === null) process.kill(host.child.pid!, "SIGQUIT");
  await exited(host.child);
}

describe("losing a whole host", { skip: !canUnshare && "unshare --uts is not allowed here" }, () => {
  it("SIGKILL every process of host A at once: host B recovers A's jobs by pruning", async () => {
    const run = await startTwoHosts();
    const pids = hostPids(run.a);
    const aWorkerIds = (await server.client.smembers(`${run.namespace}:workers`)).filter((id) => id.startsWith("host-a:"));
    assert.equal(aWorkerIds.length, 2, "host A's two worker processes registered");
    const before = await workerPages(run.namespace);
    assert.match(before.ours, /\bhost-a\b/, "our dashboard lists host A's workers");
    assert.match(before.stock, /\bhost-a\b/, "resque-web lists host A's workers");
    const faultAt = Date.now();
    for (const pid of pids) process.kill(pid, "SIGKILL");
    const inFlight = await inFlightOn(run, "host-a");
    const { lost, unexplained, processed } = await count(run, "SIGKILL all of host A", new Set(pids), inFlight, faultAt);
    assert.deepEqual(lost.slice(0, 20), [], `${lost.length} lost`);
    assert.deepEqual(unexplained.slice(0, 20), [], `${unexplained.length} run twice though not in flight on host A`);
    assert.equal(processed, JOBS, "each job counted once");
    const workers = await server.client.smembers(`${run.namespace}:workers`);
    assert.deepEqual(
      workers.filter((id) => id.startsWith("host-a:")),
      [],
      "host A's workers are gone from the registry",
    );
    const pages = await workerPages(run.namespace);
    assert.doesNotMatch(pages.ours, /\bhost-a\b/, "our dashboard no longer lists host A's workers");
    assert.doesNotMatch(pages.stock, /\bhost-a\b/, "resque-web no longer lists host A's workers");
    await stopHost(run.b);
  });

  it("SIGSTOP all of host A for twice the prune interval, then SIGCONT: A re-registers and records nothing twice", async () => {
    const run = await startTwoHosts();
    const pids = hostPids(run.a);
    const faultAt = Date.now();
    for (const pid of pids) process.kill(pid, "SIGSTOP");
    const inFlight = await inFlightOn(run, "host-a");
    // Pruned by B meanwhile (3 s of silence, then B's next prune).
    for (let i = 0; i < 400; i++) {
      const ids = await server.client.smembers(`${run.namespace}:workers`);
      if (!ids.some((id) => id.startsWith("host-a:"))) break;
      await sleep(25);
    }
    assert.ok(
      !(await server.client.smembers(`${run.namespace}:workers`)).some((id) => id.startsWith("host-a:")),
      "host A pruned while stopped",
    );
    await sleep(2 * PRUNE_S * 1000);
    for (const pid of pids) process.kill(pid, "SIGCONT");
    const { lost, unexplained, processed } = await count(
      run,
      "SIGSTOP all of host A (2 x prune interval), SIGCONT",
      new Set(pids),
      inFlight,
      faultAt,
    );
    assert.deepEqual(lost.slice(0, 20), [], `${lost.length} lost`);
    assert.deepEqual(unexplained.slice(0, 20), [], `${unexplained.length} run twice though not in flight on host A`);
    assert.equal(processed, JOBS, "each job counted once: A's stale jobs, recovered and run by B, were not recorded by A too");
    await eventually(() => /found its registration gone/.test(run.a.log()), "host A to say it registered again", 400);
    const workers = await server.client.smembers(`${run.namespace}:workers`);
    assert.equal(workers.filter((id) => id.startsWith("host-a:")).length, 2, "host A's two worker processes registered again");
    await stopHost(run.a);
    await stopHost(run.b);
  });
});
