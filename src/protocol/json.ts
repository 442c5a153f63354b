/**
 * JSON exactly as stock Resque writes it (Ruby's JSON.generate): no spaces, `/` unescaped,
 * raw UTF-8, Ruby's Float#to_s for floats, and integers of any size kept exact.
 */

/** A JSON value as jobs see it; integers beyond 2^53 arrive as bigint so they survive a round trip. */
export type JsonValue = null | boolean | number | bigint | string | RubyFloat | JsonValue[] | { [key: string]: JsonValue | undefined };

/** A number that must be written as a Ruby Float (`1.0`, not `1`); JS has no other way to say it. */
export class RubyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** Mark a number as a float so it is written `1.0` like Ruby would. */
export const float = (value: number): RubyFloat => new RubyFloat(value);

/** Thrown for values Ruby's JSON.generate refuses too (NaN, Infinity, functions, symbols). */
export class JsonEncodeError extends Error {
  override name = "JsonEncodeError";
}

/** Ruby's Float#to_s, which JSON.generate uses for every Float. */
export function formatRubyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new JsonEncodeError(`${value} not allowed in JSON`);
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  // toExponential() with no argument gives the shortest digits that round-trip, as Ruby does.
  const [mantissa = "", exponent = "0"] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const decpt = Number(exponent) + 1;
  const count = digits.length;
  if (decpt > 0 && decpt <= 16 && decpt < count) {
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  if (decpt > 0 && decpt <= 15) return `${sign}${digits}${"0".repeat(decpt - count)}.0`;
  if (decpt <= 0 && decpt > -4) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  const e = decpt - 1;
  const expText = `${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return `${sign}${digits[0]}.${digits.slice(1) || "0"}e${expText}`;
}

function encodeNumber(value: number): string {
  if (!Number.isFinite(value)) throw new JsonEncodeError(`${value} not allowed in JSON`);
  if (Number.isInteger(value)) {
    // Integral JS numbers are written as Ruby Integers; 1e21 would otherwise print as "1e+21".
    return Math.abs(value) < 1e21 ? String(value === 0 ? 0 : value) : BigInt(value).toString();
  }
  return formatRubyFloat(value);
}

/** A container being written: its remaining values, and for an object their keys. */
interface Open {
  container: object;
  values: unknown[];
  keys: string[] | undefined;
  next: number;
  close: "]" | "}";
}

/** toJSON may hand back another value with a toJSON; a chain this long is a loop. */
const MAX_TO_JSON = 1000;

/**
 * Encode a value as Ruby's JSON.generate would (object keys in JS insertion order). Iterative,
 * with the open containers on an explicit stack: a job's payload can nest as deep as its bytes
 * allow, and a recursive encoder would die of the call stack on it (and take its process along).
 */
export function encodeJson(value: unknown): string {
  let out = "";
  const open: Open[] = [];
  const path = new Set<object>();
  let item: unknown = value;
  for (;;) {
    for (
      let unwrapped = 0;
      isObject(item) && !(item instanceof RubyFloat) && !Array.isArray(item) && typeof (item as { toJSON?: unknown }).toJSON === "function";
      unwrapped++
    ) {
      if (unwrapped === MAX_TO_JSON) throw new JsonEncodeError(`toJSON returned a value with a toJSON ${MAX_TO_JSON} times in a row`);
      item = (item as { toJSON: () => unknown }).toJSON();
    }
    if (isObject(item) && !(item instanceof RubyFloat)) {
      if (path.has(item)) throw new JsonEncodeError("a circular structure cannot be written as JSON");
      path.add(item);
      if (Array.isArray(item)) {
        out += "[";
        open.push({ container: item, values: item, keys: undefined, next: 0, close: "]" });
      } else {
        const keys: string[] = [];
        const values: unknown[] = [];
        for (const [key, member] of Object.entries(item)) {
          if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
          keys.push(key);
          values.push(member);
        }
        out += "{";
        open.push({ container: item, values, keys, next: 0, close: "}" });
      }
    } else {
      out += encodeScalar(item);
    }
    // The next value to write, closing every container that has none left.
    for (;;) {
      const top = open.at(-1);
      if (!top) return out;
      if (top.next < top.values.length) {
        const i = top.next++;
        if (i > 0) out += ",";
        if (top.keys) out += `${JSON.stringify(top.keys[i])}:`;
        const member = top.values[i];
        item = member === undefined ? null : member; // an array's holes and undefineds are null
        break;
      }
      out += top.close;
      path.delete(top.container);
      open.pop();
    }
  }
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

function encodeScalar(value: unknown): string {
  switch (typeof value) {
    case "string":
      // JSON.stringify escapes exactly what Ruby's generator escapes: `"`, `\`, and C0 controls.
      return JSON.stringify(value);
    case "number":
      return encodeNumber(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (value instanceof RubyFloat) return formatRubyFloat(value.value);
      throw new JsonEncodeError("an object reached the scalar encoder"); // not reached: encodeJson opens objects
    default:
      throw new JsonEncodeError(`a ${typeof value} cannot be written as JSON`);
  }
}
