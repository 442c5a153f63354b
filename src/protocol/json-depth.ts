/** How deep a decoded JSON value nests, measured without recursion (a hostile record may nest 100,000 levels). */
import type { JsonValue } from "./json.ts";

/** Deeper than this, a view shows a value as unreadable rather than encode it again (encoders recurse). */
export const VIEW_DEPTH = 256;

/** Whether `value` nests deeper than `limit` arrays/objects. */
export function nestsDeeper(value: unknown, limit = VIEW_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

/** A value as a view shows it: itself, or its text when it nests too deeply to encode again. */
export const forView = (value: JsonValue, text: string): JsonValue =>
  nestsDeeper(value) ? `(unreadable: nested too deeply) ${text.slice(0, 200)}` : value;
