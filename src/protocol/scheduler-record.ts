/**
 * What a scheduler publishes under `resque-ts:` (JSON): its process record, and, while it leads, the
 * schedules of its --schedule file. Stock resque-scheduler keeps file schedules in process memory
 * only, so without this no dashboard could show what is actually running.
 */

/** `resque-ts:scheduler:<host:pid>`. */
export interface SchedulerRecord {
  role: "scheduler";
  host: string;
  pid: number;
  ppid: number;
  rss: number;
  /** Epoch ms. */
  started: number;
  /** The lock value it claims with (`host:pid` unless set). */
  lockValue: string;
  leader: boolean;
  /** Seconds between polls. */
  interval: number;
}

/** One entry of the file as the leader runs it. */
export interface PublishedSchedule {
  name: string;
  /** The config's JSON text as loaded (key order and floats kept). */
  config: string;
  /** Next fire time, epoch ms; null when it is not being fired (see `idle`). */
  next: number | null;
  /** Why the leader does not fire it (env does not match, no cron/every, unreadable); absent when it does. */
  idle?: string;
}

/** `resque-ts:file-schedules`: written by the leader each poll. */
export interface FileSchedules {
  /** The leader's lock value. */
  leader: string;
  host: string;
  pid: number;
  /** When it was written, epoch ms. */
  updated: number;
  schedules: PublishedSchedule[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function parse(text: string | null): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A scheduler record, or undefined when the text is not one (a record of another shape is skipped, never trusted). */
export function parseSchedulerRecord(text: string | null): SchedulerRecord | undefined {
  const v = parse(text);
  if (!isObject(v) || v["role"] !== "scheduler" || typeof v["host"] !== "string" || !num(v["pid"]) || !num(v["ppid"]) || !num(v["started"]))
    return undefined;
  return {
    role: "scheduler",
    host: v["host"],
    pid: v["pid"],
    ppid: v["ppid"],
    rss: num(v["rss"]) ? v["rss"] : 0,
    started: v["started"],
    lockValue: String(v["lockValue"] ?? ""),
    leader: v["leader"] === true,
    interval: num(v["interval"]) ? v["interval"] : 0,
  };
}

/** The published file schedules, or undefined when the text is not that; entries of another shape are dropped. */
export function parseFileSchedules(text: string | null): FileSchedules | undefined {
  const v = parse(text);
  if (!isObject(v) || typeof v["leader"] !== "string" || !Array.isArray(v["schedules"])) return undefined;
  const schedules = v["schedules"].flatMap((s): PublishedSchedule[] =>
    isObject(s) && typeof s["name"] === "string" && typeof s["config"] === "string"
      ? [
          {
            name: s["name"],
            config: s["config"],
            next: num(s["next"]) ? s["next"] : null,
            ...(typeof s["idle"] === "string" && { idle: s["idle"] }),
          },
        ]
      : [],
  );
  return {
    leader: v["leader"],
    host: String(v["host"] ?? ""),
    pid: num(v["pid"]) ? v["pid"] : 0,
    updated: num(v["updated"]) ? v["updated"] : 0,
    schedules,
  };
}
