/** Stock's prune_dead_workers, so Ruby and TS workers clean up after each other by the same rules. */
import { DIRTY_EXIT, PRUNE_DIRTY_EXIT } from "../protocol/failure.ts";
import { isResqueWorkerCommand } from "../protocol/procline.ts";
import { parseHeartbeat } from "../protocol/time.ts";
import { parseWorkerId } from "../protocol/worker-id.ts";
import type { Db } from "../store/connection.ts";
import { heartbeats, redisTime, takePruneLock, workerIds } from "../store/workers.ts";
import type { ProcessInfo } from "../runtime/types.ts";
import { orphanedInflightOwners } from "../store/recovery.ts";
import { DEFAULT_RECOVERY, recoverWorker, type RecoveryPolicy } from "./recover.ts";
import type { DirtyExit } from "./unregister.ts";

export interface PruneContext {
  db: Db;
  /** The pruning worker's id, hostname and configured queues. */
  id: string;
  hostname: string;
  queues: readonly string[];
  processes: () => ProcessInfo[];
  heartbeatInterval: number;
  pruneInterval: number;
  /** Workers prune only when they win stock's lock; an explicit `resque prune` does not ask. */
  takeLock?: boolean;
  recovery?: RecoveryPolicy;
}

/** Returns the ids it removed; does nothing unless it wins the prune lock (as stock). */
export async function pruneDeadWorkers(ctx: PruneContext): Promise<string[]> {
  const { db } = ctx;
  if (ctx.takeLock !== false && !(await takePruneLock(db, ctx.id, ctx.heartbeatInterval))) return [];
  const policy = ctx.recovery ?? DEFAULT_RECOVERY;
  const [ids, beats, now] = await Promise.all([workerIds(db), heartbeats(db), redisTime(db)]);
  const pruned: string[] = [];
  const recover = async (id: string, dirtyExit: DirtyExit, reason: string) => {
    await recoverWorker(db, id, { policy, crashed: true, dirtyExit, at: now, reason });
    pruned.push(id);
  };
  const stillProcessing: DirtyExit = { exception: DIRTY_EXIT, message: () => "Job still being processed" };

  for (const [id, beat] of Object.entries(beats)) {
    const at = parseHeartbeat(beat);
    if (!at || (now.getTime() - at.getTime()) / 1000 <= ctx.pruneInterval) continue;
    await recover(
      id,
      { exception: PRUNE_DIRTY_EXIT, message: (className) => `Worker ${id} did not gracefully exit while processing ${className}` },
      `worker ${id} stopped sending heartbeats`,
    );
  }

  const ours = new Set(ctx.queues);
  const live = new Set(ctx.processes().filter((p) => isResqueWorkerCommand(p.command)).map((p) => p.pid));
  for (const id of ids) {
    if (pruned.includes(id) || id === ctx.id) continue;
    const other = parseWorkerId(id);
    const sameQueues = other.queues.length === ours.size && other.queues.every((q) => ours.has(q));
    if (!(ours.has("*") || sameQueues)) continue;
    if (other.host !== ctx.hostname || live.has(other.pid)) continue;
    await recover(id, stillProcessing, `worker process ${other.pid} on ${other.host} was gone`);
  }

  // In-flight lists whose worker is unregistered: a stock Ruby worker pruned one of ours (stock
  // removes the registry keys and records only the oldest job). Their jobs go back too.
  for (const id of await orphanedInflightOwners(db)) {
    await recover(id, stillProcessing, `worker ${id} was pruned by a stock worker`);
  }
  return pruned;
}
