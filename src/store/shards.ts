/**
 * Shard mode on a Redis Cluster: one namespace is served by one primary (its keys share a hash
 * slot), so one namespace's throughput is bounded by one Redis core. Several namespaces, each
 * tagged for a different part of the slot space, put the work on several primaries; every queue
 * belongs to one of them by a hash of its name, so a client and a worker fleet agree on where each
 * queue is without asking Redis.
 */
import { ResqueError } from "../errors.ts";
import { hashTag, keySlot } from "./cluster.ts";

const SLOTS = 16384;

/**
 * The namespaces of `count` shards of `base`: `{base-j}` for the smallest j whose slot falls in
 * each of `count` equal parts of the slot space, in that order. `redis-cli --cluster create` gives
 * N primaries N equal parts, so N shards on N primaries land one on each. Same names everywhere,
 * for the same base and count, in any language that computes CRC16.
 */
export function shardNamespaces(base: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 1024) {
    throw new ResqueError("BAD_CONFIG", `The number of shards must be a whole number from 1 to 1024, not ${count}.`);
  }
  if (hashTag(base) !== undefined || base.includes("{") || base.includes("}")) {
    throw new ResqueError(
      "BAD_CONFIG",
      `With shards, give the namespace without a hash tag ("${base.replace(/[{}]/g, "")}"): each shard gets its own ({name-0}, ...).`,
    );
  }
  const found: (string | undefined)[] = new Array(count).fill(undefined);
  let left = count;
  for (let j = 0; left > 0; j++) {
    const namespace = `{${base}-${j}}`;
    const part = Math.floor((keySlot(namespace) * count) / SLOTS);
    if (found[part] === undefined) {
      found[part] = namespace;
      left--;
    }
  }
  return found as string[];
}

/** Which shard a queue lives in: its CRC16 slot modulo the shard count (the same for every client and worker). */
export const shardOf = (queue: string, count: number): number => keySlot(queue) % count;
