/** Worker settings from stock's environment variables, with flags taking precedence. */
import { ResqueError } from "../errors.ts";
import { DEFAULT_RECOVERY, type RecoveryPolicy } from "./recover.ts";

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
  /** JOB_TIMEOUT: seconds a job may run when its definition sets none; 0 = no limit. */
  jobTimeout: number;
  /** WATCHDOG_TIMEOUT: seconds without a liveness tick before the master kills a worker process; 0 = off. */
  watchdogTimeout: number;
  /** Seconds between heartbeats and prunes (stock's Resque.heartbeat_interval, 60); RESQUE_HEARTBEAT_INTERVAL. */
  heartbeatInterval?: number;
  /** A resque-pool file (--pool / RESQUE_POOL_CONFIG): its groups replace QUEUE and WORKER_COUNT. */
  pool?: string;
  /** --scheduler / RESQUE_SCHEDULER: the master also keeps a scheduler process running. */
  scheduler: boolean;
}

/**
 * WATCHDOG_TIMEOUT when unset. A job that computes without awaiting blocks its whole process for
 * that long; 10 s tolerates heavy synchronous steps and still stops a stuck loop within seconds.
 */
export const DEFAULT_WATCHDOG_TIMEOUT = 10;

function fetchMode(value: string | undefined): RecoveryPolicy["mode"] {
  if (value === undefined || value === "" || value === "reliable") return "reliable";
  if (value === "at-most-once") return "at-most-once";
  throw new ResqueError(
    "BAD_CONFIG",
    `FETCH must be "reliable" (the default: unfinished jobs go back to their queues) or "at-most-once" (stock's behaviour), got "${value}".`,
  );
}

/**
 * JOBS_PER_FORK when unset. A start costs 100-600 ms of CPU, which on 2 cores comes out of the
 * processes still working; memory growth is bounded by MAX_WORKER_RSS instead. Measured with
 * `JOBS_PER_FORK=J ONLY=defaults N=1000000 RUNS=1 WORKLOADS=Noop node --import tsx bench/macro.ts`
 * (binary, 1 x 64, 1,000,000 no-op jobs): 10,000 -> 37.2k jobs/s, 100,000 -> 90.0k, 1,000,000 -> 103.8k.
 */
export const DEFAULT_JOBS_PER_FORK = 1_000_000;

/**
 * MAX_WORKER_RSS when unset, in MiB. A worker process of the compiled binary with 64 jobs in
 * flight holds about 110 MiB, under Node about 150 MiB: 1 GiB leaves real jobs room and still
 * replaces a leaking process long before the OS or V8's heap limit kills it mid-job.
 */
export const DEFAULT_MAX_WORKER_RSS = 1024;

type Source = Record<string, string | undefined>;

function number(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new ResqueError("BAD_CONFIG", `${name} must be a number >= ${min}, got "${value}".`);
  return n;
}

/** `flags` (from the command line) override `env` (QUEUES wins over QUEUE, as stock). */
export function workerSettings(env: Source, flags: Source = {}): WorkerSettings {
  const pick = (flag: string, ...vars: string[]) => flags[flag] ?? vars.map((v) => env[v]).find((v) => v !== undefined && v !== "");
  const pool = pick("pool", "RESQUE_POOL_CONFIG");
  const queues = pick("queue", "QUEUES", "QUEUE") ?? (pool ? "*" : undefined);
  if (!queues) {
    throw new ResqueError("NO_QUEUE", "Set the queues to work: QUEUE=critical,high (or --queue critical,high); QUEUE=* works them all.");
  }
  const require = (pick("require", "RESQUE_REQUIRE") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const settings: WorkerSettings = {
    queues,
    threads: Math.floor(number("THREAD_COUNT", pick("threads", "THREAD_COUNT"), 1) ?? 1),
    interval: number("INTERVAL", pick("interval", "INTERVAL"), 0) ?? 5,
    proclinePrefix: pick("procline-prefix", "RESQUE_PROCLINE_PREFIX") ?? "",
    require,
    workerCount: Math.floor(number("WORKER_COUNT", pick("workers", "WORKER_COUNT", "COUNT"), 1) ?? 1),
    jobsPerFork: Math.floor(number("JOBS_PER_FORK", pick("jobs-per-fork", "JOBS_PER_FORK"), 1) ?? DEFAULT_JOBS_PER_FORK),
    maxWorkerRss: number("MAX_WORKER_RSS", pick("max-worker-rss", "MAX_WORKER_RSS"), 0) ?? DEFAULT_MAX_WORKER_RSS,
    // Stock's boolean variables are "set = on", whatever the value.
    dontFork: flags["fork"] === "false" || env["DONT_FORK"] !== undefined,
    termChild: flags["term-child"] !== undefined || env["TERM_CHILD"] !== undefined,
    gracefulTerm: flags["graceful-term"] !== undefined || env["GRACEFUL_TERM"] !== undefined,
    termTimeout: number("RESQUE_TERM_TIMEOUT", pick("term-timeout", "RESQUE_TERM_TIMEOUT"), 0) ?? 4,
    preShutdownTimeout: number("RESQUE_PRE_SHUTDOWN_TIMEOUT", pick("pre-shutdown-timeout", "RESQUE_PRE_SHUTDOWN_TIMEOUT"), 0) ?? 0,
    background: flags["background"] !== undefined || env["BACKGROUND"] !== undefined,
    scheduler: flags["scheduler"] !== undefined || env["RESQUE_SCHEDULER"] !== undefined,
    recovery: {
      mode: fetchMode(pick("fetch", "FETCH")),
      limit: Math.floor(number("RECOVERY_LIMIT", pick("recovery-limit", "RECOVERY_LIMIT"), 1) ?? DEFAULT_RECOVERY.limit),
    },
    jobTimeout: number("JOB_TIMEOUT", pick("job-timeout", "JOB_TIMEOUT"), 0) ?? 0,
    watchdogTimeout: number("WATCHDOG_TIMEOUT", pick("watchdog-timeout", "WATCHDOG_TIMEOUT"), 0) ?? DEFAULT_WATCHDOG_TIMEOUT,
  };
  const optional = {
    minInterval: number("MIN_INTERVAL", pick("min-interval", "MIN_INTERVAL"), 0),
    maxInterval: number("MAX_INTERVAL", pick("max-interval", "MAX_INTERVAL"), 0),
    backoffInterval: number("BACKOFF_INTERVAL", pick("backoff-interval", "BACKOFF_INTERVAL"), 0),
    redis: pick("redis", "REDIS_URL"),
    namespace: pick("namespace", "RESQUE_NAMESPACE"),
    pidfile: pick("pidfile", "PIDFILE"),
    heartbeatInterval: number("RESQUE_HEARTBEAT_INTERVAL", env["RESQUE_HEARTBEAT_INTERVAL"], 1),
    pool,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(settings, { [key]: value });
  return settings;
}
