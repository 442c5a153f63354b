/**
 * Every Redis key stock Resque 3.0 and resque-scheduler 5.0 use, built from one namespace. Nothing else in the
 * code base spells a key: that is what keeps us on stock's wire format.
 */
import { retryKeySuffix } from "./retry-key.ts";

export const DEFAULT_NAMESPACE = "resque";

/** The keys of one namespace; spelled out (not inferred) so JSR can document it without a type check. */
export interface ResqueKeys {
  readonly namespace: string;
  readonly prefix: string;
  readonly queues: string;
  queue(queue: string): string;
  readonly workers: string;
  worker(id: string): string;
  workerStarted(id: string): string;
  readonly heartbeats: string;
  readonly pruneLock: string;
  readonly processed: string;
  readonly failedCount: string;
  workerProcessed(id: string): string;
  workerFailed(id: string): string;
  readonly failed: string;
  readonly pauseAll: string;
  /** Not stock: the jobs a worker has taken and not yet finished (stock tools ignore it). */
  inflight(id: string): string;
  /** Not stock: sha1(payload) -> times a worker process died while running that payload. */
  readonly recoveries: string;
  /** Not stock: in-flight list owner -> when a prune first found it unregistered (recovered on a later look). */
  readonly orphans: string;
  /** resque-scheduler: ZSET of timestamps with delayed jobs, member = score = Unix seconds. */
  readonly delayedSchedule: string;
  /** resque-scheduler: LIST of encoded delayed items due at `ts` (integer Unix seconds). */
  delayed(ts: number | string): string;
  /** resque-scheduler: SET of `delayedMember(ts)` values where this exact item is delayed. */
  timestamps(item: string): string;
  /** resque-scheduler's leader lock: the namespace twice, then `PREFIX:` when a prefix is set. */
  schedulerLock(prefix?: string): string;
  /** resque-retry: STRING attempt count of one job class and args (`identifier`: see retry-key.ts). */
  retryAttempts(className: string, identifier: string | undefined): string;
  /**
   * resque-retry's MultipleWithRetrySuppression: STRING JSON of the last failure of a job that is
   * being retried (`failure-` before the attempt-count key's name, as `count` gives it), read by its web tab.
   */
  retryFailure(count: string): string;
  /** resque-scheduler: HASH of schedule name -> JSON config, the schedules set with `persist: true`. */
  readonly persistentSchedules: string;
  /** resque-scheduler: SET of schedule names set or removed since the leader last looked. */
  readonly schedulesChanged: string;
  /** resque-scheduler: HASH of schedule name -> Time#to_s of its last enqueue (its name matches `delayed:*`). */
  readonly lastEnqueuedAt: string;
  /** Not stock: everything else of ours lives under `<ns>:resque-ts:`, each key bounded (see each). */
  readonly ours: string;
  /** HASH `<class>|<field>` -> count for one Unix minute (EXPIRE 24 h). */
  metricsMinute(minute: number): string;
  /** HASH `<class>|<field>` -> count since the start (at most ~500 classes). */
  readonly metricsTotals: string;
  /** SET of class names metrics are kept for, capped (overflow is counted as "(other)"). */
  readonly metricsClasses: string;
  /** LIST of per-second history points (trimmed to 1 h). */
  readonly historySeconds: string;
  /** LIST of per-minute history points (trimmed to 7 days). */
  readonly historyMinutes: string;
  /** HASH queue -> `<sha1 of head payload>|<first seen ms>` (one field per queue in `queues`). */
  readonly heads: string;
  /** SET of tokens (or "*") to kill in one worker process (60 s TTL). */
  kill(id: string): string;
  /** STRING JSON process record of one worker process (15 s TTL). */
  process(id: string): string;
  /** STRING JSON record of one master, `host:pid` (15 s TTL). */
  master(hostPid: string): string;
  /** ZSET of `host:pid` masters scored by last write (ms); stale ones pruned on read. */
  readonly masters: string;
  /**
   * STRING JSON: the schedules the leading scheduler runs from its --schedule file, which stock keeps
   * in process memory only (so no stock key holds them); written by the leader each poll (TTL).
   */
  readonly fileSchedules: string;
  /** STRING JSON record of one scheduler process, `host:pid` (TTL), for the dashboard's process tree. */
  scheduler(hostPid: string): string;
  /** ZSET of `host:pid` schedulers scored by last write (ms); stale ones pruned on read. */
  readonly schedulers: string;
}

/** The un-namespaced value resque-scheduler stores in `timestamps:<item>` sets: `delayed:<ts>`. */
export const delayedMember = (ts: number | string): string => `delayed:${ts}`;

/** The key builder for one namespace (stock's redis-namespace prefixes every key with `ns:`). */
export function resqueKeys(namespace: string = DEFAULT_NAMESPACE): ResqueKeys {
  const p = `${namespace}:`;
  return {
    namespace,
    prefix: p,
    queues: `${p}queues`,
    queue: (queue: string) => `${p}queue:${queue}`,
    workers: `${p}workers`,
    worker: (id: string) => `${p}worker:${id}`,
    workerStarted: (id: string) => `${p}worker:${id}:started`,
    heartbeats: `${p}workers:heartbeat`,
    pruneLock: `${p}pruning_dead_workers_in_progress`,
    processed: `${p}stat:processed`,
    failedCount: `${p}stat:failed`,
    workerProcessed: (id: string) => `${p}stat:processed:${id}`,
    workerFailed: (id: string) => `${p}stat:failed:${id}`,
    failed: `${p}failed`,
    pauseAll: `${p}pause-all-workers`,
    inflight: (id: string) => `${p}inflight:${id}`,
    recoveries: `${p}recoveries`,
    orphans: `${p}inflight-orphans`,
    delayedSchedule: `${p}delayed_queue_schedule`,
    // The key is the namespace plus the member value, which Lua scripts rely on.
    delayed: (ts: number | string) => `${p}${delayedMember(ts)}`,
    timestamps: (item: string) => `${p}timestamps:${item}`,
    // Ruby builds "#{namespace}:#{prefix}resque_scheduler_master_lock" and sends it through the namespaced client.
    schedulerLock: (prefix?: string) => `${p}${namespace}:${prefix ? `${prefix}:` : ""}resque_scheduler_master_lock`,
    retryAttempts: (className: string, identifier: string | undefined) => `${p}${retryKeySuffix(className, identifier)}`,
    retryFailure: (count: string) => `${p}failure-${count.startsWith(p) ? count.slice(p.length) : count}`,
    persistentSchedules: `${p}persistent_schedules`,
    schedulesChanged: `${p}schedules_changed`,
    lastEnqueuedAt: `${p}delayed:last_enqueued_at`,
    ours: `${p}resque-ts:`,
    metricsMinute: (minute: number) => `${p}resque-ts:metrics:m:${minute}`,
    metricsTotals: `${p}resque-ts:metrics:totals`,
    metricsClasses: `${p}resque-ts:metrics:classes`,
    historySeconds: `${p}resque-ts:history:s`,
    historyMinutes: `${p}resque-ts:history:m`,
    heads: `${p}resque-ts:heads`,
    kill: (id: string) => `${p}resque-ts:kill:${id}`,
    process: (id: string) => `${p}resque-ts:process:${id}`,
    master: (hostPid: string) => `${p}resque-ts:master:${hostPid}`,
    masters: `${p}resque-ts:masters`,
    fileSchedules: `${p}resque-ts:file-schedules`,
    scheduler: (hostPid: string) => `${p}resque-ts:scheduler:${hostPid}`,
    schedulers: `${p}resque-ts:schedulers`,
  };
}
