/**
 * Lossless JSON reading: integers beyond 2^53 come back as bigint, and `canonicalJson`
 * rewrites a document the way Ruby's decode-then-generate would, keeping key order and
 * every digit of every integer.
 */
import { formatRubyFloat, type JsonValue } from "./json.ts";

/** Raised for text that is not JSON; the message says where it broke. */
export class JsonDecodeError extends Error {
  override name = "JsonDecodeError";
}

// Any run of 16+ digits may be an integer beyond 2^53; only then is the slow path needed.
const LONG_DIGITS = /\d{16,}/;

/** Parse JSON, keeping integers that do not fit a double exactly as bigint. */
export function decodeJson(text: string): JsonValue {
  if (!LONG_DIGITS.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new JsonDecodeError((error as Error).message);
    }
  }
  return new Scanner(text).document();
}

/** Re-emit JSON text exactly as Ruby's JSON.generate(JSON.parse(text)) would. */
export function canonicalJson(text: string): string {
  decodeJson(text); // validates; the rewrite below assumes well-formed input
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      const token = text.slice(i, end);
      out += token.includes("\\") ? JSON.stringify(JSON.parse(token)) : token;
      i = end;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && /[0-9eE.+-]/.test(text[end]!)) end++;
      const token = text.slice(i, end);
      out += /[.eE]/.test(token) ? formatRubyFloat(Number(token)) : BigInt(token).toString();
      i = end;
    } else {
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) out += text[i];
      i++;
    }
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  throw new JsonDecodeError(`unterminated string at ${start}`);
}

/** An array or object still being read. */
type Open = { array: JsonValue[] } | { object: Record<string, JsonValue>; key: string };

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class Scanner {
  private i = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  /**
   * The whole document, iteratively: open arrays and objects wait on an explicit stack, so a
   * payload nested 100,000 deep is read like any other instead of overflowing the call stack.
   */
  document(): JsonValue {
    const open: Open[] = [];
    for (;;) {
      let value: JsonValue;
      this.space();
      const c = this.text[this.i];
      if (c === "[" || c === "{") {
        this.i++;
        this.space();
        if (this.text[this.i] === (c === "[" ? "]" : "}")) {
          this.i++;
          value = c === "[" ? [] : {};
        } else {
          open.push(c === "[" ? { array: [] } : { object: {}, key: this.key() });
          continue;
        }
      } else {
        value = this.scalar();
      }
      // A value is complete: add it to its container, closing each container that ends here.
      for (;;) {
        const top = open.at(-1);
        if (!top) {
          this.space();
          if (this.i !== this.text.length) this.fail("unexpected text after the document");
          return value;
        }
        if ("array" in top) top.array.push(value);
        // defineProperty keeps a "__proto__" key as data, as JSON.parse does.
        else Object.defineProperty(top.object, top.key, { value, enumerable: true, writable: true, configurable: true });
        this.space();
        const next = this.text[this.i++];
        if (next === ("array" in top ? "]" : "}")) {
          value = "array" in top ? top.array : top.object;
          open.pop();
          continue;
        }
        if (next !== ",") this.fail("array" in top ? "expected ',' or ']'" : "expected ',' or '}'");
        if ("object" in top) top.key = this.key();
        break;
      }
    }
  }

  private fail(what: string): never {
    throw new JsonDecodeError(`${what} at position ${this.i}`);
  }

  private space(): void {
    while (this.i < this.text.length && " \t\n\r".includes(this.text[this.i]!)) this.i++;
  }

  /** An object member's key and its colon. */
  private key(): string {
    this.space();
    if (this.text[this.i] !== '"') this.fail("expected a key");
    const key = this.string();
    this.space();
    if (this.text[this.i++] !== ":") this.fail("expected ':'");
    return key;
  }

  private scalar(): JsonValue {
    const c = this.text[this.i];
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return value;
      }
    }
    return this.fail("unexpected character");
  }

  private string(): string {
    const end = stringEnd(this.text, this.i);
    const token = this.text.slice(this.i, end);
    this.i = end;
    try {
      return JSON.parse(token) as string;
    } catch {
      return this.fail("bad string");
    }
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail("bad number");
    this.i += match[0].length;
    if (match[1] === undefined && match[2] === undefined) {
      const n = Number(match[0]);
      return Number.isSafeInteger(n) ? n : BigInt(match[0]);
    }
    return Number(match[0]);
  }
}
