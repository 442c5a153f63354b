/**
 * Rails' ActiveJob on Resque: the JobWrapper payload resque 3.0's adapter writes
 * (`Resque.enqueue_to queue, JobWrapper, job.serialize`), read into the job to run, and written
 * byte for byte as ActiveJob 7.2's `serialize` does.
 */
import { deserializeArguments, isoTime9, parseIsoTime, serializeArguments, ActiveJobDeserializationError } from "./active-job-args.ts";
import { encodePayload } from "./payload.ts";
import type { JsonValue } from "./json.ts";

/** The class every ActiveJob payload on Resque names; the job's own class is in its job_data. */
export const JOB_WRAPPER = "ActiveJob::QueueAdapters::ResqueAdapter::JobWrapper";

/** A run's ActiveJob metadata (`this.activeJob` in perform): job_data's fields, camelCased. */
export interface ActiveJobMeta {
  jobClass: string;
  jobId: string;
  providerJobId: string | null;
  queueName: string;
  priority: number | null;
  executions: number;
  exceptionExecutions: Record<string, number>;
  locale: string | null;
  timezone: string | null;
  /** When Rails enqueued it (milliseconds kept; `enqueuedAtText` has every digit). */
  enqueuedAt: Date | null;
  enqueuedAtText: string | null;
  /** When a delayed job was due (set(wait:) / set(wait_until:)), else null. */
  scheduledAt: Date | null;
  /** The job_data as decoded, for fields a later Rails adds. */
  data: Readonly<Record<string, JsonValue | undefined>>;
}

/** A wrapper payload's job: the class to run, its arguments as perform receives them, and the metadata. */
export interface ActiveJobRun {
  jobClass: string;
  args: unknown[];
  meta: ActiveJobMeta;
}

/** Read a JobWrapper payload's single argument (ActiveJob's job_data). */
export function decodeActiveJob(args: readonly JsonValue[]): ActiveJobRun {
  const data = args[0];
  if (args.length !== 1 || data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ActiveJobDeserializationError(
      `${JOB_WRAPPER} wants one argument, ActiveJob's job data object; got ${args.length} argument(s)`,
    );
  }
  const d = data as Record<string, JsonValue | undefined>;
  const jobClass = d["job_class"];
  if (typeof jobClass !== "string" || jobClass === "") throw new ActiveJobDeserializationError("ActiveJob job data has no job_class");
  const rawArgs = d["arguments"] ?? [];
  if (!Array.isArray(rawArgs)) throw new ActiveJobDeserializationError("ActiveJob job data's arguments is not an array");
  const str = (key: string) => (typeof d[key] === "string" ? (d[key] as string) : null);
  const time = (key: string) => (str(key) === null ? null : parseIsoTime(str(key)!));
  const exceptionExecutions = d["exception_executions"];
  return {
    jobClass,
    args: deserializeArguments(rawArgs),
    meta: {
      jobClass,
      jobId: str("job_id") ?? "",
      providerJobId: str("provider_job_id"),
      queueName: str("queue_name") ?? "",
      priority: typeof d["priority"] === "number" ? d["priority"] : null,
      executions: typeof d["executions"] === "number" ? d["executions"] : 0,
      exceptionExecutions:
        exceptionExecutions && typeof exceptionExecutions === "object" && !Array.isArray(exceptionExecutions)
          ? (exceptionExecutions as Record<string, number>)
          : {},
      locale: str("locale"),
      timezone: str("timezone"),
      enqueuedAt: time("enqueued_at"),
      enqueuedAtText: str("enqueued_at"),
      scheduledAt: time("scheduled_at"),
      data: Object.freeze({ ...d }),
    },
  };
}

/** What a Rails app's `perform_later` would set; the client fills jobId and the clock. */
export interface ActiveJobFields {
  jobId: string;
  queue: string;
  priority?: number | null;
  locale?: string;
  timezone?: string | null;
  /** ISO 8601 with 9 fractional digits, UTC: ActiveJob's enqueued_at. */
  enqueuedAt: string;
  scheduledAt?: Date | null;
  /** Every plain object is sent with Symbol keys (else only those wrapped in symbolKeys()). */
  symbolKeys?: boolean;
}

/** ActiveJob::Core#serialize, keys in its order. */
export function activeJobData(jobClass: string, args: readonly unknown[], f: ActiveJobFields): Record<string, JsonValue> {
  return {
    job_class: jobClass,
    job_id: f.jobId,
    provider_job_id: null,
    queue_name: f.queue,
    priority: f.priority ?? null,
    arguments: serializeArguments(args, { symbolKeys: f.symbolKeys === true }),
    executions: 0,
    exception_executions: {},
    locale: f.locale ?? "en",
    timezone: f.timezone === undefined ? "UTC" : f.timezone,
    enqueued_at: f.enqueuedAt,
    scheduled_at: f.scheduledAt ? isoTime9(f.scheduledAt) : null,
  };
}

/** The whole payload `perform_later` pushes through resque's adapter. */
export const encodeActiveJob = (jobClass: string, args: readonly unknown[], f: ActiveJobFields): string =>
  encodePayload(JOB_WRAPPER, [activeJobData(jobClass, args, f)]);

/** Time.now.utc.iso8601(9) from epoch milliseconds with a fraction (performance.timeOrigin + now()): microseconds kept, nanoseconds zero. */
export function isoNow9(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const micros = Math.min(999, Math.max(0, Math.round((epochMs - wholeMs) * 1000)));
  return `${new Date(wholeMs).toISOString().slice(0, 23)}${String(micros).padStart(3, "0")}000Z`;
}
