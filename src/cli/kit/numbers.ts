/** Whole-number flags (--offset, --limit) read strictly: anything else is an error, never a silent default. */
import { UsageError } from "./errors.ts";

/** A whole number flag, at least `min`. */
export function wholeArg(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`--${flag} wants a whole number of at least ${min}, got "${value}".`);
  return Number(value);
}

/** --offset and --limit for a list shown a page at a time, as resque-web pages by 20. */
export const pageArgs = {
  offset: { type: "string", default: "0", valueHint: "N", description: "Skip this many" },
  limit: { type: "string", default: "20", valueHint: "N", description: "Show at most this many" },
} as const;
