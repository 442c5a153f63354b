/**
 * resque-scheduler's delayed items and timestamps, pure. Items are matched by exact bytes
 * (LREM and the `timestamps:<item>` key), so the field order `class, args, queue` is the protocol.
 */
import { canonicalJson, decodeJson } from "./json-decode.ts";
import { rawMembers } from "./json-members.ts";
import { encodeJson, type JsonValue } from "./json.ts";

/** A delayed item as stored in `delayed:<ts>`: decoded when possible, raw always. */
export interface DelayedItem {
  /** The exact bytes in Redis, which removal matches on. */
  raw: string;
  className: string;
  args: JsonValue[];
  /** `null` when Ruby stored it without a queue (enqueue_at_with_queue(nil, ...)). */
  queue: string | null;
}

/** resque-scheduler's `encode({class:, args:, queue:})`, byte for byte. */
export function encodeDelayedItem(className: string, args: readonly unknown[], queue: string | null): string {
  return encodeJson({ class: className, args: [...args], queue });
}

/** Decode one stored item; undefined when it is not an object with a string `class`. */
export function decodeDelayedItem(raw: string): DelayedItem | undefined {
  let value: JsonValue;
  try {
    value = decodeJson(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const object = value as { [key: string]: JsonValue | undefined };
  const className = object["class"];
  if (typeof className !== "string") return undefined;
  const args = object["args"];
  const queue = object["queue"];
  return {
    raw,
    className,
    // Promotion turns a missing or scalar args into an array the same way (enqueue_from_config).
    args: Array.isArray(args) ? args : args === undefined || args === null ? [] : [args],
    queue: typeof queue === "string" ? queue : null,
  };
}

/** A time to delay until: a Date, or Unix seconds as Ruby's `Integer`/`Float` timestamps are. */
export type DelayTime = Date | number;

// Year 5138 in seconds: a larger number is almost surely Date.now() milliseconds.
const MAX_SECONDS = 1e11;

/** Ruby's `timestamp.to_i`: whole Unix seconds, rounded down (Time#to_i floors). */
export function toTimestamp(time: DelayTime): number {
  const seconds = time instanceof Date ? time.getTime() / 1000 : time;
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new TypeError(`a delayed job needs a Date or Unix seconds, got ${String(time)}`);
  }
  if (!(time instanceof Date) && Math.abs(seconds) >= MAX_SECONDS) {
    throw new RangeError(`${seconds} looks like milliseconds; enqueueAt takes a Date or Unix seconds`);
  }
  // Float#to_i truncates toward zero, Time#to_i floors; they differ only before 1970.
  return time instanceof Date ? Math.floor(seconds) : Math.trunc(seconds);
}

/** `(Time.now + seconds).to_i`, as enqueue_in computes it (fractional seconds allowed). */
export function timestampIn(seconds: number, nowMs: number): number {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new TypeError(`enqueueIn needs a number of seconds, got ${String(seconds)}`);
  }
  return Math.floor((nowMs + seconds * 1000) / 1000);
}

/** Whether resque-scheduler would enqueue at once instead of delaying: `ts.to_i <= Time.now.to_i`. */
export const isDue = (ts: number, nowMs: number): boolean => ts <= Math.floor(nowMs / 1000);

/** What promotion pushes for one stored item: Ruby's enqueue_from_config payload, byte for byte. */
export interface Promotion {
  className: string;
  /** The item's own queue; null when absent, and the job's registered queue is to be used. */
  queue: string | null;
  args: JsonValue[];
  /** `{"class":..,"args":..}` (no queue field), as Resque.push writes it after Ruby decodes the item. */
  payload: string;
}

/** Read an item as promotion does; undefined when Ruby could not decode it either. */
export function promotionOf(raw: string): Promotion | undefined {
  const item = decodeDelayedItem(raw);
  if (!item) return undefined;
  // Raw member text keeps Ruby's float and big-integer forms; canonicalJson re-emits it as Ruby's encode would.
  const members = rawMembers(raw);
  const argsText = members.get("args");
  const canonical = argsText === undefined || argsText === "null" ? "[]" : canonicalJson(argsText);
  const args = canonical.startsWith("[") ? canonical : `[${canonical}]`;
  const payload = `{"class":${canonicalJson(members.get("class")!)},"args":${args}}`;
  return { className: item.className, queue: item.queue, args: item.args, payload };
}
