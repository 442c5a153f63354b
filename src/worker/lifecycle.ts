/**
 * The worker's launcher: its life as a process that other processes can see. In order:
 * 1. heartbeat and process record (which also collects the dashboard's kill requests);
 * 2. the jobs of dead workers back to their queues (this host's at once, others' by pruning,
 *    then every heartbeat interval);
 * 3. registration as a stock worker, kept while it lives, and the deadline checks of its jobs;
 * 4. at the end, the timers stopped and the worker unregistered, its unfinished jobs handed back.
 */
import { errorMessage } from "../protocol/backtrace.ts";
import { DIRTY_EXIT } from "../protocol/failure.ts";
import type { ProcessRecord } from "../protocol/process-record.ts";
import { startedAt } from "../protocol/time.ts";
import { entryToken } from "../protocol/token.ts";
import { registerWorker } from "../store/workers.ts";
import { startHeartbeat, type Heartbeat } from "./heartbeat.ts";
import type { ResolvedOptions } from "./options.ts";
import { pruneDeadWorkers, recoverDeadLocalWorkers } from "./prune.ts";
import type { QueueSelection } from "./queue-selection.ts";
import { recoverWorker, settleAll } from "./recover.ts";
import { keepRegistered, type RegistrationWatch } from "./registration.ts";
import type { RunningJob } from "./running-job.ts";

/** How often running jobs' deadlines are checked. */
const DEADLINE_CHECK_MS = 250;

export interface LifecycleContext {
  o: ResolvedOptions;
  id: string;
  queues: QueueSelection;
  /** The jobs running now, for the process record. */
  running: () => Iterable<RunningJob>;
  /** The dashboard asked to kill these jobs (entry tokens, or "*"). */
  onKill: (tokens: string[]) => void;
  /** Check the running jobs' deadlines (every DEADLINE_CHECK_MS once registered). */
  checkDeadlines: () => void;
}

export class Lifecycle {
  readonly #c: LifecycleContext;
  readonly #startedMs = Date.now();
  #heartbeat: Heartbeat | undefined;
  #registration: RegistrationWatch | undefined;
  #pruneTimer: ReturnType<typeof setInterval> | undefined;
  #deadlineTimer: ReturnType<typeof setInterval> | undefined;
  /** Registered in Redis: from here on it may hold jobs, so stopping must go through shutdown. */
  #registered = false;

  constructor(context: LifecycleContext) {
    this.#c = context;
  }

  get registered(): boolean {
    return this.#registered;
  }

  /** Start the heartbeat and the process record. */
  async beat(): Promise<void> {
    const { o, id } = this.#c;
    this.#heartbeat = await startHeartbeat(o.db, id, o.heartbeatInterval, (e) => o.log.warn(`heartbeat failed: ${errorMessage(e)}`), {
      interval: Math.min(o.processBeat, o.heartbeatInterval),
      record: () => JSON.stringify(this.#processRecord()),
      onKill: (tokens) => this.#c.onKill(tokens),
    });
  }

  /** Put the jobs of dead workers back in their queues, now and (by pruning) every heartbeat interval. */
  async recoverDead(): Promise<void> {
    const { o, id } = this.#c;
    // Jobs of this host's dead workers go back at once, without waiting for stock's prune lock.
    // Under a master, the master did this as it started (and recycled processes must not each
    // SCAN the keyspace again).
    if (!o.supervised) {
      const recovered = await recoverDeadLocalWorkers({
        db: o.db,
        id,
        hostname: o.runtime.hostname(),
        processes: () => o.runtime.processes(),
        recovery: o.recovery,
      });
      for (const dead of recovered) o.log.info(`Recovered the unfinished jobs of dead worker ${dead} on this host`);
    }
    await this.#prune();
    // Stock prunes only at start-up; ours also looks every heartbeat interval (whoever wins the
    // lock), so the jobs of a host that vanished go back to their queues while workers run.
    this.#pruneTimer = setInterval(() => {
      this.#prune().catch((e: unknown) => o.log.warn(`pruning dead workers failed: ${errorMessage(e)}`));
    }, o.heartbeatInterval * 1000);
  }

  /** Register as a stock worker, keep it registered, and start checking deadlines. */
  async register(): Promise<void> {
    const { o, id } = this.#c;
    const started = startedAt(o.now());
    await registerWorker(o.db, id, started);
    this.#registered = true;
    this.#registration = keepRegistered(o.db, id, started, o.registrationCheck, o.log);
    this.#deadlineTimer = setInterval(() => this.#c.checkDeadlines(), DEADLINE_CHECK_MS);
    o.onRegistered();
  }

  /**
   * The reserve cycle found this worker unregistered (pruned as dead while it was stopped or cut
   * off): its in-flight jobs went back to their queues, and it takes none until it is registered again.
   */
  async registerAgain(): Promise<void> {
    await this.#registration?.checkNow();
  }

  /** Stop every timer, waiting for a heartbeat or registration check in flight. */
  async stopTimers(): Promise<void> {
    await this.#heartbeat?.stop();
    clearInterval(this.#pruneTimer);
    clearInterval(this.#deadlineTimer);
    await this.#registration?.stop();
  }

  /**
   * Unregister, handing the jobs still in flight back to their queues uncounted (FETCH=at-most-once,
   * as stock: recording them as DirtyExit). `reason` is why they were stopped, if anyone stopped them;
   * `crash`, what ended the worker by throwing: those jobs are then charged.
   */
  async unregister(reason?: string, crash?: { error: unknown }): Promise<void> {
    const { o, id } = this.#c;
    const left = await recoverWorker(o.db, id, {
      policy: o.recovery,
      // A crash is a death with these jobs in flight, whatever caused it: charged, so a job that
      // crashes the worker each time it is taken ends as a PoisonJob instead of a crash loop.
      settle: settleAll(crash ? "counted" : "uncounted"),
      dirtyExit: { exception: DIRTY_EXIT, message: () => (reason ? `Job still being processed (${reason})` : "Job still being processed") },
      at: o.now(),
      reason: crash ? `the worker failed: ${errorMessage(crash.error)}` : (reason ?? ""),
    });
    if (crash && left.requeued + left.poisoned + left.failed > 0) {
      o.log.warn(
        `The worker failed with ${left.requeued + left.poisoned + left.failed} job(s) in flight (${errorMessage(crash.error)}): ${left.requeued} back in their queues counted toward RECOVERY_LIMIT, ${left.poisoned} failed as poison, ${left.failed} recorded as failed`,
      );
    } else if (left.requeued + left.failed > 0) {
      o.log.warn(`${reason ?? "Stopped"} with unfinished jobs: ${left.requeued} back in their queues, ${left.failed} recorded as failed`);
    }
  }

  async #prune(): Promise<void> {
    const { o, id } = this.#c;
    const pruned = await pruneDeadWorkers({
      db: o.db,
      id,
      hostname: o.runtime.hostname(),
      queues: this.#c.queues.configured,
      processes: () => o.runtime.processes(),
      heartbeatInterval: o.heartbeatInterval,
      pruneInterval: o.pruneInterval,
      recovery: o.recovery,
    });
    for (const dead of pruned) o.log.info(`Pruned dead worker ${dead}; its unfinished jobs were recovered`);
  }

  #processRecord(): ProcessRecord {
    const { o } = this.#c;
    return {
      role: "worker",
      host: o.runtime.hostname(),
      pid: o.runtime.pid,
      ppid: o.runtime.ppid,
      rss: o.runtime.rss(),
      started: this.#startedMs,
      queues: [...this.#c.queues.configured],
      running: [...this.#c.running()].map((r) => ({
        token: entryToken(r.entry),
        queue: r.queue,
        className: r.className,
        startedMs: r.startedAt,
      })),
      supervised: o.supervised,
    };
  }
}
