/**
 * Stock's queue-list semantics (QUEUE=critical,high / QUEUE=* / QUEUE=a*,!a_low):
 * order is priority; globs expand against the `queues` set, each expansion sorted;
 * `!pattern` entries exclude; duplicates keep their first place.
 */
import { ResqueError } from "../errors.ts";
import { fnmatch } from "./fnmatch.ts";

const GLOB_CHARS = /[*?{}[\]]/;

export interface QueueList {
  /** The configured entries without exclusions, as they appear in the worker id. */
  readonly configured: readonly string[];
  /** Exclusion patterns (the `!` stripped). */
  readonly excluded: readonly string[];
  /** True when the list must be resolved against the `queues` set on each reserve. */
  readonly dynamic: boolean;
}

/** Stock's message for a worker given no queue at all (a NO_QUEUE ResqueError). */
const NO_QUEUE = "Please give each worker at least one queue (QUEUE=critical,high or --queue critical,high).";

/** Parse `QUEUE`-style input (a comma string or a list of entries). */
export function parseQueueList(input: string | readonly string[]): QueueList {
  const entries = (typeof input === "string" ? input.split(",") : input.flatMap((e) => e.split(",")))
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const configured = entries.filter((e) => !e.startsWith("!"));
  const excluded = entries.filter((e) => e.startsWith("!")).map((e) => e.slice(1));
  if (configured.length === 0) throw new ResqueError("NO_QUEUE", NO_QUEUE);
  const dynamic = excluded.length > 0 || configured.some((e) => GLOB_CHARS.test(e));
  return { configured, excluded, dynamic };
}

/** The queues to reserve from, in priority order, given the current members of the `queues` set. */
export function resolveQueues(list: QueueList, known: readonly string[]): string[] {
  if (!list.dynamic) return [...list.configured];
  const kept = known.filter((q) => !list.excluded.some((pattern) => fnmatch(pattern, q)));
  const resolved: string[] = [];
  const seen = new Set<string>();
  for (const entry of list.configured) {
    const matches = kept.filter((q) => fnmatch(entry, q)).sort(byteOrder);
    for (const q of matches) {
      if (!seen.has(q)) {
        seen.add(q);
        resolved.push(q);
      }
    }
  }
  return resolved;
}

// Ruby sorts strings by bytes; JS's default sort compares UTF-16 units, which agree for BMP text.
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
