/**
 * One fault-injection scenario: enqueue a known set of jobs, run `resque work` (the compiled
 * binary with RESQUE_TEST_BINARY), inject the fault, wait until every queue and in-flight list
 * is empty, then count each job: completed, failed, lost (neither) and duplicated (run twice,
 * or run and failed). A duplicate is explained when its first run was in a worker process that
 * died (the master logs each one); any other duplicate, and any lost job, is a bug.
 */
import type { ChildProcess } from "node:child_process";
import process from "node:process";
import { Redis } from "ioredis";
import { spawnCli, exited } from "../support/spawn-cli.ts";
import { uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { readRuns } from "./runs.ts";

export interface Extra {
  label: string;
  raw: string | Buffer;
  /** Record ids run by a Record payload, or the text the failure record's payload must contain. */
  expect: { completed: string } | { failedContaining: string };
}

export interface Scenario {
  name: string;
  jobs: number;
  sleepMs: number;
  env?: Record<string, string>;
  extras?: Extra[];
  /** The exceptions of the failure records the run must leave (none unless given). */
  exceptions?: string[];
  /** Runs while the jobs are worked; returns when the fault is over. */
  inject: (ctx: FaultContext) => Promise<void>;
  /** Runs after the master started and before the jobs are enqueued (a fault to an idle pool). */
  beforeEnqueue?: (ctx: FaultContext) => Promise<void>;
}

export interface FaultContext {
  server: TestRedis;
  redis: Redis;
  namespace: string;
  master: () => ChildProcess;
  /** Start a new master (after the scenario stopped the last one). */
  restartMaster: () => ChildProcess;
  workerPids: () => Promise<number[]>;
  queueLength: () => Promise<number>;
  sleep: (ms: number) => Promise<void>;
}

export interface Counts {
  scenario: string;
  jobs: number;
  completed: number;
  failed: number;
  lost: number;
  duplicated: number;
  "duplicated, explained": number;
  "processes died": number;
  /** The master was still running when the queue had drained (a job must not be able to end it). */
  "pool alive": boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runScenario(
  server: TestRedis,
  scenario: Scenario,
): Promise<Counts & { lostIds: string[]; unexplained: string[]; exceptions: string[] }> {
  const namespace = uniqueNamespace("faults");
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  redis.on("error", () => {});
  const queue = `${namespace}:queue:faults`;
  const reportKey = `${namespace}:performed`;
  const ids = Array.from({ length: scenario.jobs }, (_, i) => String(i));
  const extras = scenario.extras ?? [];
  const enqueue = async () => {
    for (let i = 0; i < ids.length; i += 5000) {
      await redis.rpush(queue, ...ids.slice(i, i + 5000).map((id) => `{"class":"Record","args":[${id},${scenario.sleepMs}]}`));
    }
    // Extras go in the middle of the queue, among the other jobs.
    for (const extra of extras)
      await redis.linsert(queue, "BEFORE", `{"class":"Record","args":[${Math.floor(ids.length / 2)},${scenario.sleepMs}]}`, extra.raw);
    await redis.sadd(`${namespace}:queues`, "faults");
  };
  const logs: string[] = [];
  const masters: ChildProcess[] = [];
  const startMaster = () => {
    const child = spawnCli(
      ["work", "--require", "test/fixtures/fault-jobs.ts"],
      {
        QUEUE: "faults",
        INTERVAL: "0.05",
        WORKER_COUNT: "2",
        THREAD_COUNT: "16",
        REDIS_URL: server.url,
        RESQUE_NAMESPACE: namespace,
        FAULT_REPORT_URL: server.url,
        FAULT_REPORT_KEY: reportKey,
        ...scenario.env,
        // Its own process group, as a shell starts a command: a job's kill(0) on a build that
        // shares the master's group must not reach the test runner.
      },
      false,
      true,
    );
    child.stderr?.on("data", (d: Buffer) => logs.push(d.toString()));
    child.stdout?.on("data", (d: Buffer) => logs.push(d.toString()));
    masters.push(child);
    return child;
  };
  if (!scenario.beforeEnqueue) await enqueue();
  startMaster();
  const ctx: FaultContext = {
    server,
    redis,
    namespace,
    master: () => masters.at(-1)!,
    restartMaster: startMaster,
    workerPids: async () => (await redis.smembers(`${namespace}:workers`)).map((id) => Number(id.split(":")[1])),
    queueLength: () => redis.llen(queue),
    sleep,
  };

  if (scenario.beforeEnqueue) {
    await scenario.beforeEnqueue(ctx);
    await enqueue();
  }
  await scenario.inject(ctx);
  // Drained: nothing queued, nothing in flight, for a few polls in a row (or give up after 3 min).
  const deadline = Date.now() + 180_000;
  let quiet = 0;
  while (quiet < 5 && Date.now() < deadline) {
    const inflight = (await redis.keys(`${namespace}:inflight:*`)).length;
    quiet = (await redis.llen(queue)) === 0 && inflight === 0 ? quiet + 1 : 0;
    await sleep(100);
  }
  const master = ctx.master();
  const alive = master.exitCode === null && master.signalCode === null;
  if (alive) master.kill("SIGQUIT");
  await exited(master);

  // Count.
  const performed = new Map([...(await readRuns(redis, reportKey))].map(([id, runs]) => [id, runs.map((r) => r.pid)]));
  const failures = (await redis.lrange(`${namespace}:failed`, 0, -1)).map((raw) => ({
    raw,
    record: JSON.parse(raw) as { payload: unknown; exception: string },
  }));
  const failedIds = new Map<string, number>();
  for (const { record } of failures) {
    const payload = record.payload as { class?: string; args?: unknown[] } | string;
    if (typeof payload === "object" && payload?.class === "Record" && Array.isArray(payload.args)) {
      const id = String(payload.args[0]);
      failedIds.set(id, (failedIds.get(id) ?? 0) + 1);
    }
  }
  if (process.env["FAULT_DEBUG"]) console.log(logs.join(""));
  const died = new Set([...logs.join("").matchAll(/Worker process (\d+) ended/g)].map((m) => Number(m[1])));
  const expected = [...ids, ...extras.flatMap((e) => ("completed" in e.expect ? [e.expect.completed] : []))];
  const lostIds: string[] = [];
  const unexplained: string[] = [];
  let duplicated = 0;
  let explained = 0;
  for (const id of expected) {
    const runs = performed.get(id) ?? [];
    const times = runs.length + (failedIds.get(id) ?? 0);
    if (times === 0) lostIds.push(id);
    if (times > 1) {
      duplicated++;
      // Every run but one must have been in a process that died before its outcome was written.
      if (runs.filter((pid) => died.has(pid)).length >= times - 1) explained++;
      else unexplained.push(id);
    }
  }
  // Malformed payloads must each leave exactly one failure record.
  for (const extra of extras) {
    if (!("failedContaining" in extra.expect)) continue;
    const needle = extra.expect.failedContaining;
    // A payload too deep for JSON.stringify is searched as stored.
    const text = (f: (typeof failures)[number]) => {
      try {
        return JSON.stringify(f.record.payload);
      } catch {
        return f.raw;
      }
    };
    const found = failures.filter((f) => text(f).includes(needle)).length;
    if (found === 0) lostIds.push(extra.label);
    if (found > 1) {
      duplicated++;
      unexplained.push(extra.label);
    }
  }
  const completed = expected.filter((id) => (performed.get(id)?.length ?? 0) > 0).length;
  redis.disconnect();
  return {
    scenario: scenario.name,
    jobs: expected.length + extras.filter((e) => "failedContaining" in e.expect).length,
    completed,
    failed: failures.length,
    lost: lostIds.length,
    duplicated,
    "duplicated, explained": explained,
    "processes died": died.size,
    "pool alive": alive,
    lostIds,
    unexplained,
    exceptions: failures.map((f) => f.record.exception),
  };
}
