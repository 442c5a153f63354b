/** Queue heads for latency (see lua/queue-latency-2.lua). */
import type { Db } from "./connection.ts";
import * as scripts from "./scripts.ts";
import type { QueueHead } from "./scripts.ts";

export type { QueueHead } from "./scripts.ts";

/** Bytes of a long head looked at from each end (see the script). */
const HEAD_EDGE = 16 * 1024;
/** A head certainly longer than this is not read at all (see the script's headTooLarge). */
const HEAD_READ_LIMIT = 64 * 1024;

/** Every queue's head; `readOnly` reads the first-seen times without recording new ones. */
export async function queueHeads(db: Db, readOnly = false): Promise<{ nowMs: number; heads: QueueHead[] }> {
  return scripts.queueLatency(db, { readOnly, edge: HEAD_EDGE, readLimit: HEAD_READ_LIMIT });
}
