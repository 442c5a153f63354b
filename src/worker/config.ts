/** Worker settings from stock's environment variables, with flags taking precedence: WORK_SETTINGS read into one typed object. */
import { ResqueError } from "../errors.ts";
import { isOn, listOf, numberOf, rawOf, type Source } from "../settings/read.ts";
import type { Setting } from "../settings/setting.ts";
import { WORK_SETTINGS } from "../settings/work.ts";
import type { RecoveryPolicy } from "./recover.ts";

export interface WorkerSettings {
  queues: string;
  threads: number;
  interval: number;
  minInterval?: number;
  maxInterval?: number;
  backoffInterval?: number;
  proclinePrefix: string;
  redis?: string;
  namespace?: string;
  require: string[];
  /** Master settings (stock's names where stock has them). */
  workerCount: number;
  jobsPerFork: number;
  /** MAX_WORKER_RSS: MiB of resident memory past which a worker process is replaced; 0 = never. */
  maxWorkerRss: number;
  dontFork: boolean;
  termChild: boolean;
  gracefulTerm: boolean;
  termTimeout: number;
  preShutdownTimeout: number;
  pidfile?: string;
  background: boolean;
  /** FETCH (reliable | at-most-once) and RECOVERY_LIMIT. */
  recovery: RecoveryPolicy;
  /** DURABLE_ACK: replicas that must hold a finished job's record before the worker goes on; 0 = off. */
  durableAck: number;
  /** JOB_TIMEOUT: seconds a job may run when its definition sets none; 0 = no limit. */
  jobTimeout: number;
  /** WATCHDOG_TIMEOUT: seconds without a liveness tick before the master kills a worker process; 0 = off. */
  watchdogTimeout: number;
  /** Seconds between heartbeats and prunes (stock's Resque.heartbeat_interval, 60); RESQUE_HEARTBEAT_INTERVAL. */
  heartbeatInterval?: number;
  /** Seconds a heartbeat may age before its worker is pruned as dead (RESQUE_PRUNE_INTERVAL; default 5 x heartbeatInterval). */
  pruneInterval?: number;
  /** A resque-pool file (--pool / RESQUE_POOL_CONFIG): its groups replace QUEUE and WORKER_COUNT. */
  pool?: string;
  /** --scheduler / RESQUE_SCHEDULER: the master also keeps a scheduler process running. */
  scheduler: boolean;
  /** --shards / RESQUE_SHARDS: shard mode on a Redis Cluster, every group once per shard (store/shards.ts). */
  shards?: number;
  /** VERBOSE, LOGGING or VVERBOSE: log a line per job and worker event. */
  verbose: boolean;
  /** VVERBOSE: debug lines too. */
  veryVerbose: boolean;
}

export { DEFAULT_JOBS_PER_FORK, DEFAULT_MAX_WORKER_RSS, DEFAULT_WATCHDOG_TIMEOUT } from "../settings/work.ts";

const S = WORK_SETTINGS;

function fetchMode(value: string | undefined): RecoveryPolicy["mode"] {
  if (value === undefined || value === "" || value === "reliable") return "reliable";
  if (value === "at-most-once") return "at-most-once";
  throw new ResqueError(
    "BAD_CONFIG",
    `FETCH must be "reliable" (the default: unfinished jobs go back to their queues) or "at-most-once" (stock's behaviour), got "${value}".`,
  );
}

/** `flags` (from the command line) override `env` (QUEUES wins over QUEUE, as stock); each setting as its row in WORK_SETTINGS says. */
export function workerSettings(env: Source, flags: Source = {}): WorkerSettings {
  const raw = (setting: Setting) => rawOf(setting, env, flags);
  const num = (setting: Setting) => numberOf(setting, env, flags);
  const on = (setting: Setting) => isOn(setting, env, flags);
  const pool = raw(S.pool);
  const queues = raw(S.queues) ?? (pool ? "*" : undefined);
  if (!queues) {
    throw new ResqueError("NO_QUEUE", "Set the queues to work: QUEUE=critical,high (or --queue critical,high); QUEUE=* works them all.");
  }
  const settings: WorkerSettings = {
    queues,
    threads: num(S.threads) ?? S.threads.default,
    interval: num(S.interval) ?? S.interval.default,
    proclinePrefix: raw(S.proclinePrefix) ?? S.proclinePrefix.default,
    require: listOf(S.require, env, flags),
    workerCount: num(S.workerCount) ?? S.workerCount.default,
    jobsPerFork: num(S.jobsPerFork) ?? S.jobsPerFork.default,
    maxWorkerRss: num(S.maxWorkerRss) ?? S.maxWorkerRss.default,
    dontFork: on(S.dontFork),
    termChild: on(S.termChild),
    gracefulTerm: on(S.gracefulTerm),
    termTimeout: num(S.termTimeout) ?? S.termTimeout.default,
    preShutdownTimeout: num(S.preShutdownTimeout) ?? S.preShutdownTimeout.default,
    background: on(S.background),
    scheduler: on(S.scheduler),
    recovery: { mode: fetchMode(raw(S.fetch)), limit: num(S.recoveryLimit) ?? S.recoveryLimit.default },
    jobTimeout: num(S.jobTimeout) ?? S.jobTimeout.default,
    durableAck: num(S.durableAck) ?? S.durableAck.default,
    watchdogTimeout: num(S.watchdogTimeout) ?? S.watchdogTimeout.default,
    verbose: on(S.verbose) || on(S.veryVerbose),
    veryVerbose: on(S.veryVerbose),
  };
  const optional = {
    minInterval: num(S.minInterval),
    maxInterval: num(S.maxInterval),
    backoffInterval: num(S.backoffInterval),
    redis: raw(S.redis),
    namespace: raw(S.namespace),
    pidfile: raw(S.pidfile),
    heartbeatInterval: num(S.heartbeatInterval),
    pruneInterval: num(S.pruneInterval),
    shards: num(S.shards),
    pool,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(settings, { [key]: value });
  return settings;
}
