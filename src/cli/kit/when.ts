/**
 * Times and durations typed on the command line (`--at`, `--in`, `delayed show <time>`), read
 * strictly: anything that is not plainly one of the accepted forms is refused with the forms named,
 * never guessed at. resque-scheduler stores zone-free Unix seconds, so a time must say its zone.
 */
import { UsageError } from "./errors.ts";

/** What the help and every refusal name as the accepted forms. */
export const TIME_FORMS = "Unix seconds (1795446938) or an ISO 8601 time with a zone (2026-11-23T09:00:00Z, 2026-11-23T10:00+01:00)";
export const DURATION_FORMS = 'seconds (90, 1.5) or a duration such as 90s, 5m, 2h, 1d, 1h30m or "1 hour 30 minutes"';

// Year 9999: ISO's four-digit years, and far below where Date or Ruby's Time could overflow.
const LAST_SECOND = 253402300799;

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };
const UNIT_ORDER = "dhms";
/** Unit words as people type them, to their letter: `--in "5 minutes"`. */
const UNIT_WORDS: Record<string, string> = Object.fromEntries(
  Object.entries({
    d: ["d", "day", "days"],
    h: ["h", "hr", "hrs", "hour", "hours"],
    m: ["m", "min", "mins", "minute", "minutes"],
    s: ["s", "sec", "secs", "second", "seconds"],
  }).flatMap(([letter, words]) => words.map((word) => [word, letter])),
);

// One amount and its unit, then a separator: spaces, a comma or "and" (1 hour, 30 minutes; 1h and 30m).
const PART = /(\d+(?:\.\d+)?) *([a-z]+)(?: *, *| +and +| *)/y;

/** `--in`: a number of seconds (fractions allowed, as enqueue_in) or `1d2h30m15s` / `1 hour 30 minutes`, units largest first. */
export function parseDuration(text: string, flag = "--in"): number {
  const refuse = (why: string) => new UsageError(`${flag} "${text}" ${why}; ${flag} takes ${DURATION_FORMS}.`);
  const trimmed = text.trim().toLowerCase();
  if (/^-/.test(trimmed)) throw refuse("is negative");
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return finite(Number(trimmed), refuse);
  const parts: RegExpExecArray[] = [];
  PART.lastIndex = 0;
  for (let part = PART.exec(trimmed); part; part = PART.lastIndex < trimmed.length ? PART.exec(trimmed) : null) parts.push(part);
  if (trimmed === "" || PART.lastIndex !== trimmed.length || parts.length === 0) throw refuse("is not a duration");
  let seconds = 0;
  let last = -1;
  for (const [, amount, word] of parts) {
    const unit = UNIT_WORDS[word!] ?? "";
    const rank = unit === "" ? -1 : UNIT_ORDER.indexOf(unit);
    if (rank < 0) throw refuse(`has an unknown unit "${word}" (d, h, m and s are understood, or days, hours, minutes, seconds)`);
    // 30m1h and 5m5m are more likely typos than sums: each unit once, largest first.
    if (rank <= last) throw refuse("repeats a unit or puts a smaller one first");
    last = rank;
    seconds += Number(amount) * UNIT_SECONDS[unit]!;
  }
  return finite(seconds, refuse);
}

/**
 * A word that, typed right after `--in 5`, was meant as more of the delay (`--in 5 minutes`
 * unquoted): a unit, "and", or a duration with a unit (`--in 1h 30m`).
 */
export function isDurationWord(word: string): boolean {
  const lower = word.toLowerCase();
  if (lower === "and" || UNIT_WORDS[lower] !== undefined) return true;
  if (!/^\d+(?:\.\d+)?[a-z]/.test(lower)) return false;
  try {
    parseDuration(lower);
    return true;
  } catch {
    return false;
  }
}

/** A word that, right after `--at DATE`, was meant as more of the time: a time of day, a zone, am/pm. */
export const isTimeWord = (word: string): boolean =>
  /^(?:\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:z|[+-]\d{2}(?::?\d{2})?)?|z|utc|gmt|am|pm|\+\d{2}(?::?\d{2})?)$/i.test(word);

// 1 followed by 400 zeros is a number to Number(), and Infinity to everything after.
const finite = (seconds: number, refuse: (why: string) => Error): number => {
  if (!Number.isFinite(seconds)) throw refuse("is too long");
  return seconds;
};

// 2026-11-23T09:00, with optional :SS and .fraction, T or a space, then Z or ±HH[:MM].
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** `--at` and `delayed show`: the Unix second a time names (fractions dropped, as Ruby's Time#to_i). */
export function parseTime(text: string, flag = "--at"): number {
  const trimmed = text.trim();
  const refuse = (why: string) => new UsageError(`${flag} "${text}" ${why}; ${flag} takes ${TIME_FORMS}.`);
  if (/^\d+$/.test(trimmed)) {
    const ts = Number(trimmed);
    if (ts > LAST_SECOND) throw refuse("is past the year 9999 (milliseconds, perhaps? Unix seconds have 10 digits today)");
    return ts;
  }
  const m = ISO.exec(trimmed);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) throw refuse("has no time of day");
    throw refuse("is not a time");
  }
  const [, year, month, day, hour, minute, second = "0", zone] = m;
  // A zone-less time could mean this host's zone, the scheduler host's, or UTC; a wrong guess moves the job by hours.
  if (!zone) throw refuse(`has no time zone: add Z for UTC (${trimmed.replace(" ", "T")}Z) or an offset such as +01:00`);
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches any field out of range.
  if (mo < 1 || h > 23 || mi > 59 || s > 59 || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    throw refuse("is not a real date and time");
  const offset = zone.toUpperCase() === "Z" ? 0 : zoneMinutes(zone);
  if (offset === undefined) throw refuse("has an offset out of range");
  return Math.floor(utc / 1000) - offset * 60;
}

function zoneMinutes(zone: string): number | undefined {
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return (zone[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

/** `2026-11-23T09:00:00Z`: what every command prints, and what `--at` and `delayed show` read back. */
export { isoTime } from "../../client/views.ts";

/** "in 1h30m" or "5m ago", from whole seconds: how far `ts` is from now. */
export function relative(ts: number, nowMs: number): string {
  const diff = ts - Math.floor(nowMs / 1000);
  if (diff === 0) return "now";
  let left = Math.abs(diff);
  let text = "";
  for (const unit of UNIT_ORDER) {
    const size = UNIT_SECONDS[unit]!;
    if (left >= size || (unit === "s" && text === "")) {
      text += `${Math.floor(left / size)}${unit}`;
      left %= size;
    }
    // Two units say enough: 1d2h, not 1d2h3m4s.
    if (text.replace(/\d+/g, "").length === 2) break;
  }
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** Checks a delay's target before anything is written: a finite second, not past the year 9999. */
export function checkTimestamp(ts: number, flag: string, text: string): number {
  if (!Number.isFinite(ts) || ts > LAST_SECOND)
    throw new UsageError(`${flag} "${text}" is too far ahead: the job would run after the year 9999.`);
  return ts;
}
