// Dashboard page times at scale: `resque web` (the compiled binary) over a Redis holding
// 1,000,000 jobs in one queue, 100,000 failures and 200 workers, beside the same pages over a
// nearly empty Redis. `npm run bench:web` (REQUESTS=20; BIG=1000000 FAILED=100000 WORKERS=200).
//
// Method: the data is written first (pipelined, as stock writes it), then one dashboard process
// starts; each route gets 3 untimed requests, then REQUESTS sequential timed ones (from sending
// the request to the last byte of the body, over loopback). Redis commands per request come from
// INFO commandstats around all requests to a route (the dashboard's once-a-second sampling included;
// pipelined commands count one each, so this is work for Redis, not round trips); the `keys` column
// counts KEYS calls (must be 0).
// Prints a table and writes bench/web-results.json.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Redis } from "ioredis";
import { startRedis, uniqueNamespace } from "../scripts/lib/redis-server.ts";
import { encodeFailure } from "../src/protocol/failure.ts";
import { encodePayload } from "../src/protocol/payload.ts";
import { workingOn } from "../src/protocol/working-on.ts";
import { percentile } from "./lib/stats.ts";
import { ensureBinary, root, sleep } from "./lib/tools.ts";

const REQUESTS = Number(process.env["REQUESTS"] ?? 20);
const BIG = Number(process.env["BIG"] ?? 1_000_000);
const FAILED = Number(process.env["FAILED"] ?? 100_000);
const WORKERS = Number(process.env["WORKERS"] ?? 200);

interface Size {
  label: string;
  jobs: number;
  failed: number;
  workers: number;
}

/** Routes timed; {worker}, {lastJobs} and {lastFailed} are filled from the data (the last page of each list). */
const ROUTES = [
  "/overview",
  "/working",
  "/queues",
  "/queues/big",
  "/queues/big?start={lastJobs}",
  "/failed",
  "/failed?start={lastFailed}",
  "/failed?class=ClassB",
  "/failed?queue=nosuchqueue",
  "/workers",
  "/workers/{worker}",
  "/stats",
  "/stats/redis",
  "/stats/keys",
  "/delayed",
  "/graphs",
  "/processes",
  "/metrics",
  "/api/overview",
  "/api/queues/big",
  "/api/failed",
  "/api/workers",
];

const BATCH = 10_000;

async function seed(redis: Redis, ns: string, size: Size): Promise<string> {
  const host = "bench-host";
  const now = new Date();
  for (let from = 0; from < size.jobs; from += BATCH) {
    const items: string[] = [];
    for (let i = from; i < Math.min(size.jobs, from + BATCH); i++) items.push(encodePayload("BigJob", [i, { note: "x".repeat(40) }]));
    await redis.rpush(`${ns}:queue:big`, ...items);
  }
  const multi = redis.multi();
  multi.sadd(`${ns}:queues`, "big");
  for (let q = 0; q < 20; q++) multi.sadd(`${ns}:queues`, `small${q}`).rpush(`${ns}:queue:small${q}`, encodePayload("SmallJob", [q]));
  await multi.exec();
  const classes = ["ClassA", "ClassB", "ClassC", "ClassD", "ClassE"];
  for (let from = 0; from < size.failed; from += BATCH) {
    const items: string[] = [];
    for (let i = from; i < Math.min(size.failed, from + BATCH); i++) {
      const className = classes[i % classes.length]!;
      items.push(
        encodeFailure({
          at: now,
          rawPayload: encodePayload(className, [i]),
          exception: "RuntimeError",
          error: `failure number ${i}`,
          backtrace: Array.from({ length: 12 }, (_, k) => `/app/jobs/${className}.rb:${k + 1}:in 'perform'`),
          worker: `${host}:${1000 + (i % size.workers)}:big`,
          queue: i % 3 === 0 ? "big" : `small${i % 20}`,
        }),
      );
    }
    await redis.rpush(`${ns}:failed`, ...items);
  }
  let first = "";
  const workers = redis.multi();
  for (let w = 0; w < size.workers; w++) {
    const id = `${host}:${1000 + w}:big,small*`;
    first ||= id;
    workers
      .sadd(`${ns}:workers`, id)
      .set(`${ns}:worker:${id}:started`, now.toString())
      .hset(`${ns}:workers:heartbeat`, id, now.toISOString());
    if (w % 2 === 0) workers.set(`${ns}:worker:${id}`, workingOn("big", now.toISOString(), encodePayload("BigJob", [w])));
  }
  await workers.exec();
  return first;
}

function startWeb(binary: string, url: string, ns: string, port: number): ChildProcess {
  return spawn(binary, ["web", "--port", String(port), "--redis", url, "--namespace", ns], { stdio: ["ignore", "ignore", "inherit"] });
}

async function waitUp(base: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/api/overview`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`the dashboard at ${base} did not answer`);
}

async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const text = await redis.info("commandstats");
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(m[1]!, Number(m[2]));
  return counts;
}

async function timeRoute(base: string, route: string): Promise<{ times: number[]; bytes: number; status: number }> {
  let bytes = 0;
  let status = 0;
  const times: number[] = [];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(base + route);
    const body = await res.arrayBuffer();
    const ms = performance.now() - t0;
    status = res.status;
    bytes = body.byteLength;
    if (i >= 3) times.push(ms);
  }
  return { times, bytes, status };
}

const sizes: Size[] = [
  { label: "small", jobs: 10, failed: 10, workers: 2 },
  { label: "scale", jobs: BIG, failed: FAILED, workers: WORKERS },
];

const binary = ensureBinary();
const server = await startRedis();
const rows: Record<string, string | number>[] = [];
try {
  const admin = new Redis(server.url);
  for (const [index, size] of sizes.entries()) {
    const ns = uniqueNamespace(`web-${size.label}`);
    const t0 = performance.now();
    const worker = await seed(admin, ns, size);
    console.error(
      `${size.label}: seeded ${size.jobs} jobs, ${size.failed} failures, ${size.workers} workers in ${Math.round(performance.now() - t0)} ms`,
    );
    const port = 20_000 + Math.floor(Math.random() * 20_000) + index;
    const web = startWeb(binary, server.url, ns, port);
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUp(base);
      const fill = (route: string) =>
        route
          .replace("{worker}", encodeURIComponent(worker))
          .replace("{lastJobs}", String(Math.max(0, size.jobs - 20)))
          .replace("{lastFailed}", String(Math.max(0, size.failed - 20)));
      for (const route of ROUTES) {
        const before = await commandCounts(admin);
        const { times, bytes, status } = await timeRoute(base, fill(route));
        const after = await commandCounts(admin);
        let calls = 0;
        for (const [name, n] of after) calls += n - (before.get(name) ?? 0);
        calls -= 1; // the first INFO call (each INFO reply counts the calls before it)
        const keys = (after.get("keys") ?? 0) - (before.get("keys") ?? 0);
        rows.push({
          data: size.label,
          route,
          status,
          "ms median": Number(percentile(times, 50).toFixed(1)),
          "ms p95": Number(percentile(times, 95).toFixed(1)),
          KiB: Math.round(bytes / 1024),
          "redis cmds / request": Number((calls / (REQUESTS + 3)).toFixed(1)),
          keys,
        });
      }
    } finally {
      web.kill("SIGTERM");
    }
  }
  await admin.quit();
} finally {
  await server.stop();
}
console.table(rows);
writeFileSync(
  `${root}bench/web-results.json`,
  `${JSON.stringify({ date: new Date().toISOString(), requests: REQUESTS, rows }, null, 2)}\n`,
);
