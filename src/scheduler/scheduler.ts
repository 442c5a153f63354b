/**
 * The scheduler process (resque-scheduler's Resque::Scheduler.run): each poll, claim or renew the
 * leader lock; the leader promotes every due delayed job and fires due recurring schedules (it
 * wakes early for those); signals release the lock.
 */
import { JobRegistry } from "../jobs/registry.ts";
import { schedulerTitle } from "../protocol/procline.ts";
import { trapTable } from "../runtime/trap-table.ts";
import type { Runtime } from "../runtime/types.ts";
import { STOP_WAIT_MS, within, type Db } from "../store/connection.ts";
import { nextDue } from "../store/scheduler.ts";
import { DEFAULT_LOCK_TIMEOUT, LeaderLock } from "./lock.ts";
import type { SchedulerLogger } from "../log.ts";
import { drainDue } from "./promote.ts";
import type { CatchUp } from "../protocol/schedule-config.ts";
import type { StaticSchedule } from "./schedule-file.ts";
import { ScheduleRunner } from "./schedule-runner.ts";
import { SchedulePublisher } from "./publish.ts";
import { SCHEDULER_SIGNALS } from "./signal-table.ts";
import { plural } from "../protocol/plural.ts";

export interface SchedulerOptions {
  db: Db;
  runtime: Runtime;
  /** Jobs from --require: their queues fill in items without one, and their hooks run on promotion. */
  registry?: JobRegistry;
  /** RESQUE_SCHEDULER_INTERVAL: seconds between polls (default 5). */
  interval?: number;
  /** LOCK_TIMEOUT: the lock's TTL in seconds (default 180). */
  lockTimeout?: number;
  /** RESQUE_SCHEDULER_MASTER_LOCK_PREFIX. */
  lockPrefix?: string;
  /** DELAYED_REQUEUE_BATCH_SIZE (default 100, at least 1). */
  batchSize?: number;
  /** Warn when the oldest due item waits longer than this many seconds (default 60). */
  lagWarn?: number;
  /** The lock value; default `host:pid`. Set it where hosts share a name and pid (PID 1 in containers). */
  lockValue?: string;
  /** Recurring schedules from a schedule file (see parseScheduleFile); persisted ones are read from Redis. */
  schedule?: StaticSchedule;
  /** DYNAMIC_SCHEDULE: apply schedules set or removed while we lead. */
  dynamic?: boolean;
  /** Run ticks missed while no scheduler led, for schedules with no `catch_up` of their own (default "off"). */
  catchUp?: CatchUp;
  /** RAILS_ENV: schedules with `rails_env` / `env` load only where it matches. */
  env?: string;
  /** APP_NAME, shown in the process title. */
  app?: string;
  /** false: leave the process title alone (the scheduler shares a worker's process, whose title stock tools read). */
  title?: boolean;
  log?: SchedulerLogger;
  /** The clock, in ms (tests move it). */
  now?: () => number;
}

const QUIET: SchedulerLogger = { info() {}, warn() {}, error() {} };

export class Scheduler {
  readonly lock: LeaderLock;
  readonly schedules: ScheduleRunner;
  readonly #o: SchedulerOptions;
  readonly #log: SchedulerLogger;
  readonly #now: () => number;
  readonly #batch: number;
  // undefined until the first claim, so the first answer sets the title either way.
  #leader: boolean | undefined;
  #stopping = false;
  /** Settles when stop() is called: the loop stops waiting on a poll Redis does not answer. */
  readonly #stopAsked: Promise<void>;
  #stopNow!: () => void;
  #wake: (() => void) | undefined;
  #lagWarned = false;
  #untrap: (() => void)[] = [];
  readonly #publisher: SchedulePublisher;

  constructor(options: SchedulerOptions) {
    const batch = options.batchSize ?? 100;
    // Ruby floods duplicates with 0 (reference §3.4); refuse it instead.
    if (!Number.isInteger(batch) || batch < 1)
      throw new RangeError(`DELAYED_REQUEUE_BATCH_SIZE must be a whole number of at least 1, got ${batch}`);
    this.#o = options;
    this.#batch = batch;
    this.#log = options.log ?? QUIET;
    this.#now = options.now ?? Date.now;
    this.#stopAsked = new Promise((resolve) => (this.#stopNow = resolve));
    this.lock = new LeaderLock(options.db, options.lockValue ?? `${options.runtime.hostname()}:${options.runtime.pid}`, {
      timeout: options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT,
      prefix: options.lockPrefix,
    });
    this.schedules = new ScheduleRunner({
      db: options.db,
      registry: options.registry ?? new JobRegistry(),
      log: this.#log,
      ...(options.schedule && { staticSchedule: options.schedule }),
      ...(options.dynamic !== undefined && { dynamic: options.dynamic }),
      ...(options.catchUp && { catchUp: options.catchUp }),
      ...(options.env !== undefined && { env: options.env }),
    });
    // For the dashboard: this process, and the file schedules while it leads (stock keeps those in memory only).
    this.#publisher = new SchedulePublisher({
      db: options.db,
      runtime: options.runtime,
      lockValue: this.lock.value,
      interval: options.interval ?? 5,
      ...(options.schedule && { schedule: options.schedule }),
      ...(options.env !== undefined && { env: options.env }),
    });
  }

  /** Whether the last claim or renewal found us leading. */
  get leader(): boolean {
    return this.#leader === true;
  }

  /** SCHEDULER_SIGNALS: QUIT, TERM and INT stop the loop (between batches) and release the lock. */
  trapSignals(): void {
    this.#untrap.push(trapTable(this.#o.runtime, SCHEDULER_SIGNALS, { stop: () => this.stop() }));
  }

  /** Ask the loop to end; it releases the lock on its way out. */
  stop(): void {
    this.#stopping = true;
    this.#wake?.();
    this.#stopNow();
  }

  /**
   * Poll until stopped, then release the lock if it is still ours. Stopping never waits on Redis
   * for more than STOP_WAIT_MS: a poll stuck in an outage is left unanswered (each of its writes
   * is one atomic script, so nothing is half done), and the lock then expires on its own.
   */
  async run(): Promise<void> {
    this.#title("Starting");
    let polling: Promise<void> = Promise.resolve();
    try {
      while (!this.#stopping) {
        polling = this.tick();
        await Promise.race([polling, this.#stopAsked]);
        if (!this.#stopping) this.#publisher.beat(this.leader, this.schedules.scheduled, this.#now());
        const poll = (this.#o.interval ?? 5) * 1000;
        if (!this.#stopping) await this.#sleep(Math.min(poll, this.schedules.msUntilNext(this.#now()) ?? poll));
      }
    } finally {
      for (const untrap of this.#untrap.splice(0)) untrap();
      // Both bounded (STOP_WAIT_MS, and 1 s for the publication), so they wait side by side.
      await Promise.all([this.#leave(polling), this.#publisher.stop()]);
      this.#leader = false;
    }
  }

  /** The last poll ends (between batches), then the lock is released: STOP_WAIT_MS in all. */
  async #leave(polling: Promise<void>): Promise<void> {
    const deadline = Date.now() + STOP_WAIT_MS;
    // Queued behind the poll's own commands, so a poll that lands late is released too.
    const release = polling.then(() =>
      this.lock.release().then(
        () => true,
        (error: unknown) => {
          this.#log.error(`Could not release the scheduler lock: ${message(error)}`);
          return true;
        },
      ),
    );
    if (await within(release, deadline - Date.now())) return;
    this.#log.warn(
      `Stopping without Redis: it did not answer within ${STOP_WAIT_MS / 1000} s. If this scheduler led, its lock (${this.lock.key}) expires within ${this.#o.lockTimeout ?? DEFAULT_LOCK_TIMEOUT} s (LOCK_TIMEOUT), and another scheduler leads then.`,
    );
  }

  /** One poll: claim or renew the lock; as leader, report lag, promote everything due, then fire due schedules. */
  async tick(): Promise<void> {
    try {
      const wasLeader = this.#leader;
      await this.#setLeader(await this.lock.claim());
      if (!this.#leader) return;
      const nowMs = this.#now();
      // A new leader loads every schedule (Ruby's reload_schedule! on a change of master status).
      if (wasLeader !== true) await this.schedules.load(nowMs);
      const now = Math.floor(nowMs / 1000);
      this.#checkLag(now, await nextDue(this.#o.db, now));
      const result = await drainDue({
        db: this.#o.db,
        registry: this.#o.registry ?? new JobRegistry(),
        batchSize: this.#batch,
        now,
        stillLeader: () => this.#stillLeader(),
        stopping: () => this.#stopping,
        log: this.#log,
      });
      if (result.promoted + result.dropped > 0)
        this.#log.info(`Promoted ${plural(result.promoted, "delayed job")}${result.dropped ? `, dropped ${result.dropped}` : ""}`);
      if (!this.#leader || this.#stopping) return;
      await this.schedules.update(nowMs);
      await this.schedules.fireDue(nowMs, () => this.#stillLeader());
    } catch (error) {
      // Ruby (since 4.4.0) keeps looping through Redis errors; leadership is re-established next poll.
      // A poll cut short by stopping (its connection closed) has already been reported by #leave.
      if (!this.#stopping) this.#log.error(`Scheduler poll failed: ${message(error)}`);
      this.#leader = false;
      this.schedules.clear();
    }
  }

  async #stillLeader(): Promise<boolean> {
    await this.#setLeader(await this.lock.renew());
    return this.#leader === true;
  }

  #checkLag(now: number, oldest: number | undefined): void {
    const lag = oldest === undefined ? 0 : now - oldest;
    const limit = this.#o.lagWarn ?? 60;
    if (lag > limit && !this.#lagWarned)
      this.#log.warn(`Delayed jobs are ${lag}s late (the oldest was due at ${oldest}); promotion is falling behind`);
    else if (lag <= limit && this.#lagWarned) this.#log.info(`Delayed jobs are on time again (${lag}s late)`);
    this.#lagWarned = lag > limit;
  }

  async #setLeader(leader: boolean): Promise<void> {
    if (!leader) this.schedules.clear();
    const changed = leader !== this.#leader;
    this.#leader = leader;
    if (!changed) return;
    this.#title(leader ? "Master scheduler" : "Child scheduler");
    if (leader) {
      this.#log.info(`Leading as ${this.lock.value}`);
      return;
    }
    // Name the leader (the lock's value), not ourselves: that is the process to look at.
    const holder = await this.lock.holder();
    this.#log.info(
      holder === null
        ? `Following as ${this.lock.value}; no scheduler holds the lock at the moment (the next poll tries again)`
        : `Following ${holder}, which holds the lock (this scheduler is ${this.lock.value})`,
    );
  }

  #title(state: string): void {
    if (this.#o.title !== false) this.#o.runtime.setTitle(schedulerTitle(state, this.#o.app));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
