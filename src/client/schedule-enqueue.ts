/**
 * resque-scheduler's enqueue_from_config for a recurring schedule, then the `delayed:last_enqueued_at`
 * bookkeeping: what a leader does on each tick and what resque-web's "Queue now" does.
 */
import type { JsonValue } from "../protocol/json.ts";
import { decodeJson } from "../protocol/json-decode.ts";
import type { ScheduleEntry } from "../protocol/schedule-config.ts";
import { lastEnqueuedAt } from "../protocol/time.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import type { Db } from "../store/connection.ts";
import { pushPayloads } from "../store/queues.ts";
import { setLastEnqueuedAt } from "../store/schedules.ts";
import { promote } from "./delayed.ts";
import { inferQueue } from "./enqueue.ts";

/** Where one run went, and whether it was pushed (a beforeSchedule or beforeEnqueue hook may say no). */
export interface ScheduleRun {
  queue: string;
  className: string;
  pushed: boolean;
}

/**
 * enqueue_from_config: args as Ruby passes them; queue = the schedule's, else the registered job's.
 * A registered job gets the promotion hooks (beforeSchedule ... afterSchedule); an unknown class is
 * pushed as is, with no hooks (Ruby's Resque::Job.create fallback). A `custom_job_class` other than
 * Resque::Job is what gets pushed, with the same args: Ruby calls its `scheduled` method when the
 * class is loaded there, which a TypeScript job does not have.
 */
export async function enqueueFromConfig(db: Db, registry: JobRegistry | undefined, entry: ScheduleEntry): Promise<ScheduleRun> {
  const job = registry?.get(entry.className);
  const queue = inferQueue({ className: entry.className, job }, entry.queue);
  const custom = entry.customJobClass;
  if (custom && custom !== "Resque::Job") {
    await pushPayloads(db, queue, [payload(custom, entry.paramsJson)]);
    return { queue, className: custom, pushed: true };
  }
  if (!job) {
    await pushPayloads(db, queue, [payload(entry.className, entry.paramsJson)]);
    return { queue, className: entry.className, pushed: true };
  }
  const args = decodeJson(entry.paramsJson) as JsonValue[];
  // The payload keeps the config's float forms (2.0 stays 2.0), as Ruby's decode-then-encode does.
  const pushed = await promote(db, job, args, queue, payload(job.className, entry.paramsJson));
  return { queue, className: job.className, pushed };
}

const payload = (className: string, paramsJson: string): string => `{"class":${JSON.stringify(className)},"args":${paramsJson}}`;

/**
 * One run of a schedule as Ruby's tick does it: enqueue, then `HSET delayed:last_enqueued_at` even when
 * the enqueue failed (whose error is then thrown). `now` in ms.
 */
export async function runSchedule(db: Db, registry: JobRegistry | undefined, entry: ScheduleEntry, now: number): Promise<ScheduleRun> {
  try {
    return await enqueueFromConfig(db, registry, entry);
  } finally {
    await setLastEnqueuedAt(db, entry.name, lastEnqueuedAt(new Date(now)));
  }
}
