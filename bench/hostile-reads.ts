// Redis work per read request over a hostile store (issue 22 point 5): 50 MB payloads (a queue's
// head, a worker's job, a failure, a delayed item, a schedule), a 1,000,000-entry queue, 10,000
// queues and every malformed record of test/support/hostile-store.ts.
// `node --import tsx bench/hostile-reads.ts` (RUNS=3).
//
// Method: one private redis-server, seeded once; the dashboard app in this process (no sampler).
// For each route: RUNS sequential requests; printed are the median wall time (request to last
// byte, in process), the Redis time (sum of INFO commandstats usec deltas: what every other client,
// workers included, waits behind) and the bytes Redis sent (INFO total_net_output_bytes delta).
// Then the queue-latency script alone: the one of 1da018b (the head matched and hashed whole)
// against the current one, over a queue whose head is 50 MB.
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import { startRedis, uniqueNamespace } from "../scripts/lib/redis-server.ts";
import { Resque } from "../src/client/resque.ts";
import { luaScripts as scripts } from "../src/store/scripts.generated.ts";
import { createWebApp } from "../src/web/app.ts";
import { hostile, HUGE_BYTES, seedHostileStore } from "../test/support/hostile-store.ts";

const RUNS = Number(process.env["RUNS"] ?? 3);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function redisCounters(client: Redis): Promise<{ usec: number; bytes: number }> {
  const [commands, stats] = await Promise.all([client.info("commandstats"), client.info("stats")]);
  let usec = 0;
  for (const [, n] of commands.matchAll(/usec=(\d+)/g)) usec += Number(n);
  return { usec, bytes: Number(/total_net_output_bytes:(\d+)/.exec(stats)![1]) };
}

const server = await startRedis();
try {
  const namespace = uniqueNamespace("bench-hostile");
  const seedStart = performance.now();
  await seedHostileStore(server.client, namespace);
  console.log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (namespace ${namespace})\n`);
  const resque = new Resque({ redis: server.url, namespace });
  const web = createWebApp({
    resque,
    history: { history: async () => ({ resolutionSeconds: 1, points: [] }), latest: () => undefined, subscribe: () => () => {} },
  });
  const routes = [
    "/overview",
    "/queues",
    "/metrics",
    "/api/queues",
    "/api/latency",
    "/api/stats",
    "/api/overview",
    "/working",
    "/workers",
    `/workers/${encodeURIComponent("host:105:huge")}`,
    "/failed",
    "/api/failed/6",
    `/queues/${hostile.hugeQueue}`,
    `/queues/${hostile.longQueue}`,
    "/delayed",
    `/delayed/${hostile.badItemsDelayed}`,
    "/schedules",
    "/processes",
    "/stats",
  ];
  console.log("| route | wall ms (median) | Redis ms | bytes from Redis |");
  console.log("|---|---:|---:|---:|");
  for (const route of routes) {
    const walls: number[] = [];
    const usecs: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const before = await redisCounters(server.client);
      const start = performance.now();
      const response = await web.fetch(new Request(`http://127.0.0.1${route}`));
      await response.text();
      walls.push(performance.now() - start);
      const after = await redisCounters(server.client);
      usecs.push(after.usec - before.usec);
      bytes.push(after.bytes - before.bytes);
    }
    console.log(`| ${route} | ${median(walls).toFixed(1)} | ${(median(usecs) / 1000).toFixed(1)} | ${median(bytes)} |`);
  }
  web.close();
  resque.db.redis.disconnect();

  // The latency script alone, before and after, over the same store.
  const k = `${namespace}:`;
  const old = (() => {
    try {
      return readFileSync(process.env["OLD_LATENCY_LUA"] ?? "/nonexistent", "utf8");
    } catch {
      return undefined;
    }
  })();
  const time = async (lua: string, argv: (string | number)[]): Promise<number> => {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await server.client.eval(lua, 2, `${k}queues`, `${k}resque-ts:heads`, `${k}queue:`, ...argv);
      runs.push(performance.now() - start);
    }
    return median(runs);
  };
  // The old script fails outright on a queue key of the wrong type: that queue is left out for both.
  await server.client.srem(`${k}queues`, hostile.wrongTypeQueue);
  console.log(`\nqueue-latency script, ${HUGE_BYTES / 1024 / 1024} MB head, 10,000+ queues (median of ${RUNS}, ms):`);
  if (old) console.log(`  1da018b: ${(await time(old, [])).toFixed(1)}`);
  else console.log("  1da018b: set OLD_LATENCY_LUA to a copy of it (git show 1da018b:src/store/lua/queue-latency-2.lua > /tmp/old.lua)");
  console.log(`  now:     ${(await time(scripts.queueLatency.lua, ["0", 16 * 1024, 64 * 1024])).toFixed(1)}`);
  // The same store without the 50 MB head: what the 10,000 queues alone cost.
  await server.client.lpop(`${k}queue:${hostile.hugeQueue}`);
  if (old) console.log(`  1da018b, no 50 MB head: ${(await time(old, [])).toFixed(1)}`);
  console.log(`  now, no 50 MB head:     ${(await time(scripts.queueLatency.lua, ["0", 16 * 1024, 64 * 1024])).toFixed(1)}`);
} finally {
  await server.stop();
}
