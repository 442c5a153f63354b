/** The Resque API apps, the CLI and the dashboard use: one object per Redis connection. */
import type { JsonValue } from "../protocol/json.ts";
import { nestsDeeper } from "../protocol/json-depth.ts";
import { decodePayload, encodePayload, isMalformed } from "../protocol/payload.ts";
import type { Job, JobArgs } from "../jobs/define.ts";
import { enqueueActiveJob, type ActiveJobOptions, type EnqueuedActiveJob } from "./active-job.ts";
import { JobRegistry } from "../jobs/registry.ts";
import { closeDb, openDb, ready, type ConnectOptions, type Db } from "../store/connection.ts";
import { locationUrl } from "../store/location.ts";
import { checkDurability, confirmDurable, type Durability } from "./durable.ts";
import * as queues from "../store/queues.ts";
import { isPausedValue, pausedValue, readStats, setPausedAll } from "../store/stats.ts";
import { timestampIn, toTimestamp, type DelayTime } from "../protocol/delayed.ts";
import * as delayedStore from "../store/delayed.ts";
import * as delayed from "./delayed.ts";
import * as recurring from "./schedules.ts";
import type { ScheduleRun } from "./schedule-enqueue.ts";
import { dequeue, enqueue, type JobRef } from "./enqueue.ts";
import { FailedJobs } from "./failed.ts";
import { schedulerStatus, type SchedulerStatus } from "./scheduler-status.ts";
import { history, sampleHistory, type HistoryPoint, type HistoryRange, type Sample } from "./history.ts";
import { queueLatency, type QueueLatency } from "./latency.ts";
import { killJob, type KillRequest } from "./kill-job.ts";
import { processTree, type ProcessTree } from "./process-tree.ts";
import { classMetrics, classTotals, type ClassMetrics, type ClassTotals } from "./class-metrics.ts";
import { info, workers, working, type ResqueInfo, type WorkerStatus } from "./status.ts";

export interface ResqueOptions extends ConnectOptions {
  /** Jobs known by class name, for queue inference and enqueue/dequeue hooks when enqueuing by name. */
  registry?: JobRegistry;
  /** Shown as `environment` in info(), like stock's RAILS_ENV / RACK_ENV. */
  environment?: string;
  /** An open connection to use instead of opening one. */
  db?: Db;
  /** Views write nothing (the latency reading records no first-seen time): a read-only dashboard's client. */
  readOnly?: boolean;
  /**
   * Every enqueue, push and delayed enqueue waits (Redis WAIT) until this many replicas hold it, and
   * rejects with a NOT_DURABLE ResqueError when fewer did in time: an enqueue reported done then
   * survives the primary's loss. Off by default; each write costs one more round trip.
   */
  durable?: Durability;
}

/** A queued job as `peek` shows it: decoded when possible, raw always. */
export interface QueuedJob {
  raw: string;
  className?: string;
  args?: JsonValue[];
  problem?: string;
}

export class Resque {
  readonly db: Db;
  readonly registry: JobRegistry;
  readonly failed: FailedJobs;
  readonly #environment: string;
  /** Views write nothing (see ResqueOptions.readOnly). */
  readonly readOnly: boolean;
  // set_schedule without persist: Ruby keeps those in process memory, so they live in this object.
  readonly #localSchedules: recurring.LocalSchedules = new Map();
  readonly #durable: Required<Durability> | undefined;

  constructor(options: ResqueOptions = {}) {
    this.db = options.db ?? openDb(options);
    this.registry = options.registry ?? new JobRegistry();
    this.failed = new FailedJobs(this.db);
    this.#environment = options.environment ?? "development";
    this.readOnly = Boolean(options.readOnly);
    this.#durable = options.durable && checkDurability(options.durable);
  }

  /** `write`'s result once it is durable as ResqueOptions.durable asks (at once without it). */
  async #durably<T>(write: Promise<T>, what: string): Promise<T> {
    const result = await write;
    if (this.#durable) await confirmDurable(this.db, this.#durable, what);
    return result;
  }

  /** This client on the same connection with views that write nothing (for a --read-only dashboard). */
  readOnlyView(): Resque {
    return this.readOnly ? this : new Resque({ db: this.db, registry: this.registry, environment: this.#environment, readOnly: true });
  }

  /** Where this client's Redis is, as a URL without credentials (`redis+sentinel://...` behind Sentinel). */
  get server(): string {
    return locationUrl(this.db.location);
  }

  /** Wait until Redis answers; throws a ResqueError with advice when it does not. */
  async connect(): Promise<this> {
    await ready(this.db);
    return this;
  }

  /**
   * Stock's Resque.enqueue: to the job's own queue. Returns false when a beforeEnqueue hook said no.
   * A defineJob result checks `args` against its perform's parameters; a class name takes anything.
   */
  enqueue<J extends JobRef>(job: J, ...args: JobArgs<J>): Promise<boolean> {
    return this.#durably(enqueue(this.db, job, args, undefined, this.registry), "The job");
  }

  /** Stock's Resque.enqueue_to, with enqueue's argument checking. */
  enqueueTo<J extends JobRef>(queue: string, job: J, ...args: JobArgs<J>): Promise<boolean> {
    return this.#durably(enqueue(this.db, job, args, queue, this.registry), "The job");
  }

  /**
   * For Rails workers: the JobWrapper payload `jobClass.set(queue:, wait:).perform_later(*args)` writes
   * through resque's ActiveJob adapter; with `wait` / `waitUntil`, through resque-scheduler's delayed queue.
   */
  enqueueActiveJob<J extends Job | string>(job: J, args: JobArgs<J>, options?: ActiveJobOptions): Promise<EnqueuedActiveJob> {
    return this.#durably(enqueueActiveJob(this.db, job, args, options), "The job");
  }

  /** Stock's Resque.push: a raw payload, no hooks. Strings are pushed byte for byte. */
  async push(queue: string, payload: string | { class: string; args?: unknown[]; [key: string]: unknown }): Promise<void> {
    const text = typeof payload === "string" ? payload : encodePayload(payload.class, payload.args ?? [], payload);
    await this.#durably(queues.pushPayloads(this.db, queue, [text]), "The job");
  }

  /** Push many payloads in one pipeline (bulk enqueue). */
  async pushMany(queue: string, payloads: readonly string[]): Promise<void> {
    await this.#durably(queues.pushPayloads(this.db, queue, payloads), `Each of the ${payloads.length} jobs`);
  }

  /** Stock's Resque.dequeue; false when a beforeDequeue hook said no, else how many were removed. */
  dequeue(job: JobRef, ...args: unknown[]): Promise<number | false> {
    return dequeue(this.db, job, args, undefined, this.registry);
  }

  dequeueFrom(queue: string, job: JobRef, ...args: unknown[]): Promise<number | false> {
    return dequeue(this.db, job, args, queue, this.registry);
  }

  /**
   * resque-scheduler's enqueue_at: run `job` at `time` (a Date, or Unix seconds), on its own queue.
   * A time not in the future enqueues at once. False when a beforeSchedule hook said no.
   */
  enqueueAt<J extends JobRef>(time: DelayTime, job: J, ...args: JobArgs<J>): Promise<boolean> {
    return this.#durably(delayed.enqueueAt(this.db, time, job, args, undefined, this.registry, Date.now()), "The delayed job");
  }

  /** enqueue_at_with_queue: as enqueueAt, onto `queue`. */
  enqueueAtWithQueue<J extends JobRef>(queue: string, time: DelayTime, job: J, ...args: JobArgs<J>): Promise<boolean> {
    return this.#durably(delayed.enqueueAt(this.db, time, job, args, queue, this.registry, Date.now()), "The delayed job");
  }

  /** enqueue_in: run `job` `seconds` from now (fractions allowed; the stored time is whole seconds). */
  async enqueueIn<J extends JobRef>(seconds: number, job: J, ...args: JobArgs<J>): Promise<boolean> {
    const now = Date.now();
    return this.#durably(
      delayed.enqueueAt(this.db, timestampIn(seconds, now), job, args, undefined, this.registry, now),
      "The delayed job",
    );
  }

  /** enqueue_in_with_queue: as enqueueIn, onto `queue`. */
  async enqueueInWithQueue<J extends JobRef>(queue: string, seconds: number, job: J, ...args: JobArgs<J>): Promise<boolean> {
    const now = Date.now();
    return this.#durably(delayed.enqueueAt(this.db, timestampIn(seconds, now), job, args, queue, this.registry, now), "The delayed job");
  }

  /** remove_delayed: every delayed copy of exactly this job (its own queue), at every time; how many went. */
  removeDelayed<J extends JobRef>(job: J, ...args: JobArgs<J>): Promise<number> {
    return delayed.removeDelayed(this.db, job, args, undefined, this.registry);
  }

  /** remove_delayed_in_queue: as removeDelayed, for items stored with `queue` (null: Ruby's nil queue). */
  removeDelayedInQueue<J extends JobRef>(job: J, queue: string | null, ...args: JobArgs<J>): Promise<number> {
    return delayed.removeDelayed(this.db, job, args, queue, this.registry);
  }

  /** remove_delayed_job_from_timestamp: the copies due at `time` only. */
  removeDelayedJobFromTimestamp<J extends JobRef>(time: DelayTime, job: J, ...args: JobArgs<J>): Promise<number> {
    return delayed.removeDelayedAt(this.db, time, job, args, this.registry);
  }

  /** find_delayed_selection: delayed items (of `job`'s class, when given) whose args `predicate` accepts. */
  findDelayedSelection(predicate: delayed.DelayedPredicate, job?: JobRef): Promise<delayed.ScheduledItem[]> {
    return delayed.findDelayedSelection(this.db, predicate, job, this.registry);
  }

  /** remove_delayed_selection: remove every copy of the items findDelayedSelection finds; how many went. */
  removeDelayedSelection(predicate: delayed.DelayedPredicate, job?: JobRef): Promise<number> {
    return delayed.removeDelayedSelection(this.db, predicate, job, this.registry);
  }

  /** enqueue_delayed: push the matching delayed copies now (promotion hooks run); how many. */
  enqueueDelayed<J extends JobRef>(job: J, ...args: JobArgs<J>): Promise<number> {
    return delayed.enqueueDelayed(this.db, job, args, undefined, this.registry);
  }

  /** scheduled_at: the times (Unix seconds) where exactly this job is delayed. */
  scheduledAt<J extends JobRef>(job: J, ...args: JobArgs<J>): Promise<number[]> {
    return delayed.scheduledAt(this.db, job, args, this.registry);
  }

  /** delayed_queue_peek: `count` scheduled timestamps from `start`, earliest first. */
  delayedQueuePeek(start: number, count: number): Promise<number[]> {
    return delayedStore.peekSchedule(this.db, start, count);
  }

  /** delayed_queue_schedule_size: how many timestamps have delayed jobs (not how many jobs). */
  delayedQueueScheduleSize(): Promise<number> {
    return delayedStore.scheduleSize(this.db);
  }

  /** delayed_timestamp_size: how many jobs are due at `time`. */
  async delayedTimestampSize(time: DelayTime): Promise<number> {
    return delayedStore.timestampSize(this.db, toTimestamp(time));
  }

  /** delayed_timestamp_peek: `count` items due at `time` from `start`, oldest first, decoded when they can be. */
  delayedTimestampPeek(time: DelayTime, start: number, count: number): Promise<delayed.DelayedEntry[]> {
    return delayed.timestampPeek(this.db, time, start, count);
  }

  /** reset_delayed_queue: drop every delayed job; returns how many went. */
  resetDelayedQueue(): Promise<number> {
    return delayedStore.resetDelayed(this.db);
  }

  /** resque-scheduler's set_schedule: validated, then stored in Redis when `persist` is set (else kept in this object). */
  setSchedule(name: string, config: recurring.ScheduleConfig): Promise<void> {
    return recurring.setSchedule(this.db, this.#localSchedules, this.registry, name, config, Date.now());
  }

  /** remove_schedule: true when there was one to remove. */
  removeSchedule(name: string): Promise<boolean> {
    return recurring.removeSchedule(this.db, this.#localSchedules, name);
  }

  /** fetch_schedule: one schedule's config as stored, or undefined. */
  fetchSchedule(name: string): Promise<JsonValue | undefined> {
    return recurring.fetchSchedule(this.db, this.#localSchedules, name);
  }

  /** Resque.schedule: this object's schedules and the persisted ones, name -> config. */
  schedules(): Promise<Record<string, JsonValue>> {
    return recurring.schedules(this.db, this.#localSchedules);
  }

  /** resque-web's "Queue now": run a schedule once now and update its last_enqueued_at. */
  runScheduleNow(name: string): Promise<ScheduleRun> {
    return recurring.runScheduleNow(this.db, this.#localSchedules, this.registry, name, Date.now());
  }

  /** When each schedule last ran, name -> `%Y-%m-%d %H:%M:%S %z` (delayed:last_enqueued_at). */
  scheduleLastRuns(): Promise<Record<string, string>> {
    return recurring.lastRuns(this.db);
  }

  /** Who leads the schedulers (RESQUE_SCHEDULER_MASTER_LOCK_PREFIX as `lockPrefix`) and how late due jobs are. */
  schedulerStatus(lockPrefix?: string): Promise<SchedulerStatus> {
    return schedulerStatus(this.db, Date.now(), lockPrefix);
  }

  queues(): Promise<string[]> {
    return queues.queueNames(this.db);
  }

  size(queue: string): Promise<number> {
    return queues.queueSize(this.db, queue);
  }

  async sizes(): Promise<Record<string, number>> {
    const names = await this.queues();
    const sizes = await queues.queueSizes(this.db, names);
    return Object.fromEntries(names.map((n, i) => [n, sizes[i] ?? 0]));
  }

  async peek(queue: string, start = 0, count = 1): Promise<QueuedJob[]> {
    const { items, problem } = await queues.peekPayloads(this.db, queue, start, count);
    // A queue key of the wrong type: one row saying so, not an error page.
    if (problem) return [{ raw: "", problem: `unreadable queue: ${problem}` }];
    return items.map((raw) => {
      const p = decodePayload(raw);
      if (isMalformed(p)) return { raw, problem: p.problem };
      // Shown by encoding the args again: past a stack's depth, shown as unreadable instead.
      return nestsDeeper(p.args)
        ? { raw: raw.slice(0, 200), problem: "unreadable: args nested too deeply" }
        : { raw, className: p.className, args: p.args };
    });
  }

  removeQueue(queue: string): Promise<void> {
    return queues.removeQueue(this.db, queue);
  }

  info(): Promise<ResqueInfo> {
    return info(this.db, this.#environment);
  }

  workers(): Promise<WorkerStatus[]> {
    return workers(this.db);
  }

  /** One registered worker, read alone; undefined when it is not registered. */
  async worker(id: string): Promise<WorkerStatus | undefined> {
    return (await workers(this.db, [id]))[0];
  }

  working(): Promise<WorkerStatus[]> {
    return working(this.db);
  }

  stats(): Promise<{ processed: number; failed: number }> {
    return readStats(this.db);
  }

  /** Per-class runs, failures, time and p50/p95 over the last `minutes` (default 60, at most 24 h), per minute too. */
  classMetrics(options: { minutes?: number } = {}): Promise<ClassMetrics[]> {
    return classMetrics(this.db, options.minutes ?? 60, Date.now());
  }

  /** Per-class totals since metrics began, with cumulative duration buckets (for Prometheus histograms). */
  classTotals(): Promise<ClassTotals[]> {
    return classTotals(this.db);
  }

  /**
   * Take one history point from stock's counters (the dashboard calls this about once a second);
   * several callers in one second append one point.
   */
  sampleHistory(): Promise<Sample> {
    return sampleHistory(this.db);
  }

  /** Rates and sizes over the last hour (per second) or 7 days (per minute), oldest first. */
  history(options: { range: HistoryRange } = { range: "1h" }): Promise<HistoryPoint[]> {
    return history(this.db, options.range, Date.now());
  }

  /**
   * Each queue's size and the age of its oldest job: from `enqueued_at` when the payload has it,
   * else a lower bound (since a call first saw that head; see latency.ts). No scans.
   */
  queueLatency(): Promise<QueueLatency[]> {
    return queueLatency(this.db, this.readOnly);
  }

  /**
   * Kill a running job (by its `token` from workers()[].running), or every job of that worker
   * process: it notices within a heartbeat; the job fails as DirtyExit, its siblings are
   * handed back (under a master) or keep running (DONT_FORK). Throws ResqueError NO_WORKER /
   * NO_JOB for unknown workers, stock Ruby workers and jobs no longer running.
   */
  killJob(workerId: string, token?: string): Promise<KillRequest> {
    return killJob(this.db, workerId, token);
  }

  /** Hosts -> masters -> worker processes (pid, rss, jobs), plus registered workers with no record (stock Ruby ones). */
  processTree(): Promise<ProcessTree> {
    return processTree(this.db, Date.now());
  }

  /** Stock's global switch: while set, no worker (Ruby or ours) takes new jobs. */
  async paused(): Promise<boolean> {
    return isPausedValue(await pausedValue(this.db));
  }

  pause(): Promise<void> {
    return setPausedAll(this.db, true);
  }

  resume(): Promise<void> {
    return setPausedAll(this.db, false);
  }

  close(): Promise<void> {
    return closeDb(this.db);
  }
}
