/**
 * When a recurring schedule fires, as resque-scheduler's rufus-scheduler decides: `cron` lines in fugit's
 * grammar (5 fields, or 6 with seconds first, an optional zone as the last word, `@hourly` and friends),
 * and `every` durations counted from the moment the schedule is loaded. Either may be
 * `[value, { first_in | first_at }]`. Parsed with croner, checked to stay inside what fugit accepts.
 */
import { Cron } from "croner";
import { durationSeconds } from "./schedule-duration.ts";

/** A timing that can be fired: the next fire time after a given instant (ms). */
export interface Timing {
  kind: "cron" | "every";
  /** The cron line or duration as written. */
  text: string;
  /** `every`'s interval in seconds. */
  seconds?: number;
  /** first_in / first_at resolved against the load time, in ms. */
  firstAt?: number;
  /** The first fire after loading (ms); `first_in: 0` is the load time itself, as in rufus. */
  first: number | undefined;
  /** The next fire strictly after `after` (ms); undefined: never again. */
  next(after: number): number | undefined;
}

const SPECIALS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@noon": "0 12 * * *",
  "@hourly": "0 * * * *",
};

// Rufus itself polls every 0.3 s and refuses a faster `every`; a second is the least we accept.
const MIN_EVERY_SECONDS = 1;

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const looksLikeZone = (word: string): boolean =>
  /^[A-Za-z][A-Za-z0-9_+-]*\/[A-Za-z0-9_+/-]+$/.test(word) || /^(UTC|GMT|Z|Etc\/\S+)$/i.test(word);

/** Parse a cron line as fugit reads it; throws an Error whose message says what is wrong. */
export function parseCron(line: string): { cron: Cron; zone?: string } {
  const words = line.trim().split(/\s+/);
  let zone: string | undefined;
  if (words.length > 1 && looksLikeZone(words.at(-1)!)) {
    zone = words.pop()!;
    if (!validZone(zone)) throw new Error(`cron "${line}": unknown time zone "${zone}" (use an IANA name such as America/Chicago)`);
  }
  let pattern = words.join(" ");
  if (words.length === 1 && pattern.startsWith("@")) {
    pattern = SPECIALS[pattern.toLowerCase()] ?? "";
    if (!pattern) throw new Error(`cron "${line}": unknown shortcut; use one of ${Object.keys(SPECIALS).join(", ")}`);
  } else if (words.length !== 5 && words.length !== 6) {
    throw new Error(
      `cron "${line}": a cron line has 5 fields (minute hour day month weekday) or 6 (seconds first), then an optional time zone; found ${words.length}`,
    );
  }
  // croner accepts more than fugit does; these would crash a Ruby scheduler that loads the line.
  if (/[?W]/.test(pattern.replace(/[A-Za-z]{3}/g, (name) => name.toLowerCase())))
    throw new Error(`cron "${line}": "?" and "W" are not part of the cron grammar resque-scheduler (fugit) reads`);
  if (pattern.includes("%")) throw new Error(`cron "${line}": fugit's "%" (modulo) is not supported here; use a step such as */2`);
  const options = { paused: true, mode: "5-or-6-parts", domAndDow: false, ...(zone && { timezone: zone }) } as const;
  try {
    new Cron(pattern, options);
  } catch (error) {
    throw new Error(`cron "${line}": ${(error as Error).message.replace(/^CronPattern: /, "")}`);
  }
  return { cron: new Cron(intervalForm(pattern), options), ...(zone && { zone }) };
}

/**
 * fugit fires on every instant whose wall-clock time matches: a time inside a spring-forward gap is
 * skipped, one repeated at fall-back fires twice. croner does that only for "interval" jobs; a seconds
 * field written as a range with a step (`0-0/1`, still second 0) makes it treat every line as one.
 */
function intervalForm(pattern: string): string {
  const fields = pattern.split(" ");
  if (fields.length === 5) return `0-0/1 ${pattern}`;
  return /^\d+$/.test(fields[0]!) ? [`${fields[0]}-${fields[0]}/1`, ...fields.slice(1)].join(" ") : pattern;
}

/** rufus's options array: `[value, { first_in: "10s" }]`; Ruby ignores the options unless there are exactly two elements and the second is a hash. */
function split(value: unknown, kind: string): { text: unknown; options: Record<string, unknown> } {
  if (!Array.isArray(value)) return { text: value, options: {} };
  const [text, options] = value as unknown[];
  if (value.length === 2 && options !== null && typeof options === "object" && !Array.isArray(options))
    return { text, options: options as Record<string, unknown> };
  if (value.length === 0) throw new Error(`${kind} is an empty list`);
  return { text, options: {} };
}

/** first_in / first_at, resolved at `loadedAt` (ms). Other rufus options are refused: we would not honour them. */
function firstAt(options: Record<string, unknown>, kind: string, loadedAt: number): number | undefined {
  // YAML files written for Ruby often say `:first_in:`, a symbol key.
  const named = Object.fromEntries(Object.entries(options).map(([k, v]) => [k.replace(/^:/, ""), v]));
  for (const key of Object.keys(named)) {
    if (!["first_in", "first_at", "first_at_no_error"].includes(key))
      throw new Error(`${kind} option "${key}" is not supported (supported: first_in, first_at, first_at_no_error)`);
  }
  const { first_in: firstIn, first_at: at, first_at_no_error: noError } = named;
  if (firstIn !== undefined) {
    const seconds = typeof firstIn === "string" || typeof firstIn === "number" ? durationSeconds(firstIn) : undefined;
    if (seconds === undefined || seconds < 0)
      throw new Error(
        `${kind} first_in ${JSON.stringify(firstIn)} is not a duration such as "10s" or "5m" (or a number of seconds, 0 or more)`,
      );
    return loadedAt + seconds * 1000;
  }
  if (at === undefined) return undefined;
  const ms =
    typeof at === "string" && /\d{4}-\d\d-\d\d/.test(at) && /(Z|[+-]\d\d:?\d\d)$/i.test(at.trim())
      ? Date.parse(at.trim().replace(" ", "T"))
      : Number.NaN;
  if (Number.isNaN(ms))
    throw new Error(`${kind} first_at ${JSON.stringify(at)} is not a time with its offset, such as "2026-12-01T09:00:00+01:00"`);
  // rufus raises for a first_at in the past (a Ruby scheduler dies loading it) unless first_at_no_error is set.
  if (ms < loadedAt && noError !== true)
    throw new Error(
      `${kind} first_at ${JSON.stringify(at)} is in the past, which stops a Ruby scheduler loading it; drop it or add first_at_no_error: true`,
    );
  return Math.max(ms, loadedAt);
}

/** Parse a schedule's `cron` or `every` value at `loadedAt` (ms); throws an Error whose message is the advice. */
export function parseTiming(kind: "cron" | "every", value: unknown, loadedAt: number): Timing {
  const { text, options } = split(value, kind);
  if (typeof text !== "string" || text.trim() === "")
    throw new Error(`${kind} must be a string such as ${kind === "cron" ? '"0 5 * * *"' : '"30s"'}, got ${JSON.stringify(text)}`);
  const first = firstAt(options, kind, loadedAt);
  if (kind === "cron") {
    const { cron } = parseCron(text);
    const nextCron = (after: number): number | undefined => cron.nextRun(new Date(after))?.getTime();
    const next = (after: number): number | undefined => (first !== undefined && first > after ? first : nextCron(after));
    return { kind, text, ...(first !== undefined && { firstAt: first }), first: next(loadedAt), next };
  }
  const seconds = durationSeconds(text);
  if (seconds === undefined) throw new Error(`every "${text}" is not a duration such as "30s", "5m", "1h", "1d" or "1h30m"`);
  if (seconds < MIN_EVERY_SECONDS) throw new Error(`every "${text}" is ${seconds}s; it must be at least ${MIN_EVERY_SECONDS}s`);
  const period = seconds * 1000;
  const start = first ?? loadedAt + period;
  return {
    kind,
    text,
    seconds,
    ...(first !== undefined && { firstAt: first }),
    first: start,
    // rufus counts from the load time (or first_in/first_at), then adds the interval, skipping missed beats.
    next: (after) => (after < start ? start : start + (Math.floor((after - start) / period) + 1) * period),
  };
}
