/**
 * The Ruby values ActiveJob serializes that JSON cannot say, as small JS values: what a job
 * receives from a Rails payload, and what it passes to enqueueActiveJob to send them back.
 */

/** A GlobalID (`gid://app/User/1`): the record a Rails job names; Ruby locates it, we only carry it. */
export class GlobalID {
  readonly app: string;
  readonly modelName: string;
  readonly modelId: string;
  /** Query parameters (`?tenant=1`), if the URI had any. */
  readonly params: Record<string, string>;
  constructor(app: string, modelName: string, modelId: string, params: Record<string, string> = {}) {
    this.app = app;
    this.modelName = modelName;
    this.modelId = modelId;
    this.params = params;
  }

  /** Parse `gid://app/Model/id[?k=v]`; throws on anything else, as GlobalID.parse returns nil. */
  static parse(uri: string): GlobalID {
    const m = /^gid:\/\/([^/]+)\/([^/]+)\/([^?]+)(?:\?(.*))?$/.exec(uri);
    if (!m) throw new TypeError(`not a GlobalID URI: ${uri}`);
    const params = Object.fromEntries(new URLSearchParams(m[4] ?? ""));
    return new GlobalID(m[1]!, decodeURIComponent(m[2]!), decodeURIComponent(m[3]!), params);
  }

  toString(): string {
    const query = new URLSearchParams(this.params).toString();
    return `gid://${this.app}/${encodeURIComponent(this.modelName).replace(/%3A/g, ":")}/${encodeURIComponent(this.modelId)}${query ? `?${query}` : ""}`;
  }
}

/** A calendar date (Ruby's Date): year, month, day and no zone, so it never shifts a day the way a Date at midnight can. */
export class CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  constructor(year: number, month: number, day: number) {
    this.year = year;
    this.month = month;
    this.day = day;
  }

  /** From `YYYY-MM-DD` (Ruby's Date#iso8601). */
  static parse(text: string): CalendarDate {
    const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) throw new TypeError(`not an ISO 8601 date: ${text}`);
    return new CalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  /** `YYYY-MM-DD`. */
  toString(): string {
    const pad = (n: number, w: number) => String(n).padStart(w, "0");
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** An ActiveSupport::Duration: its length in seconds and the parts it was built from (`1.hour + 30.minutes`). */
export class Duration {
  readonly seconds: number;
  /** { hours: 1, minutes: 30 }: Ruby's Duration#parts. */
  readonly parts: Readonly<Record<string, number>>;
  constructor(seconds: number, parts: Record<string, number> = { seconds }) {
    this.seconds = seconds;
    this.parts = Object.freeze({ ...parts });
  }

  /** ISO 8601 (`PT1H30M`), as Duration#iso8601 writes the common cases. */
  toISOString(): string {
    const p = this.parts;
    const date = [
      ["years", "Y"],
      ["months", "M"],
      ["weeks", "W"],
      ["days", "D"],
    ]
      .map(([k, u]) => (p[k!] ? `${p[k!]}${u}` : ""))
      .join("");
    const time = [
      ["hours", "H"],
      ["minutes", "M"],
      ["seconds", "S"],
    ]
      .map(([k, u]) => (p[k!] ? `${p[k!]}${u}` : ""))
      .join("");
    const text = `P${date}${time ? `T${time}` : ""}`;
    return text === "P" ? "PT0S" : text;
  }
}

/** A Ruby BigDecimal, kept as decimal text so no digit is lost (`toNumber()` when a double will do). */
export class BigDecimal {
  /** Plain decimal text: `12345678901234567890.123456789`. */
  readonly value: string;
  constructor(value: string) {
    this.value = plainDecimal(value);
  }

  toString(): string {
    return this.value;
  }

  toNumber(): number {
    return Number(this.value);
  }
}

/** `0.123e20` (BigDecimal#to_s) as `12300000000000000000`; plain text passes through. */
function plainDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new TypeError(`not a decimal number: ${text}`);
  const [, sign = "", int = "", frac = "", exp = "0"] = m;
  const digits = `${int}${frac}`;
  const point = int.length + Number(exp);
  const whole =
    point <= 0
      ? "0"
      : digits
          .slice(0, point)
          .padEnd(point, "0")
          .replace(/^0+(?=\d)/, "");
  const fraction = point < 0 ? `${"0".repeat(-point)}${digits}` : digits.slice(point);
  const trimmed = fraction.replace(/0+$/, "");
  return `${sign === "-" ? "-" : ""}${whole || "0"}${trimmed ? `.${trimmed}` : ""}`;
}

/** A Ruby Range: `1..10` is { begin: 1, end: 10, excludeEnd: false }. */
export class Range<T = unknown> {
  readonly begin: T;
  readonly end: T;
  readonly excludeEnd: boolean;
  constructor(begin: T, end: T, excludeEnd = false) {
    this.begin = begin;
    this.end = end;
    this.excludeEnd = excludeEnd;
  }
}

/** A Ruby Symbol to send (`:fast`); symbols a job receives arrive as plain strings. */
export class RubySymbol {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return this.name;
  }
}

/** A Ruby class or module to send by name (`String`); ones a job receives arrive as their name. */
export class RubyModule {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return this.name;
  }
}

const SYMBOL_KEYS = Symbol.for("resque.activeJob.symbolKeys");
const KEYWORDS = Symbol.for("resque.activeJob.keywords");

/** Which keys of a hash are Ruby Symbols: all, or the ones named. Set on hashes a job receives, so passing one on keeps its Ruby form. */
export type SymbolKeyMark = true | readonly string[];

const mark = <T extends object>(hash: T, key: symbol, value: SymbolKeyMark): T =>
  Object.defineProperty({ ...hash }, key, { value, enumerable: false }) as T;

/** Send this object as a Hash with Symbol keys (`{ compress: true }` in Ruby, not `{ "compress" => true }`); or only the keys named. */
export function symbolKeys<T extends object>(hash: T, keys: SymbolKeyMark = true): T {
  return mark(hash, SYMBOL_KEYS, keys);
}

/** Send this object, as the last argument, as Ruby keyword arguments (`perform(id, mode: "fast")`). */
export function keywords<T extends object>(hash: T, keys: SymbolKeyMark = true): T {
  return mark(hash, KEYWORDS, keys);
}

/** How an object was marked by symbolKeys / keywords (undefined: not marked). */
export const hashMarks = (hash: object): { symbolKeys?: SymbolKeyMark; keywords?: SymbolKeyMark } => ({
  symbolKeys: (hash as Record<symbol, SymbolKeyMark | undefined>)[SYMBOL_KEYS],
  keywords: (hash as Record<symbol, SymbolKeyMark | undefined>)[KEYWORDS],
});
