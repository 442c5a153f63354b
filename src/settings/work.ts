/** `resque work`'s settings: the master's and its worker processes' (stock's variable names where stock has them). */
import { CONNECTION_SETTINGS } from "./connection.ts";
import { settings } from "./setting.ts";

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

/**
 * WATCHDOG_TIMEOUT when unset. A job that computes without awaiting blocks its whole process for
 * that long; 10 s tolerates heavy synchronous steps and still stops a stuck loop within seconds.
 */
export const DEFAULT_WATCHDOG_TIMEOUT = 10;

const both = ["master", "worker"] as const;

/** In the order `resque work --help` lists them (the connection rows are the same objects as every command's). */
export const WORK_SETTINGS = settings({
  tlsCa: CONNECTION_SETTINGS.tlsCa,
  tlsCert: CONNECTION_SETTINGS.tlsCert,
  tlsKey: CONNECTION_SETTINGS.tlsKey,
  redisTimeout: CONNECTION_SETTINGS.redisTimeout,
  queues: {
    env: ["QUEUES", "QUEUE"],
    flag: "queue",
    kind: "string",
    valueHint: "QUEUES",
    required: true,
    help: "Queues in priority order, globs and !exclusions allowed (QUEUE / QUEUES)",
    roles: both,
  },
  require: {
    env: ["RESQUE_REQUIRE"],
    flag: "require",
    kind: "list",
    valueHint: "FILES",
    help: "Job modules to load, comma-separated (RESQUE_REQUIRE)",
    helpIn: { scheduler: "Job modules whose queues and promotion hooks apply, comma-separated (RESQUE_REQUIRE)" },
    roles: ["master", "worker", "scheduler"],
  },
  workerCount: {
    env: ["WORKER_COUNT", "COUNT"],
    flag: "workers",
    kind: "integer",
    min: 1,
    default: 1,
    valueHint: "N",
    help: "Worker processes the master keeps running (WORKER_COUNT / COUNT, default 1)",
    roles: ["master"],
  },
  threads: {
    env: ["THREAD_COUNT"],
    flag: "threads",
    kind: "integer",
    min: 1,
    default: 1,
    valueHint: "N",
    help: "Jobs in flight at once per process (THREAD_COUNT, default 1)",
    roles: both,
  },
  maxWorkerRss: {
    env: ["MAX_WORKER_RSS"],
    flag: "max-worker-rss",
    kind: "number",
    min: 0,
    default: DEFAULT_MAX_WORKER_RSS,
    valueHint: "MIB",
    help: "Resident memory (MiB) past which a worker process finishes its jobs and is replaced; 0 = never (MAX_WORKER_RSS, default 1024)",
    roles: ["worker"],
  },
  jobsPerFork: {
    env: ["JOBS_PER_FORK"],
    flag: "jobs-per-fork",
    kind: "integer",
    min: 1,
    default: DEFAULT_JOBS_PER_FORK,
    valueHint: "N",
    help: "Jobs a worker process takes before it is replaced (JOBS_PER_FORK, default 1000000; memory is bounded by MAX_WORKER_RSS)",
    roles: ["worker"],
  },
  interval: {
    env: ["INTERVAL"],
    flag: "interval",
    kind: "number",
    min: 0,
    default: 5,
    valueHint: "SECONDS",
    help: "Idle poll in seconds; 0 exits when the queues are empty (INTERVAL, default 5)",
    roles: ["worker"],
  },
  minInterval: {
    env: ["MIN_INTERVAL"],
    flag: "min-interval",
    kind: "number",
    min: 0,
    defaultText: "INTERVAL",
    valueHint: "SECONDS",
    help: "First idle sleep, and the sleep after a job (MIN_INTERVAL, default INTERVAL)",
    roles: ["worker"],
  },
  maxInterval: {
    env: ["MAX_INTERVAL"],
    flag: "max-interval",
    kind: "number",
    min: 0,
    defaultText: "INTERVAL",
    valueHint: "SECONDS",
    help: "Longest idle sleep (MAX_INTERVAL, default INTERVAL)",
    roles: ["worker"],
  },
  backoffInterval: {
    env: ["BACKOFF_INTERVAL"],
    flag: "backoff-interval",
    kind: "number",
    min: 0,
    default: 0.1,
    valueHint: "SECONDS",
    help: "Added to the idle sleep after each empty poll, up to MAX_INTERVAL (BACKOFF_INTERVAL, default 0.1)",
    roles: ["worker"],
  },
  redis: CONNECTION_SETTINGS.redis,
  namespace: CONNECTION_SETTINGS.namespace,
  pidfile: {
    env: ["PIDFILE"],
    flag: "pidfile",
    kind: "string",
    valueHint: "FILE",
    help: "Write the master's pid to this file (PIDFILE)",
    roles: ["master"],
  },
  background: {
    env: ["BACKGROUND"],
    flag: "background",
    kind: "set",
    help: "Detach and run in the background (BACKGROUND)",
    roles: ["master"],
  },
  proclinePrefix: {
    env: ["RESQUE_PROCLINE_PREFIX"],
    flag: "procline-prefix",
    kind: "string",
    default: "",
    valueHint: "TEXT",
    help: "Prepended to every process title (RESQUE_PROCLINE_PREFIX)",
    roles: both,
  },
  termChild: {
    env: ["TERM_CHILD"],
    flag: "term-child",
    kind: "set",
    help: "TERM/INT ask worker processes to finish first, KILL after --term-timeout (TERM_CHILD)",
    roles: ["master"],
  },
  termTimeout: {
    env: ["RESQUE_TERM_TIMEOUT"],
    flag: "term-timeout",
    kind: "number",
    min: 0,
    default: 4,
    valueHint: "SECONDS",
    help: "Seconds between asking and killing with --term-child (RESQUE_TERM_TIMEOUT, default 4)",
    roles: ["master"],
  },
  preShutdownTimeout: {
    env: ["RESQUE_PRE_SHUTDOWN_TIMEOUT"],
    flag: "pre-shutdown-timeout",
    kind: "number",
    min: 0,
    default: 0,
    valueHint: "SECONDS",
    help: "Seconds to wait before asking, with --term-child (RESQUE_PRE_SHUTDOWN_TIMEOUT, default 0)",
    roles: ["master"],
  },
  gracefulTerm: {
    env: ["GRACEFUL_TERM"],
    flag: "graceful-term",
    kind: "set",
    help: "TERM behaves like QUIT (GRACEFUL_TERM)",
    roles: ["master"],
  },
  fetch: {
    env: ["FETCH"],
    flag: "fetch",
    kind: "choice",
    choices: ["reliable", "at-most-once"],
    default: "reliable",
    valueHint: "MODE",
    help: "reliable: a dead process's jobs go back to their queues; at-most-once: stock's, they fail (FETCH, default reliable)",
    roles: both,
  },
  recoveryLimit: {
    env: ["RECOVERY_LIMIT"],
    flag: "recovery-limit",
    kind: "integer",
    min: 1,
    default: 3,
    valueHint: "N",
    help: "Process deaths with a job running before it fails as poison (RECOVERY_LIMIT, default 3)",
    roles: both,
  },
  jobTimeout: {
    env: ["JOB_TIMEOUT"],
    flag: "job-timeout",
    kind: "number",
    min: 0,
    default: 0,
    defaultText: "none",
    valueHint: "SECONDS",
    help: "Seconds a job may run unless its definition sets `timeout`; past it the job fails as Resque::JobTimeout (JOB_TIMEOUT, default none)",
    roles: ["worker"],
  },
  watchdogTimeout: {
    env: ["WATCHDOG_TIMEOUT"],
    flag: "watchdog-timeout",
    kind: "number",
    min: 0,
    default: DEFAULT_WATCHDOG_TIMEOUT,
    valueHint: "SECONDS",
    help: "Seconds a worker process's event loop may stay blocked before the master kills it; 0 = off (WATCHDOG_TIMEOUT, default 10)",
    roles: ["master"],
  },
  pool: {
    env: ["RESQUE_POOL_CONFIG"],
    flag: "pool",
    kind: "string",
    valueHint: "FILE",
    help: "Run the worker groups of a resque-pool file (RESQUE_POOL_CONFIG); HUP reloads it",
    roles: ["master"],
  },
  scheduler: {
    env: ["RESQUE_SCHEDULER"],
    flag: "scheduler",
    kind: "set",
    help: "Also run the scheduler (delayed jobs, schedules; `resque scheduler`'s settings by env) under this master (RESQUE_SCHEDULER)",
    roles: ["master"],
  },
  schedule: {
    env: ["RESQUE_SCHEDULE"],
    flag: "schedule",
    kind: "string",
    valueHint: "FILE",
    help: "Recurring schedules, resque-scheduler's YAML or JSON format (RESQUE_SCHEDULE)",
    helpIn: { work: "With --scheduler: recurring schedules, resque-scheduler's YAML or JSON format (RESQUE_SCHEDULE)" },
    roles: ["master", "scheduler"],
  },
  dontFork: {
    env: ["DONT_FORK"],
    flag: "fork",
    kind: "set",
    defaultText: "off",
    help: "Use worker processes",
    negated: "One inline worker, no master (DONT_FORK)",
    roles: ["master"],
  },
  verbose: {
    env: ["VERBOSE", "LOGGING"],
    flag: null,
    kind: "set",
    defaultText: "quiet",
    help: "Log worker events (VERBOSE / LOGGING)",
    roles: both,
  },
  veryVerbose: {
    env: ["VVERBOSE"],
    flag: null,
    kind: "set",
    defaultText: "quiet",
    help: "Log worker events and debug lines (VVERBOSE)",
    roles: both,
  },
  heartbeatInterval: {
    env: ["RESQUE_HEARTBEAT_INTERVAL"],
    flag: null,
    kind: "number",
    min: 1,
    default: 60,
    help: "Seconds between heartbeats and prunes, stock's Resque.heartbeat_interval (RESQUE_HEARTBEAT_INTERVAL, default 60)",
    roles: ["worker"],
  },
});
