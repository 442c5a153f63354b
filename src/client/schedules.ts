/**
 * resque-scheduler's dynamic schedules on the client side (Resque.set_schedule, remove_schedule,
 * fetch_schedule, schedule), stored exactly as Ruby stores them, and validated first so that nothing
 * we write can stop a Ruby scheduler that loads it.
 */
import { ResqueError } from "../errors.ts";
import { decodeJson } from "../protocol/json-decode.ts";
import { encodeJson, type JsonValue } from "../protocol/json.ts";
import { jsonProblem, readScheduleConfig, type ScheduleEntry } from "../protocol/schedule-config.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import type { Db } from "../store/connection.ts";
import { TOO_LARGE, viewHash } from "../store/views.ts";
import { nestsDeeper } from "../protocol/json-depth.ts";
import * as store from "../store/schedules.ts";
import { runSchedule, type ScheduleRun } from "./schedule-enqueue.ts";

/** A schedule's settings, with resque-scheduler's key names. Key order is kept in what is stored. */
export interface ScheduleConfig {
  class?: string;
  /** A cron line (5 fields, or 6 with seconds first, then an optional zone), or [line, { first_in | first_at }]. */
  cron?: string | [string, Record<string, unknown>];
  /** A duration ("30s", "5m", "1h", "1d"), or [duration, { first_in | first_at }]. */
  every?: string | [string, Record<string, unknown>];
  queue?: string;
  args?: unknown;
  description?: string;
  custom_job_class?: string;
  rails_env?: string;
  env?: string;
  /** Store it in Redis (persistent_schedules), where every scheduler sees it; otherwise it lives in this object only. */
  persist?: boolean;
  /** Not in Ruby: run ticks missed while no scheduler led, on becoming leader. */
  catch_up?: boolean | "once" | "all" | "off";
  [key: string]: unknown;
}

/** The schedules set without `persist`: Ruby keeps them in the process's memory, and so do we (per Resque object). */
export type LocalSchedules = Map<string, string>;

const bad = (name: string, problem: string): ResqueError => new ResqueError("BAD_CONFIG", `Schedule "${name}": ${problem}.`);

/** Check a config and encode it as Ruby would store it (without `persist`); throws a BAD_CONFIG ResqueError naming the problem. */
function prepareSchedule(
  name: string,
  config: ScheduleConfig,
  registry: JobRegistry | undefined,
  now: number,
): { json: string; persist: boolean; entry: ScheduleEntry } {
  if (typeof name !== "string" || name === "") throw new ResqueError("BAD_CONFIG", "A schedule needs a name (a non-empty string).");
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw bad(name, "the config must be an object of settings");
  const { persist, ...rest } = config;
  const problem = jsonProblem(rest, "config");
  if (problem) throw bad(name, problem);
  const json = encodeJson(rest);
  let entry: ScheduleEntry;
  try {
    entry = readScheduleConfig(name, json, now);
  } catch (error) {
    throw bad(name, (error as Error).message);
  }
  if (!entry.queue && !registry?.get(entry.className)?.queue) {
    throw bad(
      name,
      `say which queue it goes to (queue: "..."): ${entry.className} is not a registered job with a queue here, and resque-web's Schedule page fails on a schedule whose class it cannot load unless the schedule names its queue`,
    );
  }
  return { json, persist: Boolean(persist), entry };
}

/** set_schedule: persisted (HSET + SADD schedules_changed) or kept locally (SADD only), as Ruby does. */
export async function setSchedule(
  db: Db,
  local: LocalSchedules,
  registry: JobRegistry | undefined,
  name: string,
  config: ScheduleConfig,
  now: number,
): Promise<void> {
  const { json, persist } = prepareSchedule(name, config, registry, now);
  if (persist) await store.writeSchedule(db, name, json);
  else {
    local.set(name, json);
    await store.markChanged(db, name);
  }
}

/** remove_schedule: from memory and Redis, and the leader is told; true when there was one to remove. */
export async function removeSchedule(db: Db, local: LocalSchedules, name: string): Promise<boolean> {
  const wasLocal = local.delete(name);
  return (await store.deleteSchedule(db, name)) || wasLocal;
}

/** Resque.schedule's texts: the local schedules, then the persisted ones (which win). */
async function allJson(db: Db, local: LocalSchedules): Promise<Map<string, string>> {
  return new Map([...local, ...Object.entries(await store.persistedSchedules(db))]);
}

/** Resque.schedule: every schedule this object knows, name -> config as stored. */
export async function schedules(db: Db, local: LocalSchedules): Promise<Record<string, JsonValue>> {
  // Bounded and forgiving (a view): a config that cannot be read is shown as { unreadable, raw }.
  const stored = await viewHash(db, db.keys.persistentSchedules);
  const all = new Map([...local, ...stored.fields]);
  return Object.fromEntries([...all].map(([name, json]) => [name, readableConfig(json)]));
}

/** A stored config as a view shows it; one that is not JSON, or nests too deeply, as `{ unreadable, raw }`. */
function readableConfig(json: string): JsonValue {
  let value: JsonValue;
  try {
    value = decodeJson(json);
  } catch {
    return { unreadable: json.startsWith(TOO_LARGE) ? "too large" : "not JSON", raw: json.slice(0, 200) };
  }
  return nestsDeeper(value) ? { unreadable: "nested too deeply", raw: json.slice(0, 200) } : value;
}

/** fetch_schedule: one config, or undefined. */
export async function fetchSchedule(db: Db, local: LocalSchedules, name: string): Promise<JsonValue | undefined> {
  const json = (await store.persistedSchedule(db, name)) ?? local.get(name);
  return json === undefined || json === null ? undefined : decodeJson(json);
}

/** resque-web's "Queue now": one run of a known schedule now, and its last_enqueued_at updated. */
export async function runScheduleNow(
  db: Db,
  local: LocalSchedules,
  registry: JobRegistry | undefined,
  name: string,
  now: number,
): Promise<ScheduleRun> {
  const json = (await allJson(db, local)).get(name);
  if (json === undefined)
    throw new ResqueError("BAD_CONFIG", `No schedule named "${name}"; \`resque schedule list\` shows the stored ones.`);
  let entry: ScheduleEntry;
  try {
    entry = readScheduleConfig(name, json, now);
  } catch (error) {
    throw bad(name, (error as Error).message);
  }
  return runSchedule(db, registry, entry, now);
}

/** When each schedule last ran, as Ruby wrote it (`%Y-%m-%d %H:%M:%S %z`). */
export const lastRuns = async (db: Db): Promise<Record<string, string>> =>
  Object.fromEntries((await viewHash(db, db.keys.lastEnqueuedAt)).fields);
