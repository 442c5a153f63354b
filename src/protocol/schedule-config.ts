/**
 * One recurring schedule's config as resque-scheduler stores it (`persistent_schedules` values, schedule
 * file entries): `class`, `cron` or `every`, `queue`, `args`, `description`, `custom_job_class`,
 * `rails_env`/`env`, `parameters`, plus our `catch_up`. Read leniently where Ruby is lenient, and
 * refused with a message naming the problem wherever a Ruby scheduler loading it would crash.
 */
import { canonicalJson, decodeJson } from "./json-decode.ts";
import { rawMembers } from "./json-members.ts";
import { RubyFloat, type JsonValue } from "./json.ts";
import { parseTiming, type Timing } from "./schedule-timing.ts";

/** What to do, on becoming leader, about ticks missed while no scheduler led (not in Ruby, which loses them). */
export type CatchUp = "off" | "once" | "all";

export interface ScheduleEntry {
  name: string;
  /** The config's JSON text as stored, key order and float forms kept. */
  json: string;
  config: { [key: string]: JsonValue | undefined };
  className: string;
  queue?: string;
  customJobClass?: string;
  description?: string;
  /** cron wins over every, as in Ruby; undefined: listed, and run only by "run now". */
  timing?: Timing;
  /** `rails_env` / `env`: the entry loads only in a scheduler whose env is one of these. */
  envs?: string[];
  catchUp?: CatchUp;
  /** The job's args as Ruby passes them (a hash or scalar wrapped in a list, nil as none), as JSON text. */
  paramsJson: string;
}

const CATCH_UP: Record<string, CatchUp> = { true: "once", false: "off", once: "once", all: "all", off: "off" };

const present = (v: JsonValue | undefined): boolean =>
  v !== undefined && v !== null && !(typeof v === "string" && v === "") && !(Array.isArray(v) && v.length === 0);

function optionalString(config: ScheduleEntry["config"], key: string): string | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Error(`${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** The job's args, from the config's raw `args` text: Ruby's `args.is_a?(Hash) ? [args] : Array(args)`. */
export function paramsJsonOf(json: string): string {
  const raw = rawMembers(json).get("args");
  const args = raw === undefined ? "null" : canonicalJson(raw);
  // `args || nil`: a false args is no args, as nil is.
  if (args === "null" || args === "false") return "[]";
  return args.startsWith("[") ? args : `[${args}]`;
}

/**
 * Read one stored config (JSON text) as a scheduler would load it at `now` (ms, for first_in / first_at).
 * Throws an Error whose message says what is wrong; the caller names the schedule.
 */
export function readScheduleConfig(name: string, json: string, now: number): ScheduleEntry {
  const value = decodeJson(json);
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error(`the config must be a map of settings, got ${json}`);
  const config = value as ScheduleEntry["config"];
  const className = optionalString(config, "class");
  if (!className) throw new Error(`it has no class: say which job to run with class: "SomeJob"`);
  const queue = optionalString(config, "queue") || undefined;
  const customJobClass = optionalString(config, "custom_job_class");
  const description = optionalString(config, "description");
  // Ruby splits these with /[\s,]+/; any other type makes its scheduler raise.
  const envText = optionalString(config, "rails_env") ?? optionalString(config, "env");
  const catchUpValue = config["catch_up"];
  const catchUp = catchUpValue === undefined || catchUpValue === null ? undefined : CATCH_UP[String(catchUpValue)];
  if (
    catchUpValue !== undefined &&
    catchUpValue !== null &&
    (!catchUp || (typeof catchUpValue !== "boolean" && typeof catchUpValue !== "string"))
  ) {
    throw new Error(`catch_up must be true, false, "once", "all" or "off", got ${JSON.stringify(catchUpValue)}`);
  }
  let timing: Timing | undefined;
  for (const kind of ["cron", "every"] as const) {
    const v = config[kind];
    if (!present(v)) continue;
    // Ruby calls .empty? on it: a number or boolean here crashes its scheduler.
    if (typeof v !== "string" && !Array.isArray(v))
      throw new Error(
        `${kind} must be a string or [${kind === "cron" ? '"0 5 * * *"' : '"30s"'}, { first_in: "10s" }], got ${JSON.stringify(v)}`,
      );
    timing = parseTiming(kind, v, now);
    break;
  }
  return {
    name,
    json,
    config,
    className,
    ...(queue && { queue }),
    ...(customJobClass && { customJobClass }),
    ...(description !== undefined && { description }),
    ...(timing && { timing }),
    ...(envText !== undefined && { envs: envText.split(/[\s,]+/).filter(Boolean) }),
    ...(catchUp && { catchUp }),
    paramsJson: paramsJsonOf(json),
  };
}

/** Ruby's env_matches?: no envs listed loads everywhere; otherwise the scheduler's env must be one of them. */
export const envMatches = (entry: ScheduleEntry, env: string | undefined): boolean =>
  entry.envs === undefined || (env !== undefined && entry.envs.includes(env));

/** Where a value is not plain JSON (Dates, functions, NaN...), so nothing we store can fail to decode. */
export function jsonProblem(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "bigint" || value instanceof RubyFloat)
    return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot hold`;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const problem = jsonProblem(v, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const problem = v === undefined ? `${path}.${k} is undefined` : jsonProblem(v, `${path}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  }
  const kind = typeof value === "object" ? ((value as object).constructor?.name ?? "object") : typeof value;
  return `${path} is a ${kind}; only JSON values (strings, numbers, true/false, null, lists, maps) can be stored`;
}
