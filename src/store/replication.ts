/**
 * Redis's WAIT: how many replicas hold every write this connection has made so far. Replication is
 * asynchronous, so a primary lost right after acknowledging a write can take it along; waiting for
 * replicas before reporting success narrows that to the writes still unconfirmed.
 */
import { home, type Db } from "./connection.ts";

/** The number of replicas that acknowledged (at most `timeoutMs` later; a smaller count when time ran out). */
export async function replicasAcknowledged(db: Db, replicas: number, timeoutMs: number): Promise<number> {
  return Number(await (await home(db)).wait(replicas, timeoutMs));
}
