/**
 * JSON typed on the command line, read keeping each number as typed: `2.0`, `1e3` and `-0.0` are
 * Ruby Floats (`float(2)`, written back `2.0`), `2` an Integer, integers past 2^53 a bigint. The
 * library's decoder yields plain `2` for `2.0`, which writes back as the Integer `2`: a job Ruby
 * stored with `2.0` could then never be matched by `delayed remove`. No recursion, however deep.
 */
import { float, type JsonValue } from "../../protocol/json.ts";

/** Text that is not JSON, or a number no Float can hold; the message says which. */
export class TypedJsonError extends Error {
  override name = "TypedJsonError";
  /** JSON, but a number in it is past the largest Float (1e400): no Ruby or JS value holds it. */
  readonly outOfRange: boolean;
  constructor(message: string, outOfRange = false) {
    super(message);
    this.outOfRange = outOfRange;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

type Open = { array: JsonValue[] } | { object: Record<string, JsonValue>; key: string | undefined };

/** Parse `text` as JSON, each number kept as typed (see above). */
export function decodeTypedJson(text: string): JsonValue {
  try {
    // The engine's own parser checks the grammar and says where it broke; the walk below builds the values.
    JSON.parse(text);
  } catch (error) {
    throw new TypedJsonError((error as Error).message);
  }
  return build(text);
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
  return i + 1;
}

function number(token: string, fraction: boolean): JsonValue {
  if (!fraction) {
    const n = Number(token);
    return Number.isSafeInteger(n) ? n : BigInt(token);
  }
  const n = Number(token);
  if (!Number.isFinite(n)) throw new TypedJsonError(`${token} is beyond what a Float can hold (about 1.8e308)`, true);
  // A whole value typed with a point or an exponent stays a Float; other fractions are floats anyway.
  return Number.isInteger(n) ? float(n) : n;
}

/** The values of well-formed JSON text, built with an explicit stack. */
function build(text: string): JsonValue {
  const stack: Open[] = [];
  let result: JsonValue = null;
  const attach = (value: JsonValue) => {
    const top = stack.at(-1);
    if (!top) result = value;
    else if ("array" in top) top.array.push(value);
    else {
      // defineProperty keeps a "__proto__" key as data, as JSON.parse does.
      Object.defineProperty(top.object, top.key!, { value, enumerable: true, writable: true, configurable: true });
      top.key = undefined;
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "{") {
      stack.push({ object: {}, key: undefined });
      i++;
    } else if (c === "[") {
      stack.push({ array: [] });
      i++;
    } else if (c === "}" || c === "]") {
      const done = stack.pop()!;
      attach("array" in done ? done.array : done.object);
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const value = JSON.parse(text.slice(i, end)) as string;
      const top = stack.at(-1);
      if (top && "object" in top && top.key === undefined) top.key = value;
      else attach(value);
      i = end;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text)!;
      attach(number(match[0], match[1] !== undefined || match[2] !== undefined));
      i += match[0].length;
    } else if (c === "t" || c === "f" || c === "n") {
      const word = c === "t" ? "true" : c === "f" ? "false" : "null";
      attach(c === "t" ? true : c === "f" ? false : null);
      i += word.length;
    } else i++; // whitespace, ",", ":"
  }
  return result;
}
