/** Queue heads for latency (see lua/queue-latency-2.lua). */
import type { Db } from "./connection.ts";
import { script } from "./workers.ts";

export interface QueueHead {
  queue: string;
  size: number;
  /** The head payload's `enqueued_at` as written (ISO-8601 text or epoch seconds), if it has one. */
  enqueuedAt: string | undefined;
  /** When this head payload was first seen by a latency call (epoch ms), when the queue is not empty. */
  firstSeenMs: number | undefined;
}

export async function queueHeads(db: Db): Promise<{ nowMs: number; heads: QueueHead[] }> {
  const reply = (await script(db, "queueLatency")(db.keys.queues, db.keys.heads, db.keys.queue(""))) as (string | number)[];
  const heads: QueueHead[] = [];
  for (let i = 1; i + 3 < reply.length; i += 4) {
    heads.push({
      queue: String(reply[i]),
      size: Number(reply[i + 1]),
      enqueuedAt: reply[i + 2] ? String(reply[i + 2]) : undefined,
      firstSeenMs: reply[i + 3] ? Number(reply[i + 3]) : undefined,
    });
  }
  return { nowMs: Number(reply[0]), heads };
}
