// How a contender's jobs get into Redis and how the clock sees them done. Stock Resque and ours
// share Resque's (queue list, pause-all-workers, stat:processed); each peer (bench/lib/peers.ts)
// brings its own, built on its own API.
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { sleep } from "./tools.ts";

export interface PickupClient {
  /** Enqueues one Pickup job through the contender's own client; returns when it was enqueued (ms since the epoch). */
  push(): Promise<number>;
  close(): Promise<void>;
}

export interface Driver {
  /** Enqueue n jobs of class `job`; when `held`, the workers must not take them before release(). */
  fill(redis: Redis, url: string, job: string, n: number, held: boolean): Promise<void>;
  /** Resolves once the started workers are up and waiting for work. */
  ready(redis: Redis, children: ChildProcess[]): Promise<void>;
  /** Lets the workers take the held jobs: the clock starts just before this. */
  release(redis: Redis): Promise<void>;
  /** True once n jobs are done (the clock stops at the first poll that sees it). */
  finished(redis: Redis, n: number): Promise<boolean>;
  pickupClient(redis: Redis, url: string): Promise<PickupClient>;
  /** The worker processes whose CPU and RSS count, beyond the spawned ones. */
  workerPids(redis: Redis): Promise<number[]>;
  /** Commands left out of "Redis cmds/job". */
  ignored: ReadonlySet<string>;
  /** The signal that stops a worker once a measurement is over. */
  stopSignal: NodeJS.Signals;
  close(): Promise<void>;
}

/** Where Pickup jobs write the time their perform started (ms since the epoch), for every contender. */
export const PICKUP = "resque:bench:pickup";

/** The harness's own commands; peers count everything else they send. */
export const HARNESS_COMMANDS = new Set(["info", "ping", "time", "client", "select", "flushdb", "blpop"]);

const QUEUE = "resque:queue:bench";

/** Stock Resque's wire format, spoken by stock and ours alike; `registers` worker ids mean ready. */
export function resqueDriver(registers: number, name: string): Driver {
  return {
    async fill(redis, _url, job, n, held) {
      for (let i = 0; i < n; i += 10_000) {
        await redis.rpush(QUEUE, ...Array.from({ length: Math.min(10_000, n - i) }, (_, j) => `{"class":"${job}","args":[${i + j}]}`));
      }
      await redis.sadd("resque:queues", "bench");
      if (held) await redis.set("resque:pause-all-workers", "true");
    },
    async ready(redis) {
      const deadline = Date.now() + 60_000;
      while ((await redis.scard("resque:workers")) < registers) {
        if (Date.now() > deadline) throw new Error(`${name} did not register within 60 s`);
        await sleep(20);
      }
    },
    release: async (redis) => void (await redis.del("resque:pause-all-workers")),
    finished: async (redis, n) => Number(await redis.get("resque:stat:processed")) >= n,
    pickupClient: async (redis) => ({
      async push() {
        const enqueued = performance.timeOrigin + performance.now();
        await redis.rpush(QUEUE, `{"class":"Pickup","args":[${enqueued}]}`);
        return enqueued;
      },
      close: async () => {},
    }),
    workerPids: async (redis) => (await redis.smembers("resque:workers")).map((id) => Number(id.split(":")[1])),
    // Registry and heartbeat writes are left out, so the count is the queue work per job.
    ignored: new Set([...HARNESS_COMMANDS, "hset", "hdel", "hgetall", "smembers", "sadd", "set", "del"]),
    stopSignal: "SIGQUIT",
    close: async () => {},
  };
}
