/** Stock's prune_dead_workers, so Ruby and TS workers clean up after each other by the same rules. */
import { DIRTY_EXIT, PRUNE_DIRTY_EXIT } from "../protocol/failure.ts";
import { isResqueWorkerCommand } from "../protocol/procline.ts";
import { parseHeartbeat } from "../protocol/time.ts";
import { parseWorkerId } from "../protocol/worker-id.ts";
import type { Db } from "../store/connection.ts";
import { heartbeats, redisTime, takePruneLock, workerIds } from "../store/workers.ts";
import type { ProcessInfo } from "../runtime/types.ts";
import { inflightOwners, orphanedInflightOwners, settledOrphans } from "../store/recovery.ts";
import { DEFAULT_RECOVERY, recoverWorker, settleAll, type RecoveryPolicy } from "./recover.ts";
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

/** At least three of a live worker's registration checks (every 5 s) pass before its list counts as orphaned. */
const ORPHAN_GRACE_SECONDS = 15;

const stillProcessing: DirtyExit = { exception: DIRTY_EXIT, message: () => "Job still being processed" };

/** Pids of live resque processes on this host (stock's `ps` filter). */
const livePids = (processes: () => ProcessInfo[]) =>
  new Set(
    processes()
      .filter((p) => isResqueWorkerCommand(p.command))
      .map((p) => p.pid),
  );

/** Returns the ids it removed; does nothing unless it wins the prune lock (as stock). */
export async function pruneDeadWorkers(ctx: PruneContext): Promise<string[]> {
  const { db } = ctx;
  if (ctx.takeLock !== false && !(await takePruneLock(db, ctx.id, ctx.heartbeatInterval))) return [];
  const policy = ctx.recovery ?? DEFAULT_RECOVERY;
  const [ids, beats, now] = await Promise.all([workerIds(db), heartbeats(db), redisTime(db)]);
  const live = livePids(ctx.processes);
  // A process alive on this host is never pruned, whatever its heartbeat or registration says:
  // its jobs are still running (a blocked one is the master's watchdog's business).
  const aliveHere = (id: string) => {
    const other = parseWorkerId(id);
    return other.host === ctx.hostname && live.has(other.pid);
  };
  const pruned: string[] = [];
  const recover = async (id: string, dirtyExit: DirtyExit, reason: string) => {
    await recoverWorker(db, id, { policy, settle: settleAll("counted"), dirtyExit, at: now, reason });
    pruned.push(id);
  };

  for (const [id, beat] of Object.entries(beats)) {
    const at = parseHeartbeat(beat);
    if (!at || (now.getTime() - at.getTime()) / 1000 <= ctx.pruneInterval || aliveHere(id)) continue;
    await recover(
      id,
      { exception: PRUNE_DIRTY_EXIT, message: (className) => `Worker ${id} did not gracefully exit while processing ${className}` },
      `worker ${id} stopped sending heartbeats`,
    );
  }

  const ours = new Set(ctx.queues);
  for (const id of ids) {
    if (pruned.includes(id) || id === ctx.id) continue;
    const other = parseWorkerId(id);
    const sameQueues = other.queues.length === ours.size && other.queues.every((q) => ours.has(q));
    if (!(ours.has("*") || sameQueues)) continue;
    if (other.host !== ctx.hostname || live.has(other.pid)) continue;
    await recover(id, stillProcessing, `worker process ${other.pid} on ${other.host} was gone`);
  }

  // In-flight lists whose worker is unregistered: a stock Ruby worker pruned one of ours (stock
  // removes the registry keys and records only the oldest job), or Redis restarted empty under a
  // live worker. On this host the pid says which: a dead one's jobs go back now, a live one's
  // never. Elsewhere a live worker registers again within seconds, so an orphan there is
  // recovered only when a later look, ORPHAN_GRACE_SECONDS on, still finds it unregistered.
  const orphans = (await orphanedInflightOwners(db)).filter((id) => id !== ctx.id && !aliveHere(id));
  const local = orphans.filter((id) => parseWorkerId(id).host === ctx.hostname);
  const remote = orphans.filter((id) => !local.includes(id));
  const settled = await settledOrphans(db, remote, now, Math.max(ctx.heartbeatInterval, ORPHAN_GRACE_SECONDS));
  for (const id of [...local, ...settled]) {
    await recover(id, stillProcessing, `worker ${id} was unregistered (pruned by a stock worker, or Redis lost its registry)`);
  }
  return pruned;
}

/**
 * At start-up, no lock needed: workers of this host whose process is gone (registered, or only
 * owning an in-flight list) get their jobs back at once, so a master and its workers killed
 * together do not strand jobs until the next prune. Returns the ids recovered.
 */
export async function recoverDeadLocalWorkers(
  ctx: Pick<PruneContext, "db" | "id" | "hostname" | "processes" | "recovery">,
): Promise<string[]> {
  const { db } = ctx;
  const [ids, owners] = await Promise.all([workerIds(db), inflightOwners(db)]);
  const local = [...new Set([...ids, ...owners])].filter((id) => id !== ctx.id && parseWorkerId(id).host === ctx.hostname);
  if (local.length === 0) return [];
  const live = livePids(ctx.processes);
  const now = await redisTime(db);
  const recovered: string[] = [];
  for (const id of local) {
    const { pid } = parseWorkerId(id);
    if (live.has(pid)) continue;
    await recoverWorker(db, id, {
      policy: ctx.recovery ?? DEFAULT_RECOVERY,
      settle: settleAll("counted"),
      dirtyExit: stillProcessing,
      at: now,
      reason: `worker process ${pid} on ${ctx.hostname} was gone`,
    });
    recovered.push(id);
  }
  return recovered;
}
