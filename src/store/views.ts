/**
 * Bounded reads for the dashboard, the CLI's views and /metrics (see lua/view-*.lua): whatever a
 * record holds (a 50 MB payload, a key of the wrong type), each answer is at most VIEW_LIMIT bytes
 * a value, and a value that cannot be read whole comes back as text that is not JSON, so every
 * reader shows it as unreadable instead of failing. Never for a path that writes back what it read.
 */
import type { Db } from "./connection.ts";
import * as scripts from "./scripts.ts";

/** The most bytes of one value a view reads. */
export const VIEW_LIMIT = 64 * 1024;
/** The most list elements one view reads at once. */
export const VIEW_ROWS = 1000;

/** What a value longer than the limit reads as: not JSON, starts with this. */
export const TOO_LARGE = "(too large to show: ";

/** A list's elements start..start+count-1 (count at most VIEW_ROWS); `problem` when the key is not a list. */
export async function viewRange(db: Db, key: string, start: number, count: number): Promise<{ items: string[]; problem?: string }> {
  const n = Math.max(0, Math.min(count, VIEW_ROWS));
  if (n === 0) return { items: [] };
  const { problem, items } = await scripts.viewRange(db, key, start, start + n - 1, VIEW_LIMIT);
  return problem ? { items: [], problem } : { items };
}

/** Each string key's value (null when missing), bounded; a key of another type reads `(unreadable: ...)`. */
export async function viewStrings(db: Db, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return [];
  const out: (string | null)[] = [];
  // Batches keep each script call short however many workers there are.
  for (let i = 0; i < keys.length; i += 500) {
    const batch = keys.slice(i, i + 500);
    const values = await scripts.viewStrings(db, batch, VIEW_LIMIT);
    out.push(...batch.map((_, j) => values[j] ?? null));
  }
  return out;
}

/** A hash's fields (at most `most`), values bounded; `problem` when the key is not a hash. */
export async function viewHash(
  db: Db,
  key: string,
  most = VIEW_ROWS,
): Promise<{ fields: Map<string, string>; total: number; problem?: string }> {
  const { problem, total, pairs } = await scripts.viewHash(db, key, VIEW_LIMIT, most);
  const fields = new Map(pairs);
  return { fields, total: Number(total) || 0, ...(problem && { problem: String(problem) }) };
}

/** A counter as a view shows it: a finite number, else 0 (`stat:processed` = "abc" must not become NaN in JSON). */
export const counter = (value: unknown): number => {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
};

/**
 * A `.catch` for views: a key of the wrong type (WRONGTYPE, written by hand or another tool) reads
 * as `fallback`; anything else (Redis away, a timeout) still fails, so it is never shown as "empty".
 */
export const unlessWrongType =
  <T>(fallback: T) =>
  (error: unknown): T => {
    if (error instanceof Error && error.message.startsWith("WRONGTYPE")) return fallback;
    throw error;
  };
