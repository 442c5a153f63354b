// One measurement of one contender against a private Redis: warm throughput (workers ready while
// the jobs are held, clock from release), cold throughput (clock from spawn), and pickup latency
// while idle (enqueue to perform start). The contender's driver says what "held", "ready",
// "release" and "done" mean for it (bench/lib/driver.ts).
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import type { Contender } from "./contenders.ts";
import { rssMiB, totalCpu } from "./proc.ts";
import { sleep } from "./tools.ts";

export interface Throughput {
  rate: number;
  /** Commands per job (INFO commandstats delta, less the driver's ignored commands). */
  commands: number;
  evals: number;
  /** CPU used during the timed part, as % of one core. */
  redisCpu: number;
  workerCpu: number;
  masterRss: number;
  workerRss: number;
}

function commandCalls(info: string, ignored: ReadonlySet<string>) {
  let total = 0;
  let evals = 0;
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
    if (ignored.has(m[1]!)) continue;
    total += Number(m[2]);
    if (m[1] === "evalsha" || m[1] === "eval") evals += Number(m[2]);
  }
  return { total, evals };
}

async function redisPid(redis: Redis): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
}

async function waitFinished(contender: Contender, redis: Redis, n: number) {
  while (!(await contender.driver.finished(redis, n))) await sleep(5);
}

async function stop(contender: Contender, children: ChildProcess[]) {
  for (const child of children) child.kill(contender.driver.stopSignal);
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r)))));
}

export async function warm(contender: Contender, redis: Redis, url: string, job: string, n: number): Promise<Throughput> {
  const { driver } = contender;
  await redis.flushdb();
  await driver.fill(redis, url, job, n, true);
  const children = contender.start(url, n);
  try {
    await driver.ready(redis, children);
    await sleep(200);
    const redisProcess = await redisPid(redis);
    const pids = [...children.map((c) => c.pid!), ...(await driver.workerPids(redis))];
    const before = {
      calls: commandCalls(await redis.info("commandstats"), driver.ignored),
      redis: totalCpu([redisProcess]),
      workers: totalCpu(pids),
    };
    const started = performance.now();
    await driver.release(redis);
    await waitFinished(contender, redis, n);
    const seconds = (performance.now() - started) / 1000;
    const calls = commandCalls(await redis.info("commandstats"), driver.ignored);
    const after = { redis: totalCpu([redisProcess]), workers: totalCpu(pids) };
    const live = contender.kind === "peer" ? children.map((c) => c.pid!) : await driver.workerPids(redis);
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
    await stop(contender, children);
  }
}

/** The cold variant: jobs waiting, clock from spawning the processes until the last job is done. */
export async function cold(contender: Contender, redis: Redis, url: string, job: string, n: number): Promise<number> {
  await redis.flushdb();
  await contender.driver.fill(redis, url, job, n, false);
  const started = performance.now();
  const children = contender.start(url, n);
  try {
    await waitFinished(contender, redis, n);
    return n / ((performance.now() - started) / 1000);
  } finally {
    await stop(contender, children);
  }
}

/** Idle workers; one job at a time, at a random phase of their poll: ms from the job landing in Redis to its perform acknowledging there. */
export async function pickup(contender: Contender, redis: Redis, url: string, samples: number): Promise<number[]> {
  await redis.flushdb();
  const children = contender.start(url, 0);
  const client = await contender.driver.pickupClient(redis, url);
  try {
    await contender.driver.ready(redis, children);
    await sleep(300);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await sleep(Math.random() * 20);
      latencies.push(await client.measure().catch((error: Error) => Promise.reject(new Error(`${contender.name}: ${error.message}`))));
    }
    return latencies;
  } finally {
    await client.close();
    await stop(contender, children);
  }
}
