/**
 * Enqueue for Rails: the JobWrapper payload `perform_later` pushes through resque's ActiveJob
 * adapter, now (Resque.enqueue_to) or delayed (set(wait:) / set(wait_until:), which Rails sends
 * through resque-scheduler's enqueue_at_with_queue when that gem is loaded).
 */
import type { Job } from "../jobs/define.ts";
import { encodeActiveJob, activeJobData, isoNow9, JOB_WRAPPER } from "../protocol/active-job.ts";
import { isDue } from "../protocol/delayed.ts";
import type { Db } from "../store/connection.ts";
import { pushPayloads } from "../store/queues.ts";
import { enqueueAt } from "./delayed.ts";

export interface ActiveJobOptions {
  /** The queue (queue_as); default: the job's own `queue` when given a defineJob, else Rails' "default". */
  queue?: string;
  /** ActiveJob's priority (Resque ignores it; it is carried in job_data). */
  priority?: number;
  /** set(wait:): seconds from now, through the delayed queue. */
  wait?: number;
  /** set(wait_until:): a Date or Unix seconds, through the delayed queue. */
  waitUntil?: Date | number;
  /** Send every plain object as a Hash with Symbol keys (per object: symbolKeys()). */
  symbolKeys?: boolean;
  locale?: string;
  /** job_data's timezone (Rails writes Time.zone's name); default "UTC". */
  timezone?: string | null;
  /** Use this job_id instead of a new UUID. */
  jobId?: string;
}

/** What was enqueued: the job_id Rails will see, where, and (delayed) when. */
export interface EnqueuedActiveJob {
  jobId: string;
  queue: string;
  /** The exact payload bytes pushed or stored. */
  payload: string;
  /** For a delayed job: when it is due (null when it ran now). */
  scheduledAt: Date | null;
  /** true when stored in the delayed queue, false when pushed to the queue now. */
  delayed: boolean;
}

/** enqueueActiveJob: what a Rails app's `JobClass.set(queue:, wait:).perform_later(*args)` writes. */
export async function enqueueActiveJob(
  db: Db,
  job: Job | string,
  args: readonly unknown[],
  options: ActiveJobOptions = {},
  nowMs = performance.timeOrigin + performance.now(),
): Promise<EnqueuedActiveJob> {
  const jobClass = typeof job === "string" ? job : job.className;
  const queue = options.queue ?? (typeof job === "string" ? undefined : job.queue) ?? "default";
  const scheduledAt = dueAt(options, nowMs);
  const fields = {
    jobId: options.jobId ?? globalThis.crypto.randomUUID(),
    queue,
    priority: options.priority ?? null,
    ...(options.locale !== undefined && { locale: options.locale }),
    ...(options.timezone !== undefined && { timezone: options.timezone }),
    enqueuedAt: isoNow9(nowMs),
    scheduledAt,
    symbolKeys: options.symbolKeys === true,
  };
  const payload = encodeActiveJob(jobClass, args, fields);
  if (!scheduledAt) {
    await pushPayloads(db, queue, [payload]);
    return { jobId: fields.jobId, queue, payload, scheduledAt: null, delayed: false };
  }
  // Rails passes scheduled_at.to_f; resque-scheduler stores the whole second and enqueues at once when it is not ahead.
  const ts = Math.floor(scheduledAt.getTime() / 1000);
  await enqueueAt(db, ts, JOB_WRAPPER, [activeJobData(jobClass, args, fields)], queue, undefined, nowMs);
  return { jobId: fields.jobId, queue, payload, scheduledAt, delayed: !isDue(ts, nowMs) };
}

function dueAt(options: ActiveJobOptions, nowMs: number): Date | null {
  if (options.wait !== undefined && options.waitUntil !== undefined)
    throw new TypeError("enqueueActiveJob: give wait or waitUntil, not both");
  if (options.wait !== undefined) {
    if (!Number.isFinite(options.wait)) throw new TypeError(`enqueueActiveJob: wait must be a number of seconds, got ${options.wait}`);
    return new Date(nowMs + options.wait * 1000);
  }
  if (options.waitUntil === undefined) return null;
  const date = typeof options.waitUntil === "number" ? new Date(options.waitUntil * 1000) : options.waitUntil;
  if (Number.isNaN(date.getTime())) throw new TypeError("enqueueActiveJob: waitUntil is not a valid time");
  return date;
}
