/** The failed list as stock's Redis backend manages it: list, retry (marks `retried_at`), remove, clear. */
import { ResqueError } from "../errors.ts";
import { decodeJson } from "../protocol/json-decode.ts";
import type { JsonValue } from "../protocol/json.ts";
import { canonicalJson } from "../protocol/json-decode.ts";
import { rawMembers, withMember } from "../protocol/json-members.ts";
import { failedAt as formatFailedAt } from "../protocol/time.ts";
import type { Db } from "../store/connection.ts";
import * as store from "../store/failed.ts";
import { TOO_LARGE } from "../store/views.ts";
import { nestsDeeper } from "../protocol/json-depth.ts";

export interface FailureRecord {
  index: number;
  failedAt: string;
  /** The payload object, or the raw text when the job's payload was not a JSON object. */
  payload: JsonValue;
  exception: string;
  error: string;
  backtrace: string[];
  worker: string;
  queue: string;
  retriedAt?: string;
  /** Runs made, on the final failure of a job with `retry` options (an extra key stock ignores). */
  attempts?: number;
  /** The record exactly as stored. */
  raw: string;
  /** Why the stored record could not be read (not JSON, or not a JSON object); every other field is then empty. */
  unreadable?: string;
}

/** A record that is not a JSON object (written by hand, or cut short) is reported as such, so one bad entry hides no others. */
export function decodeFailure(raw: string, index: number): FailureRecord {
  let value: unknown;
  try {
    value = decodeJson(raw);
  } catch {
    return unreadable(raw, index, raw.startsWith(TOO_LARGE) ? "too large to show" : "not JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return unreadable(raw, index, "not a JSON object");
  // Every reader encodes the payload again; past a stack's depth that would fail the whole page.
  if (nestsDeeper(value)) return unreadable(raw.slice(0, 200), index, "nested too deeply");
  return readable(value as Record<string, JsonValue>, raw, index);
}

const unreadable = (raw: string, index: number, why: string): FailureRecord => ({
  index,
  failedAt: "",
  payload: null,
  exception: "",
  error: "",
  backtrace: [],
  worker: "",
  queue: "",
  raw,
  unreadable: why,
});

function readable(value: Record<string, JsonValue>, raw: string, index: number): FailureRecord {
  const text = (key: string) => (typeof value[key] === "string" ? (value[key] as string) : "");
  const record: FailureRecord = {
    index,
    failedAt: text("failed_at"),
    payload: value["payload"] ?? null,
    exception: text("exception"),
    error: text("error"),
    backtrace: Array.isArray(value["backtrace"]) ? (value["backtrace"] as string[]) : [],
    worker: text("worker"),
    queue: text("queue"),
    raw,
  };
  if (typeof value["retried_at"] === "string") record.retriedAt = value["retried_at"];
  if (typeof value["attempts"] === "number") record.attempts = value["attempts"];
  return record;
}

export class FailedJobs {
  readonly #db: Db;
  readonly #now: () => Date;
  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  count(): Promise<number> {
    return store.failedCount(this.#db);
  }

  /** Records from `offset` (0 = oldest), at most `limit`. */
  async list(offset = 0, limit = 20): Promise<FailureRecord[]> {
    const raws = await store.failedRange(this.#db, offset, limit);
    return raws.map((raw, i) => decodeFailure(raw, offset + i));
  }

  /** One record to look at (bounded: a record too large to show reads as unreadable). */
  async get(index: number): Promise<FailureRecord | undefined> {
    const raw = await store.failedAtForView(this.#db, index);
    return raw ? decodeFailure(raw, index) : undefined;
  }

  /** Stock's requeue: mark the record `retried_at` (it stays listed) and enqueue its payload again. */
  async retry(index: number): Promise<FailureRecord> {
    const raw = await store.failedAt(this.#db, index);
    if (!raw) throw new ResqueError("NO_FAILED_JOB", `No failed job at index ${index} (there are ${await this.count()}).`);
    const why = decodeFailure(raw, index).unreadable;
    if (why) throw new ResqueError("BAD_RECORD", `Failed job ${index} cannot be retried: its record is ${why}.`);
    const members = rawMembers(raw);
    const queue = JSON.parse(members.get("queue") ?? '""') as string;
    const payloadJson = members.get("payload") ?? "null";
    // A payload that was never a JSON object was stored as a string: put the text back as it came.
    const payload = payloadJson.startsWith('"') ? (JSON.parse(payloadJson) as string) : canonicalJson(payloadJson);
    if (!queue) throw new ResqueError("BAD_RECORD", `Failed job ${index} names no queue to retry into.`);
    const record = withMember(raw, "retried_at", JSON.stringify(formatFailedAt(this.#now())));
    await store.markRetried(this.#db, index, record, queue, payload);
    return decodeFailure(record, index);
  }

  /** Retry every record, as stock's requeue_all does (already-retried ones too); returns how many. */
  async retryAll(filter?: { queue?: string; className?: string }): Promise<number> {
    const all = (await store.allFailures(this.#db)).map(decodeFailure);
    let count = 0;
    for (const record of all) {
      // An unreadable record names no job to retry; it stays listed for a person to look at.
      if (record.unreadable || !matches(record, filter)) continue;
      await this.retry(record.index);
      count++;
    }
    return count;
  }

  /** Remove one record; later indexes shift down by one. */
  async remove(index: number): Promise<void> {
    if (!(await store.failedAt(this.#db, index))) throw new ResqueError("NO_FAILED_JOB", `No failed job at index ${index}.`);
    await store.removeFailure(this.#db, index);
  }

  /** Remove every record matching the filter (by exact value, so concurrent appends are safe). */
  async removeWhere(filter: { queue?: string; className?: string; retried?: boolean }): Promise<number> {
    const all = await store.allFailures(this.#db);
    let removed = 0;
    for (const [i, raw] of all.entries()) {
      const record = decodeFailure(raw, i);
      if (filter.retried !== undefined && Boolean(record.retriedAt) !== filter.retried) continue;
      if (!matches(record, filter)) continue;
      removed += await this.#db.redis.lrem(this.#db.keys.failed, 1, raw);
    }
    return removed;
  }

  clearRetried(): Promise<number> {
    return this.removeWhere({ retried: true });
  }

  async clear(): Promise<number> {
    const count = await this.count();
    await store.clearFailures(this.#db);
    return count;
  }
}

const classOf = (record: FailureRecord): string | undefined =>
  record.payload && typeof record.payload === "object" && !Array.isArray(record.payload)
    ? ((record.payload as Record<string, JsonValue>)["class"] as string | undefined)
    : undefined;

function matches(record: FailureRecord, filter?: { queue?: string; className?: string }): boolean {
  if (filter?.queue !== undefined && record.queue !== filter.queue) return false;
  if (filter?.className !== undefined && classOf(record) !== filter.className) return false;
  return true;
}
