// How a contender's jobs get into Redis and how the clock sees them done. Stock Resque and ours
// share Resque's (queue list, pause-all-workers, stat:processed); each peer (bench/lib/peers.ts)
// brings its own, built on its own API.
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { sleep } from "./tools.ts";

export interface PickupClient {
  /**
   * Enqueues one Pickup job through the contender's own client and waits for its perform to
   * acknowledge on Redis (RPUSH to PICKUP); returns the pickup in ms, measured on the pusher's own
   * clock (see oneClockPickup).
   */
  measure(): Promise<number>;
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

/** Where Pickup jobs acknowledge that their perform started, for every contender. */
export const PICKUP = "resque:bench:pickup";

/**
 * Pickup on one clock: a PING's round trip, then the push (awaited) and a BLPOP on the ack list,
 * all from the pusher. Two processes' clocks disagree by up to a millisecond (Node's
 * performance.timeOrigin reads ~0.8 ms ahead of Date.now(), Bun's 0-0.9 ms), as large as the
 * pickup itself, so no time crosses a process. Push-to-BLPOP-reply less one round trip is the time
 * from the job landing in Redis to its ack landing there. An ack that lands before the BLPOP is
 * sent is seen at once, so the error is at most one more loopback round trip, the same for every
 * contender (bench/peers/sidekiq_jobs.rb does the same in Ruby for Sidekiq's pusher).
 */
export async function oneClockPickup(waiter: Redis, push: () => Promise<unknown>): Promise<number> {
  const pinged = performance.now();
  await waiter.ping();
  const roundTrip = performance.now() - pinged;
  const started = performance.now();
  await push();
  const reply = await waiter.blpop(PICKUP, 30);
  const acked = performance.now();
  if (!reply) throw new Error("no pickup acknowledged within 30 s");
  return acked - started - roundTrip;
}

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
    async pickupClient(redis) {
      const waiter = redis.duplicate();
      return {
        measure: () => oneClockPickup(waiter, () => redis.rpush(QUEUE, `{"class":"Pickup","args":[]}`)),
        close: async () => waiter.disconnect(),
      };
    },
    workerPids: async (redis) => (await redis.smembers("resque:workers")).map((id) => Number(id.split(":")[1])),
    // Registry and heartbeat writes are left out, so the count is the queue work per job.
    ignored: new Set([...HARNESS_COMMANDS, "hset", "hdel", "hgetall", "smembers", "sadd", "set", "del"]),
    stopSignal: "SIGQUIT",
    close: async () => {},
  };
}
