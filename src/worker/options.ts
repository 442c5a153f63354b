/** What a Worker is given, and the defaults stock uses where it has them. */
import type { JobRegistry } from "../jobs/registry.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import { WORK_SETTINGS as S } from "../settings/work.ts";
import type { Db } from "../store/connection.ts";
import { DEFAULT_RECOVERY, type RecoveryPolicy } from "./recover.ts";

export interface WorkerOptions {
  db: Db;
  registry: JobRegistry;
  runtime: Runtime;
  queues: string | readonly string[];
  /** Jobs in flight at once in this process (THREAD_COUNT). */
  threads?: number;
  /** Idle sleep in seconds (INTERVAL); 0 = exit once the queues are empty. */
  interval?: number;
  minInterval?: number;
  maxInterval?: number;
  backoffInterval?: number;
  proclinePrefix?: string;
  heartbeatInterval?: number;
  pruneInterval?: number;
  log?: Logger;
  now?: () => Date;
  /** Take at most this many jobs, then drain and return (JOBS_PER_FORK). */
  maxJobs?: number;
  /** Resident memory in bytes past which it stops taking jobs, drains and returns (MAX_WORKER_RSS); 0 = no limit. */
  maxRss?: number;
  /** Told once when the worker has taken maxJobs and is draining (so a master can start a replacement). */
  onDraining?: () => void;
  /** Told once the worker is registered (start-up is over), so a master can tell a crash loop from a crash. */
  onRegistered?: () => void;
  /** FETCH and RECOVERY_LIMIT, for the dead workers this one prunes and its own unfinished jobs. */
  recovery?: RecoveryPolicy;
  /** Seconds a job may run when its definition sets no `timeout` (JOB_TIMEOUT); 0 = no limit. */
  jobTimeout?: number;
  /**
   * A master watches this process (over IPC ticks) and kills it when a job overstays its deadline.
   * Unsupervised (DONT_FORK), the worker fails such a job itself and abandons its promise.
   */
  supervised?: boolean;
  /** Seconds between checks that this worker is still registered (re-registers when it is not). */
  registrationCheck?: number;
  /**
   * Supervised, a kill request from the dashboard for these jobs (entry tokens): the master kills
   * this process and charges only them. Unsupervised, the worker fails them itself.
   */
  onKill?: (jobs: { token: string; startedMs: number }[]) => void;
  /** Seconds between process records (`resque-ts:process:<id>`) and kill checks; at most 5. */
  processBeat?: number;
  /**
   * DURABLE_ACK: after a cycle records jobs finished, wait (Redis WAIT, up to DURABLE_ACK_TIMEOUT_MS)
   * until this many replicas hold the record, so a failover right after does not run them again; 0 = off.
   */
  durableAck?: number;
  /** VERBOSE: log a line as each job starts, finishes or fails (built only when on). */
  logJobs?: boolean;
}

export type ResolvedOptions = Required<Omit<WorkerOptions, "queues">>;

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** Every option filled in; a setting `resque work` also reads defaults as its row in WORK_SETTINGS says. */
export function resolveOptions(options: WorkerOptions): ResolvedOptions {
  const interval = options.interval ?? S.interval.default;
  const maxInterval = options.maxInterval ?? interval;
  return {
    db: options.db,
    registry: options.registry,
    runtime: options.runtime,
    threads: Math.max(1, Math.floor(options.threads ?? S.threads.default)),
    interval,
    maxInterval,
    minInterval: Math.min(options.minInterval ?? interval, maxInterval),
    backoffInterval: options.backoffInterval ?? S.backoffInterval.default,
    proclinePrefix: options.proclinePrefix ?? S.proclinePrefix.default,
    heartbeatInterval: options.heartbeatInterval ?? S.heartbeatInterval.default,
    // Stock's Resque.prune_interval: heartbeat_interval * 5.
    pruneInterval: options.pruneInterval ?? 5 * (options.heartbeatInterval ?? S.heartbeatInterval.default),
    log: options.log ?? quiet,
    now: options.now ?? (() => new Date()),
    maxJobs: options.maxJobs ?? Number.POSITIVE_INFINITY,
    // Not MAX_WORKER_RSS's default: a Worker made in code has no master to replace it.
    maxRss: options.maxRss ?? 0,
    onDraining: options.onDraining ?? (() => {}),
    onRegistered: options.onRegistered ?? (() => {}),
    recovery: options.recovery ?? DEFAULT_RECOVERY,
    jobTimeout: options.jobTimeout ?? S.jobTimeout.default,
    supervised: options.supervised ?? false,
    registrationCheck: options.registrationCheck ?? 5,
    onKill: options.onKill ?? (() => {}),
    processBeat: options.processBeat ?? 5,
    logJobs: options.logJobs ?? false,
    durableAck: options.durableAck ?? 0,
  };
}
