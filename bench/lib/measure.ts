// One measurement of one contender against a private Redis: warm throughput (workers registered
// while paused, clock from unpause), cold throughput (clock from spawn), and pickup latency
// while idle (enqueue to perform start).
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import type { Contender } from "./contenders.ts";
import { rssMiB, totalCpu } from "./proc.ts";
import { sleep } from "./tools.ts";

const QUEUE = "resque:queue:bench";
/** Where the Pickup job writes the time its perform started (ms since the epoch). */
const PICKUP = "resque:bench:pickup";

export interface Throughput {
  rate: number;
  /** Queue commands per job (INFO commandstats delta; registry and heartbeat commands left out). */
  commands: number;
  evals: number;
  /** CPU used during the timed part, as % of one core. */
  redisCpu: number;
  workerCpu: number;
  masterRss: number;
  workerRss: number;
}

const IGNORED = new Set(["info", "ping", "time", "hset", "hdel", "hgetall", "smembers", "sadd", "set", "del", "client", "select", "blpop", "flushdb"]);

function commandCalls(info: string) {
  let total = 0;
  let evals = 0;
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
    if (IGNORED.has(m[1]!)) continue;
    total += Number(m[2]);
    if (m[1] === "evalsha" || m[1] === "eval") evals += Number(m[2]);
  }
  return { total, evals };
}

async function redisPid(redis: Redis): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
}

async function enqueue(redis: Redis, job: string, n: number) {
  for (let i = 0; i < n; i += 10_000) {
    await redis.rpush(QUEUE, ...Array.from({ length: Math.min(10_000, n - i) }, (_, j) => `{"class":"${job}","args":[${i + j}]}`));
  }
  await redis.sadd("resque:queues", "bench");
}

async function waitRegistered(contender: Contender, redis: Redis) {
  const deadline = Date.now() + 60_000;
  while ((await redis.scard("resque:workers")) < contender.registers) {
    if (Date.now() > deadline) throw new Error(`${contender.name} did not register within 60 s`);
    await sleep(20);
  }
}

async function waitProcessed(redis: Redis, n: number) {
  while (Number(await redis.get("resque:stat:processed")) < n) await sleep(5);
}

const workerPids = async (redis: Redis) => (await redis.smembers("resque:workers")).map((id) => Number(id.split(":")[1]));

async function stop(children: ChildProcess[]) {
  for (const child of children) child.kill("SIGQUIT");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r)))));
}

export async function warm(contender: Contender, redis: Redis, url: string, job: string, n: number): Promise<Throughput> {
  await redis.flushdb();
  await enqueue(redis, job, n);
  await redis.set("resque:pause-all-workers", "true");
  const children = contender.start(url);
  try {
    await waitRegistered(contender, redis);
    await sleep(200);
    const redisProcess = await redisPid(redis);
    const pids = [...children.map((c) => c.pid!), ...(await workerPids(redis))];
    const before = { calls: commandCalls(await redis.info("commandstats")), redis: totalCpu([redisProcess]), workers: totalCpu(pids) };
    const started = performance.now();
    await redis.del("resque:pause-all-workers");
    await waitProcessed(redis, n);
    const seconds = (performance.now() - started) / 1000;
    const calls = commandCalls(await redis.info("commandstats"));
    const after = { redis: totalCpu([redisProcess]), workers: totalCpu(pids) };
    const live = await workerPids(redis);
    return {
      rate: n / seconds,
      commands: (calls.total - before.calls.total) / n,
      evals: (calls.evals - before.calls.evals) / n,
      redisCpu: ((after.redis - before.redis) / seconds) * 100,
      workerCpu: ((after.workers - before.workers) / seconds) * 100,
      masterRss: contender.kind === "ours" ? rssMiB(children[0]!.pid!) : 0,
      workerRss: live.reduce((sum, pid) => sum + rssMiB(pid), 0),
    };
  } finally {
    await stop(children);
  }
}

/** The cold variant: jobs waiting, clock from spawning the processes until the last job is done. */
export async function cold(contender: Contender, redis: Redis, url: string, job: string, n: number): Promise<number> {
  await redis.flushdb();
  await enqueue(redis, job, n);
  const started = performance.now();
  const children = contender.start(url);
  try {
    await waitProcessed(redis, n);
    return n / ((performance.now() - started) / 1000);
  } finally {
    await stop(children);
  }
}

/** Idle workers; one job at a time, at a random phase of their poll: ms from RPUSH to perform start. */
export async function pickup(contender: Contender, redis: Redis, url: string, samples: number): Promise<number[]> {
  await redis.flushdb();
  const children = contender.start(url);
  const waiter = redis.duplicate();
  try {
    await waitRegistered(contender, redis);
    await sleep(300);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await sleep(Math.random() * 20);
      const enqueued = Date.now();
      await redis.rpush(QUEUE, `{"class":"Pickup","args":[${enqueued}]}`);
      const reply = await waiter.blpop(PICKUP, 30);
      if (!reply) throw new Error(`${contender.name} did not pick up a job within 30 s`);
      latencies.push(Number(reply[1]) - enqueued);
    }
    return latencies;
  } finally {
    waiter.disconnect();
    await stop(children);
  }
}
