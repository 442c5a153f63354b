/**
 * A worker process ended: settle the jobs it still held. One that exits on its own has settled
 * its jobs and unregistered; one that did not (a crash, a kill, or a job calling process.exit) has
 * its jobs settled here, by the recovery policy and by why it died, and is unregistered.
 */
import { DIRTY_EXIT } from "../protocol/failure.ts";
import { parseQueueList } from "../protocol/queue-list.ts";
import { childExitMessage, childSignalMessage } from "../protocol/signals.ts";
import { entryToken } from "../protocol/token.ts";
import { workerId } from "../protocol/worker-id.ts";
import { entryJob } from "../protocol/working-on.ts";
import type { ChildExit } from "../runtime/types.ts";
import type { Db } from "../store/connection.ts";
import { recordMetrics } from "../store/metrics.ts";
import { DEFAULT_RECOVERY, recoverWorker, type RecoveryPolicy } from "../worker/recover.ts";
import { Tally } from "../worker/tally.ts";
import { jobClassName } from "../worker/unregister.ts";
import type { Logger } from "../log.ts";
import type { Slot } from "./slot.ts";
import { settlementFor, type KillReason } from "./watchdog.ts";

/**
 * Stopping, the master gives Redis this long at each step (its worker processes have had
 * STOP_WAIT_MS for theirs): what it cannot write stays in Redis for the next start on this host.
 */
export const STOPPING_RECOVERY_WAIT_MS = 1000;
/** Thrown past a recovery that Redis did not answer while stopping (already logged). */
const SILENT = new Error("Redis did not answer while stopping");

export const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));

export interface ExitRecoveryContext {
  db: Db;
  hostname: string;
  log: Logger;
  recovery?: RecoveryPolicy;
  /** The master is stopping: it does not wait out a Redis outage. */
  stopping: boolean;
  at: Date;
}

export interface ExitRecovered {
  /** The process exited 0 with jobs in flight: a job ended it (process.exit(0)), which counts as a crash. */
  jobExited: boolean;
  /** Stopping, Redis did not answer in time: the master's last steps need not wait for it again. */
  redisSilent: boolean;
}

/** Settle and unregister the exited worker process of `slot`, and log what happened to its jobs. */
export async function recoverExited(ctx: ExitRecoveryContext, slot: Slot, exit: ChildExit): Promise<ExitRecovered> {
  const { db, log } = ctx;
  const { pid } = slot.handle;
  const clean = exit.code === 0 && exit.signal === null;
  const id = workerId(ctx.hostname, pid, parseQueueList(slot.group.queues).configured);
  let message = exit.signal ? childSignalMessage(pid, exit.signal) : childExitMessage(pid, exit.code);
  let jobExited = false;
  let redisSilent = false;
  try {
    const settle = settlementFor(slot.killed);
    const failedHere = new Tally();
    const recovery = recoverWorker(db, id, {
      policy: ctx.recovery ?? DEFAULT_RECOVERY,
      // Jobs failed here (timeouts, kills) never reach a worker's cycle: their metrics are written below, once per process.
      settle: (entry) => {
        const settlement = settle(entry);
        if (typeof settlement === "object") failedHere.add(classOf(entry), ranFor(slot.killed, entry), true);
        return settlement;
      },
      dirtyExit: { exception: DIRTY_EXIT, message: () => message },
      at: ctx.at,
      reason: message,
    });
    // Running, the master waits out a Redis outage (a replacement could not work either).
    // Stopping, it does not hang on one: the jobs stay in the dead worker's in-flight list,
    // which the next worker or master to start on this host recovers.
    const waited = ctx.stopping ? await Promise.race([recovery, sleep(STOPPING_RECOVERY_WAIT_MS)]) : await recovery;
    if (!waited) {
      redisSilent = true;
      log.warn(`Redis did not answer: worker process ${pid}'s unfinished jobs stay in Redis for the next worker on this host to recover`);
      throw SILENT;
    }
    const { requeued, poisoned, failed } = waited;
    if (failedHere.size > 0 && failed > 0) {
      await recordMetrics(db, failedHere.take(), Date.now()).catch((e: unknown) =>
        log.warn(`Could not record job metrics: ${(e as Error).message}`),
      );
    }
    const settled = requeued + poisoned + failed;
    // Exit 0 with jobs still in flight: a job ended the process (process.exit(0)); that is a crash.
    jobExited = clean && settled > 0;
    if (jobExited) message = `${message} (a job ended the process)`;
    if (settled > 0 || !clean) {
      log.warn(
        `Worker process ${pid} ended (${exit.signal ?? `exit ${exit.code}`}${jobExited ? ", a job ended the process" : ""}) with ${settled} job(s) in flight: ` +
          `${requeued} back at the head of their queues, ${poisoned} failed as poison, ${failed} recorded as failed`,
      );
    }
  } catch (error) {
    if (error !== SILENT) log.error(`Could not recover and unregister worker process ${pid}: ${(error as Error).message}`);
  }
  return { jobExited, redisSilent };
}

const classOf = (entry: string): string => {
  const job = entryJob(entry);
  return job ? jobClassName(job.payload) : "<Malformed>";
};

/** How long a job the master failed had run: a timeout its limit, a kill since it started (0 when unknown). */
function ranFor(reason: KillReason | undefined, entry: string): number {
  const token = entryToken(entry);
  if (reason?.kind === "overdue") return (reason.overdue.find(([t]) => t === token)?.[3] ?? 0) * 1000;
  if (reason?.kind === "killed") {
    const started = reason.startedMs[reason.tokens.indexOf(token)];
    return started ? Math.max(0, Date.now() - started) : 0;
  }
  return 0;
}
