// Shard mode on a Redis Cluster (3 primaries + 3 replicas on loopback): no-op jobs over 12 queues (4 a shard),
// worked by the compiled binary with 1 shard (3 processes) and with 3 shards (1 process each), the
// same 3 x 32 in both. For each primary: the commands it ran and the CPU it used, from INFO
// commandstats and INFO cpu before and after. Prints a table and writes
// bench/cluster-shards-results.json; asserts nothing. `npm run bench:shards` (JOBS=300000 THREADS=32).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { startCluster, type TestCluster } from "../scripts/lib/redis-cluster.ts";
import type { TestRedis } from "../scripts/lib/redis-server.ts";
import { ShardedResque } from "../src/client/sharded.ts";
import { shardOf } from "../src/store/shards.ts";

const root = new URL("..", import.meta.url).pathname;
const JOBS = Number(process.env["JOBS"] ?? 300_000);
const THREADS = Number(process.env["THREADS"] ?? 32);
const PROCESSES = 3;
/** 12 queues, 4 in each of 3 shards: a queue's shard is a hash of its name, so a few names can fall unevenly. */
const QUEUES = (() => {
  const picked: string[] = [];
  const perShard = [0, 0, 0];
  for (let i = 0; picked.length < 12; i++) {
    const shard = shardOf(`q${i}`, 3);
    if (perShard[shard]! < 4) {
      perShard[shard]!++;
      picked.push(`q${i}`);
    }
  }
  return picked;
})();
if (!existsSync(`${root}dist/resque-worker`)) spawnSync("node", [`${root}scripts/build.mjs`], { stdio: "inherit" });

interface Load {
  commands: number;
  cpuSeconds: number;
}

async function load(node: TestRedis): Promise<Load> {
  const stats = await node.client.info("commandstats");
  const commands = [...stats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  const cpu = await node.client.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(cpu)?.[1] ?? 0);
  return { commands, cpuSeconds: field("used_cpu_sys") + field("used_cpu_user") };
}

async function primaries(cluster: TestCluster): Promise<TestRedis[]> {
  const found: TestRedis[] = [];
  for (const node of cluster.servers) if (((await node.client.call("ROLE")) as string[])[0] === "master") found.push(node);
  return found;
}

async function run(cluster: TestCluster, shards: number) {
  const base = `bench${Date.now()}`;
  const resque = new ShardedResque({ redis: cluster.url, namespace: base, shards });
  const perQueue = Math.ceil(JOBS / QUEUES.length);
  for (const queue of QUEUES) {
    for (let i = 0; i < perQueue; i += 10_000) {
      await resque.pushMany(
        queue,
        Array.from({ length: Math.min(10_000, perQueue - i) }, () => '{"class":"Noop","args":[]}'),
      );
    }
  }
  const total = perQueue * QUEUES.length;
  const nodes = await primaries(cluster);
  const before = await Promise.all(nodes.map(load));
  const master = spawn(`${root}dist/resque-worker`, ["--require", "bench/jobs.ts"], {
    cwd: root,
    stdio: "ignore",
    env: {
      ...process.env,
      QUEUE: "*",
      INTERVAL: "0.01",
      RESQUE_SHARDS: String(shards),
      WORKER_COUNT: String(PROCESSES / shards),
      THREAD_COUNT: String(THREADS),
      REDIS_URL: cluster.url,
      RESQUE_NAMESPACE: base,
    },
  });
  // Timed from the first job taken to the last recorded, so start-up is left out.
  while ((await resque.info()).pending === total) await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  while ((await resque.info()).processed < total) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - started) / 1000;
  const after = await Promise.all(nodes.map(load));
  process.kill(master.pid!, "SIGQUIT");
  await new Promise((r) => master.once("exit", r));
  await resque.close();
  const commands = nodes.map((_, i) => after[i]!.commands - before[i]!.commands);
  const cpu = nodes.map((_, i) => after[i]!.cpuSeconds - before[i]!.cpuSeconds);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    shards: shards,
    processes: `${shards} x ${PROCESSES / shards} x ${THREADS}`,
    jobs: total,
    "jobs/s": Math.round(total / seconds),
    primaries: nodes.map((n, i) => ({
      port: n.port,
      commands: commands[i]!,
      "commands %": Math.round((100 * commands[i]!) / sum(commands)),
      "cpu s": Math.round(cpu[i]! * 100) / 100,
      "cpu %": Math.round((100 * cpu[i]!) / sum(cpu)),
      "busiest core %": Math.round((100 * cpu[i]!) / seconds),
    })),
    "Redis cpu ms per 1000 jobs": Math.round((1000 * 1000 * sum(cpu)) / total),
    // What the busiest primary could take if it had a core to itself: its CPU per job, inverted.
    "jobs/s one primary core could carry": Math.round(total / Math.max(...cpu)),
  };
}

const cluster = await startCluster();
try {
  const results = [];
  for (const shards of [1, 3]) {
    const result = await run(cluster, shards);
    results.push(result);
    console.log(
      `\n${result.shards} shard(s), ${result.processes}: ${result["jobs/s"]} jobs/s over ${result.jobs} jobs; ` +
        `Redis CPU ${result["Redis cpu ms per 1000 jobs"]} ms per 1000 jobs; at full core the busiest primary would carry ${result["jobs/s one primary core could carry"]} jobs/s`,
    );
    console.table(result.primaries);
  }
  writeFileSync(`${root}bench/cluster-shards-results.json`, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
} finally {
  await cluster.stop();
}
