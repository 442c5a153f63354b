/**
 * The schedules the leading scheduler runs from its --schedule file, as it published them
 * (`resque-ts:file-schedules`), and "run now" for one of them. A Ruby scheduler publishes nothing:
 * its file schedules live in its memory only.
 */
import { ResqueError } from "../errors.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import { readScheduleConfig } from "../protocol/schedule-config.ts";
import { parseFileSchedules, type FileSchedules } from "../protocol/scheduler-record.ts";
import type { Db } from "../store/connection.ts";
import { readFileSchedules } from "../store/scheduler-records.ts";
import { runSchedule, type ScheduleRun } from "./schedule-enqueue.ts";

/** What the leader published; `unreadable` when the key holds something else. */
export type PublishedFileSchedules = { state: "none" } | { state: "unreadable"; raw: string } | ({ state: "published" } & FileSchedules);

export async function fileSchedules(db: Db): Promise<PublishedFileSchedules> {
  const text = await readFileSchedules(db);
  if (text === null) return { state: "none" };
  const parsed = parseFileSchedules(text);
  return parsed ? { state: "published", ...parsed } : { state: "unreadable", raw: text.slice(0, 200) };
}

/** One run of a published file schedule now (resque-web's "Queue now"), with last_enqueued_at written. */
export async function runFileScheduleNow(db: Db, registry: JobRegistry | undefined, name: string, now: number): Promise<ScheduleRun> {
  const published = await fileSchedules(db);
  const entry = published.state === "published" ? published.schedules.find((s) => s.name === name) : undefined;
  if (!entry) throw new ResqueError("BAD_CONFIG", `No file schedule named "${name}" is published by the leading scheduler.`);
  return runSchedule(db, registry, readScheduleConfig(name, entry.config, now), now);
}
