/**
 * Durable writes (opt-in): after a write, wait until `replicas` replicas hold it, so an enqueue
 * reported as done survives the primary's loss (a failover promotes a replica that has it).
 * Without it, a promotion loses whatever the primary acknowledged in its last moments (~100 ms).
 */
import { ResqueError } from "../errors.ts";
import type { Db } from "../store/connection.ts";
import { replicasAcknowledged } from "../store/replication.ts";

export interface Durability {
  /** How many replicas must hold a write before it counts as done. */
  replicas: number;
  /** How long to wait for them, in ms (default 1000). */
  timeoutMs?: number;
}

export const DEFAULT_DURABLE_TIMEOUT_MS = 1000;

/** Check `durability` as given by a user: a whole number of replicas from 1, a timeout from 1 ms. */
export function checkDurability(durability: Durability): Required<Durability> {
  const { replicas, timeoutMs = DEFAULT_DURABLE_TIMEOUT_MS } = durability;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new ResqueError(
      "BAD_CONFIG",
      `durable.replicas must be a whole number from 1 (got ${replicas}): how many replicas must hold a write.`,
    );
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new ResqueError("BAD_CONFIG", `durable.timeoutMs must be a whole number of milliseconds from 1 (got ${timeoutMs}).`);
  }
  return { replicas, timeoutMs };
}

/**
 * Resolves once `durability.replicas` replicas hold every write this client made; otherwise throws
 * NOT_DURABLE, saying the write is on the primary (it is not undone) but could be lost with it.
 */
export async function confirmDurable(db: Db, durability: Required<Durability>, what: string): Promise<void> {
  const acknowledged = await replicasAcknowledged(db, durability.replicas, durability.timeoutMs);
  if (acknowledged >= durability.replicas) return;
  throw new ResqueError(
    "NOT_DURABLE",
    `${what} is on the primary, but only ${acknowledged} of the ${durability.replicas} replica(s) asked for acknowledged it within ${durability.timeoutMs} ms: if the primary is lost now, it may be lost too. Check the replicas (INFO replication), or ask for fewer.`,
  );
}
