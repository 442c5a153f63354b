/**
 * Ruby's Psych (4.0, Ruby 3.1's YAML) reading a plain YAML scalar: ScalarScanner#tokenize, rule for
 * rule and in its order, so a schedule file means here what `YAML.load_file` makes of it in Ruby.
 * Psych is YAML 1.1 with its own quirks: `y`/`n` stay strings while `yes`/`On` are booleans, `09`
 * is a string, `1:20` is 4800 (base 60, scaled from the left), `1e3` is a string but `1.0e+3` a
 * Float. Dates and times are kept as the text Ruby's JSON writes for them (Date#to_s, Time#to_s).
 */

/** A Ruby scalar as Psych builds it. `float` values may be non-finite (`.inf`, `.nan`). */
export type RubyScalar =
  | { kind: "nil" }
  | { kind: "bool"; value: boolean }
  | { kind: "str"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "sym"; value: string }
  /** A Date: `text` is Date#to_s. */
  | { kind: "date"; text: string }
  /** A Time: `text` is Time#to_s; `instant` tells equal times apart as Time#eql? does (epoch seconds and fraction). */
  | { kind: "time"; text: string; instant: string };

/** What Psych raises on a scalar it cannot read (Integer("0x") and Float("+e+3") fail in Ruby too). */
export class PsychScalarError extends Error {
  override name = "PsychScalarError";
}

const NIL: RubyScalar = { kind: "nil" };
const str = (value: string): RubyScalar => ({ kind: "str", value });

// Ruby's \s and \d are ASCII; [[:alpha:]] is Unicode's Alphabetic property.
const WORDY = /^[^\d.:-]?[\p{Alphabetic}_ \t\n\v\f\r!@#$%^&*(){}<>|/\\~;=]+/u;
const TIME = /^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t\n\v\f\r]+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:[ \t\n\v\f\r]*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/;
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/;
const BASE60_INT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$/;
const FLOAT = /^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$/;
const INTEGER = /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;

/** Ruby's `^...` / `^...$` are line anchors: true when some line of `s` matches `re` (written without the m flag). */
const someLine = (s: string, re: RegExp): boolean => s.split("\n").some((line) => re.test(line));

/** Psych::ScalarScanner#tokenize for the text of a plain (unquoted, untagged) scalar. */
export function tokenize(s: string, localOffsetMinutes: (epochMs: number) => number = defaultOffset): RubyScalar {
  if (s === "") return NIL;
  if (WORDY.test(s) || s.includes("\n")) {
    // Strings longer than 5 characters (Ruby counts characters, not UTF-16 units) are strings.
    if ([...s].length > 5) return str(s);
    if (someLine(s, /^[^ytonf~]/i)) return str(s);
    if (s === "~" || someLine(s, /^null$/i)) return NIL;
    if (someLine(s, /^(yes|true|on)$/i)) return { kind: "bool", value: true };
    if (someLine(s, /^(no|false|off)$/i)) return { kind: "bool", value: false };
    return str(s);
  }
  if (TIME.test(s)) return parseTime(s, localOffsetMinutes) ?? str(s);
  if (DATE.test(s)) return parseDate(s) ?? str(s);
  if (/^\+?\.inf$/i.test(s)) return { kind: "float", value: Infinity };
  if (/^-\.inf$/i.test(s)) return { kind: "float", value: -Infinity };
  if (/^\.nan$/i.test(s)) return { kind: "float", value: NaN };
  if (/^:./.test(s)) {
    const quoted = /^:(["'])(.*)\1/.exec(s);
    return { kind: "sym", value: (quoted ? quoted[2]! : s).replace(/^:/, "") };
  }
  if (BASE60_INT.test(s)) {
    // Psych scales from the left: n * 60 ** |index - 2|, so "1:20" is 1*3600 + 20*60.
    let total = 0n;
    s.split(":").forEach((n, e) => (total += rubyToI(n) * 60n ** BigInt(Math.abs(e - 2))));
    return { kind: "int", value: total };
  }
  if (BASE60_FLOAT.test(s)) {
    let total = 0;
    s.split(":").forEach((n, e) => (total += rubyToF(n) * 60 ** Math.abs(e - 2)));
    return { kind: "float", value: total };
  }
  if (FLOAT.test(s)) {
    if (/^[-+]?\.$/.test(s)) return str(s);
    return { kind: "float", value: rubyFloat(s.replace(/[,_]|\.([Ee]|$)/g, "$1")) };
  }
  if (INTEGER.test(s)) return { kind: "int", value: rubyInteger(s.replace(/[,_]/g, "")) };
  return str(s);
}

/** The JS runtime's local zone, as Ruby's Time.at uses the process's zone for a time written without one. */
const defaultOffset = (epochMs: number): number => -new Date(epochMs).getTimezoneOffset();

/** String#to_i: an optional sign and digits with single underscores between them; stops at anything else. */
function rubyToI(s: string): bigint {
  const m = /^([-+]?)(\d+(?:_\d+)*)/.exec(s);
  if (!m) return 0n;
  const n = BigInt(m[2]!.replace(/_/g, ""));
  return m[1] === "-" ? -n : n;
}

/** String#to_f for what the base-60 pattern lets through (digits, single underscores, one dot). */
function rubyToF(s: string): number {
  const m = /^[-+]?\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?/.exec(s);
  return m ? Number(m[0].replace(/_/g, "")) : 0;
}

/** Kernel#Float on Psych's cleaned-up text: a mantissa needs a digit (`+.e+3` leaves "+e+3", which Ruby refuses). */
function rubyFloat(s: string): number {
  if (!/^[-+]?(\d+(\.\d+)?|\.\d+)([eE][-+]\d+)?$/.test(s)) throw new PsychScalarError(`invalid value for Float(): ${JSON.stringify(s)}`);
  return Number(s);
}

/** Kernel#Integer on a prefixed literal: 0b binary, 0x hex, a leading 0 octal, else decimal. */
function rubyInteger(s: string): bigint {
  const m = /^([-+]?)(0b|0x|0(?=\d)|)(.*)$/.exec(s)!;
  const [, sign, prefix, digits] = m as unknown as [string, string, string, string];
  if (digits === "") throw new PsychScalarError(`invalid value for Integer(): ${JSON.stringify(s)}`);
  const n = BigInt(prefix === "0b" ? `0b${digits}` : prefix === "0x" ? `0x${digits}` : prefix === "0" ? `0o${digits}` : digits);
  return sign === "-" ? -n : n;
}

const pad = (n: number, width = 2): string => (n < 0 ? "-" : "") + String(Math.abs(n)).padStart(width, "0");

/** Date.strptime(s, '%Y-%m-%d') with Ruby's default calendar (Julian before 1582-10-15), then Date#to_s. */
function parseDate(s: string): RubyScalar | undefined {
  const [y, m, d] = s.split("-").map(Number) as [number, number, number];
  if (m < 1 || m > 12 || d < 1) return undefined;
  const julian = y < 1582 || (y === 1582 && (m < 10 || (m === 10 && d < 5)));
  if (y === 1582 && m === 10 && d >= 5 && d <= 14) return undefined;
  const leap = julian ? y % 4 === 0 : (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  if (d > days) return undefined;
  return { kind: "date", text: `${pad(y, 4)}-${pad(m)}-${pad(d)}` };
}

/** Psych's parse_time, then Time#to_s ("%Y-%m-%d %H:%M:%S UTC" or "... +hhmm"); undefined where Ruby raises ArgumentError. */
function parseTime(s: string, localOffsetMinutes: (epochMs: number) => number): RubyScalar | undefined {
  const split = /[ tT]/.exec(s)!;
  const date = s.slice(0, split.index);
  const time = s.slice(split.index + 1);
  const [, yy, mo, dd] = /^(-?\d{4})-(\d{1,2})-(\d{1,2})/.exec(date)!.map(Number) as [number, number, number, number];
  const md = /(\d+:\d+:\d+)(?:\.(\d*))?[ \t\n\v\f\r]*(Z|[-+]\d+(:\d\d)?)?/.exec(time)!;
  const [hh, mi, ss] = md[1]!.split(":").map(Number) as [number, number, number];
  const fraction = (md[2] ?? "").replace(/0+$/, "");
  // Time.utc / Time.new's argument checks; a day past the month's end rolls over as in Ruby.
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 24 || mi > 59 || ss > 60 || (hh === 24 && (mi > 0 || ss > 0))) return undefined;
  const wall = new Date(0);
  wall.setUTCFullYear(yy, mo - 1, dd);
  wall.setUTCHours(hh, mi, ss, 0);
  const wallMs = wall.getTime();
  // Seconds east of UTC the fields are written in: "utc" for Z, "local" for none (Time.at: UTC fields, shown locally).
  let offset: number | "utc" | "local";
  if (md[3] === "Z") offset = "utc";
  else if (md[3] === undefined) offset = "local";
  else {
    const tz = /^([+-]?\d{1,2}):?(\d{1,2})?$/.exec(md[3])!;
    const hours = Number.parseInt(tz[1]!, 10);
    const minutes = tz[2] === undefined ? 0 : Number(tz[2]);
    // Psych's sign rule: "-0:30" has hours 0, so its minutes are added.
    offset = hours * 3600 + (hours < 0 ? -minutes * 60 : minutes * 60);
    if (offset <= -86400 || offset >= 86400) return undefined;
  }
  const epochMs = typeof offset === "number" ? wallMs - offset * 1000 : wallMs;
  const shownOffset = offset === "utc" ? 0 : offset === "local" ? localOffsetMinutes(epochMs) * 60 : offset;
  const shown = new Date(epochMs + shownOffset * 1000);
  const fields = `${pad(shown.getUTCFullYear(), 4)}-${pad(shown.getUTCMonth() + 1)}-${pad(shown.getUTCDate())} ${pad(shown.getUTCHours())}:${pad(shown.getUTCMinutes())}:${pad(shown.getUTCSeconds())}`;
  const abs = Math.abs(shownOffset);
  const zone =
    offset === "utc" ? "UTC" : `${shownOffset < 0 ? "-" : "+"}${pad(Math.floor(abs / 3600))}${pad(Math.floor((abs % 3600) / 60))}`;
  return { kind: "time", text: `${fields} ${zone}`, instant: `${epochMs / 1000}.${fraction}` };
}
