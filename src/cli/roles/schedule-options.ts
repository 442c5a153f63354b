/** The recurring-schedule settings of `resque scheduler`: the schedule file, catch-up, DYNAMIC_SCHEDULE. */
import { readFileSync } from "node:fs";
import { ResqueError } from "../../errors.ts";
import type { CatchUp } from "../../protocol/schedule-config.ts";
import { parseScheduleFile, type StaticSchedule } from "../../scheduler/schedule-file.ts";
import { UsageError } from "../kit/context.ts";

/** Read and check the schedule file; a bad one is a SCHEDULE_FILE ResqueError (exit 2) listing every bad entry. */
export function scheduleFrom(path: string | undefined, now: number): StaticSchedule | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ResqueError(
      "SCHEDULE_FILE",
      `Cannot read the schedule file ${path} (${(error as Error).message}); pass --schedule FILE or RESQUE_SCHEDULE.`,
    );
  }
  try {
    return parseScheduleFile(text, path, now);
  } catch (error) {
    throw new ResqueError("SCHEDULE_FILE", (error as Error).message, { cause: error });
  }
}

export function catchUpOf(value: string | undefined): CatchUp | undefined {
  if (value === undefined) return undefined;
  if (value === "off" || value === "once" || value === "all") return value;
  throw new UsageError(`--catch-up / RESQUE_SCHEDULE_CATCH_UP must be off, once or all, got "${value}".`);
}

/** Ruby's config reader for DYNAMIC_SCHEDULE (1/t/true/on/yes), not the rake path's "any value is true". */
export const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|t|true|on|yes|y)$/i.test(value.trim());
