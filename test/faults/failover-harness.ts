/**
 * One failover scenario: a private Sentinel group (1 primary, 2 replicas, 3 sentinels) or Redis
 * Cluster (3 primaries, 3 replicas; the namespace hash-tagged), a known set of jobs enqueued
 * durably, `resque work` (2 processes x 32, the compiled binary with RESQUE_TEST_BINARY) through
 * the redis+sentinel:// or redis+cluster:// URL, a fault to the namespace's primary once a quarter of
 * the jobs ran, then a count: completed, lost (never run) and duplicated (run twice). Jobs report
 * to a Redis outside the group, so a failover cannot lose a report, with when each run started and
 * ended: a duplicate is explained when its first run started before the fault (taken from the old
 * primary, whose record of it the promoted replica may not have had), or before a later failover
 * Sentinel made on its own (the master reports each). The longest gap between two runs ending is
 * the time without service.
 */
import { execSync, type ChildProcess } from "node:child_process";
import process from "node:process";
import { startCluster, type TestCluster } from "../../scripts/lib/redis-cluster.ts";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { startSentinelGroup, type SentinelGroup } from "../../scripts/lib/redis-sentinel.ts";
import { Resque } from "../../src/client/resque.ts";
import { keySlot } from "../../src/store/cluster.ts";
import { exited, spawnCli } from "../support/spawn-cli.ts";
import { readRuns } from "./runs.ts";

export interface FailoverContext {
  /** Set for a Sentinel scenario. */
  group?: SentinelGroup;
  /** Set for a Cluster scenario, with the slot the namespace is in. */
  cluster?: { cluster: TestCluster; slot: number };
  /** The server the namespace's jobs are on now. */
  primary: () => Promise<TestRedis>;
  /** Runs reported so far. */
  performed: () => Promise<number>;
  sleep: (ms: number) => Promise<void>;
  /** Call at the moment of the fault: runs that started before it may run again. */
  markFault: () => void;
}

export interface FailoverScenario {
  name: string;
  /** Behind Sentinel (the default) or on a Redis Cluster. */
  topology?: "sentinel" | "cluster";
  jobs: number;
  /** DURABLE_ACK for the workers (0: off). */
  durableAck: number;
  /** Runs once a quarter of the jobs ran; returns when the fault is over. */
  inject: (ctx: FailoverContext) => Promise<void>;
}

export interface FailoverCounts {
  scenario: string;
  jobs: number;
  completed: number;
  lost: number;
  duplicated: number;
  "duplicated, explained": number;
  /** Longest time between two runs ending, from the fault until the queue drained. */
  "s without service": number;
  /** The master's own line, when it saw the switch. */
  "failover seen": boolean;
  /** Failovers the master reported: more than one when Sentinel failed over again on its own. */
  failovers: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs that started no later than this after the fault still count as taken from the old primary. */
const SAME_MOMENT_MS = 100;

export async function runFailover(
  scenario: FailoverScenario,
): Promise<FailoverCounts & { lostIds: string[]; unexplained: string[]; failures: number }> {
  const onCluster = scenario.topology === "cluster";
  const group = onCluster ? undefined : await startSentinelGroup({ downAfterMs: 1000 });
  const cluster = onCluster ? await startCluster({ nodeTimeoutMs: 1000 }) : undefined;
  const url = group?.url ?? cluster!.url;
  const reports = await startRedis();
  // On a Cluster the namespace is hash-tagged: every key of it in one slot, on one primary.
  const namespace = onCluster ? `{${uniqueNamespace("failover")}}` : uniqueNamespace("failover");
  const slot = keySlot(namespace);
  const primaryNow = () => (group ? group.primary() : cluster!.primaryOf(slot));
  const reportKey = `${namespace}:performed`;
  // The suite's own client goes through the sentinels (or the cluster) too, and durably: an enqueue
  // it saw succeed must be on every replica of its primary, so no one server's death can lose it.
  const resque = new Resque({ redis: url, namespace, durable: { replicas: onCluster ? 1 : 2, timeoutMs: 5000 } });
  const ids = Array.from({ length: scenario.jobs }, (_, i) => String(i));
  let master: ChildProcess | undefined;
  let log = "";
  try {
    for (let i = 0; i < ids.length; i += 5000) {
      await resque.pushMany(
        "faults",
        ids.slice(i, i + 5000).map((id) => `{"class":"Record","args":[${id},0]}`),
      );
    }
    master = spawnCli(
      ["work", "--require", "test/fixtures/fault-jobs.ts"],
      {
        QUEUE: "faults",
        INTERVAL: "0.05",
        WORKER_COUNT: "2",
        THREAD_COUNT: "32",
        REDIS_URL: url,
        RESQUE_NAMESPACE: namespace,
        DURABLE_ACK: String(scenario.durableAck),
        FAULT_REPORT_URL: reports.url,
        FAULT_REPORT_KEY: reportKey,
      },
      false,
      true,
    );
    // When the master reported each failover: Sentinel may fail over again on its own (a new primary
    // too busy to answer within down-after), and each switch can discard writes made just before it.
    const failoversAt: number[] = [];
    const take = (d: Buffer) => {
      log += d;
      for (const _ of String(d).matchAll(/Redis failover: /g)) failoversAt.push(Date.now());
    };
    master.stderr?.on("data", take);
    master.stdout?.on("data", take);
    const performed = () => reports.client.hlen(reportKey);
    let faultAt = 0;
    const ctx: FailoverContext = {
      ...(group && { group }),
      ...(cluster && { cluster: { cluster, slot } }),
      primary: primaryNow,
      performed,
      sleep,
      markFault: () => (faultAt = Date.now()),
    };
    for (let i = 0; i < 2400 && (await performed()) < scenario.jobs / 4; i++) await sleep(25);
    await scenario.inject(ctx);
    if (faultAt === 0) throw new Error(`scenario "${scenario.name}" did not mark its fault`);

    // Drained: nothing queued and nothing in flight on the primary, 5 polls in a row (3 min at most).
    const queue = `${namespace}:queue:faults`;
    const deadline = Date.now() + Number(process.env["FAILOVER_DRAIN_MS"] ?? 180_000);
    let quiet = 0;
    while (quiet < 5 && Date.now() < deadline) {
      const empty = await (async () => {
        const primary = await primaryNow();
        const inflight = await primary.client.keys(`${namespace}:inflight:*`);
        return (await primary.client.llen(queue)) === 0 && inflight.length === 0;
      })().catch(() => false);
      quiet = empty ? quiet + 1 : 0;
      await sleep(100);
    }
    if (quiet < 5) {
      const primary = await primaryNow();
      const left = await Promise.all(
        [queue, ...(await primary.client.keys(`${namespace}:inflight:*`))].map(async (key) => `${key}: ${await primary.client.llen(key)}`),
      );
      if (process.env["FAULT_DEBUG"]) console.log(execSync("ps -eo pid,ppid,stat,args | grep -i resque").toString());
      throw new Error(
        `not drained 3 minutes after the fault: ${await performed()} runs reported of ${ids.length} jobs; on the primary ${left.join(", ")}\n${log.slice(-4000)}`,
      );
    }
    process.kill(master.pid!, "SIGQUIT");
    await exited(master);

    // Count.
    const runs = await readRuns(reports.client, reportKey);
    const lostIds: string[] = [];
    const unexplained: string[] = [];
    let duplicated = 0;
    let explained = 0;
    for (const id of ids) {
      const mine = runs.get(id) ?? [];
      if (mine.length === 0) lostIds.push(id);
      if (mine.length > 1) {
        duplicated++;
        const first = Math.min(...mine.map((r) => r.started));
        // Explained: its first run began before a switch (the fault, or a later one Sentinel made)
        // that could discard the record of it.
        const lastSwitch = Math.max(faultAt, ...failoversAt.slice(1));
        if (mine.length === 2 && first <= lastSwitch + SAME_MOMENT_MS) explained++;
        else unexplained.push(id);
      }
    }
    const ends = [...runs.values()]
      .flat()
      .map((r) => r.ended)
      .filter((t) => t >= faultAt)
      .sort((a, b) => a - b);
    let gap = ends.length > 0 ? ends[0]! - faultAt : 0;
    for (let i = 1; i < ends.length; i++) gap = Math.max(gap, ends[i]! - ends[i - 1]!);
    const primary = await primaryNow();
    const failures = await primary.client.llen(`${namespace}:failed`);
    if (process.env["FAULT_DEBUG"]) console.log(log);
    return {
      scenario: scenario.name,
      jobs: ids.length,
      completed: ids.length - lostIds.length,
      lost: lostIds.length,
      duplicated,
      "duplicated, explained": explained,
      "s without service": Math.round(gap / 100) / 10,
      "failover seen": failoversAt.length > 0,
      failovers: failoversAt.length,
      lostIds,
      unexplained,
      failures,
    };
  } finally {
    if (master && master.exitCode === null && master.signalCode === null) process.kill(master.pid!, "SIGKILL");
    await resque.close();
    await reports.stop();
    await group?.stop();
    await cluster?.stop();
  }
}
