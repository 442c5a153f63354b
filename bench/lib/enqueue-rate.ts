// Enqueue throughput: our client one job at a time (await each, as an app would) and in bulk
// (pushMany, one pipeline per batch), against Ruby's Resque.enqueue_to one at a time. Stock has
// no bulk enqueue API.
import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import { Resque } from "../../src/index.ts";
import { encodePayload } from "../../src/protocol/payload.ts";
import { root } from "./tools.ts";

export interface EnqueueRate {
  how: string;
  jobs: number;
  rate: number;
}

const BATCH = 1000;

export async function enqueueRates(url: string, n: number): Promise<EnqueueRate[]> {
  const redis = new Redis(url);
  const resque = await new Resque({ redis: url }).connect();
  try {
    // Warm up the client (JIT, connection) so the timed part measures steady state, as Ruby's does.
    for (let i = 0; i < 1000; i++) await resque.enqueueTo("enqueue_bench", "Noop", i);
    await redis.flushdb();
    let started = performance.now();
    for (let i = 0; i < n; i++) await resque.enqueueTo("enqueue_bench", "Noop", i);
    const one = n / ((performance.now() - started) / 1000);

    await redis.flushdb();
    started = performance.now();
    for (let i = 0; i < n; i += BATCH) {
      const payloads = Array.from({ length: Math.min(BATCH, n - i) }, (_, j) => encodePayload("Noop", [i + j]));
      await resque.pushMany("enqueue_bench", payloads);
    }
    const bulk = n / ((performance.now() - started) / 1000);

    await redis.flushdb();
    const ruby = spawnSync("ruby", ["bench/stock_worker.rb", "enqueue", String(n)], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, REDIS_URL: url },
    });
    if (ruby.status !== 0) throw new Error(`Ruby enqueue failed: ${ruby.stderr}`);
    const stock = Number(ruby.stdout.trim());
    if (Number(await redis.llen("resque:queue:enqueue_bench")) !== n) throw new Error("Ruby enqueue did not push every job");

    return [
      { how: "stock Resque.enqueue_to (Ruby), one at a time", jobs: n, rate: stock },
      { how: "ours Resque#enqueueTo (Node), one at a time", jobs: n, rate: one },
      { how: `ours Resque#pushMany (Node), batches of ${BATCH}`, jobs: n, rate: bulk },
    ];
  } finally {
    await resque.close();
    redis.disconnect();
  }
}
