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
  /** Why the queue (size 0) or its head (size > 0) could not be read, if so. */
  problem?: string;
}

/** Bytes of a long head looked at from each end (see the script). */
const HEAD_EDGE = 16 * 1024;
/** A head certainly longer than this is not read at all (see the script's headTooLarge). */
const HEAD_READ_LIMIT = 64 * 1024;

/** Every queue's head; `readOnly` reads the first-seen times without recording new ones. */
export async function queueHeads(db: Db, readOnly = false): Promise<{ nowMs: number; heads: QueueHead[] }> {
  const reply = (await script(db, "queueLatency")(
    db.keys.queues,
    db.keys.heads,
    db.keys.queue(""),
    readOnly ? "1" : "0",
    HEAD_EDGE,
    HEAD_READ_LIMIT,
  )) as (string | number)[];
  const heads: QueueHead[] = [];
  for (let i = 1; i + 4 < reply.length; i += 5) {
    const problem = reply[i + 4] ? String(reply[i + 4]) : undefined;
    heads.push({
      queue: String(reply[i]),
      size: Number(reply[i + 1]) || 0,
      enqueuedAt: reply[i + 2] ? String(reply[i + 2]) : undefined,
      firstSeenMs: reply[i + 3] ? Number(reply[i + 3]) : undefined,
      ...(problem && { problem }),
    });
  }
  return { nowMs: Number(reply[0]), heads };
}
