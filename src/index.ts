export { Resque, type ResqueOptions, type QueuedJob } from "./client/resque.ts";
export { ShardedResque, type ShardedResqueOptions } from "./client/sharded.ts";
export { shardNamespaces, shardOf } from "./store/shards.ts";
export type { Durability } from "./client/durable.ts";
export { FailedJobs, type FailureRecord } from "./client/failed.ts";
export type { ResqueInfo, RunningJobStatus, WorkerStatus } from "./client/status.ts";
export type { ClassMetrics, ClassTotals, MinuteCounts } from "./client/class-metrics.ts";
export type { HistoryPoint, HistoryRange, Sample } from "./client/history.ts";
export type { QueueLatency } from "./client/latency.ts";
export type { KillRequest } from "./client/kill-job.ts";
export type { OrphanWorker, ProcessTree, TreeHost, TreeMaster, TreeWorker } from "./client/process-tree.ts";
export type { RunningRecord } from "./protocol/process-record.ts";
export type { DelayedPredicate, ScheduledItem } from "./client/delayed.ts";
export type { DelayTime, DelayedItem } from "./protocol/delayed.ts";
export type { SchedulerStatus } from "./client/scheduler-status.ts";
export { Scheduler, type SchedulerOptions } from "./scheduler/scheduler.ts";
export type { ScheduleConfig } from "./client/schedules.ts";
export type { ScheduleRun } from "./client/schedule-enqueue.ts";
export type { CatchUp } from "./protocol/schedule-config.ts";
export { parseScheduleFile, type StaticSchedule } from "./scheduler/schedule-file.ts";
export { defineJob, DontPerform, type Job, type JobSpec } from "./jobs/define.ts";
export type { RetryOptions, ErrorMatcher, ErrorClassMatcher, ErrorPredicate } from "./jobs/retry.ts";
export { defineWorkerHooks, type WorkerHooks } from "./jobs/worker-hooks.ts";
export { JobRegistry } from "./jobs/registry.ts";
export { Worker, type WorkerOptions } from "./worker/worker.ts";
export type { Logger, SchedulerLogger } from "./log.ts";
export { openDb, type Db } from "./store/connection.ts";
export { ResqueError, type ResqueErrorCode } from "./errors.ts";
export { float, RubyFloat, type JsonValue } from "./protocol/json.ts";
export type { ActiveJobOptions, EnqueuedActiveJob } from "./client/active-job.ts";
export { JOB_WRAPPER, decodeActiveJob, encodeActiveJob, type ActiveJobMeta } from "./protocol/active-job.ts";
export {
  deserializeArguments,
  serializeArguments,
  ActiveJobDeserializationError,
  ActiveJobSerializationError,
} from "./protocol/active-job-args.ts";
export {
  BigDecimal,
  CalendarDate,
  Duration,
  GlobalID,
  Range,
  RubyModule,
  RubySymbol,
  keywords,
  symbolKeys,
} from "./protocol/active-job-values.ts";
export { currentRuntime } from "./runtime/detect.ts";
