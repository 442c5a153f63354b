/**
 * ActiveJob's argument serialization (ActiveJob::Arguments, Rails 7.2), both ways, as plain data:
 * markers (_aj_symbol_keys, _aj_ruby2_keywords, _aj_hash_with_indifferent_access) removed or
 * written, _aj_serialized values and _aj_globalid turned into the values of active-job-values.ts.
 */
import {
  BigDecimal,
  CalendarDate,
  Duration,
  GlobalID,
  hashMarks,
  Range,
  RubyModule,
  RubySymbol,
  symbolKeys,
  keywords,
  type SymbolKeyMark,
} from "./active-job-values.ts";
import { RubyFloat, type JsonValue } from "./json.ts";

const GLOBALID = "_aj_globalid";
const SERIALIZED = "_aj_serialized";
const SYMBOL_KEYS = "_aj_symbol_keys";
const RUBY2_KEYWORDS = "_aj_ruby2_keywords";
const INDIFFERENT = "_aj_hash_with_indifferent_access";
const RESERVED = new Set([GLOBALID, SERIALIZED, SYMBOL_KEYS, RUBY2_KEYWORDS, INDIFFERENT]);
const S = "ActiveJob::Serializers::";

/** A payload Rails could not have written (ActiveJob would raise DeserializationError too). */
export class ActiveJobDeserializationError extends Error {
  override name = "ActiveJob::DeserializationError";
}

/** Thrown for a JS value ActiveJob has no form for (a function, a Map, a class instance it does not know). */
export class ActiveJobSerializationError extends Error {
  override name = "ActiveJob::SerializationError";
}

type Hash = { [key: string]: JsonValue | undefined };

/** ActiveJob::Arguments.deserialize: the values a job's perform receives. */
export function deserializeArguments(args: readonly JsonValue[]): unknown[] {
  return args.map(deserialize);
}

function deserialize(value: JsonValue | undefined): unknown {
  if (value === null || value === undefined || typeof value !== "object" || value instanceof RubyFloat) return value ?? null;
  if (Array.isArray(value)) return value.map(deserialize);
  const hash = value as Hash;
  const keys = Object.keys(hash);
  if (keys.length === 1 && keys[0] === GLOBALID) return GlobalID.parse(text(hash[GLOBALID], GLOBALID));
  if (SERIALIZED in hash) return deserializeObject(hash);
  const out: Record<string, unknown> = {};
  for (const key of keys) if (!RESERVED.has(key)) out[key] = deserialize(hash[key]);
  // Ruby checks these in this order and honours only the first present.
  if (hash[INDIFFERENT] !== undefined) return out;
  if (Array.isArray(hash[SYMBOL_KEYS])) return symbolKeys(out, (hash[SYMBOL_KEYS] as JsonValue[]).map(String));
  if (Array.isArray(hash[RUBY2_KEYWORDS])) return keywords(out, (hash[RUBY2_KEYWORDS] as JsonValue[]).map(String));
  return out;
}

function deserializeObject(hash: Hash): unknown {
  const name = hash[SERIALIZED];
  const value = hash["value"];
  switch (name) {
    case `${S}SymbolSerializer`:
    case `${S}ModuleSerializer`:
      return text(value, String(name));
    case `${S}TimeSerializer`:
    case `${S}DateTimeSerializer`:
    case `${S}TimeWithZoneSerializer`:
      return parseIsoTime(text(value, String(name)));
    case `${S}DateSerializer`:
      return CalendarDate.parse(text(value, String(name)));
    case `${S}BigDecimalSerializer`:
      return new BigDecimal(text(value, String(name)));
    case `${S}DurationSerializer`: {
      const parts: Record<string, number> = {};
      for (const pair of (deserialize(hash["parts"]) ?? []) as unknown[][]) parts[String(pair[0])] = Number(pair[1]);
      return new Duration(Number(value), parts);
    }
    case `${S}RangeSerializer`:
      return new Range(deserialize(hash["begin"]), deserialize(hash["end"]), hash["exclude_end"] === true);
    default:
      throw new ActiveJobDeserializationError(
        `Serializer ${String(name)} is not known here; a custom Rails serializer needs a matching case in TypeScript`,
      );
  }
}

const text = (value: JsonValue | undefined, what: string): string => {
  if (typeof value !== "string") throw new ActiveJobDeserializationError(`${what} wants a string value, got ${JSON.stringify(value)}`);
  return value;
};

/** Ruby's Time.iso8601 text (any offset, up to 9 fractional digits) as a Date: milliseconds kept, the offset applied. */
export function parseIsoTime(value: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) throw new ActiveJobDeserializationError(`not an ISO 8601 time: ${value}`);
  const ms = (m[2] ?? "").slice(0, 3).padEnd(3, "0");
  return new Date(`${m[1]}.${ms}${m[3]}`);
}

/** Time#iso8601(9) in UTC for a Date: `2026-11-23T16:18:57.500000000Z` (JS time stops at milliseconds). */
export const isoTime9 = (date: Date): string => `${date.toISOString().slice(0, 23)}000000Z`;

/** ActiveJob::Arguments.serialize for JS values (see the README's mapping table). */
export function serializeArguments(args: readonly unknown[], options: { symbolKeys?: boolean } = {}): JsonValue[] {
  return args.map((arg) => serialize(arg, options.symbolKeys === true));
}

function serialize(value: unknown, allSymbolKeys: boolean): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new ActiveJobSerializationError(`${value} cannot be sent to Ruby as JSON`);
      return value;
    case "undefined":
      return null;
    case "object":
      break;
    default:
      throw new ActiveJobSerializationError(`a ${typeof value} cannot be an ActiveJob argument`);
  }
  if (value === null || value instanceof RubyFloat) return value;
  if (Array.isArray(value)) return value.map((v) => serialize(v, allSymbolKeys));
  const object = (name: string, members: Hash): Hash => ({ [SERIALIZED]: `${S}${name}`, ...members });
  if (value instanceof Date) return object("TimeSerializer", { value: isoTime9(value) });
  if (value instanceof CalendarDate) return object("DateSerializer", { value: value.toString() });
  if (value instanceof GlobalID) return { [GLOBALID]: value.toString() };
  if (value instanceof RubySymbol) return object("SymbolSerializer", { value: value.name });
  if (value instanceof RubyModule) return object("ModuleSerializer", { value: value.name });
  if (value instanceof BigDecimal) return object("BigDecimalSerializer", { value: value.value });
  if (value instanceof Range) {
    return object("RangeSerializer", {
      begin: serialize(value.begin, allSymbolKeys),
      end: serialize(value.end, allSymbolKeys),
      exclude_end: value.excludeEnd,
    });
  }
  if (value instanceof Duration) {
    const parts = Object.entries(value.parts).map(([unit, n]) => [serialize(new RubySymbol(unit), false), n]);
    return object("DurationSerializer", { value: value.seconds, parts });
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    throw new ActiveJobSerializationError(
      `a ${(value as object).constructor?.name ?? "object"} cannot be an ActiveJob argument; pass plain objects, arrays, numbers, strings, Date or the values of active-job-values`,
    );
  }
  return serializeHash(value as Record<string, unknown>, allSymbolKeys);
}

function serializeHash(hash: Record<string, unknown>, allSymbolKeys: boolean): Hash {
  const out: Hash = {};
  for (const [key, v] of Object.entries(hash)) {
    if (RESERVED.has(key)) throw new ActiveJobSerializationError(`Can't serialize a Hash with reserved key "${key}"`);
    if (v !== undefined) out[key] = serialize(v, allSymbolKeys);
  }
  const marks = hashMarks(hash);
  const named = (mark: SymbolKeyMark) => (mark === true ? Object.keys(out) : mark.filter((k) => k in out));
  // Ruby writes the marker last, listing the keys that were Symbols (every hash gets one).
  if (marks.keywords) out[RUBY2_KEYWORDS] = named(marks.keywords);
  else out[SYMBOL_KEYS] = marks.symbolKeys ? named(marks.symbolKeys) : allSymbolKeys ? Object.keys(out) : [];
  return out;
}
