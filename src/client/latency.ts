/**
 * Queue latency, as Sidekiq shows it: how long the oldest job has waited. Stock payloads carry
 * no enqueue time (and we keep them byte for byte), so: a head with `enqueued_at` (ActiveJob)
 * gives the real age; otherwise the age is since a latency call first saw that head payload, a
 * LOWER BOUND (the job may have waited before anyone looked, and two identical payloads in a row
 * cannot be told apart, so the second inherits the first's first-seen time).
 */
import type { Db } from "../store/connection.ts";
import { queueHeads } from "../store/latency.ts";

export interface QueueLatency {
  queue: string;
  size: number;
  /** Age of the oldest job in seconds; null when the queue is empty. */
  oldestAgeSeconds: number | null;
  /** "enqueued_at": from the payload; "first-seen": a lower bound (see above); null when empty. */
  source: "enqueued_at" | "first-seen" | null;
  /** Why the queue could not be read (its key is not a list: size 0), or its head (too large to read: the age is unknown). */
  problem?: string;
}

/** `enqueued_at` as ActiveJob writes it: ISO-8601 text, or (older Rails) epoch seconds. */
export function enqueuedAtMs(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n > 1e12 ? n : n * 1000;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `readOnly`: record no first-seen time (a read-only dashboard writes nothing). */
export async function queueLatency(db: Db, readOnly = false): Promise<QueueLatency[]> {
  const { nowMs, heads } = await queueHeads(db, readOnly);
  return heads
    .map((h): QueueLatency => {
      if (h.problem !== undefined)
        return {
          queue: h.queue,
          size: h.size,
          oldestAgeSeconds: null,
          source: null,
          problem: h.size > 0 ? h.problem : `unreadable: ${h.problem}`,
        };
      if (h.size === 0) return { queue: h.queue, size: 0, oldestAgeSeconds: null, source: null };
      const enqueued = h.enqueuedAt === undefined ? undefined : enqueuedAtMs(h.enqueuedAt);
      if (enqueued !== undefined)
        return { queue: h.queue, size: h.size, oldestAgeSeconds: Math.max(0, (nowMs - enqueued) / 1000), source: "enqueued_at" };
      return {
        queue: h.queue,
        size: h.size,
        oldestAgeSeconds: Math.max(0, (nowMs - (h.firstSeenMs ?? nowMs)) / 1000),
        source: "first-seen",
      };
    })
    .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
}
