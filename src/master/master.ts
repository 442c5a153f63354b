/**
 * The master: keeps WORKER_COUNT worker processes working, starts a replacement as soon as
 * one begins draining its JOBS_PER_FORK batch (so recycling does not dip throughput),
 * relays signals, and hands the jobs of a process that died back to their queues (crash-safe
 * fetch), or records them as stock's DirtyExit when running at most once.
 */
import { DIRTY_EXIT } from "../protocol/failure.ts";
import { masterTitle } from "../protocol/procline.ts";
import { parseQueueList } from "../protocol/queue-list.ts";
import { childExitMessage, childSignalMessage } from "../protocol/signals.ts";
import { epochSeconds } from "../protocol/time.ts";
import { workerId } from "../protocol/worker-id.ts";
import type { ChildExit, ChildHandle, Runtime, TrappedSignal } from "../runtime/types.ts";
import type { Db } from "../store/connection.ts";
import { DEFAULT_RECOVERY, recoverWorker, type RecoveryPolicy } from "../worker/recover.ts";
import type { Logger } from "../worker/worker.ts";
import { RestartPolicy } from "./restart-policy.ts";

export interface MasterOptions {
  db: Db;
  runtime: Runtime;
  queues: string;
  workerCount: number;
  /** Arguments and environment that start one worker process. */
  childArgs: readonly string[];
  childEnv: Record<string, string>;
  log: Logger;
  proclinePrefix?: string;
  /** TERM_CHILD: on TERM/INT ask worker processes to finish, then KILL after termTimeout. */
  termChild?: boolean;
  termTimeout?: number;
  preShutdownTimeout?: number;
  /** GRACEFUL_TERM: TERM behaves like QUIT. */
  gracefulTerm?: boolean;
  /** FETCH and RECOVERY_LIMIT: what happens to the jobs of a process that died. */
  recovery?: RecoveryPolicy;
  now?: () => Date;
}

const STOPPING_RECOVERY_WAIT_MS = 5000;
const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));

/** Messages a worker process sends its master. */
export type WorkerMessage = { type: "draining" } | { type: "registered" };

interface Slot {
  handle: ChildHandle;
  startedAt: number;
  draining: boolean;
  registered: boolean;
}

export class Master {
  readonly #o: MasterOptions;
  readonly #configured: readonly string[];
  readonly #slots = new Map<number, Slot>();
  readonly #policy = new RestartPolicy();
  #stopping = false;
  #pendingStarts = 0;
  #lastStart = 0;
  #done!: () => void;

  constructor(options: MasterOptions) {
    this.#o = options;
    this.#configured = parseQueueList(options.queues).configured;
  }

  /** Run until every worker process has exited after QUIT / TERM / INT. */
  async run(): Promise<void> {
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    this.#trap();
    for (let i = 0; i < this.#o.workerCount; i++) this.#start();
    await finished;
  }

  get pids(): number[] {
    return [...this.#slots.keys()];
  }

  #active(): number {
    return [...this.#slots.values()].filter((s) => !s.draining).length + this.#pendingStarts;
  }

  #start(): void {
    if (this.#stopping) return;
    const handle = this.#o.runtime.spawnSelf(this.#o.childArgs, { env: this.#o.childEnv, titleRoom: 120 });
    const slot: Slot = { handle, startedAt: Date.now(), draining: false, registered: false };
    this.#slots.set(handle.pid, slot);
    this.#lastStart = epochSeconds(this.#now());
    this.#showTitle();
    handle.onMessage((message) => {
      const type = (message as WorkerMessage | undefined)?.type;
      if (type === "registered") slot.registered = true;
      if (type !== "draining" || slot.draining) return;
      slot.draining = true;
      this.#fill(); // overlap: the replacement starts while this one finishes its batch
    });
    void handle.exited.then((exit) => this.#exited(slot, exit));
  }

  /** Start processes until WORKER_COUNT are taking jobs. */
  #fill(delayMs = 0): void {
    while (!this.#stopping && this.#active() < this.#o.workerCount) {
      if (delayMs === 0) {
        this.#start();
        continue;
      }
      this.#pendingStarts++;
      setTimeout(() => {
        this.#pendingStarts--;
        this.#fill();
      }, delayMs);
    }
  }

  async #exited(slot: Slot, exit: ChildExit): Promise<void> {
    const { pid } = slot.handle;
    this.#slots.delete(pid);
    const clean = exit.code === 0 && exit.signal === null;
    // A process that exits cleanly has unregistered itself; otherwise its jobs are recorded here.
    const id = workerId(this.#o.runtime.hostname(), pid, this.#configured);
    const message = exit.signal ? childSignalMessage(pid, exit.signal) : childExitMessage(pid, exit.code);
    try {
      const recovery = recoverWorker(this.#o.db, id, {
        policy: this.#o.recovery ?? DEFAULT_RECOVERY,
        crashed: !clean,
        dirtyExit: { exception: DIRTY_EXIT, message: () => message },
        at: this.#now(),
        reason: message,
      });
      // Running, the master waits out a Redis outage (a replacement could not work either).
      // Stopping, it does not hang on one: the jobs stay in the dead worker's in-flight list,
      // which the next worker to start on this host recovers when it prunes.
      const waited = this.#stopping ? await Promise.race([recovery, sleep(STOPPING_RECOVERY_WAIT_MS)]) : await recovery;
      if (!waited) {
        this.#o.log.warn(`Redis did not answer: worker process ${pid}'s unfinished jobs stay in Redis for the next worker on this host to recover`);
        throw new Error("Redis did not answer while stopping");
      }
      const { requeued, poisoned, failed } = waited;
      if (requeued + poisoned + failed > 0 || !clean) {
        this.#o.log.warn(
          `Worker process ${pid} ended (${exit.signal ?? `exit ${exit.code}`}) with ${requeued + poisoned + failed} job(s) in flight: ` +
            `${requeued} back at the head of their queues, ${poisoned} failed as poison, ${failed} recorded as failed`,
        );
      }
    } catch (error) {
      this.#o.log.error(`Could not recover and unregister worker process ${pid}: ${(error as Error).message}`);
    }
    // A clean exit without a finished batch is a worker that chose to stop (INTERVAL=0 and the
    // queues are empty): it is not replaced, and the master ends with the last of them.
    if (this.#stopping || (clean && !slot.draining)) {
      this.#showTitle();
      if (this.#slots.size === 0 && this.#pendingStarts === 0) this.#done();
      return;
    }
    const delay = this.#policy.delayAfter(Date.now() - slot.startedAt, !clean, slot.registered);
    if (delay > 0) this.#o.log.warn(`Worker process ${pid} died ${Date.now() - slot.startedAt} ms after it started; starting a replacement in ${delay} ms`);
    this.#fill(delay);
    this.#showTitle();
  }

  #trap(): void {
    const on = (signal: TrappedSignal, handler: () => void) => this.#o.runtime.onSignal(signal, handler);
    on("QUIT", () => this.#stop("QUIT"));
    on("TERM", () => (this.#o.gracefulTerm ? this.#stop("QUIT") : this.#stopNow()));
    on("INT", () => this.#stopNow());
    // Killing a job means killing its process; replacements start as the processes exit.
    on("USR1", () => this.#each((h) => h.signal("KILL")));
    on("USR2", () => this.#each((h) => h.signal("USR2")));
    on("CONT", () => this.#each((h) => h.signal("CONT")));
  }

  #each(fn: (handle: ChildHandle) => void): void {
    for (const slot of this.#slots.values()) fn(slot.handle);
  }

  #stop(signal: "QUIT" | "TERM"): void {
    this.#stopping = true;
    this.#each((h) => h.signal(signal));
    if (this.#slots.size === 0) this.#done();
  }

  /**
   * TERM / INT: worker processes stop now and hand their jobs in flight back to the queues
   * (at most once: record them as failed). TERM_CHILD: they are asked to finish first.
   */
  #stopNow(): void {
    if (!this.#o.termChild) {
      this.#stopping = true;
      this.#each((h) => h.signal("TERM"));
      if (this.#slots.size === 0) this.#done();
      return;
    }
    const pre = (this.#o.preShutdownTimeout ?? 0) * 1000;
    const term = (this.#o.termTimeout ?? 4) * 1000;
    this.#stopping = true;
    setTimeout(() => {
      this.#each((h) => h.signal("QUIT"));
      setTimeout(() => this.#each((h) => h.signal("TERM")), term);
    }, pre);
    if (this.#slots.size === 0) this.#done();
  }

  #showTitle(): void {
    this.#o.runtime.setTitle(masterTitle(this.pids, this.#lastStart, this.#configured, this.#o.proclinePrefix));
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}
