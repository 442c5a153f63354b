// What durability costs: a primary with one replica on loopback; enqueue rate with and without
// `durable: { replicas: 1 }` (one at a time, and 100 in flight), and the compiled binary's no-op
// throughput (1 process x 64) with DURABLE_ACK=0 and 1. Prints a table, asserts nothing.
// `npm run bench:durable` (ENQUEUES=20000 JOBS=200000 RUNS=3 to change the sizes).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { startRedis, type TestRedis } from "../scripts/lib/redis-server.ts";
import { Resque } from "../src/client/resque.ts";

const root = new URL("..", import.meta.url).pathname;
const ENQUEUES = Number(process.env["ENQUEUES"] ?? 20_000);
const JOBS = Number(process.env["JOBS"] ?? 200_000);
const RUNS = Number(process.env["RUNS"] ?? 3);
if (!existsSync(`${root}dist/resque-worker`)) spawnSync("node", [`${root}scripts/build.mjs`], { stdio: "inherit" });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function enqueueRate(primary: TestRedis, durable: boolean, inFlight: number): Promise<number> {
  const resque = new Resque({ redis: primary.url, namespace: `bench${Date.now()}`, ...(durable && { durable: { replicas: 1 } }) });
  await resque.connect();
  const started = performance.now();
  for (let i = 0; i < ENQUEUES; i += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, ENQUEUES - i) }, (_, j) => resque.enqueueTo("bench", "Noop", i + j)));
  }
  const rate = ENQUEUES / ((performance.now() - started) / 1000);
  await resque.db.redis.del(`${resque.db.keys.namespace}:queue:bench`);
  await resque.close();
  return rate;
}

async function workRate(primary: TestRedis, durableAck: number): Promise<number> {
  await primary.client.flushall();
  for (let i = 0; i < JOBS; i += 10_000) {
    await primary.client.rpush(
      "resque:queue:bench",
      ...Array.from({ length: Math.min(10_000, JOBS - i) }, () => '{"class":"Noop","args":[]}'),
    );
  }
  const master = spawn(`${root}dist/resque-worker`, ["--require", "bench/jobs.ts"], {
    cwd: root,
    stdio: "ignore",
    env: {
      ...process.env,
      QUEUE: "bench",
      INTERVAL: "0.01",
      WORKER_COUNT: "1",
      THREAD_COUNT: "64",
      DURABLE_ACK: String(durableAck),
      REDIS_URL: primary.url,
    },
  });
  // Timed from the first job taken to the last recorded, so start-up is left out.
  while ((await primary.client.llen("resque:queue:bench")) === JOBS) await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  while (Number(await primary.client.get("resque:stat:processed")) < JOBS) await new Promise((r) => setTimeout(r, 20));
  const rate = JOBS / ((performance.now() - started) / 1000);
  process.kill(master.pid!, "SIGQUIT");
  await new Promise((r) => master.once("exit", r));
  return rate;
}

const primary = await startRedis();
const replica = await startRedis({ args: ["--replicaof", "127.0.0.1", String(primary.port)] });
try {
  while (!/master_link_status:up/.test(await replica.client.info("replication"))) await new Promise((r) => setTimeout(r, 50));
  const rows: Record<string, string | number>[] = [];
  for (const inFlight of [1, 100]) {
    const plain: number[] = [];
    const durable: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      plain.push(await enqueueRate(primary, false, inFlight));
      durable.push(await enqueueRate(primary, true, inFlight));
    }
    rows.push({
      what: `enqueue, ${inFlight} in flight (${ENQUEUES} jobs)`,
      "without, per s": Math.round(median(plain)),
      "durable replicas 1, per s": Math.round(median(durable)),
      "durable / without": (median(durable) / median(plain)).toFixed(2),
    });
  }
  const off: number[] = [];
  const on: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    off.push(await workRate(primary, 0));
    on.push(await workRate(primary, 1));
  }
  rows.push({
    what: `work, binary 1 x 64 (${JOBS} no-op jobs)`,
    "without, per s": Math.round(median(off)),
    "durable replicas 1, per s": Math.round(median(on)),
    "durable / without": (median(on) / median(off)).toFixed(2),
  });
  console.log(`\nDurability's cost: primary + 1 replica on loopback, median of ${RUNS} alternating runs`);
  console.table(rows);
} finally {
  await replica.stop();
  await primary.stop();
}
